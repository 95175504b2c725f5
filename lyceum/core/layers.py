"""The in-memory channel layer of the embedded default, made to scale with the number of sockets.

Channels' ``InMemoryChannelLayer`` sweeps every channel for expired messages on every
``receive``: with one channel per socket, a message to a room of N sockets costs N sweeps of N
channels. Here the sweep runs at most once a second; messages still expire (``expiry``, 60 s by
default), at most a second later. ``group_send`` puts the message on each member's queue directly
instead of through a task per member. Semantics are otherwise Channels' own (a full channel
drops the group message, as there). bench/bench_chat.py measures the difference.
"""

from __future__ import annotations

import contextlib
import time

from channels.exceptions import ChannelFull
from channels.layers import InMemoryChannelLayer as ChannelsInMemoryChannelLayer

SWEEP_INTERVAL = 1.0


class InMemoryChannelLayer(ChannelsInMemoryChannelLayer):
    _swept_at = 0.0

    def _clean_expired(self) -> None:
        now = time.monotonic()
        if now - self._swept_at < SWEEP_INTERVAL:
            return
        self._swept_at = now
        super()._clean_expired()

    async def group_send(self, group: str, message: dict) -> None:
        assert isinstance(message, dict), "message is not a dict"
        self.require_valid_group_name(group)
        self._clean_expired()
        for channel in list(self.groups.get(group, ())):
            with contextlib.suppress(ChannelFull):  # Channels drops it for a full channel too
                await self.send(channel, message)  # never waits: a put on an in-process queue
