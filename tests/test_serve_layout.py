"""`manage.py serve`, the production layout: nginx in front, gunicorn processes for HTTP and
uvicorn processes for /ws/, sharing Redis. A message sent over HTTP (a gunicorn process) reaches
sockets held by the uvicorn processes, sockets on different processes talk, the client's address
is the one nginx saw, and stopping the command leaves no process behind. Needs REDIS_URL (CI's
second run) and nginx (installed by `make system-deps`)."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
import time
import urllib.request

import pytest
import websockets

from bench.harness import ROOT, Server
from tests.servers import call_api, manage, run_async, seed, server_env, ws_url

SEED = """
import json
from lyceum.accounts import services as accounts
from lyceum.chat.tests.factories import group_room
alice = accounts.user_create(email="alice@example.com", username="alice",
                             password="alice-password-1", email_verified=True)
bob = accounts.user_create(email="bob@example.com", username="bob",
                           password="bob-password-12", email_verified=True)
carol = accounts.user_create(email="carol@example.com", username="carol",
                             password="carol-password-1", email_verified=True)
room = group_room(creator=alice, name="Layout", members=[bob, carol])
print(json.dumps({"room": str(room.pk), **{u.username: accounts.tokens_issue(user=u)["access"]
                                           for u in (alice, bob, carol)}}))
"""


@pytest.fixture(scope="module")
def layout(tmp_path_factory):
    if not os.environ.get("REDIS_URL"):
        pytest.skip("the multi-process layout needs Redis: run with REDIS_URL set")
    assert shutil.which("nginx") or os.path.exists("/usr/sbin/nginx"), "run `make system-deps` (nginx)"
    env = server_env(tmp_path_factory.mktemp("var"))
    manage(env, "migrate", "--noinput", "-v", "0")
    seeded = seed(env, SEED)
    argv = [
        sys.executable,
        "manage.py",
        "serve",
        "--port",
        "{port}",
        "--http-workers",
        "2",
        "--ws-workers",
        "2",
    ]
    server = Server(argv, env)
    with server:
        _until_sockets_answer(server, seeded)
        yield server, seeded
    # Nothing of the layout outlives the command (the group's last members may take a moment).
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            os.killpg(server.process.pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.2)
    else:
        left = subprocess.run(
            ["ps", "-o", "pid,args", "-g", str(server.process.pid)], capture_output=True, text=True
        )
        pytest.fail(f"processes outlived `manage.py serve`:\n{left.stdout}")


def _until_sockets_answer(server, seeded, seconds: float = 60) -> None:
    """The harness waits for HTTP (gunicorn); the uvicorn processes behind /ws/ may still be
    starting on a busy machine (nginx answers 502 until then): wait for a socket handshake."""

    async def handshake() -> None:
        url = ws_url(server, "/ws/account/", seeded["alice"])
        async with websockets.connect(url, origin=server.base_url):
            pass

    deadline = time.monotonic() + seconds
    while True:
        try:
            run_async(handshake())
            return
        except (websockets.exceptions.InvalidStatus, OSError, TimeoutError) as error:
            if time.monotonic() > deadline:
                pytest.fail(f"/ws/ never answered ({error}); the layout's output:\n{server.output()}")
            time.sleep(0.5)


async def _next(socket, kind):
    while True:
        frame = json.loads(await asyncio.wait_for(socket.recv(), timeout=10))
        if frame["type"] == kind:
            return frame


def _ws(server, seeded, user):
    return websockets.connect(
        ws_url(server, f"/ws/chat/rooms/{seeded['room']}/", seeded[user]), origin=server.base_url
    )


def test_http_is_served_by_django_behind_nginx(layout):
    server, seeded = layout
    with urllib.request.urlopen(server.base_url + "/api/health/", timeout=30) as reply:
        assert reply.status == 200
        assert reply.headers["Server"] == "nginx"
        assert json.loads(reply.read())["status"] == "ok"
    status, me = call_api(server, "GET", "/api/auth/profile/", token=seeded["alice"])
    assert status == 200 and me["username"] == "alice"


def test_a_message_over_http_reaches_sockets_on_every_websocket_process(layout):
    server, seeded = layout

    async def talk():
        # Several sockets: the two uvicorn processes share the listening socket, so they hold some each.
        async with _ws(server, seeded, "bob") as bob, _ws(server, seeded, "carol") as carol:
            await _next(bob, "presence")
            await _next(carol, "presence")
            status, _ = await asyncio.to_thread(
                call_api,
                server,
                "POST",
                "/api/chat/send/",
                {"room": seeded["room"], "content": "from gunicorn"},
                seeded["alice"],
            )
            assert status == 201
            return await _next(bob, "message.create"), await _next(carol, "message.create")

    to_bob, to_carol = run_async(talk())
    assert to_bob["message"]["content"] == to_carol["message"]["content"] == "from gunicorn"


def test_sockets_talk_to_each_other_through_redis(layout):
    server, seeded = layout

    async def talk():
        async with _ws(server, seeded, "alice") as alice, _ws(server, seeded, "bob") as bob:
            await _next(alice, "presence")
            await _next(bob, "presence")
            await alice.send(json.dumps({"type": "message.create", "content": "hello", "client_id": "c-1"}))
            ack = await _next(alice, "message.ack")
            return ack, await _next(bob, "message.create")

    ack, received = run_async(talk())
    assert received["message"]["id"] == ack["id"]


def test_the_command_refuses_to_start_without_redis(tmp_path):
    env = server_env(tmp_path)
    env.pop("REDIS_URL", None)
    done = subprocess.run(
        [sys.executable, "manage.py", "serve", "--port", "1"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode != 0
    assert "set REDIS_URL" in done.stderr
