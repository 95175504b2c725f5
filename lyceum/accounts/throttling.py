"""Brute-force protection for password checks, built on DRF's cache-backed rate throttles.

Only *failed* password checks count. A login is refused with 429 before the password is checked once
the account (the submitted email or username, whether or not it exists) or the client address has
used up its failures for the window: ``LOGIN_FAILURE_RATE_PER_ACCOUNT`` (default 100/hour, OWASP ASVS
2.2.1) and ``LOGIN_FAILURE_RATE_PER_IP`` (default 20/hour). With Redis as the cache the counts are
shared by every server process.
"""

from __future__ import annotations

import hashlib
import math

from django.conf import settings
from django.db.models import Q
from django.http import HttpRequest
from rest_framework.throttling import BaseThrottle, SimpleRateThrottle

from lyceum.core.exceptions import TooManyRequests


class FailedPasswordThrottle(SimpleRateThrottle):
    """A sliding window of failure timestamps for one key; checking does not count, failing does."""

    cache_format = "login-failures:%(scope)s:%(ident)s"

    def __init__(self, *, scope: str, rate: str, ident: str) -> None:
        self.scope = scope
        self.rate = rate
        self.num_requests, self.duration = self.parse_rate(rate)
        digest = hashlib.sha256(ident.encode()).hexdigest()[:32]
        self.key = self.cache_format % {"scope": scope, "ident": digest}
        self._load()

    def get_rate(self) -> str:  # the rate is given, not looked up by scope
        return self.rate

    def _load(self) -> None:
        self.now = self.timer()
        history = self.cache.get(self.key, [])
        self.history = [stamp for stamp in history if stamp > self.now - self.duration]

    def is_exhausted(self) -> bool:
        return len(self.history) >= self.num_requests

    def record_failure(self) -> None:
        self._load()
        self.history.insert(0, self.now)
        self.cache.set(self.key, self.history, self.duration)

    def retry_after(self) -> int:
        if not self.history:
            return 1
        # The oldest failure that must leave the window before one more try is allowed.
        oldest_needed = self.history[self.num_requests - 1] if self.is_exhausted() else self.now
        return max(1, math.ceil(oldest_needed + self.duration - self.now))


def client_address(request: HttpRequest | None) -> str:
    """The client's address as DRF's throttles see it (REMOTE_ADDR, or X-Forwarded-For behind
    ``NUM_PROXIES`` trusted proxies)."""
    if request is None:
        return "unknown"
    return BaseThrottle().get_ident(request) or "unknown"


def _account_ident(login: str) -> str:
    """One key per account, whether it is named by email or username; an unknown name is its own
    key, so probing for accounts is limited the same way."""
    from .models import User

    login = login.strip()
    user_id = (
        User.objects.filter(Q(username__iexact=login) | Q(email__iexact=login))
        .values_list("pk", flat=True)
        .first()
    )
    return f"user:{user_id}" if user_id else f"name:{login.lower()}"


class LoginGuard:
    """The two windows a password check passes through: per account and per client address."""

    def __init__(self, *, request: HttpRequest | None, login: str) -> None:
        self.windows = [
            FailedPasswordThrottle(
                scope="account",
                rate=settings.LOGIN_FAILURE_RATE_PER_ACCOUNT,
                ident=_account_ident(login),
            ),
            FailedPasswordThrottle(
                scope="ip", rate=settings.LOGIN_FAILURE_RATE_PER_IP, ident=client_address(request)
            ),
        ]

    def check(self) -> None:
        """Raises ``TooManyRequests`` (429 with Retry-After) if any window is used up."""
        exhausted = [window for window in self.windows if window.is_exhausted()]
        if exhausted:
            raise TooManyRequests(
                "Too many failed sign-in attempts. Try again later.",
                retry_after=max(window.retry_after() for window in exhausted),
            )

    def record_failure(self) -> None:
        for window in self.windows:
            window.record_failure()
