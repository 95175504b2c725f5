from django.urls import path

from . import views

urlpatterns = [
    path("chat/rooms/", views.RoomListView.as_view(), name="rooms"),
    path("chat/rooms/<uuid:id>/messages/", views.RoomMessagesView.as_view(), name="messages"),
    path("chat/rooms/<uuid:id>/participants/", views.ParticipantsView.as_view(), name="participants"),
    path(
        "chat/rooms/<uuid:id>/participants/<uuid:user_id>/",
        views.ParticipantView.as_view(),
        name="participant",
    ),
    path("chat/rooms/<uuid:id>/read/", views.ReadView.as_view(), name="read"),
    path("chat/send/", views.SendView.as_view(), name="send"),
    path("chat/messages/<uuid:id>/", views.MessageView.as_view(), name="message"),
]
