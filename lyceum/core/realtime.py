"""Sending to channel-layer groups from synchronous code (services, subscribers, tasks)."""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import InMemoryChannelLayer, get_channel_layer


def group_send(group: str, message: dict[str, Any]) -> None:
    """Sends ``message`` to every socket in ``group``, on this process or (with Redis) any."""
    layer = get_channel_layer()
    if layer is not None:
        run_sync(layer.group_send, group, message)


_loop: asyncio.AbstractEventLoop | None = None
_loop_pid = 0
_loop_lock = threading.Lock()


def _layer_loop() -> asyncio.AbstractEventLoop:
    """This process's event loop for channel-layer calls from synchronous code, started on first
    use on a thread of its own. channels_redis keeps its Redis connections per event loop:
    ``async_to_sync`` runs each call on a new loop, so every send from a request opened (and
    dropped) a Redis connection, a third of a quiz submission's CPU (bench/profile_exam.py
    --postgres). One loop for the process's lifetime keeps one pool. A forked child starts its own."""
    global _loop, _loop_pid
    with _loop_lock:
        if _loop is None or _loop_pid != os.getpid():
            loop = asyncio.new_event_loop()
            threading.Thread(target=loop.run_forever, name="lyceum-channel-layer", daemon=True).start()
            _loop, _loop_pid = loop, os.getpid()
        return _loop


_server_loop: asyncio.AbstractEventLoop | None = None


def set_server_loop(loop: asyncio.AbstractEventLoop) -> None:
    """Called by the ASGI application (lyceum/asgi.py) with the server's event loop, where the
    in-memory layer's sockets wait on their queues."""
    global _server_loop
    _server_loop = loop


def run_sync(coroutine_function: Callable[..., Awaitable[Any]], *args: Any) -> Any:
    """Runs a channel-layer coroutine from synchronous code (services, subscribers, tasks)."""
    if not isinstance(get_channel_layer(), InMemoryChannelLayer):
        # Redis: on the process's own loop (the in-memory layer's queues belong to the server's loop).
        return asyncio.run_coroutine_threadsafe(coroutine_function(*args), _layer_loop()).result(timeout=30)
    server = _server_loop
    if server is not None and server.is_running():
        try:
            on_server_loop = asyncio.get_running_loop() is server
        except RuntimeError:
            on_server_loop = False
        if not on_server_loop:
            # A request's thread under the ASGI server: the layer's queues live on the server's
            # loop, so the call runs there (async_to_sync made a new loop for every call).
            return asyncio.run_coroutine_threadsafe(coroutine_function(*args), server).result(timeout=30)
    call = async_to_sync(coroutine_function)
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return call(*args)
    # This thread runs an event loop of its own (a sync caller driven by one, such as a browser
    # test): async_to_sync may not block it, so the call runs on a helper thread.
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(call, *args).result()
