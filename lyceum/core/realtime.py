"""Sending to channel-layer groups from synchronous code (services, subscribers, tasks)."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer


def group_send(group: str, message: dict[str, Any]) -> None:
    """Sends ``message`` to every socket in ``group``, on this process or (with Redis) any."""
    layer = get_channel_layer()
    if layer is None:
        return
    send = async_to_sync(layer.group_send)
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        send(group, message)
        return
    # This thread runs an event loop of its own (a sync caller driven by one, such as a browser
    # test): async_to_sync may not block it, so the send runs on a helper thread.
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(send, group, message).result()
