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
HOST = (b"host", b"localhost")


def _session_cookie(user) -> bytes:
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}".encode()


def _connect(path="/ws/account/", headers=(ORIGIN,), subprotocols=None):
    return WebsocketCommunicator(application, path, headers=[HOST, *headers], subprotocols=subprotocols)


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
        socket = _connect(headers=[ORIGIN, (b"cookie", cookie)])
        connected, _ = await socket.connect()
        assert connected
        assert (await socket.receive_json_from())["user"]["username"] == "alice"
        await socket.disconnect()

    async_to_sync(scenario)()


@pytest.mark.parametrize("query", ["", "?token=garbage"])
def test_an_anonymous_socket_that_sends_anything_but_auth_is_closed(db, query):
    async def scenario():
        socket = _connect(f"/ws/account/{query}")
        connected, _ = await socket.connect()
        assert connected
        await socket.send_json_to({"type": "ping"})
        closing = await socket.receive_output()
        assert closing == {"type": "websocket.close", "code": CLOSE_UNAUTHENTICATED}

    async_to_sync(scenario)()


def test_an_anonymous_socket_that_never_authenticates_is_closed(db, settings):
    settings.SOCKET_AUTH_TIMEOUT_SECONDS = 1

    async def scenario():
        socket = _connect()
        await socket.connect()
        closing = await socket.receive_output(timeout=10)
        assert closing == {"type": "websocket.close", "code": CLOSE_UNAUTHENTICATED}

    async_to_sync(scenario)()


def test_a_token_socket_needs_no_origin_as_a_mobile_client_sends_none(alice):
    access = services.tokens_issue(user=alice)["access"]

    async def scenario():
        socket = _connect(f"/ws/account/?token={access}", headers=())
        connected, _ = await socket.connect()
        assert connected
        assert (await socket.receive_json_from())["type"] == "hello"
        await socket.disconnect()

    async_to_sync(scenario)()


def test_a_token_in_the_websocket_protocol_header_authenticates(alice):
    access = services.tokens_issue(user=alice)["access"]

    async def scenario():
        socket = _connect(headers=(), subprotocols=["lyceum", f"bearer.{access}"])
        connected, protocol = await socket.connect()
        assert connected
        assert protocol == "lyceum"  # the token is never echoed back
        assert (await socket.receive_json_from())["user"]["username"] == "alice"
        await socket.disconnect()

    async_to_sync(scenario)()


def test_a_token_in_a_first_auth_frame_authenticates(alice):
    access = services.tokens_issue(user=alice)["access"]

    async def scenario():
        socket = _connect(headers=())
        await socket.connect()
        await socket.send_json_to({"type": "auth", "token": access})
        assert (await socket.receive_json_from())["user"]["username"] == "alice"
        await socket.send_json_to({"type": "ping"})
        assert await socket.receive_json_from() == {"type": "pong"}
        await socket.disconnect()

    async_to_sync(scenario)()


async def _is_signed_in(socket) -> bool:
    """Whether the socket was taken as someone: a signed-in socket says hello."""
    connected, _ = await socket.connect()
    if not connected:
        return False
    await socket.send_json_to({"type": "ping"})
    first = await socket.receive_output()
    await socket.disconnect()
    return first["type"] == "websocket.send" and '"hello"' in first["text"]


@pytest.mark.parametrize(
    "host, origin, signed_in",
    [
        (b"localhost:8000", b"http://localhost:8000", True),  # the site's own page
        (b"localhost:8000", b"http://localhost:9999", False),  # another port of the same host
        (b"localhost:8000", b"https://localhost:8000", False),  # another scheme
        (b"localhost:8000", b"https://evil.example", False),
        (b"localhost:8000", b"null", False),  # a sandboxed frame or a file
        (b"localhost:8000", None, False),  # no browser sent this
        (b"internal:8000", b"https://lyceum.example", True),  # SITE_URL behind a proxy
    ],
)
def test_the_session_cookie_counts_only_from_the_sites_own_origin(alice, settings, host, origin, signed_in):
    settings.SITE_URL = "https://lyceum.example"
    settings.ALLOWED_HOSTS = ["localhost", "internal"]
    cookie = _session_cookie(alice)
    headers = [(b"host", host), (b"cookie", cookie)] + ([(b"origin", origin)] if origin else [])

    async def scenario():
        return await _is_signed_in(WebsocketCommunicator(application, "/ws/account/", headers=headers))

    assert async_to_sync(scenario)() is signed_in


