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
    path("chat/invitations/", views.InvitationListView.as_view(), name="invitations"),
    path(
        "chat/invitations/<uuid:id>/accept/", views.InvitationAcceptView.as_view(), name="invitation_accept"
    ),
    path(
        "chat/invitations/<uuid:id>/decline/",
        views.InvitationDeclineView.as_view(),
        name="invitation_decline",
    ),
    path("chat/blocks/", views.BlockListView.as_view(), name="blocks"),
    path("chat/blocks/<uuid:user_id>/", views.BlockView.as_view(), name="block"),
    path("chat/messages/<uuid:id>/", views.MessageView.as_view(), name="message"),
]
