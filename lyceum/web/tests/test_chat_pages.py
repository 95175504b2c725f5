import pytest

from lyceum.chat.services import message_send, room_create
from lyceum.chat.tests.factories import group_room

pytestmark = pytest.mark.django_db


def test_room_list_shows_unread_badges(client, alice, bob):
    room = group_room(creator=alice, name="Book club", members=[bob])
    message_send(room_id=room.pk, sender=alice, content="Chapter 3 tonight")
    client.force_login(bob)

    html = client.get("/chat/").content.decode()

    assert "Book club" in html
    assert 'title="Unread messages">1</span>' in html


def test_room_page_shows_recent_messages_escaped(client, alice, bob):
    room = group_room(creator=alice, name="Safe", members=[bob])
    message_send(room_id=room.pk, sender=alice, content="<script>alert(1)</script>")
    client.force_login(bob)

    html = client.get(f"/chat/{room.pk}/").content.decode()

    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert(1)</script>" not in html
    assert 'data-last-seq="1"' in html


def test_room_page_of_a_stranger_is_404(client, alice, bob):
    room = room_create(creator=alice, name="Private", member_ids=[])
    client.force_login(bob)

    assert client.get(f"/chat/{room.pk}/").status_code == 404


def test_create_a_room_from_the_page(client, alice):
    client.force_login(alice)

    response = client.post("/chat/new/", {"name": "Fresh room"}, follow=True)

    assert "Fresh room" in response.content.decode()
    empty = client.post("/chat/new/", {"name": "  "}, follow=True)
    assert "Give the room a name." in empty.content.decode()


def test_the_bell_shows_the_unread_count(client, alice):
    from lyceum.notifications.services import notify

    client.force_login(alice)
    assert 'id="bell-count" hidden' in client.get("/").content.decode()
    notify(user=alice, kind="system", title="Welcome")

    html = client.get("/").content.decode()

    assert 'id="bell-count">1</span>' in html


def test_a_direct_room_is_named_after_the_other_person(client, alice, bob):
    from lyceum.chat.services import direct_room

    room, _ = direct_room(user=alice, other_id=bob.pk)
    client.force_login(alice)

    assert f'href="/chat/{room.pk}/">{bob.display_name}</a>' in client.get("/chat/").content.decode()
    assert f"<h1>{bob.display_name}</h1>" in client.get(f"/chat/{room.pk}/").content.decode()


def test_invitations_are_answered_from_the_room_list(client, alice, bob):
    from lyceum.chat.models import Participant, UserBlock

    first = room_create(creator=bob, name="Study", member_ids=[alice.pk])
    second = room_create(creator=bob, name="Spam", member_ids=[alice.pk])
    client.force_login(alice)
    page = client.get("/chat/").content.decode()
    invitations = {i.room.name: i for i in alice_invitations(alice)}

    joined = client.post(f"/chat/invitations/{invitations['Study'].pk}/", {"action": "accept"})
    blocked = client.post(f"/chat/invitations/{invitations['Spam'].pk}/", {"action": "block"})

    assert "Study" in page and "Spam" in page and "Join" in page
    assert joined.status_code == 302 and joined["Location"] == f"/chat/{first.pk}/"
    assert Participant.objects.filter(room=first, user=alice).exists()
    assert blocked.status_code == 302
    assert not Participant.objects.filter(room=second, user=alice).exists()
    assert UserBlock.objects.filter(blocker=alice, blocked=bob).exists()


def alice_invitations(user):
    from lyceum.chat.selectors import invitations_of

    return list(invitations_of(user=user))
