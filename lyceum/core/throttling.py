"""DRF throttles over Lyceum's rate limit policies (lyceum/core/ratelimit.py).

A view names its policy in ``throttle_scope``. ``AddressRateThrottle`` counts per client address
(for endpoints used before signing in); ``UserRateThrottle`` per signed-in user. Both count
atomically before the view runs, so concurrent requests cannot slip past the limit.
"""

from __future__ import annotations

from rest_framework.throttling import BaseThrottle

from lyceum.core import ratelimit


class _PolicyThrottle(BaseThrottle):
    def identity(self, request) -> str:
        raise NotImplementedError

    def allow_request(self, request, view) -> bool:
        # Raises TooManyRequests: the error handler answers 429 with Retry-After.
        ratelimit.hit(view.throttle_scope, self.identity(request))
        return True


class AddressRateThrottle(_PolicyThrottle):
    """Limits by client address (REMOTE_ADDR, or X-Forwarded-For behind NUM_PROXIES proxies)."""

    def identity(self, request) -> str:
        return "ip:" + (self.get_ident(request) or "unknown")


class UserRateThrottle(AddressRateThrottle):
    """Limits by signed-in user (by address for anonymous requests)."""

    def identity(self, request) -> str:
        if request.user and request.user.is_authenticated:
            return f"user:{request.user.pk}"
        return super().identity(request)
