"""/ws/account/: who may connect, and sockets closing when the user's sessions end."""

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore

from lyceum.accounts import services
from lyceum.accounts.tests.factories import PASSWORD
from lyceum.asgi import application
from lyceum.core.websocket import CLOSE_SESSION_REVOKED, CLOSE_UNAUTHENTICATED

pytestmark = pytest.mark.django_db(transaction=True)

ORIGIN = (b"origin", b"http://localhost")


def _session_cookie(user) -> bytes:
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}".encode()


def _connect(path="/ws/account/", headers=()):
    return WebsocketCommunicator(application, path, headers=[ORIGIN, *headers])


def test_a_jwt_in_the_url_authenticates_the_socket(alice):
    access = services.tokens_issue(user=alice)["access"]

    async def scenario():
        socket = _connect(f"/ws/account/?token={access}")
        connected, _ = await socket.connect()
        assert connected
        hello = await socket.receive_json_from()
        assert hello == {"type": "hello", "user": {"id": str(alice.pk), "username": "alice"}}
        await socket.send_json_to({"type": "ping"})
        assert await socket.receive_json_from() == {"type": "pong"}
        await socket.disconnect()

    async_to_sync(scenario)()


def test_the_session_cookie_authenticates_the_socket(alice):
    cookie = _session_cookie(alice)

    async def scenario():
        socket = _connect(headers=[(b"cookie", cookie)])
        connected, _ = await socket.connect()
        assert connected
        assert (await socket.receive_json_from())["user"]["username"] == "alice"
        await socket.disconnect()

    async_to_sync(scenario)()


@pytest.mark.parametrize("query", ["", "?token=garbage"])
def test_an_anonymous_socket_is_refused_with_the_documented_code(db, query):
    async def scenario():
        socket = _connect(f"/ws/account/{query}")
        await socket.connect()
        closing = await socket.receive_output()
        assert closing == {"type": "websocket.close", "code": CLOSE_UNAUTHENTICATED}

    async_to_sync(scenario)()


def test_a_foreign_origin_is_refused(alice):
    access = services.tokens_issue(user=alice)["access"]

    async def scenario():
        socket = WebsocketCommunicator(
            application, f"/ws/account/?token={access}", headers=[(b"origin", b"https://evil.example")]
        )
        connected, _ = await socket.connect()
        assert not connected

    async_to_sync(scenario)()


def test_unknown_and_malformed_frames_get_an_error_and_the_socket_stays_open(alice):
    access = services.tokens_issue(user=alice)["access"]

    async def scenario():
        socket = _connect(f"/ws/account/?token={access}")
        await socket.connect()
        await socket.receive_json_from()
        await socket.send_json_to({"type": "launch.rockets"})
        assert (await socket.receive_json_from())["code"] == "unknown_event"
        await socket.send_to(text_data="{not json")
        assert (await socket.receive_json_from())["code"] == "malformed_frame"
        await socket.send_json_to({"type": "ping"})
        assert await socket.receive_json_from() == {"type": "pong"}
        await socket.disconnect()

    async_to_sync(scenario)()


def test_changing_the_password_closes_the_users_sockets_but_not_others(alice, bob):
    alice_token = services.tokens_issue(user=alice)["access"]
    bob_token = services.tokens_issue(user=bob)["access"]

    async def scenario():
        alices = _connect(f"/ws/account/?token={alice_token}")
        bobs = _connect(f"/ws/account/?token={bob_token}")
        for socket in (alices, bobs):
            await socket.connect()
            await socket.receive_json_from()

        await database_sync_to_async(services.password_change)(
            user=alice, current_password=PASSWORD, new_password="an-entirely-new-one"
        )

        assert await alices.receive_json_from() == {"type": "session.revoked", "reason": "password_changed"}
        assert (await alices.receive_output())["code"] == CLOSE_SESSION_REVOKED
        await bobs.send_json_to({"type": "ping"})
        assert await bobs.receive_json_from() == {"type": "pong"}
        await bobs.disconnect()

    async_to_sync(scenario)()


def test_logging_out_closes_the_users_sockets(alice):
    access = services.tokens_issue(user=alice)["access"]

    async def scenario():
        socket = _connect(f"/ws/account/?token={access}")
        await socket.connect()
        await socket.receive_json_from()

        await database_sync_to_async(services.logout)(user=alice, refresh=None)

        assert (await socket.receive_json_from())["type"] == "session.revoked"
        assert (await socket.receive_output())["type"] == "websocket.close"

    async_to_sync(scenario)()
