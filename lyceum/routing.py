"""WebSocket routes of every app, mounted under /ws/ by lyceum.asgi."""

from django.urls import path

from lyceum.accounts.consumers import AccountConsumer
from lyceum.chat.consumers import ChatConsumer

websocket_urlpatterns = [
    path("ws/account/", AccountConsumer.as_asgi()),
    path("ws/chat/rooms/<uuid:room_id>/", ChatConsumer.as_asgi()),
]
