"""Who has a room open: one entry per open socket, with an expiry its socket keeps pushing forward.

Each socket of a room holds an entry (its user and channel name) that expires ``PRESENCE_TTL``
seconds after its last heartbeat (sockets beat every ``CHAT_PRESENCE_HEARTBEAT_SECONDS``, 20 by
default, and the TTL is three beats). A socket that
closes removes its entry; a socket whose process died simply stops beating and drops out within
the TTL, so nobody stays online forever. Every change is one atomic operation: a Redis sorted set
per room (score = expiry) when ``REDIS_URL`` is set, shared by every server process, and a dict
under a lock in the embedded default's one process. The same entries tell which sockets a removed
member has open, so they can be cut from the room at once.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from django.conf import settings

PRESENCE_HEARTBEAT = settings.CHAT_PRESENCE_HEARTBEAT_SECONDS
PRESENCE_TTL = 3 * PRESENCE_HEARTBEAT


def _entry(user_id: Any, channel: str) -> str:
    return f"{user_id} {channel}"


def _users(entries: list[str]) -> list[str]:
    return sorted({entry.split(" ", 1)[0] for entry in entries})


class MemoryPresence:
    def __init__(self) -> None:
        self.rooms: dict[str, dict[str, float]] = {}
        self.lock = threading.Lock()

    def _live(self, room_id: str, now: float) -> dict[str, float]:
        entries = self.rooms.get(room_id, {})
        for entry in [entry for entry, expiry in entries.items() if expiry <= now]:
            del entries[entry]
        return entries

    def join(self, room_id: Any, user_id: Any, channel: str) -> list[str]:
        now = time.time()
        with self.lock:
            entries = self._live(str(room_id), now)
            entries[_entry(user_id, channel)] = now + PRESENCE_TTL
            self.rooms[str(room_id)] = entries
            return _users(list(entries))

    beat = join

    def leave(self, room_id: Any, user_id: Any, channel: str) -> list[str]:
        with self.lock:
            entries = self._live(str(room_id), time.time())
            entries.pop(_entry(user_id, channel), None)
            if not entries:
                self.rooms.pop(str(room_id), None)
            return _users(list(entries))

    def entries(self, room_id: Any) -> list[str]:
        with self.lock:
            return list(self._live(str(room_id), time.time()))

    def clear(self) -> None:
        with self.lock:
            self.rooms.clear()


class RedisPresence:
    def __init__(self, url: str, prefix: str) -> None:
        import redis

        self.client = redis.Redis.from_url(url)
        self.prefix = prefix

    def _key(self, room_id: Any) -> str:
        return f"{self.prefix}:chat-presence:{room_id}"

    def _change(self, room_id: Any, add: str | None = None, remove: str | None = None) -> list[str]:
        key, now = self._key(room_id), time.time()
        with self.client.pipeline(transaction=True) as pipe:  # MULTI/EXEC: one atomic step
            pipe.zremrangebyscore(key, "-inf", now)
            if add:
                pipe.zadd(key, {add: now + PRESENCE_TTL})
            if remove:
                pipe.zrem(key, remove)
            pipe.zrange(key, 0, -1)
            pipe.expire(key, PRESENCE_TTL * 2)
            results = pipe.execute()
        return [entry.decode() for entry in results[-2]]

    def join(self, room_id: Any, user_id: Any, channel: str) -> list[str]:
        return _users(self._change(room_id, add=_entry(user_id, channel)))

    beat = join

    def leave(self, room_id: Any, user_id: Any, channel: str) -> list[str]:
        return _users(self._change(room_id, remove=_entry(user_id, channel)))

    def entries(self, room_id: Any) -> list[str]:
        return self._change(room_id)

    def clear(self) -> None:
        for key in self.client.scan_iter(f"{self.prefix}:chat-presence:*", count=1000):
            self.client.delete(key)


_backend: MemoryPresence | RedisPresence | None = None
_backend_lock = threading.Lock()


def backend() -> MemoryPresence | RedisPresence:
    global _backend
    with _backend_lock:
        if _backend is None:
            if settings.REDIS_URL:
                _backend = RedisPresence(settings.REDIS_URL, settings.CACHES["default"]["KEY_PREFIX"])
            else:
                _backend = MemoryPresence()
        return _backend


def join(*, room_id: Any, user_id: Any, channel: str) -> list[str]:
    """Adds (or renews) a socket's entry; returns the ids of the users online in the room."""
    return backend().join(room_id, user_id, channel)


def beat(*, room_id: Any, user_id: Any, channel: str) -> list[str]:
    return backend().beat(room_id, user_id, channel)


def leave(*, room_id: Any, user_id: Any, channel: str) -> list[str]:
    return backend().leave(room_id, user_id, channel)


def online_user_ids(*, room_id: Any) -> list[str]:
    return _users(backend().entries(room_id))


def channels_of(*, room_id: Any, user_id: Any) -> list[str]:
    """The channel names of the user's open sockets in the room."""
    prefix = f"{user_id} "
    return [entry[len(prefix) :] for entry in backend().entries(room_id) if entry.startswith(prefix)]
