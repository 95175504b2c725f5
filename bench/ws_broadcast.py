"""The floor for the chat benchmark: a minimal broadcast server written with the `websockets`
library. Every text frame a client sends is acknowledged to it and broadcast to every connection
with the envelope Lyceum sends (`message.create` with the same fields), numbered in memory.
Nothing is stored, authenticated or checked: this is what a socket fan-out costs in Python.

    python bench/ws_broadcast.py PORT [true|false]   (per-message compression, on by default)
"""

from __future__ import annotations

import asyncio
import itertools
import json
import sys
import uuid
from datetime import UTC, datetime

from websockets.asyncio.server import broadcast, serve

ROOM = str(uuid.uuid4())
connections: set = set()
sequence = itertools.count(1)


def frames(text: str) -> tuple[str, str]:
    """The acknowledgement to the sender and the broadcast envelope for one client frame, with
    the fields Lyceum sends, numbered in memory."""
    content = json.loads(text)
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
    return json.dumps(ack), json.dumps({"type": "message.create", "message": message})


async def handler(socket) -> None:
    if socket.request.path.startswith("/api/health/"):
        return
    connections.add(socket)
    try:
        async for frame in socket:
            ack, envelope = frames(frame)
            await socket.send(ack)
            broadcast(connections, envelope)
    finally:
        connections.discard(socket)


def health(connection, request):
    """Answers the harness's readiness probe (GET /api/health/) over plain HTTP."""
    if request.path == "/api/health/":
        return connection.respond(200, "ok\n")
    return None


async def main(port: int, deflate: bool) -> None:
    compression = "deflate" if deflate else None
    async with serve(handler, "127.0.0.1", port, process_request=health, compression=compression) as server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]), deflate=len(sys.argv) < 3 or sys.argv[2] == "true"))
