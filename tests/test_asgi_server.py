"""Lyceum through the real ASGI server, as `make run` starts it: HTTP pages, the API, static files
and a WebSocket, in a separate uvicorn process with its own database."""

from __future__ import annotations

import asyncio
import json
import urllib.request

import pytest
import websockets

from tests.servers import demo_server, run_async, ws_url


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with demo_server(tmp_path_factory.mktemp("var")) as running:
        yield running


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

    async def talk():
        url = ws_url(server, "/ws/account/", tokens["access"])
        async with websockets.connect(url, origin=server.base_url) as socket:
            hello = json.loads(await socket.recv())
            await socket.send(json.dumps({"type": "ping"}))
            pong = json.loads(await socket.recv())
        return hello, pong

    hello, pong = run_async(talk())

    assert hello["user"]["username"] == "student"
    assert pong == {"type": "pong"}


def test_an_anonymous_websocket_that_does_not_authenticate_is_closed_with_4401(server):
    async def talk():
        async with websockets.connect(
            server.base_url.replace("http", "ws") + "/ws/account/", origin=server.base_url
        ) as socket:
            await socket.send(json.dumps({"type": "ping"}))  # anything but {"type": "auth"}
            with pytest.raises(websockets.ConnectionClosed) as closed:
                await socket.recv()
        return closed.value.rcvd.code

    assert run_async(talk()) == 4401


def test_an_idle_socket_stays_open_past_the_redis_clients_read_timeout(server):
    """redis-py 8 times reads out after 5 s by default, shorter than the channel layer's blocking
    wait for the next message: idle sockets were torn down every 5 s on Redis (channels_redis
    issue 422). On the embedded default this shows the same behaviour holds."""
    tokens = _post_json(
        server.base_url + "/api/auth/login/", {"login": "student", "password": "learn-lyceum-2026"}
    )

    async def talk():
        url = ws_url(server, "/ws/account/", tokens["access"])
        async with websockets.connect(url, ping_interval=None) as socket:
            await socket.recv()  # hello
            await asyncio.sleep(8)
            await socket.send(json.dumps({"type": "ping"}))
            return json.loads(await asyncio.wait_for(socket.recv(), 10))

    assert run_async(talk()) == {"type": "pong"}
