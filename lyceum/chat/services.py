"""Every write of chat: rooms, membership, messages and read positions.

Each write is broadcast to the room's channel-layer group after the transaction commits, so a
socket never shows a message that was rolled back.
"""

from __future__ import annotations

import contextlib
import json
import uuid
from typing import Any

from channels.exceptions import ChannelFull
from channels.layers import get_channel_layer
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from lyceum.access import audit
from lyceum.access.checks import has_permission
from lyceum.accounts.models import User
from lyceum.core import ratelimit
from lyceum.core.events import publish
from lyceum.core.exceptions import Forbidden, NotFound
from lyceum.core.realtime import group_send, run_sync
from lyceum.courses.models import Course

from . import events, presence
from .models import (
    MAX_CLIENT_ID_LENGTH,
    MAX_MESSAGE_LENGTH,
    ChatRoom,
    Message,
    Participant,
    RoomInvitation,
    UserBlock,
)


def room_group(room_id: Any) -> str:
    return f"chat.room.{room_id}"


def room_message(event: dict[str, Any]) -> dict[str, Any]:
    """The channel-layer message carrying ``event`` to a room's sockets: the frame is encoded
    once here rather than once per socket; the sequence number rides beside it for the sockets'
    ordering (see ChatConsumer.room_event)."""
    seq = event["message"]["seq"] if event["type"] == "message.create" else None
    return {
        "type": "room.event",
        "event_type": event["type"],
        "seq": seq,
        "user": event.get("user"),
        "text": json.dumps(event),
    }


def broadcast(room_id: Any, event: dict[str, Any]) -> None:
    """Sends ``event`` to the room's sockets once the transaction commits."""

    def send() -> None:
        group_send(room_group(room_id), room_message(event))

    transaction.on_commit(send)


def message_event(message: Message) -> dict[str, Any]:
    """What sockets receive of a message (content is sent as text; clients escape it)."""
    return {
        "id": str(message.id),
        "room": str(message.room_id),
        "seq": message.seq,
        "sender": str(message.sender_id) if message.sender_id else None,
        "sender_name": message.sender.display_name if message.sender_id else "",
        "client_id": message.client_id,
        "content": "" if message.is_deleted else message.content,
        "created_at": message.created_at.isoformat(),
        "edited_at": message.edited_at.isoformat() if message.edited_at else None,
        "deleted": message.is_deleted,
    }


def _membership(room: ChatRoom, user: User) -> Participant:
    participant = Participant.objects.filter(room=room, user=user).first()
    if participant is None:
        raise NotFound("No such room among yours.")
    return participant


def _add(room: ChatRoom, users: list[User], role: str = Participant.Role.MEMBER) -> None:
    Participant.objects.bulk_create(
        [Participant(room=room, user=user, role=role) for user in users], ignore_conflicts=True
    )


def course_mates(*, user: User, among: list[Any]) -> set[str]:
    """The ids, of those in ``among``, of people in a course with ``user`` (enrolled in it or
    teaching it), in two queries."""
    from lyceum.courses.models import CourseEnrollment

    courses = Course.objects.filter(
        Q(pk__in=CourseEnrollment.objects.filter(user=user).values("course_id")) | Q(instructor=user)
    ).values("pk")
    enrolled = CourseEnrollment.objects.filter(course_id__in=courses, user_id__in=among).values_list(
        "user_id", flat=True
    )
    teaching = Course.objects.filter(pk__in=courses, instructor_id__in=among).values_list(
        "instructor_id", flat=True
    )
    return {str(pk) for pk in [*enrolled, *teaching]}


def is_blocked(*, by: User, user: User) -> bool:
    return UserBlock.objects.filter(blocker=by, blocked=user).exists()


