"""Lyceum through the real ASGI server, as `make run` starts it: HTTP pages, the API, static files
and a WebSocket, in a separate uvicorn process with its own database."""

from __future__ import annotations

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
