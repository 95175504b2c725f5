import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator
from django.core import mail

from lyceum.accounts import services as accounts
from lyceum.asgi import application
from lyceum.chat import presence
from lyceum.chat.services import message_send
from lyceum.chat.tests.factories import group_room
from lyceum.courses.tests.factories import course_with_outline
from lyceum.notifications.models import Notification
from lyceum.notifications.services import notify

pytestmark = pytest.mark.django_db


def test_a_message_notifies_members_who_are_not_in_the_room(
    alice, bob, ines, django_capture_on_commit_callbacks
):
    room = group_room(creator=alice, name="Trio", members=[bob, ines])
    presence.join(room_id=room.pk, user_id=ines.pk, channel="ines-socket")  # ines has the room open

    with django_capture_on_commit_callbacks(execute=True):
        message_send(room_id=room.pk, sender=alice, content="Hello")

    assert list(Notification.objects.values_list("user__username", "kind", "link")) == [
        ("bob", "message", f"/chat/{room.pk}/")  # the room's page
    ]
    assert mail.outbox == []  # messages are not emailed


def test_enrollment_and_graded_quizzes_notify_and_email(
    login_api, alice, ines, django_capture_on_commit_callbacks
):
    course = course_with_outline(modules=1, lessons=1, instructor=ines, title="Optics")

    with django_capture_on_commit_callbacks(execute=True):
        login_api(alice).post(f"/api/courses/{course.pk}/enroll/")

    note = Notification.objects.get(user=ines)
    assert note.title.endswith("enrolled in Optics")
    assert mail.outbox[-1].to == ["ines@example.com"]


def test_email_follows_the_users_preference(alice, django_capture_on_commit_callbacks):
    alice.profile.preferences = {"email_notifications": False}
    alice.profile.save()

    with django_capture_on_commit_callbacks(execute=True):
        notify(user=alice, kind=Notification.Kind.QUIZ_GRADED, title="Graded")

    assert Notification.objects.filter(user=alice).count() == 1
    assert mail.outbox == []


def test_list_unread_count_and_mark_read(login_api, alice, bob):
    for n in range(3):
        notify(user=alice, kind="system", title=f"n{n}")
    notify(user=bob, kind="system", title="not alice's")
    client = login_api(alice)
    first = client.get("/api/notifications/").json()["results"][0]

    assert client.get("/api/notifications/unread-count/").json() == {"unread": 3}
    assert client.post("/api/notifications/read/", {"ids": [first["id"]]}, format="json").json() == {
        "marked": 1
    }
    assert client.get("/api/notifications/", {"unread": "true"}).json()["count"] == 2
    assert client.post("/api/notifications/read/", {}, format="json").json() == {"marked": 2}
    assert login_api(bob).get("/api/notifications/unread-count/").json() == {"unread": 1}
    bad = client.post("/api/notifications/read/", {"ids": ["nope"]}, format="json")
    assert bad.status_code == 400


@pytest.mark.django_db(transaction=True)
def test_a_notification_is_pushed_live_to_the_users_socket(alice):
    token = accounts.tokens_issue(user=alice)["access"]

    async def scenario():
        from channels.db import database_sync_to_async

        socket = WebsocketCommunicator(
            application, f"/ws/account/?token={token}", headers=[(b"host", b"localhost")]
        )
        await socket.connect()
        await socket.receive_json_from()  # hello
        await database_sync_to_async(notify)(user=alice, kind="system", title="Live!")
        frame = await socket.receive_json_from(timeout=3)
        await socket.disconnect()
        return frame

    frame = async_to_sync(scenario)()
    assert frame["type"] == "notification.new"
    assert frame["notification"]["title"] == "Live!"


@pytest.mark.parametrize("size", [2, 20])
def test_notification_list_runs_constant_queries(login_api, alice, size):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for n in range(size):
        notify(user=alice, kind="system", title=f"n{n}")
    client = login_api(alice)

    with CaptureQueriesContext(connection) as queries:
        assert client.get("/api/notifications/", {"page_size": 100}).json()["count"] == size

    assert len(queries) == 3  # user, count, page
