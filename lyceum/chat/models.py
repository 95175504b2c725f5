"""Chat: rooms, their participants and messages. Each room numbers its messages 1, 2, 3 …"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from lyceum.courses.models import Course

MAX_MESSAGE_LENGTH = 4000
MAX_CLIENT_ID_LENGTH = 64


class ChatRoom(models.Model):
    class Kind(models.TextChoices):
        DIRECT = "direct", "Direct"
        GROUP = "group", "Group"
        COURSE = "course", "Course"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=200, blank=True)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.GROUP)
    creator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    course = models.OneToOneField(
        Course, on_delete=models.CASCADE, null=True, blank=True, related_name="chat_room"
    )
    direct_key = models.CharField(
        max_length=80,
        unique=True,
        null=True,
        blank=True,
        help_text="Direct rooms: the two user ids, sorted, so that a pair has one room.",
    )
    last_seq = models.PositiveBigIntegerField(default=0, help_text="The sequence number of the last message.")
    last_message_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-last_message_at", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="course") | Q(course__isnull=False),
                name="chat_room_course_rooms_name_a_course",
            ),
        ]

    def __str__(self) -> str:
        return self.name or f"{self.get_kind_display()} room"


class Participant(models.Model):
    class Role(models.TextChoices):
        OWNER = "owner", "Owner"
        MODERATOR = "moderator", "Moderator"
        MEMBER = "member", "Member"

    room = models.ForeignKey(ChatRoom, on_delete=models.CASCADE, related_name="participants")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="chat_participations"
    )
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    joined_at = models.DateTimeField(default=timezone.now)
    last_read_seq = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["room", "user"], name="chat_participant_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.room}"


class Message(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    room = models.ForeignKey(ChatRoom, on_delete=models.CASCADE, related_name="messages")
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="chat_messages"
    )
    seq = models.PositiveBigIntegerField(help_text="1, 2, 3 … within the room; never reused.")
    client_id = models.CharField(
        max_length=64,
        blank=True,
        help_text="The sender's own id for the message: a resend with the same id is not stored twice.",
    )
    content = models.TextField(max_length=MAX_MESSAGE_LENGTH)
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["seq"]
        constraints = [
            models.UniqueConstraint(fields=["room", "seq"], name="chat_message_seq_unique"),
            models.UniqueConstraint(
                fields=["room", "sender", "client_id"],
                condition=~Q(client_id=""),
                name="chat_message_client_id_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} in {self.room_id}"

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


class RoomInvitation(models.Model):
    """An invitation to a group room, for someone who shares no course with the inviter: they
    join only if they accept (nobody is put into a room by a stranger)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    room = models.ForeignKey(ChatRoom, on_delete=models.CASCADE, related_name="invitations")
    invitee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["room", "invitee"], name="chat_invitation_once"),
        ]

    def __str__(self) -> str:
        return f"{self.invitee} invited to {self.room}"


class UserBlock(models.Model):
    """``blocker`` does not want to hear from ``blocked``: no invitations, no direct messages."""

    blocker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    blocked = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["blocker", "blocked"], name="chat_block_once"),
        ]

    def __str__(self) -> str:
        return f"{self.blocker} blocks {self.blocked}"
