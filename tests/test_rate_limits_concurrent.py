"""Rate limits under concurrent requests, against a real uvicorn server with several HTTP threads
(counts in this process's memory on the embedded default, in Redis when REDIS_URL is set).

A burst released at once must get exactly the policy's number through: the count is reserved
atomically before the slow work (the password hash, the insert) runs.
"""

from __future__ import annotations

import asyncio
import json
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import websockets

from tests.servers import asgi_server, call_api, manage, run_async, seed, server_env, ws_url

BURST = 12

SEED = """
import json
from lyceum.accounts import services as accounts
from lyceum.accounts.models import User
from lyceum.chat.tests.factories import group_room
owner = User.objects.create_user(email="dana@example.com", username="dana", password="danas-password-1")
writer = User.objects.create_user(email="walt@example.com", username="walt", password=None)
room = group_room(creator=owner, name="Burst", members=[writer])
print(json.dumps({"room": str(room.pk), "writer": accounts.tokens_issue(user=writer)["access"],
                  "owner": accounts.tokens_issue(user=owner)["access"]}))
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    env = server_env(
        tmp_path_factory.mktemp("var"),
        HTTP_THREADS="8",
        LOGIN_FAILURE_RATE_PER_ACCOUNT="3/hour",
        LOGIN_FAILURE_RATE_PER_IP="1000/hour",
        RATE_CHAT_SEND="5/hour",
    )
    manage(env, "migrate", "--noinput", "-v", "0")
    seeded = seed(env, SEED)
    with asgi_server(env) as running:
        yield running, seeded


def _burst(call, count: int = BURST) -> list[int]:
    """Runs ``call`` ``count`` times, all released at the same moment."""
    start = threading.Barrier(count)

    def one(_):
        start.wait()
        return call()

    with ThreadPoolExecutor(max_workers=count) as pool:
        return sorted(pool.map(one, range(count)))


def test_concurrent_wrong_passwords_get_exactly_the_limit_through(server):
    running, _ = server

    def guess() -> int:
        return call_api(running, "POST", "/api/auth/login/", {"login": "dana", "password": "a-wrong-guess"})[
            0
        ]

    codes = _burst(guess)

    assert codes.count(401) == 3
    assert codes.count(429) == BURST - 3
    # The right password is refused too now: the account's failures are used up.
    right = {"login": "dana@example.com", "password": "danas-password-1"}
    assert call_api(running, "POST", "/api/auth/login/", right)[0] == 429


def test_concurrent_chat_sends_share_one_limit_with_the_socket(server):
    running, seeded = server
    body = {"room": seeded["room"], "content": "hello"}

    codes = _burst(lambda: call_api(running, "POST", "/api/chat/send/", body, seeded["writer"])[0], count=8)

    assert codes.count(201) == 5
    assert codes.count(429) == 3

    async def over_the_socket():
        async with websockets.connect(
            ws_url(running, f"/ws/chat/rooms/{seeded['room']}/", seeded["writer"])
        ) as ws:
            await ws.send(json.dumps({"type": "message.create", "content": "one more", "client_id": "s-1"}))
            while True:
                frame = json.loads(await asyncio.wait_for(ws.recv(), 30))
                if frame["type"] in ("error", "message.ack"):
                    return frame

    frame = run_async(over_the_socket())
    assert frame["type"] == "error"
    assert frame["code"] == "rate_limited"

    async def history():
        async with websockets.connect(
            ws_url(running, f"/ws/chat/rooms/{seeded['room']}/", seeded["owner"]) + "&after=0"
        ) as ws:
            while True:
                frame = json.loads(await asyncio.wait_for(ws.recv(), 30))
                if frame["type"] == "resume.done":
                    return frame["last_seq"]

    assert run_async(history()) == 5  # exactly five messages were stored
