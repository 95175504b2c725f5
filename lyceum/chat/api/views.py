"""The chat API: thin views over the chat services and selectors."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, pagination, status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import selectors, services
from . import serializers as s

E400 = OpenApiResponse(description="Validation error.")
E403 = OpenApiResponse(description="Not allowed: not a moderator of the room, or blocked by that person.")
E404 = OpenApiResponse(description="No such room or message among yours.")
E429 = OpenApiResponse(description="Too many messages or invitations; see Retry-After.")


class HistoryPagination(pagination.CursorPagination):
    """Newest first; the cursor stays put while new messages arrive."""

    ordering = "-seq"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    def decode_cursor(self, request):
        """A cursor this server did not make is a 400, not a database error."""
        try:
            cursor = super().decode_cursor(request)
        except NotFound:
            cursor = None
            bad = True
        else:
            position = cursor.position if cursor is not None else None
            bad = position is not None and not (position.isdigit() and int(position) < 2**63)
        if bad:
            raise ValidationError({"cursor": ["This cursor is not valid: use the next or previous link."]})
        return cursor


class RoomListView(generics.ListAPIView):
    serializer_class = s.RoomSerializer

    def get_queryset(self):
        return selectors.rooms_of(user=self.request.user)

    @extend_schema(summary="Your rooms, with unread counts", tags=["chat"])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=s.RoomCreateSerializer,
        responses={201: s.RoomSerializer, 200: s.RoomSerializer, 400: E400},
        summary="Create a group room, or open the direct room with a user (found, not duplicated)",
        tags=["chat"],
    )
    def post(self, request: Request) -> Response:
        serializer = s.RoomCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if data["kind"] == "direct":
            room, created = services.direct_room(user=request.user, other_id=data["user"])
        else:
            room, created = (
                services.room_create(
                    creator=request.user, name=data["name"], member_ids=data.get("members", [])
                ),
                True,
            )
        room = selectors.rooms_of(user=request.user).get(pk=room.pk)
        return Response(
            s.RoomSerializer(room).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )


class RoomMessagesView(generics.ListAPIView):
    serializer_class = s.MessageSerializer
    pagination_class = HistoryPagination

    def get_queryset(self):
        room = selectors.room_for(user=self.request.user, room_id=self.kwargs["id"])
        return selectors.room_messages(room=room)

    @extend_schema(summary="A room's messages, newest first (cursor pagination)", tags=["chat"])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class SendView(APIView):
    @extend_schema(
        request=s.SendSerializer,
        responses={
            201: s.MessageSerializer,
            200: s.MessageSerializer,
            400: E400,
            403: E403,
            404: E404,
            429: E429,
        },
        summary="Send a message (a resend with the same client_id is not stored "
        "twice); sockets of the room receive it",
        tags=["chat"],
    )
    def post(self, request: Request) -> Response:
        serializer = s.SendSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        message, created = services.message_send(
            room_id=data["room"],
            sender=request.user,
            content=data["content"],
            client_id=data.get("client_id", ""),
        )
        return Response(
            s.MessageSerializer(message).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class MessageView(APIView):
    @extend_schema(
        request=s.EditSerializer,
        responses={200: s.MessageSerializer, 400: E400, 403: None, 404: E404},
        summary="Edit your message",
        tags=["chat"],
    )
    def patch(self, request: Request, id) -> Response:
        serializer = s.EditSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        message = services.message_edit(
            message_id=id, user=request.user, content=serializer.validated_data["content"]
        )
        return Response(s.MessageSerializer(message).data)

    @extend_schema(
        responses={200: s.MessageSerializer, 403: None, 404: E404},
        summary="Delete your message (a tombstone keeps its place)",
        tags=["chat"],
    )
    def delete(self, request: Request, id) -> Response:
        message = services.message_delete(message_id=id, user=request.user)
        return Response(s.MessageSerializer(message).data)


class ParticipantsView(APIView):
    @extend_schema(
        request=s.ParticipantSerializer,
        responses={201: s.AddResultSerializer, 400: E400, 403: E403, 404: E404, 429: E429},
        summary="Add a member (owners and moderators): someone who shares a course with you is "
        "added, anyone else is invited and joins on accepting",
        tags=["chat"],
    )
    def post(self, request: Request, id) -> Response:
        room = selectors.room_for(user=request.user, room_id=id)
        serializer = s.ParticipantSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        _, invited = services.participant_add(
            room=room, actor=request.user, user_id=serializer.validated_data["user"]
        )
        return Response({"status": "invited" if invited else "added"}, status=status.HTTP_201_CREATED)


class InvitationListView(generics.ListAPIView):
    serializer_class = s.InvitationSerializer

    def get_queryset(self):
        return selectors.invitations_of(user=self.request.user)

    @extend_schema(summary="Group rooms you are invited to", tags=["chat"])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class InvitationAcceptView(APIView):
    @extend_schema(
        request=None,
        responses={200: s.RoomSerializer, 404: E404},
        summary="Accept an invitation: you join the room",
        tags=["chat"],
    )
    def post(self, request: Request, id) -> Response:
        room = services.invitation_accept(invitation_id=id, user=request.user)
        room = selectors.room_for(user=request.user, room_id=room.pk)
        return Response(s.RoomSerializer(room, context={"request": request}).data)


class InvitationDeclineView(APIView):
    @extend_schema(
        request=None, responses={204: None, 404: E404}, summary="Decline an invitation", tags=["chat"]
    )
    def post(self, request: Request, id) -> Response:
        services.invitation_decline(invitation_id=id, user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class BlockListView(generics.ListAPIView):
    serializer_class = s.BlockSerializer

    def get_queryset(self):
        return selectors.blocked_by(user=self.request.user)

    @extend_schema(summary="The people you block", tags=["chat"])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=s.ParticipantSerializer,
        responses={201: s.BlockSerializer, 400: E400},
        summary="Block someone: they can no longer invite you or message you directly",
        tags=["chat"],
    )
    def post(self, request: Request) -> Response:
        serializer = s.ParticipantSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        block = services.user_block(blocker=request.user, user_id=serializer.validated_data["user"])
        return Response(s.BlockSerializer(block).data, status=status.HTTP_201_CREATED)


class BlockView(APIView):
    @extend_schema(responses={204: None, 404: E404}, summary="Unblock someone", tags=["chat"])
    def delete(self, request: Request, user_id) -> Response:
        services.user_unblock(blocker=request.user, user_id=user_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ParticipantView(APIView):
    @extend_schema(
        responses={204: None, 403: None, 404: E404},
        summary="Remove a member, or leave (your own id)",
        tags=["chat"],
    )
    def delete(self, request: Request, id, user_id) -> Response:
        room = selectors.room_for(user=request.user, room_id=id, moderate=True)
        services.participant_remove(room=room, actor=request.user, user_id=user_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ReadView(APIView):
    @extend_schema(
        request=s.ReadSerializer,
        responses={204: None, 404: E404},
        summary="Mark the room read (up to seq, or all)",
        tags=["chat"],
    )
    def post(self, request: Request, id) -> Response:
        room = selectors.room_for(user=request.user, room_id=id)
        serializer = s.ReadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.room_mark_read(room=room, user=request.user, seq=serializer.validated_data.get("seq"))
        return Response(status=status.HTTP_204_NO_CONTENT)
