"""Rate limits: one policy per kind of action, counted atomically, shared by REST, pages and sockets.

Counting is done by the ``limits`` library (fixed windows): a Redis ``INCRBY`` with expiry in one Lua
call when ``REDIS_URL`` is set, so every server process shares the counts, and a lock-guarded counter
in this process otherwise (the embedded default runs one process). A hit is counted *before* the
guarded work runs, so a burst of concurrent requests gets exactly the policy's number through.

Policies live in ``settings.RATE_LIMITS`` (name -> ``"N/period"``, e.g. ``"20/10 seconds"``). A
policy is counted per identity (a user id or a client address), never per connection, so opening a
new socket does not reset it.
"""

from __future__ import annotations

import functools
import math
import threading
import time
from dataclasses import dataclass

from django.conf import settings
from limits import RateLimitItem, parse
from limits.storage import MemoryStorage, Storage, storage_from_string
from limits.strategies import FixedWindowRateLimiter

from lyceum.core.exceptions import TooManyRequests


class LockedMemoryStorage(MemoryStorage):
    """``limits``' in-process storage behind one lock. Its own per-key locks are created on first
    use without a lock of their own, so two threads hitting a new key at once could each take a
    different one and lose a count (a real-server test caught 4 of 12 concurrent logins passing a
    limit of 3)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.lock = threading.RLock()  # incr calls get

    def incr(self, key: str, expiry: float, amount: int = 1) -> int:
        with self.lock:
            return super().incr(key, expiry, amount)

    def get(self, key: str) -> int:
        with self.lock:
            return super().get(key)

    def get_expiry(self, key: str) -> float:
        with self.lock:
            return super().get_expiry(key)

    def clear(self, key: str) -> None:
        with self.lock:
            super().clear(key)

    def reset(self) -> int | None:
        with self.lock:
            return super().reset()


_storages: dict[str, Storage] = {}
_storages_lock = threading.Lock()


def storage() -> Storage:
    """The storage ``RATE_LIMIT_STORAGE_URL`` names, made once per process. Made under a lock:
    ``limits`` checks its Redis dependency lazily, and two threads doing it at once on a fresh
    server saw "redis 0.0.0" and answered 500 (tests/test_rate_limits_concurrent.py)."""
    url = settings.RATE_LIMIT_STORAGE_URL
    found = _storages.get(url)
    if found is None:
        with _storages_lock:
            found = _storages.get(url)
            if found is None:
                if url.startswith("memory://"):
                    found = LockedMemoryStorage()
                else:
                    found = storage_from_string(url, key_prefix=settings.RATE_LIMIT_KEY_PREFIX)
                _storages[url] = found
    return found


def _limiter() -> FixedWindowRateLimiter:
    return FixedWindowRateLimiter(storage())


@functools.cache
def _parse(rate: str) -> RateLimitItem:
    return parse(rate)


def policy_rate(name: str) -> RateLimitItem:
    try:
        rate = settings.RATE_LIMITS[name]
    except KeyError:
        raise LookupError(f"No rate limit policy named {name!r} in settings.RATE_LIMITS") from None
    return _parse(rate)


@dataclass(frozen=True)
class Hit:
    """One counted use of a policy by an identity; ``refund`` gives it back (a login that
    succeeded does not count as a failure)."""

    policy: str
    ident: str

    def refund(self) -> None:
        item = policy_rate(self.policy)
        storage().incr(item.key_for(self.policy, self.ident), item.get_expiry(), amount=-1)


def retry_after(policy: str, ident: str) -> int:
    """Seconds until ``ident`` may use ``policy`` again (at least 1)."""
    item = policy_rate(policy)
    stats = _limiter().get_window_stats(item, policy, ident)
    return max(1, math.ceil(stats.reset_time - time.time()))


def hit(policy: str, ident: str, *, message: str | None = None) -> Hit:
    """Counts one use of ``policy`` by ``ident``; raises ``TooManyRequests`` (429 with
    Retry-After) when the policy's number is used up, in which case nothing is counted."""
    item = policy_rate(policy)
    if not _limiter().hit(item, policy, ident):
        # The refused hit was counted by INCR; give it back so the window's count stays exact.
        storage().incr(item.key_for(policy, ident), item.get_expiry(), amount=-1)
        raise TooManyRequests(
            message or "Too many requests. Try again later.",
            retry_after=retry_after(policy, ident),
            extra={"policy": policy},
        )
    return Hit(policy, ident)


def is_exhausted(policy: str, ident: str) -> bool:
    item = policy_rate(policy)
    return not _limiter().test(item, policy, ident)


def reset() -> None:
    """Forgets every count (tests)."""
    storage().reset()
