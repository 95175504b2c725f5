"""Sending to channel-layer groups from synchronous code (services, subscribers, tasks)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer


def group_send(group: str, message: dict[str, Any]) -> None:
    """Sends ``message`` to every socket in ``group``, on this process or (with Redis) any."""
    layer = get_channel_layer()
    if layer is not None:
        run_sync(layer.group_send, group, message)


def run_sync(coroutine_function: Callable[..., Awaitable[Any]], *args: Any) -> Any:
    """Runs a channel-layer coroutine from synchronous code (services, subscribers, tasks)."""
    call = async_to_sync(coroutine_function)
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return call(*args)
    # This thread runs an event loop of its own (a sync caller driven by one, such as a browser
    # test): async_to_sync may not block it, so the call runs on a helper thread.
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(call, *args).result()
