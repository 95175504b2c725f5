"""The chat REST API: rooms, history, sending (with resend safety), edits, membership."""

import asyncio
import json

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.layers import get_channel_layer
from django.db import connection
from django.test.utils import CaptureQueriesContext
from zeal import zeal_ignore

from lyceum.accounts.tests.factories import UserFactory
from lyceum.chat.models import ChatRoom, Message, Participant
from lyceum.chat.services import message_send, room_create, room_group
from lyceum.chat.tests.factories import group_room
from lyceum.courses.tests.factories import course_with_outline

pytestmark = pytest.mark.django_db


@pytest.fixture
def room(alice, bob):
    return group_room(creator=alice, name="Study group", members=[bob])


def group_event_during(room_id, action):
    """The first event the room's channel group carries while ``action`` runs: listened to on
    one event loop throughout, as a socket's consumer listens (the Redis pub/sub layer keeps its
    subscriptions per loop)."""
    layer = get_channel_layer()

    async def listen():
        channel = await layer.new_channel()
        await layer.group_add(room_group(room_id), channel)
        await sync_to_async(action)()
        return await asyncio.wait_for(layer.receive(channel), 10)

    return async_to_sync(listen)()


def _send(client, room, content, client_id=""):
    return client.post(
        "/api/chat/send/", {"room": str(room.pk), "content": content, "client_id": client_id}, format="json"
    )


def test_create_a_group_room_and_list_it_with_unread_counts(login_api, alice, bob):
    created = login_api(alice).post(
        "/api/chat/rooms/", {"name": "Maths", "members": [str(bob.pk)]}, format="json"
    )
    room = ChatRoom.objects.get(pk=created.json()["id"])
    invitation = login_api(bob).get("/api/chat/invitations/").json()["results"][0]
    assert login_api(bob).post(f"/api/chat/invitations/{invitation['id']}/accept/").status_code == 200
    for text in ("hello", "anyone?"):
        message_send(room_id=room.pk, sender=alice, content=text)

    bobs = login_api(bob).get("/api/chat/rooms/").json()["results"]
    alices = login_api(alice).get("/api/chat/rooms/").json()["results"]

    assert created.status_code == 201
    assert [(r["name"], r["unread"]) for r in bobs] == [("Maths", 2)]
    assert alices[0]["unread"] == 0  # one's own messages are read


def test_a_direct_room_is_found_not_duplicated(login_api, alice, bob):
    first = login_api(alice).post("/api/chat/rooms/", {"kind": "direct", "user": str(bob.pk)}, format="json")
    second = login_api(bob).post("/api/chat/rooms/", {"kind": "direct", "user": str(alice.pk)}, format="json")
    to_self = login_api(alice).post(
        "/api/chat/rooms/", {"kind": "direct", "user": str(alice.pk)}, format="json"
    )

    assert first.status_code == 201 and second.status_code == 200
    assert first.json()["id"] == second.json()["id"]
    assert to_self.status_code == 400


@pytest.mark.parametrize("size", [2, 8])
def test_room_list_runs_constant_queries(login_api, alice, size):
    for n in range(size):
        room = room_create(creator=alice, name=f"Room {n}", member_ids=[])
        message_send(room_id=room.pk, sender=alice, content="hi")
    client = login_api(alice)

    with CaptureQueriesContext(connection) as queries:
        assert client.get("/api/chat/rooms/").json()["count"] == size

    assert len(queries) == 3  # user, count, page


def test_sending_numbers_messages_and_a_resend_is_not_stored_twice(login_api, alice, room):
    client = login_api(alice)

    first = _send(client, room, "Hello", client_id="c-1")
    again = _send(client, room, "Hello", client_id="c-1")
    second = _send(client, room, "World", client_id="c-2")

    assert first.status_code == 201 and again.status_code == 200
    assert first.json()["id"] == again.json()["id"]
    assert [first.json()["seq"], second.json()["seq"]] == [1, 2]
    assert Message.objects.filter(room=room).count() == 2


def test_a_sent_message_reaches_the_rooms_channel_group(
    login_api, alice, room, django_capture_on_commit_callbacks
):
    client = login_api(alice)

    def send() -> None:
        with django_capture_on_commit_callbacks(execute=True):
            _send(client, room, "To everyone")

    event = group_event_during(room.pk, send)
    frame = json.loads(event["text"])
    assert (event["event_type"], event["seq"]) == ("message.create", 1)
    assert frame["type"] == "message.create"
    assert frame["message"]["content"] == "To everyone"
    assert frame["message"]["seq"] == 1