def _invite_or_add(room: ChatRoom, actor: User, users: list[User]) -> tuple[list[User], list[User]]:
    """Adds the users who share a course with ``actor``; invites the others (they join if they
    accept). Someone who blocked ``actor`` is refused. Returns (added, invited)."""
    if not users:
        return [], []
    if UserBlock.objects.filter(blocker__in=users, blocked=actor).exists():
        raise Forbidden("Some of these people do not accept invitations from you.", code="blocked")
    ratelimit.hit(
        "chat_invite", f"user:{actor.pk}", message="You are inviting people too fast. Wait a while."
    )
    mates = course_mates(user=actor, among=[user.pk for user in users])
    added = [user for user in users if str(user.pk) in mates]
    invited = [user for user in users if str(user.pk) not in mates]
    _add(room, added)
    for user in added:
        broadcast(room.pk, {"type": "room.join", "room": str(room.pk), "user": str(user.pk)})
    already = set(
        RoomInvitation.objects.filter(room=room, invitee__in=invited).values_list("invitee_id", flat=True)
    )
    fresh = [
        RoomInvitation(room=room, invitee=user, invited_by=actor)
        for user in invited
        if user.pk not in already
    ]
    RoomInvitation.objects.bulk_create(fresh)
    if fresh:
        publish(
            events.room_invited,
            room_id=room.pk,
            room_name=str(room),
            invitee_ids=[invitation.invitee_id for invitation in fresh],
            inviter_name=actor.display_name,
        )
    return added, invited


@transaction.atomic
def room_create(*, creator: User, name: str, member_ids: list[Any]) -> ChatRoom:
    """A group room with ``creator`` as owner. Members who share a course with the creator are
    added; the others are invited and join if they accept."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": ["Give the room a name."]})
    members = list(User.objects.filter(pk__in=member_ids, is_active=True).exclude(pk=creator.pk))
    if len(members) != len(set(map(str, member_ids)) - {str(creator.pk)}):
        raise ValidationError({"members": ["Some of these users do not exist."]})
    room = ChatRoom.objects.create(name=name[:200], kind=ChatRoom.Kind.GROUP, creator=creator)
    _add(room, [creator], Participant.Role.OWNER)
    _invite_or_add(room, creator, members)
    return room


def direct_room(*, user: User, other_id: Any) -> tuple[ChatRoom, bool]:
    """The one direct room of two users: found if it exists, else created (not with someone who
    blocked you)."""
    other = User.objects.filter(pk=other_id, is_active=True).first()
    if other is None or other.pk == user.pk:
        raise ValidationError({"user": ["Choose another existing user."]})
    key = ":".join(sorted([str(user.pk), str(other.pk)]))
    room = ChatRoom.objects.filter(direct_key=key).first()
    if room is not None:
        return room, False
    if is_blocked(by=other, user=user):
        raise Forbidden("This person does not accept messages from you.", code="blocked")
    try:
        with transaction.atomic():
            room = ChatRoom.objects.create(kind=ChatRoom.Kind.DIRECT, creator=user, direct_key=key)
            _add(room, [user, other])
    except IntegrityError:  # the other user opened it at the same moment
        return ChatRoom.objects.get(direct_key=key), False
    return room, True


def course_room(*, course: Course) -> ChatRoom:
    """The course's room (made on first need), with the instructor as owner."""
    room = ChatRoom.objects.filter(course=course).first()
    if room is not None:
        return room
    try:
        with transaction.atomic():
            room = ChatRoom.objects.create(
                course=course, kind=ChatRoom.Kind.COURSE, name=course.title, creator_id=course.instructor_id
            )
            _add(room, [course.instructor], Participant.Role.OWNER)
    except IntegrityError:  # another enrollment made it at the same moment
        return ChatRoom.objects.get(course=course)
    return room


def _platform_moderator(room: ChatRoom, user: User) -> bool:
    """Holds ``chat.moderate`` and the room is a group or course room (direct rooms stay private)."""
    return room.kind != ChatRoom.Kind.DIRECT and has_permission(user, "chat.moderate")


def _require_moderator(room: ChatRoom, user: User) -> None:
    if _platform_moderator(room, user):
        return
    participant = _membership(room, user)
    if room.kind != ChatRoom.Kind.GROUP or participant.role == Participant.Role.MEMBER:
        raise Forbidden("Only the room's owner or moderators change its members.", code="not_room_moderator")


@transaction.atomic
def participant_add(*, room: ChatRoom, actor: User, user_id: Any) -> tuple[Participant | None, bool]:
    """Adds a member if they share a course with ``actor``, else invites them. Returns
    (participant or None, invited)."""
    _require_moderator(room, actor)
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        raise ValidationError({"user": ["No such user."]})
    existing = Participant.objects.filter(room=room, user=user).first()
    if existing is not None:
        return existing, False
    added, invited = _invite_or_add(room, actor, [user])
    return (Participant.objects.get(room=room, user=user) if added else None), bool(invited)


