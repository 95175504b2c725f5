from django.conf import settings
from rest_framework.throttling import AnonRateThrottle, ScopedRateThrottle


class _LiveRates:
    """Reads the rate from the settings at each request (DRF binds them at import), so a changed
    setting, in a test or by ``override_settings``, takes effect."""

    def get_rate(self):
        return settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"].get(self.scope)


class AddressRateThrottle(_LiveRates, AnonRateThrottle):
    """Limits by client address, signed in or not. Set ``scope`` in a subclass."""

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class ScopedThrottle(_LiveRates, ScopedRateThrottle):
    pass
