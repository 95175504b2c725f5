"""Churn: sockets connect and drop while messages flow (the pattern behind Channels issue 1683,
where `group_send` lost messages around disconnects), against a real uvicorn server on the
configured channel layer (in-memory on the embedded default, Redis when REDIS_URL is set).

The sender drops its own connection now and then and resends what was not acknowledged, with
the same client ids. Some readers stay connected throughout; the others keep dropping (half of
the time without a closing handshake) and resuming from the last sequence number they saw. Every
reader must end with every message exactly once, in order, as the frames arrived on the wire: the
test client does no de-duplication or reordering of its own.
"""

from __future__ import annotations

import asyncio
import json
import random

import pytest
import websockets

from bench.harness import Server, uvicorn_argv
from tests.servers import call_api, manage, run_async, seed, server_env, ws_url

MESSAGES = 120
CHURNING_READERS = 6
STEADY_READERS = 3

SEED = f"""
import json
from lyceum.accounts import services as accounts
from lyceum.accounts.models import User
from lyceum.chat.tests.factories import group_room
users = [User.objects.create_user(email=f"u{{n}}@example.com", username=f"u{{n}}", password=None)
         for n in range({1 + CHURNING_READERS + STEADY_READERS})]
room = group_room(creator=users[0], name="Churn", members=users[1:])
stall = group_room(creator=users[0], name="Stall", members=[users[1]])
print(json.dumps({{"room": str(room.pk), "stall_room": str(stall.pk), "ids": [str(u.pk) for u in users],
                  "tokens": [accounts.tokens_issue(user=u)["access"] for u in users]}}))
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    env = server_env(
        tmp_path_factory.mktemp("var"),
        RATE_CHAT_SEND="100000/10 seconds",
        RATE_CHAT_FRAME="100000/10 seconds",
        CHAT_PRESENCE_HEARTBEAT_SECONDS="2",
        JWT_ACCESS_MINUTES="60",
    )
    manage(env, "migrate", "--noinput", "-v", "0")
    seeded = seed(env, SEED)
    # Keepalive pings off: the stalled member must be closed by its removal, not by a ping it
    # could not answer while it was not reading (how long that takes depends on the machine).
    argv = uvicorn_argv("lyceum.asgi:application", "--ws-ping-interval", "3600", "--ws-ping-timeout", "3600")
    with Server(argv, env) as running:
        yield running, seeded


async def _drop(socket, rng: random.Random) -> None:
    """Leaves: half of the time politely, else by cutting the TCP connection."""
    if rng.random() < 0.5:
        await socket.close()
    else:
        socket.transport.abort()


async def send_all(url: str, origin: str, rng: random.Random) -> dict[str, int]:
    """Sends MESSAGES messages at a steady pace, dropping the connection every 10-40 messages and
    resending whatever was not acknowledged; returns the stored sequence number of each."""
    unacked: dict[str, str] = {}  # client id -> content, in sending order
    stored: dict[str, int] = {}
    sent = 0
    while sent < MESSAGES or unacked:
        async with websockets.connect(url, origin=origin) as socket:
            for client_id, content in unacked.items():
                await socket.send(
                    json.dumps({"type": "message.create", "content": content, "client_id": client_id})
                )
            budget = rng.randint(10, 40)
            while sent < MESSAGES or unacked:
                if sent < MESSAGES and budget:
                    client_id = f"c{sent}"
                    unacked[client_id] = f"message {sent}"
                    await socket.send(
                        json.dumps(
                            {"type": "message.create", "content": unacked[client_id], "client_id": client_id}
                        )
                    )
                    sent, budget = sent + 1, budget - 1
                try:
                    frame = json.loads(await asyncio.wait_for(socket.recv(), timeout=0.01))
                except TimeoutError:
                    if not budget:
                        break  # this connection's share is sent: drop it, acknowledged or not
                    continue
                if frame["type"] == "message.ack":
                    unacked.pop(frame["client_id"], None)
                    stored[frame["client_id"]] = frame["seq"]
                elif frame["type"] == "error":
                    raise AssertionError(frame)
            await _drop(socket, rng)
    return stored


async def read_all(
    url: str, origin: str, rng: random.Random, steady: bool
) -> tuple[list[int], list[str], int]:
    """Reads until it has seen the last message; a churning reader drops its connection after
    5-25 messages (so how often it reconnects does not depend on the machine's speed) and resumes
    (``?after=``) after the last sequence number it saw. Returns the sequence numbers and contents
    in the order they arrived, and how many connections it used."""
    seqs: list[int] = []
    contents: list[str] = []
    connections = 0
    while not seqs or seqs[-1] < MESSAGES:
        connections += 1
        async with websockets.connect(f"{url}&after={seqs[-1] if seqs else 0}", origin=origin) as socket:
            until = asyncio.get_running_loop().time() + 60
            budget = MESSAGES if steady else rng.randint(5, 25)
            while (not seqs or seqs[-1] < MESSAGES) and budget > 0:
                left = until - asyncio.get_running_loop().time()
                if left <= 0:
                    break
                try:
                    frame = json.loads(await asyncio.wait_for(socket.recv(), timeout=left))
                except TimeoutError:
                    break
                if frame["type"] == "message.create":
                    seqs.append(frame["message"]["seq"])
                    contents.append(frame["message"]["content"])
                    budget -= 1
            await _drop(socket, rng)
        if not steady:
            await asyncio.sleep(rng.uniform(0.05, 0.3))
    return seqs, contents, connections


def test_every_resuming_client_ends_with_every_message_once_in_order(server):
    running, seeded = server
    room, tokens = seeded["room"], seeded["tokens"]
    url = lambda token: ws_url(running, f"/ws/chat/rooms/{room}/", token)  # noqa: E731
    rng = random.Random(1683)

    async def churn():
        readers = [
            read_all(url(token), running.base_url, random.Random(rng.random()), steady=n < STEADY_READERS)
            for n, token in enumerate(tokens[1:])
        ]
        return await asyncio.gather(send_all(url(tokens[0]), running.base_url, rng), *readers)

    try:
        stored, *readers = run_async(churn(), timeout=240)
    except BaseException:
        print(running.output(8000))  # the server's side of it
        raise

    # Each message was stored once, in the order it was first sent, whatever was resent.
    assert [stored[f"c{n}"] for n in range(MESSAGES)] == list(range(1, MESSAGES + 1))
    expected = [f"message {n}" for n in range(MESSAGES)]
    for seqs, contents, _ in readers:
        assert seqs == list(range(1, MESSAGES + 1))
        assert contents == expected
    churning = [connections for _, _, connections in readers[STEADY_READERS:]]
    # At most 25 messages a connection: each churning reader needed at least 120 / 25 of them.
    assert min(churning) >= MESSAGES // 25, churning
    assert all(connections == 1 for _, _, connections in readers[:STEADY_READERS])


STALLED_BACKLOG = 3000


def test_a_stalled_member_removed_from_the_room_gets_nothing_sent_after_and_is_closed(server):
    """The member stops reading while 3,000 long messages pile up (its socket's buffers and its
    channel fill), is removed, and the room goes on talking: when it reads again it finds only
    messages from before its removal, then a close (4403)."""
    running, seeded = server
    room, (owner, member) = seeded["stall_room"], seeded["tokens"][:2]
    url = lambda token: ws_url(running, f"/ws/chat/rooms/{room}/", token)  # noqa: E731

    async def send(socket, prefix: str, count: int) -> None:
        """Sends ``count`` long messages while reading what comes back (the broadcasts of its own
        messages too), until every one is acknowledged."""
        body = "x" * 3000

        async def acknowledgements() -> None:
            acked = 0
            while acked < count:
                frame = json.loads(await asyncio.wait_for(socket.recv(), timeout=120))
                acked += frame["type"] == "message.ack"

        reading = asyncio.ensure_future(acknowledgements())
        for n in range(count):
            content, client_id = f"{prefix} {n} {body}", f"{prefix}-{n}"
            await socket.send(
                json.dumps({"type": "message.create", "content": content, "client_id": client_id})
            )
        await reading

    def remove_member() -> int:
        path = f"/api/chat/rooms/{room}/participants/{seeded['ids'][1]}/"
        return call_api(running, "DELETE", path, token=owner)[0]

    async def scenario():
        # No keepalive pings from this client: a client that does not read cannot answer them,
        # and how long the backlog takes to build depends on the machine.
        stalled = await websockets.connect(
            url(member), origin=running.base_url, max_queue=1, ping_interval=None
        )
        async with websockets.connect(
            url(owner), origin=running.base_url, max_size=None, ping_interval=None
        ) as speaker:
            await send(speaker, "before", STALLED_BACKLOG)
            assert await asyncio.to_thread(remove_member) == 204
            await send(speaker, "after", 20)
        received, close_code = [], None
        try:
            while True:
                frame = json.loads(await asyncio.wait_for(stalled.recv(), timeout=60))
                if frame["type"] == "message.create":
                    received.append(frame["message"]["content"].split(" ", 1)[0])
        except websockets.ConnectionClosed as closed:
            close_code = closed.rcvd.code if closed.rcvd else None
        return received, close_code

    received, close_code = run_async(scenario(), timeout=600)

    assert "after" not in received
    assert close_code == 4403