@transaction.atomic
def invitation_accept(*, invitation_id: Any, user: User) -> ChatRoom:
    invitation = RoomInvitation.objects.select_for_update().filter(pk=invitation_id, invitee=user).first()
    if invitation is None:
        raise NotFound("No such invitation among yours.")
    room = invitation.room
    invitation.delete()
    _, created = Participant.objects.get_or_create(room=room, user=user)
    if created:
        broadcast(room.pk, {"type": "room.join", "room": str(room.pk), "user": str(user.pk)})
    return room


@transaction.atomic
def invitation_decline(*, invitation_id: Any, user: User) -> None:
    deleted, _ = RoomInvitation.objects.filter(pk=invitation_id, invitee=user).delete()
    if not deleted:
        raise NotFound("No such invitation among yours.")


@transaction.atomic
def user_block(*, blocker: User, user_id: Any) -> UserBlock:
    """Stops ``user_id`` inviting ``blocker`` or messaging them directly; their pending
    invitations from that user are dropped."""
    user = User.objects.filter(pk=user_id).first()
    if user is None or user.pk == blocker.pk:
        raise ValidationError({"user": ["Choose another existing user."]})
    block, _ = UserBlock.objects.get_or_create(blocker=blocker, blocked=user)
    RoomInvitation.objects.filter(invitee=blocker, invited_by=user).delete()
    return block


@transaction.atomic
def user_unblock(*, blocker: User, user_id: Any) -> None:
    deleted, _ = UserBlock.objects.filter(blocker=blocker, blocked_id=user_id).delete()
    if not deleted:
        raise NotFound("You do not block this user.")


@transaction.atomic
def participant_remove(*, room: ChatRoom, actor: User, user_id: Any) -> None:
    """Removes a member (a moderator may remove others; anyone may leave)."""
    if str(user_id) != str(actor.pk):
        _require_moderator(room, actor)
    deleted, _ = Participant.objects.filter(room=room, user_id=user_id).delete()
    if not deleted:
        raise NotFound("This user is not in the room.")
    member_left(room_id=room.pk, user_id=user_id)


def member_left(*, room_id: Any, user_id: Any) -> None:
    """After the commit that removed ``user_id`` from the room: their open sockets to it are cut
    from the room's group at once (so no later message reaches them, even a socket that is not
    reading and has thousands queued) and told to close; the room hears ``room.leave``."""

    def cut_off() -> None:
        layer = get_channel_layer()
        if layer is None:
            return
        for channel in presence.channels_of(room_id=room_id, user_id=user_id):
            run_sync(_cut_off, layer, room_group(room_id), channel)

    broadcast(room_id, {"type": "room.leave", "room": str(room_id), "user": str(user_id)})
    transaction.on_commit(cut_off)  # after the broadcast: the member hears room.leave first


async def _cut_off(layer, group: str, channel: str) -> None:
    await layer.group_discard(group, channel)
    with contextlib.suppress(ChannelFull):  # a full channel: its socket's heartbeat closes it
        await layer.send(channel, {"type": "room.removed"})


CHAT_SEND_LIMITED = "You are sending messages too fast. Wait a moment."


def _check_text(content: str) -> str:
    content = content.strip()
    if not content:
        raise ValidationError({"content": ["A message cannot be empty."]})
    if len(content) > MAX_MESSAGE_LENGTH:
        raise ValidationError({"content": [f"A message has at most {MAX_MESSAGE_LENGTH} characters."]})
    return content


def message_send(*, room_id: Any, sender: User, content: str, client_id: str = "") -> tuple[Message, bool]:
    """Stores a message with the room's next sequence number, then broadcasts it; returns
    (message, created). A resend with the same ``client_id`` returns the stored message.

    Sends through the API and the sockets share the ``chat_send`` rate limit of the sender."""
    content = _check_text(content)
    client_id = client_id or ""
    if len(client_id) > MAX_CLIENT_ID_LENGTH:
        raise ValidationError({"client_id": [f"A client id has at most {MAX_CLIENT_ID_LENGTH} characters."]})
    ratelimit.hit("chat_send", f"user:{sender.pk}", message=CHAT_SEND_LIMITED)
    with transaction.atomic():
        room = ChatRoom.objects.select_for_update().filter(pk=room_id).first()
        if room is None or not Participant.objects.filter(room=room, user=sender).exists():
            raise NotFound("No such room among yours.")
        if room.kind == ChatRoom.Kind.DIRECT and _blocked_in_direct(room, sender):
            raise Forbidden("You cannot message this person.", code="blocked")
        if client_id:
            existing = Message.objects.filter(room=room, sender=sender, client_id=client_id).first()
            if existing is not None:
                return existing, False
        now = timezone.now()
        ChatRoom.objects.filter(pk=room.pk).update(last_seq=F("last_seq") + 1, last_message_at=now)
        room.refresh_from_db(fields=["last_seq"])
        message = Message.objects.create(
            room=room, sender=sender, seq=room.last_seq, client_id=client_id, content=content, created_at=now
        )
        Participant.objects.filter(room=room, user=sender).update(last_read_seq=message.seq)
        broadcast(room.pk, {"type": "message.create", "message": message_event(message)})
        publish(
            events.message_created,
            room_id=room.pk,
            room_name=str(room),
            message_id=message.pk,
            sender_id=sender.pk,
            sender_name=sender.display_name,
            seq=message.seq,
        )
    return message, True


