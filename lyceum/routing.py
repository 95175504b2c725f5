"""WebSocket routes of every app, mounted under /ws/ by lyceum.asgi."""

from django.urls import path

from lyceum.accounts.consumers import AccountConsumer

websocket_urlpatterns = [
    path("ws/account/", AccountConsumer.as_asgi()),
]
