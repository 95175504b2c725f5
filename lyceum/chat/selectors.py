"""Reads of chat: a user's rooms with unread counts, and message history."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, F, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Concat, NullIf, Trim

from lyceum.access.checks import has_permission
from lyceum.accounts.models import User
from lyceum.core.exceptions import NotFound

from .models import ChatRoom, Message, Participant, RoomInvitation, UserBlock


def rooms_of(*, user: User) -> QuerySet[ChatRoom]:
    """The user's rooms, newest activity first, each with ``unread`` (others' messages after the
    user's read position), ``last_read_seq`` and ``other_name`` (who a direct room is with)."""
    mine = Participant.objects.filter(room=OuterRef("pk"), user=user)
    unread = (
        Message.objects.filter(
            room=OuterRef("pk"), seq__gt=OuterRef("last_read_seq"), deleted_at__isnull=True
        )
        .exclude(sender=user)
        .order_by()
        .values("room")
        .annotate(n=Count("pk"))
        .values("n")
    )
    full_name = Trim(Concat("user__first_name", Value(" "), "user__last_name"))
    others = (
        Participant.objects.filter(room=OuterRef("pk"))
        .exclude(user=user)
        .order_by("joined_at")
        .annotate(name=Coalesce(NullIf(full_name, Value("")), "user__username"))
    )
    return (
        ChatRoom.objects.filter(participants__user=user)
        .annotate(last_read_seq=Subquery(mine.values("last_read_seq")[:1]))
        .annotate(other_name=Subquery(others.values("name")[:1]))
        .annotate(unread=Coalesce(Subquery(unread), Value(0)))
        .order_by(F("last_message_at").desc(nulls_last=True), "-created_at")
    )


def room_for(*, user: User, room_id: Any, moderate: bool = False) -> ChatRoom:
    """A room ``user`` is in; with ``moderate``, also any group or course room for a holder of
    ``chat.moderate`` (direct rooms stay private)."""
    room = ChatRoom.objects.filter(pk=room_id, participants__user=user).first()
    if room is None and moderate and has_permission(user, "chat.moderate"):
        room = ChatRoom.objects.exclude(kind=ChatRoom.Kind.DIRECT).filter(pk=room_id).first()
    if room is None:
        raise NotFound("No such room among yours.")
    return room


def rooms_to_invite_to(*, user: User, invitee: User | None = None) -> QuerySet[ChatRoom]:
    """Group rooms where ``user`` may add people (owner or moderator), without those
    ``invitee`` is already in."""
    rooms = ChatRoom.objects.filter(
        kind=ChatRoom.Kind.GROUP,
        participants__user=user,
        participants__role__in=[Participant.Role.OWNER, Participant.Role.MODERATOR],
    )
    if invitee is not None:
        rooms = rooms.exclude(participants__user=invitee)
    return rooms.order_by("name")


def room_messages(*, room: ChatRoom) -> QuerySet[Message]:
    return Message.objects.filter(room=room).select_related("sender")


RESUME_BATCH = 500


def messages_after(*, room: ChatRoom, seq: int, upto: int | None = None) -> list[Message]:
    """The messages a client missed after ``seq`` (through ``upto``), in order, at most
    ``RESUME_BATCH`` of them (for a socket that resumes or has a gap)."""
    missed = Message.objects.filter(room=room, seq__gt=seq)
    if upto is not None:
        missed = missed.filter(seq__lte=upto)
    return list(missed.select_related("sender").order_by("seq")[:RESUME_BATCH])


def invitations_of(*, user: User) -> QuerySet[RoomInvitation]:
    """The group rooms the user is invited to, newest first."""
    return RoomInvitation.objects.filter(invitee=user).select_related("room", "invited_by")


def blocked_by(*, user: User) -> QuerySet[UserBlock]:
    return UserBlock.objects.filter(blocker=user).select_related("blocked").order_by("-created_at")
