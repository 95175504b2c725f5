"""People search, a user's page, direct messages from there, inviting to and leaving a room."""

from __future__ import annotations

import pytest

from lyceum.chat.models import ChatRoom, Participant, RoomInvitation
from lyceum.chat.tests.factories import group_room

pytestmark = pytest.mark.django_db


def test_people_search_and_a_direct_message_from_the_results(client, alice, bob, ines):
    client.force_login(alice)

    found = client.get("/people/?q=bo").content.decode()
    opened = client.post(f"/chat/direct/{bob.pk}/")
    again = client.post(f"/chat/direct/{bob.pk}/")

    assert "Bob" in found and "@bob" in found and "@ines" not in found and "@alice" not in found
    room = ChatRoom.objects.get(kind=ChatRoom.Kind.DIRECT)
    assert opened.status_code == 302 and opened["Location"] == f"/chat/{room.pk}/"
    assert again["Location"] == opened["Location"]  # the one conversation of the two
    assert set(room.participants.values_list("user__username", flat=True)) == {"alice", "bob"}


def test_a_users_page_offers_a_message_and_an_invitation(client, alice, bob):
    room = group_room(creator=alice, name="Study group", members=[])
    client.force_login(alice)

    page = client.get(f"/people/{bob.pk}/").content.decode()
    invited = client.post(f"/people/{bob.pk}/invite/", {"room": str(room.pk)}, follow=True)
    bad = client.post(f"/people/{bob.pk}/invite/", {"room": "nope"}, follow=True)

    assert "Send a message" in page and "Study group" in page
    assert "Invitation sent." in invited.content.decode()
    assert RoomInvitation.objects.filter(room=room, invitee=bob).exists()
    assert "Choose one of your rooms." in bad.content.decode()
    assert client.get("/people/00000000-0000-0000-0000-000000000000/").status_code == 404


def test_invite_by_username_then_the_member_leaves(client, alice, bob):
    room = group_room(creator=alice, name="Study group", members=[])
    client.force_login(alice)

    invited = client.post(f"/chat/{room.pk}/members/", {"action": "invite", "username": "BOB"}, follow=True)
    unknown = client.post(
        f"/chat/{room.pk}/members/", {"action": "invite", "username": "nobody"}, follow=True
    )
    invitation = RoomInvitation.objects.get(room=room, invitee=bob)
    client.force_login(bob)
    client.post(f"/chat/invitations/{invitation.pk}/", {"action": "accept"})
    page = client.get(f"/chat/{room.pk}/").content.decode()
    left = client.post(f"/chat/{room.pk}/members/", {"action": "leave"})

    assert "they join when they accept" in invited.content.decode()
    assert "No user is called &#x27;nobody&#x27;." in unknown.content.decode()
    assert "Leave the room" in page and "Invite someone" not in page  # bob is a member, not a moderator
    assert left["Location"] == "/chat/"
    assert not Participant.objects.filter(room=room, user=bob).exists()
    assert client.get(f"/chat/{room.pk}/").status_code == 404


def test_a_member_cannot_remove_others(client, alice, bob, ines):
    room = group_room(creator=alice, name="Study group", members=[bob, ines])
    client.force_login(bob)

    response = client.post(
        f"/chat/{room.pk}/members/", {"action": "remove", "user": str(ines.pk)}, follow=True
    )

    assert "Only the room" in response.content.decode()
    assert Participant.objects.filter(room=room, user=ines).exists()
