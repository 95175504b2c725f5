"""Two real ASGI server processes sharing Redis: a message sent through one reaches a socket on
the other, and a message sent over REST reaches the sockets too. Needs REDIS_URL (CI's second run)."""

from __future__ import annotations

import asyncio
import json
import os
import urllib.request

import pytest
import websockets

from tests.servers import asgi_server, manage, run_async, seed, server_env, ws_url

SEED = """
import json
from lyceum.accounts import services as accounts
from lyceum.chat.tests.factories import group_room
alice = accounts.user_create(email="alice@example.com", username="alice",
                             password="alice-password-1", email_verified=True)
bob = accounts.user_create(email="bob@example.com", username="bob",
                           password="bob-password-12", email_verified=True)
room = group_room(creator=alice, name="Across", members=[bob])
print(json.dumps({"room": str(room.pk), "alice": accounts.tokens_issue(user=alice)["access"],
                  "bob": accounts.tokens_issue(user=bob)["access"]}))
"""


@pytest.fixture(scope="module")
def two_servers(tmp_path_factory):
    if not os.environ.get("REDIS_URL"):
        pytest.skip("scale-out needs Redis: run with REDIS_URL set")
    env = server_env(tmp_path_factory.mktemp("var"))
    manage(env, "migrate", "--noinput", "-v", "0")
    seeded = seed(env, SEED)
    with asgi_server(env) as first, asgi_server(env) as second:
        yield first, second, seeded


def _ws(server, room, token):
    return ws_url(server, f"/ws/chat/rooms/{room}/", token)


async def _next(socket, kind):
    while True:
        frame = json.loads(await asyncio.wait_for(socket.recv(), timeout=10))
        if frame["type"] == kind:
            return frame


def test_a_message_through_one_server_reaches_a_socket_on_the_other(two_servers):
    first, second, seed = two_servers

    async def talk():
        async with (
            websockets.connect(_ws(first, seed["room"], seed["alice"]), origin=first.base_url) as alice,
            websockets.connect(_ws(second, seed["room"], seed["bob"]), origin=second.base_url) as bob,
        ):
            await _next(alice, "presence")
            await _next(bob, "presence")
            await alice.send(
                json.dumps({"type": "message.create", "content": "across processes", "client_id": "x-1"})
            )
            ack = await _next(alice, "message.ack")
            received = await _next(bob, "message.create")
            return ack, received

    ack, received = run_async(talk())
    assert received["message"]["id"] == ack["id"]
    assert received["message"]["content"] == "across processes"


def test_a_message_sent_over_rest_reaches_the_sockets(two_servers):
    first, second, seed = two_servers

    async def talk():
        async with websockets.connect(_ws(second, seed["room"], seed["bob"]), origin=second.base_url) as bob:
            await _next(bob, "presence")
            request = urllib.request.Request(
                first.base_url + "/api/chat/send/",
                data=json.dumps({"room": seed["room"], "content": "over REST"}).encode(),
                headers={"Content-Type": "application/json", "Authorization": f"Bearer {seed['alice']}"},
            )
            reply = await asyncio.to_thread(urllib.request.urlopen, request, timeout=10)
            assert reply.status == 201
            return await _next(bob, "message.create")

    assert run_async(talk())["message"]["content"] == "over REST"
