"""A second floor for the chat benchmark: the broadcast of bench/ws_broadcast.py as a bare ASGI
application under uvicorn, the server Lyceum's sockets run on. No Django, no Channels, no
channel layer: each text frame is acknowledged and its envelope, encoded once, is sent to every
connection with ASGI's ``websocket.send``. The gap between this and the `websockets` floor is
the server's (uvicorn's ASGI socket); the gap between Lyceum and this is Lyceum's and Channels'.

    uvicorn bench.asgi_broadcast:app --port PORT --ws websockets-sansio
"""

from __future__ import annotations

from bench.ws_broadcast import frames

connections: dict[int, object] = {}


async def app(scope, receive, send) -> None:
    if scope["type"] == "http":  # the harness's readiness probe
        headers = [(b"content-type", b"text/plain")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": b"ok\n"})
        return
    if scope["type"] != "websocket":
        return
    key = id(send)
    try:
        while True:
            event = await receive()
            if event["type"] == "websocket.connect":
                await send({"type": "websocket.accept"})
                connections[key] = send
            elif event["type"] == "websocket.disconnect":
                return
            elif event.get("text") is not None:
                ack, envelope = frames(event["text"])
                await send({"type": "websocket.send", "text": ack})
                for other in list(connections.values()):
                    await other({"type": "websocket.send", "text": envelope})
    finally:
        connections.pop(key, None)
