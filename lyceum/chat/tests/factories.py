"""Rooms for tests, made through the services as people make them."""

from __future__ import annotations

from zeal import zeal_ignore

from lyceum.chat import services
from lyceum.chat.models import ChatRoom, RoomInvitation


def group_room(*, creator, name: str, members) -> ChatRoom:
    """A group room whose members are all in it: each accepted the creator's invitation (or
    shares a course with the creator and was added at once)."""
    room = services.room_create(creator=creator, name=name, member_ids=[member.pk for member in members])
    # Set-up accepts one invitation after another: not the N+1 pattern the guard looks for.
    with zeal_ignore():
        for invitation in RoomInvitation.objects.filter(room=room).select_related("invitee"):
            services.invitation_accept(invitation_id=invitation.pk, user=invitation.invitee)
    return room
