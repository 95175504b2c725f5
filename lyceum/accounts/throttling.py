"""Brute-force protection for password checks.

Only *failed* password checks use up the limits, but each attempt is counted before its password
is checked and given back once the password proves right: concurrent wrong guesses cannot all pass
the check while the slow hash runs. Two policies (settings.RATE_LIMITS): ``login_failure_account``
(the account named by email or username, whether or not it exists; default 100/hour, OWASP ASVS
2.2.1) and ``login_failure_ip`` (default 20/hour).
"""

from __future__ import annotations

from django.db.models import Q
from django.http import HttpRequest
from rest_framework.throttling import BaseThrottle

from lyceum.core import ratelimit
from lyceum.core.exceptions import TooManyRequests

TOO_MANY_FAILURES = "Too many failed sign-in attempts. Try again later."


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
    """Reserves one failure in both windows before a password check; ``succeeded`` gives them back."""

    def __init__(self, *, request: HttpRequest | None, login: str) -> None:
        self.identities = [
            ("login_failure_account", _account_ident(login)),
            ("login_failure_ip", "ip:" + client_address(request)),
        ]
        self.hits: list[ratelimit.Hit] = []

    def reserve(self) -> None:
        """Counts this attempt; raises ``TooManyRequests`` (429 with Retry-After) if a window is
        used up, counting nothing."""
        try:
            for policy, ident in self.identities:
                self.hits.append(ratelimit.hit(policy, ident, message=TOO_MANY_FAILURES))
        except TooManyRequests:
            self.succeeded()
            raise

    def succeeded(self) -> None:
        for hit in self.hits:
            hit.refund()
        self.hits = []