@pytest.mark.parametrize(("content", "field"), [("", "content"), ("   ", "content"), ("x" * 4001, "content")])
def test_bad_messages_are_400(login_api, alice, room, content, field):
    response = _send(login_api(alice), room, content)

    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
    assert not Message.objects.exists()


def test_non_members_cannot_read_or_send(login_api, room):
    outsider = login_api(UserFactory())

    assert outsider.get(f"/api/chat/rooms/{room.pk}/messages/").status_code == 404
    assert _send(outsider, room, "let me in").status_code == 404
    assert not Message.objects.exists()


def test_history_is_newest_first_and_its_cursor_is_stable(login_api, alice, room):
    for n in range(5):
        message_send(room_id=room.pk, sender=alice, content=f"m{n}")
    client = login_api(alice)

    page = client.get(f"/api/chat/rooms/{room.pk}/messages/", {"page_size": 2}).json()
    message_send(room_id=room.pk, sender=alice, content="arrives meanwhile")
    older = client.get(page["next"]).json()

    assert [m["content"] for m in page["results"]] == ["m4", "m3"]
    assert [m["content"] for m in older["results"]] == ["m2", "m1"]


def test_edit_and_delete_only_your_own_messages(login_api, alice, bob, room):
    message, _ = message_send(room_id=room.pk, sender=alice, content="typo")

    by_bob = login_api(bob).patch(f"/api/chat/messages/{message.pk}/", {"content": "hacked"}, format="json")
    edited = login_api(alice).patch(f"/api/chat/messages/{message.pk}/", {"content": "fixed"}, format="json")
    deleted = login_api(alice).delete(f"/api/chat/messages/{message.pk}/")
    history = login_api(bob).get(f"/api/chat/rooms/{room.pk}/messages/").json()["results"]

    assert by_bob.status_code == 403
    assert edited.json()["content"] == "fixed" and edited.json()["edited_at"]
    assert deleted.json()["deleted"] is True
    assert history == [{**history[0], "content": "", "deleted": True, "seq": 1}]


def test_members_are_managed_by_the_owner_and_anyone_may_leave(login_api, alice, bob, room):
    carol = UserFactory(username="carol")

    by_member = login_api(bob).post(
        f"/api/chat/rooms/{room.pk}/participants/", {"user": str(carol.pk)}, format="json"
    )
    by_owner = login_api(alice).post(
        f"/api/chat/rooms/{room.pk}/participants/", {"user": str(carol.pk)}, format="json"
    )
    kick_by_member = login_api(bob).delete(f"/api/chat/rooms/{room.pk}/participants/{carol.pk}/")
    leave = login_api(bob).delete(f"/api/chat/rooms/{room.pk}/participants/{bob.pk}/")

    assert by_member.status_code == 403
    assert by_owner.status_code == 201 and by_owner.json() == {"status": "invited"}
    assert kick_by_member.status_code == 403
    assert leave.status_code == 204
    assert set(Participant.objects.filter(room=room).values_list("user__username", flat=True)) == {"alice"}


def test_mark_read_moves_forward_only(login_api, alice, bob, room):
    for n in range(3):
        message_send(room_id=room.pk, sender=alice, content=f"m{n}")
    client = login_api(bob)

    client.post(f"/api/chat/rooms/{room.pk}/read/", {"seq": 2}, format="json")
    client.post(f"/api/chat/rooms/{room.pk}/read/", {"seq": 1}, format="json")

    assert Participant.objects.get(room=room, user=bob).last_read_seq == 2
    assert client.get("/api/chat/rooms/").json()["results"][0]["unread"] == 1


def test_enrolling_joins_the_course_room_with_the_instructor(
    login_api, alice, ines, django_capture_on_commit_callbacks
):
    course = course_with_outline(modules=1, lessons=1, instructor=ines)

    # Each request runs its subscribers in its own N+1 context; here three requests' callbacks
    # run in the test's one context, so the guard would count them together.
    with zeal_ignore(), django_capture_on_commit_callbacks(execute=True):
        login_api(alice).post(f"/api/courses/{course.pk}/enroll/")
        login_api(alice).delete(f"/api/courses/{course.pk}/enroll/")
        login_api(alice).post(f"/api/courses/{course.pk}/enroll/")

    room = ChatRoom.objects.get(course=course)
    assert room.kind == "course"
    assert set(room.participants.values_list("user__username", "role")) == {
        ("ines", "owner"),
        ("alice", "member"),
    }


