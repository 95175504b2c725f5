"""dispatch_from (lyceum/core/websocket.py), the loop every Lyceum socket reads with: one
message handled at a time whichever source it came from, each source in its own order, and a
handler's exception ends the loop with the other source no longer read. The in-memory layer's
send and receive keep Channels' semantics."""

from __future__ import annotations

import asyncio

import pytest
from channels.exceptions import ChannelFull, StopConsumer

from lyceum.core.layers import InMemoryChannelLayer
from lyceum.core.websocket import dispatch_from


def _source(items: list):
    queue: asyncio.Queue = asyncio.Queue()
    for item in items:
        queue.put_nowait(item)
    return queue.get


def test_messages_are_handled_one_at_a_time_each_source_in_order():
    handled: list[str] = []
    running = 0

    async def dispatch(message: str) -> None:
        nonlocal running
        running += 1
        assert running == 1, "two handlers ran at once"
        await asyncio.sleep(0)  # a handler that awaits lets the other reader run, not dispatch
        await asyncio.sleep(0)
        handled.append(message)
        running -= 1
        if message == "stop":
            raise StopConsumer

    async def scenario() -> None:
        client = _source([f"frame {n}" for n in range(50)] + ["stop"])
        layer = _source([f"event {n}" for n in range(50)])
        with pytest.raises(StopConsumer):
            await dispatch_from([client, layer], dispatch)

    asyncio.run(scenario())

    frames = [m for m in handled if m.startswith("frame")]
    events = [m for m in handled if m.startswith("event")]
    assert frames == [f"frame {n}" for n in range(50)]
    assert events == [f"event {n}" for n in range(len(events))]
    assert handled[-1] == "stop"


def test_a_handlers_error_ends_the_loop_and_stops_reading_the_other_source():
    reads = 0

    async def endless() -> str:
        nonlocal reads
        reads += 1
        await asyncio.sleep(0)
        return "event"

    async def dispatch(message: str) -> None:
        if message == "bad":
            raise ValueError("a broken handler")

    async def scenario() -> None:
        with pytest.raises(ValueError, match="a broken handler"):
            await dispatch_from([_source(["fine", "bad"]), endless], dispatch)
        seen = reads
        await asyncio.sleep(0.05)
        assert reads == seen, "the other source is still read after the loop ended"

    asyncio.run(scenario())


def test_the_in_memory_layer_copies_what_it_sends_and_keeps_capacity_and_groups():
    async def scenario() -> None:
        layer = InMemoryChannelLayer(capacity=2)
        channel = await layer.new_channel()
        flat = {"type": "room.event", "seq": 1, "text": "hello"}
        nested = {"type": "room.event", "online": ["a"]}
        await layer.send(channel, flat)
        await layer.send(channel, nested)
        with pytest.raises(ChannelFull):
            await layer.send(channel, {"type": "one.too.many"})
        flat["text"], nested["online"][0] = "changed", "changed"  # the sender changes its own dicts

        assert await layer.receive(channel) == {"type": "room.event", "seq": 1, "text": "hello"}
        assert await layer.receive(channel) == {"type": "room.event", "online": ["a"]}
        assert channel not in layer.channels  # an emptied channel leaves no queue behind

        await layer.group_add("room", channel)
        await layer.group_send("room", {"type": "room.event", "seq": 2})
        assert await layer.receive(channel) == {"type": "room.event", "seq": 2}

    asyncio.run(scenario())
