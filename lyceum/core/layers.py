"""The in-memory channel layer of the embedded default, made to scale with the number of sockets.

Channels' ``InMemoryChannelLayer`` sweeps every channel for expired messages on every
``receive``: with one channel per socket, a message to a room of N sockets costs N sweeps of N
channels. Here the sweep runs at most once a second; messages still expire (``expiry``, 60 s by
default), at most a second later. ``group_send`` puts the message on each member's queue directly
instead of through a task per member; ``send`` and ``receive`` build a channel's queue only
when it has none, and a flat message is copied shallowly. Semantics are otherwise Channels' own
(a full channel drops the group message, as there). bench/bench_chat.py measures the difference.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import time

from channels.exceptions import ChannelFull
from channels.layers import InMemoryChannelLayer as ChannelsInMemoryChannelLayer

SWEEP_INTERVAL = 1.0


_FLAT = (str, int, float, bool, type(None))


def _copier(message: dict):
    """How to copy ``message`` for each receiver, as Channels' ``deepcopy`` isolates it (a
    receiver cannot change the sender's message), for less: a room event is a flat dict of
    strings and numbers, which a shallow copy isolates."""
    return dict if all(isinstance(value, _FLAT) for value in message.values()) else copy.deepcopy


class InMemoryChannelLayer(ChannelsInMemoryChannelLayer):
    _swept_at = 0.0

    def _queue(self, channel: str) -> asyncio.Queue:
        # Channels builds a new asyncio.Queue (and matches the capacity patterns) on every send
        # and receive, as the default argument of setdefault, even when the channel has one.
        queue = self.channels.get(channel)
        if queue is None:
            queue = self.channels[channel] = asyncio.Queue(maxsize=self.get_capacity(channel))
        return queue

    def _put(self, channel: str, message: dict) -> None:
        try:
            self._queue(channel).put_nowait((time.time() + self.expiry, message))
        except asyncio.QueueFull:
            raise ChannelFull(channel) from None

    async def send(self, channel: str, message: dict) -> None:
        assert isinstance(message, dict), "message is not a dict"
        self.require_valid_channel_name(channel)
        assert "__asgi_channel__" not in message
        self._put(channel, _copier(message)(message))

    async def receive(self, channel: str) -> dict:
        self.require_valid_channel_name(channel)
        self._clean_expired()
        queue = self._queue(channel)
        try:
            _, message = await queue.get()
        finally:
            if queue.empty() and self.channels.get(channel) is queue:
                del self.channels[channel]  # as Channels does: no queue left for a gone socket
        return message

    def _clean_expired(self) -> None:
        now = time.monotonic()
        if now - self._swept_at < SWEEP_INTERVAL:
            return
        self._swept_at = now
        super()._clean_expired()

    async def group_send(self, group: str, message: dict) -> None:
        assert isinstance(message, dict), "message is not a dict"
        assert "__asgi_channel__" not in message
        self.require_valid_group_name(group)
        self._clean_expired()
        # The members' names were checked by group_add, and the message's shape is the same for
        # each: both are looked at once per message, not once per member.
        make = _copier(message)
        for channel in list(self.groups.get(group, ())):
            with contextlib.suppress(ChannelFull):  # Channels drops it for a full channel too
                self._put(channel, make(message))