@pytest.mark.parametrize("path", ["/ws/nothing-here/", "/ws/chat/rooms/not-a-uuid/", "/ws/account/extra/"])
def test_a_path_no_socket_serves_is_refused_cleanly(alice, path):
    access = services.tokens_issue(user=alice)["access"]

    async def scenario():
        socket = _connect(f"{path}?token={access}")
        connected, _ = await socket.connect()
        return connected

    assert async_to_sync(scenario)() is False


def test_a_host_outside_allowed_hosts_is_refused(alice):
    access = services.tokens_issue(user=alice)["access"]

    async def scenario():
        socket = WebsocketCommunicator(
            application, f"/ws/account/?token={access}", headers=[(b"host", b"evil.example")]
        )
        connected, _ = await socket.connect()
        return connected

    assert async_to_sync(scenario)() is False


def test_after_api_logout_the_old_access_token_opens_no_socket_and_calls_no_api(api, alice):
    pair = services.tokens_issue(user=alice)
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {pair['access']}")
    assert api.post("/api/auth/logout/", {"refresh": pair["refresh"]}, format="json").status_code == 204

    async def scenario():
        return await _is_signed_in(_connect(f"/ws/account/?token={pair['access']}"))

    assert async_to_sync(scenario)() is False
    assert api.get("/api/auth/profile/").status_code == 401
    # Another sign-in of the same user is not affected.
    other = services.tokens_issue(user=alice)
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {other['access']}")
    assert api.get("/api/auth/profile/").status_code == 200


def test_refresh_token_reuse_ends_every_token_and_web_session_sockets_included(api, alice):
    first = services.tokens_issue(user=alice)
    second = services.tokens_issue(user=alice)
    cookie = _session_cookie(alice)
    assert (
        api.post("/api/auth/token/refresh/", {"refresh": first["refresh"]}, format="json").status_code == 200
    )

    replay = api.post("/api/auth/token/refresh/", {"refresh": first["refresh"]}, format="json")

    assert replay.json()["error"]["code"] == "token_reused"

    async def scenario():
        by_token = await _is_signed_in(_connect(f"/ws/account/?token={second['access']}"))
        by_cookie = await _is_signed_in(_connect(headers=(ORIGIN, (b"cookie", cookie))))
        return by_token, by_cookie

    assert async_to_sync(scenario)() == (False, False)
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {second['access']}")
    assert api.get("/api/auth/profile/").status_code == 401


def test_a_refreshed_pair_stays_in_its_sign_in_and_logout_ends_it(api, alice):
    pair = services.tokens_issue(user=alice)
    refreshed = api.post("/api/auth/token/refresh/", {"refresh": pair["refresh"]}, format="json").json()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {refreshed['access']}")
    assert api.post("/api/auth/logout/", {"refresh": refreshed["refresh"]}, format="json").status_code == 204

    # The access token from before the refresh belongs to the same sign-in: it ended too.
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {pair['access']}")
    assert api.get("/api/auth/profile/").status_code == 401


@pytest.mark.parametrize(
    "frame",
    [
        "[" * 100_000 + "]" * 100_000,  # about 200 KB of nesting
        '{"type": "ping", "x": ' + "[" * 900 + "]" * 900 + "}",
        '{"type": "ping", "text": "\\ud800"}',
        '{"type": "ping", "\\udfff": 1}',
    ],
    ids=["nested-200kb", "nested-900", "lone-surrogate", "surrogate-key"],
)
def test_hostile_frames_get_an_error_and_the_socket_stays_open(alice, frame):
    access = services.tokens_issue(user=alice)["access"]

    async def scenario():
        socket = _connect(f"/ws/account/?token={access}")
        await socket.connect()
        await socket.receive_json_from()
        await socket.send_to(text_data=frame)
        error = await socket.receive_json_from()
        await socket.send_json_to({"type": "ping"})
        pong = await socket.receive_json_from()
        await socket.disconnect()
        return error, pong

    error, pong = async_to_sync(scenario)()
    assert error["type"] == "error"
    assert error["code"] in {"malformed_frame", "frame_too_large"}
    assert pong == {"type": "pong"}


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
