"""chat.moderate: the site's moderators remove messages and members in group and course rooms,
never in direct rooms, and the audit log keeps what they removed."""

import pytest

from lyceum.access.models import AuditLog
from lyceum.accounts.tests.factories import UserFactory
from lyceum.chat import services as chat
from lyceum.chat.models import Message, Participant
from lyceum.chat.tests.factories import group_room

pytestmark = pytest.mark.django_db


@pytest.fixture
def moderator(admin_user):
    from lyceum.access.services import role_create, user_roles_set

    role_create(actor=admin_user, name="Moderator", permissions=["chat.moderate"])
    user = UserFactory(username="mod")
    user_roles_set(actor=admin_user, user_id=user.pk, role_slugs=["student", "moderator"])
    return user


def test_a_moderator_deletes_a_message_in_a_group_room_and_it_is_audited(login_api, moderator, alice, bob):
    room = group_room(creator=alice, name="Study", members=[bob])
    message, _ = chat.message_send(room_id=room.pk, sender=bob, content="something abusive")

    assert login_api(alice).delete(f"/api/chat/messages/{message.pk}/").status_code == 200  # the room's owner
    again, _ = chat.message_send(room_id=room.pk, sender=bob, content="more abuse")
    assert login_api(moderator).delete(f"/api/chat/messages/{again.pk}/").status_code == 200

    assert Message.objects.get(pk=again.pk).is_deleted
    entry = AuditLog.objects.get(action="chat.message.delete", actor_username="mod")
    assert entry.details["text"] == "more abuse"


def test_a_moderator_removes_a_member_but_cannot_touch_direct_rooms(login_api, moderator, alice, bob):
    room = group_room(creator=alice, name="Study", members=[bob])
    client = login_api(moderator)
    assert client.delete(f"/api/chat/rooms/{room.pk}/participants/{bob.pk}/").status_code == 204
    assert not Participant.objects.filter(room=room, user=bob).exists()

    direct, _ = chat.direct_room(user=alice, other_id=bob.pk)
    private, _ = chat.message_send(room_id=direct.pk, sender=bob, content="just between us")
    assert client.delete(f"/api/chat/messages/{private.pk}/").status_code == 404
    assert client.get(f"/api/chat/rooms/{direct.pk}/messages/").status_code == 404
    assert Message.objects.get(pk=private.pk).content == "just between us"


def test_a_plain_member_cannot_delete_others_messages(login_api, alice, bob):
    room = group_room(creator=alice, name="Study", members=[bob])
    message, _ = chat.message_send(room_id=room.pk, sender=alice, content="mine")
    assert login_api(bob).delete(f"/api/chat/messages/{message.pk}/").status_code == 403
