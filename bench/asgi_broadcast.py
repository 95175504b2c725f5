"""A second floor for the chat benchmark: the broadcast of bench/ws_broadcast.py as a bare ASGI
application under uvicorn, the server Lyceum's sockets run on. No Django, no Channels, no
channel layer: each text frame is acknowledged and its envelope, encoded once, is sent to every
connection with ASGI's ``websocket.send``. The gap between this and the `websockets` floor is
the server's (uvicorn's ASGI socket); the gap between Lyceum and this is Lyceum's and Channels'.

    uvicorn bench.asgi_broadcast:app --port PORT --ws websockets-sansio
"""

from __future__ import annotations

import itertools
import json
import uuid
from datetime import UTC, datetime

ROOM = str(uuid.uuid4())
connections: dict[int, object] = {}
sequence = itertools.count(1)


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
                content = json.loads(event["text"])
                seq = next(sequence)
                message = {
                    "id": str(uuid.uuid4()),
                    "room": ROOM,
                    "seq": seq,
                    "sender": None,
                    "sender_name": "",
                    "client_id": content.get("client_id", ""),
                    "content": content["content"],
                    "created_at": datetime.now(UTC).isoformat(),
                    "edited_at": None,
                    "deleted": False,
                }
                ack = {"type": "message.ack", "client_id": message["client_id"], "seq": seq}
                await send({"type": "websocket.send", "text": json.dumps(ack)})
                text = json.dumps({"type": "message.create", "message": message})
                for other in list(connections.values()):
                    await other({"type": "websocket.send", "text": text})
    finally:
        connections.pop(key, None)