def _blocked_in_direct(room: ChatRoom, sender: User) -> bool:
    other = Participant.objects.filter(room=room).exclude(user=sender).values_list("user_id", flat=True)
    return UserBlock.objects.filter(
        Q(blocker_id__in=other, blocked=sender) | Q(blocker=sender, blocked_id__in=other)
    ).exists()


def _own_message(message_id: Any, user: User, room_id: Any = None, *, moderate: bool = False) -> Message:
    """The user's own message, locked; with ``moderate``, also another's message that the room's
    owner or moderators, or a holder of ``chat.moderate`` (not in direct rooms), may remove."""
    try:
        message_id = uuid.UUID(str(message_id))
    except ValueError:
        raise NotFound("No such message.") from None
    messages = Message.objects.select_for_update(of=("self",)).select_related("room", "sender")
    if room_id is not None:
        messages = messages.filter(room_id=room_id)
    message = messages.filter(pk=message_id).first()
    if message is None:
        raise NotFound("No such message.")
    member = Participant.objects.filter(room=message.room, user=user).first()
    platform = moderate and _platform_moderator(message.room, user)
    if member is None and not platform:
        raise NotFound("No such message.")
    if message.sender_id != user.pk:
        in_room = (
            moderate
            and member is not None
            and message.room.kind == ChatRoom.Kind.GROUP
            and member.role != Participant.Role.MEMBER
        )
        if not (in_room or platform):
            raise Forbidden("You can change only your own messages.", code="not_your_message")
    if message.is_deleted:
        raise NotFound("This message was deleted.")
    return message


@transaction.atomic
def message_edit(*, message_id: Any, user: User, content: str, room_id: Any = None) -> Message:
    """Changes the text of the user's own message (in ``room_id`` only, when given: a room's
    socket acts on its own room)."""
    content = _check_text(content)
    ratelimit.hit("chat_send", f"user:{user.pk}", message=CHAT_SEND_LIMITED)
    message = _own_message(message_id, user, room_id)
    message.content, message.edited_at = content, timezone.now()
    message.save(update_fields=["content", "edited_at"])
    broadcast(message.room_id, {"type": "message.update", "message": message_event(message)})
    return message


@transaction.atomic
def message_delete(*, message_id: Any, user: User, room_id: Any = None) -> Message:
    """Deletes a message's content but keeps its place (a tombstone), so sequences stay whole.
    The sender deletes their own; the room's owner and moderators, and the site's moderators
    (``chat.moderate``, group and course rooms), delete anyone's, which the audit log keeps."""
    message = _own_message(message_id, user, room_id, moderate=True)
    if message.sender_id != user.pk:
        audit.record(
            actor=user,
            action="chat.message.delete",
            target=message,
            details={
                "room": str(message.room_id),
                "sender": str(message.sender_id),
                "text": message.content[:500],
            },
        )
    message.content, message.deleted_at = "", timezone.now()
    message.save(update_fields=["content", "deleted_at"])
    broadcast(message.room_id, {"type": "message.delete", "message": message_event(message)})
    return message


@transaction.atomic
def room_mark_read(*, room: ChatRoom, user: User, seq: int | None = None) -> Participant:
    """Moves the user's read position forward (never back) to ``seq`` or the last message."""
    participant = _membership(room, user)
    target = room.last_seq if seq is None else min(int(seq), room.last_seq)
    if target > participant.last_read_seq:
        participant.last_read_seq = target
        participant.save(update_fields=["last_read_seq"])
        broadcast(room.pk, {"type": "read", "room": str(room.pk), "user": str(user.pk), "seq": target})
    return participant
