"""Lyceum through the real ASGI server, as `make run` starts it: HTTP pages, the API, static files
and a WebSocket, in a separate uvicorn process with its own database."""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import os
import subprocess
import sys
import urllib.request

import pytest
import websockets

from bench.harness import ROOT, Server, uvicorn_argv


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    env["LYCEUM_VAR_DIR"] = str(tmp_path_factory.mktemp("var"))
    for command in (["migrate", "--noinput", "-v", "0"], ["init_data"]):
        subprocess.run(
            [sys.executable, "manage.py", *command], cwd=ROOT, env=env, check=True, capture_output=True
        )
    argv = uvicorn_argv("lyceum.asgi:application", "--ws", "websockets")
    with Server(argv, env) as running:
        yield running


def run_async(coroutine):
    """Runs ``coroutine`` on a loop of its own thread: this test's thread may already run one (the
    browser tests' Playwright does)."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result(timeout=60)


def _post_json(url: str, body: dict) -> dict:
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=10) as reply:
        return json.load(reply)


def test_pages_static_files_and_api_are_served(server):
    with urllib.request.urlopen(server.base_url + "/login/", timeout=10) as reply:
        assert reply.status == 200
        assert b"Email or username" in reply.read()
    with urllib.request.urlopen(server.base_url + "/static/web/lyceum.css", timeout=10) as reply:
        assert reply.status == 200
        assert reply.headers["Content-Type"].startswith("text/css")
    with urllib.request.urlopen(server.base_url + "/api/docs/", timeout=10) as reply:
        assert b"swagger-ui" in reply.read()


def test_a_demo_user_signs_in_over_http_and_opens_a_websocket(server):
    tokens = _post_json(
        server.base_url + "/api/auth/login/", {"login": "student", "password": "learn-lyceum-2026"}
    )
    ws_url = server.base_url.replace("http", "ws") + f"/ws/account/?token={tokens['access']}"

    async def talk():
        async with websockets.connect(ws_url, origin=server.base_url) as socket:
            hello = json.loads(await socket.recv())
            await socket.send(json.dumps({"type": "ping"}))
            pong = json.loads(await socket.recv())
        return hello, pong

    hello, pong = run_async(talk())

    assert hello["user"]["username"] == "student"
    assert pong == {"type": "pong"}


def test_an_anonymous_websocket_is_closed_with_4401(server):
    async def talk():
        async with websockets.connect(
            server.base_url.replace("http", "ws") + "/ws/account/", origin=server.base_url
        ) as socket:
            with pytest.raises(websockets.ConnectionClosed) as closed:
                await socket.recv()
        return closed.value.rcvd.code

    assert run_async(talk()) == 4401