@pytest.mark.parametrize("size", [3, 30])
def test_history_runs_constant_queries(login_api, alice, room, size):
    for n in range(size):
        message_send(room_id=room.pk, sender=alice, content=f"m{n}")
    client = login_api(alice)

    with CaptureQueriesContext(connection) as queries:
        body = client.get(f"/api/chat/rooms/{room.pk}/messages/", {"page_size": 100}).json()

    assert len(body["results"]) == size
    assert len(queries) == 3  # user, room membership, page with senders


def test_unenrolling_leaves_the_course_room_and_tells_its_sockets(
    login_api, alice, ines, django_capture_on_commit_callbacks
):
    course = course_with_outline(modules=1, lessons=1, instructor=ines)
    with zeal_ignore(), django_capture_on_commit_callbacks(execute=True):
        login_api(alice).post(f"/api/courses/{course.pk}/enroll/")
    room = ChatRoom.objects.get(course=course)
    client = login_api(alice)

    def leave() -> None:
        with zeal_ignore(), django_capture_on_commit_callbacks(execute=True):
            client.delete(f"/api/courses/{course.pk}/enroll/")

    event = group_event_during(room.pk, leave)
    assert (event["event_type"], event["user"]) == ("room.leave", str(alice.pk))
    assert not room.participants.filter(user=alice).exists()


def test_nobody_is_put_into_a_room_by_a_stranger_they_are_invited_and_may_decline(
    login_api, alice, bob, admin_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        created = login_api(bob).post(
            "/api/chat/rooms/",
            {"name": "Free crypto", "members": [str(alice.pk), str(admin_user.pk)]},
            format="json",
        )
    room_id = created.json()["id"]
    spam = login_api(bob).post("/api/chat/send/", {"room": room_id, "content": "Free crypto!"}, format="json")

    assert created.status_code == 201 and spam.status_code == 201
    assert login_api(alice).get("/api/chat/rooms/").json()["results"] == []  # not in it
    assert login_api(alice).get(f"/api/chat/rooms/{room_id}/messages/").status_code == 404
    assert alice.notifications.get().title == f"{bob.display_name} invites you to Free crypto"
    invitation = login_api(alice).get("/api/chat/invitations/").json()["results"][0]
    assert invitation["room_name"] == "Free crypto" and invitation["invited_by"] == str(bob.pk)
    declined = login_api(alice).post(f"/api/chat/invitations/{invitation['id']}/decline/")
    assert declined.status_code == 204
    assert login_api(alice).get("/api/chat/invitations/").json()["results"] == []
    assert not Participant.objects.filter(room_id=room_id, user=alice).exists()


def test_people_in_a_course_together_are_added_at_once(login_api, alice, bob, ines):
    from lyceum.courses.models import CourseEnrollment
    from lyceum.courses.tests.factories import CourseFactory

    course = CourseFactory(instructor=ines)
    CourseEnrollment.objects.bulk_create([CourseEnrollment(user=alice, course=course)])

    created = login_api(ines).post(
        "/api/chat/rooms/", {"name": "Office hours", "members": [str(alice.pk), str(bob.pk)]}, format="json"
    )

    members = set(
        Participant.objects.filter(room_id=created.json()["id"]).values_list("user__username", flat=True)
    )
    assert members == {"ines", "alice"}  # bob shares no course with ines: invited
    assert login_api(bob).get("/api/chat/invitations/").json()["count"] == 1


def test_a_block_stops_invitations_and_direct_messages_and_can_be_undone(login_api, alice, bob):
    direct = login_api(bob).post("/api/chat/rooms/", {"kind": "direct", "user": str(alice.pk)}, format="json")
    blocked = login_api(alice).post("/api/chat/blocks/", {"user": str(bob.pk)}, format="json")

    invite = login_api(bob).post(
        "/api/chat/rooms/", {"name": "Again", "members": [str(alice.pk)]}, format="json"
    )
    message = login_api(bob).post(
        "/api/chat/send/", {"room": direct.json()["id"], "content": "hello?"}, format="json"
    )
    reply = login_api(alice).post(
        "/api/chat/send/", {"room": direct.json()["id"], "content": "no"}, format="json"
    )
    listed = login_api(alice).get("/api/chat/blocks/").json()["results"]
    unblocked = login_api(alice).delete(f"/api/chat/blocks/{bob.pk}/")
    after = login_api(bob).post(
        "/api/chat/send/", {"room": direct.json()["id"], "content": "hi"}, format="json"
    )

    assert blocked.status_code == 201
    assert invite.status_code == 403 and invite.json()["error"]["code"] == "blocked"
    assert message.status_code == 403 and reply.status_code == 403
    assert [row["username"] for row in listed] == ["bob"]
    assert unblocked.status_code == 204 and after.status_code == 201
    assert not ChatRoom.objects.filter(name="Again").exists()  # the refused create wrote nothing
