"""Access-token authentication for the API and the sockets: simplejwt's checks (signature,
expiry, the password-hash digest) plus Lyceum's revocations, so that signing out means the same
for REST, pages and sockets. Costs no query beyond loading the user."""

from __future__ import annotations

import functools
import time
import uuid
from typing import Any

from django.core.exceptions import ValidationError
from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from rest_framework_simplejwt import authentication
from rest_framework_simplejwt.exceptions import InvalidToken

from lyceum.core.db import Prepared

FAMILY_CLAIM = "fam"
# When the pair was issued, to the microsecond ("iat" has whole seconds): a token issued in the
# same second as "sign out everywhere", but before it, must not survive it.
ISSUED_CLAIM = "issued"


def token_is_revoked(user, payload) -> bool:
    """True if the token was issued before the user's sessions were all ended, or its family
    (one sign-in and its refreshes) was signed out."""
    issued_at = payload.get(ISSUED_CLAIM, payload.get("iat"))
    if user.sessions_valid_after is not None:
        if not isinstance(issued_at, int | float) or issued_at < user.sessions_valid_after.timestamp():
            return True
    family = payload.get(FAMILY_CLAIM)
    expiry = (user.revoked_token_families or {}).get(family) if family else None
    return expiry is not None and expiry > time.time()


class _Users:
    """What simplejwt's ``get_user`` asks of the user model, ``objects.get(id=...)`` and
    ``DoesNotExist``, answered by one statement compiled once (``core.db.Prepared``): the ORM
    rebuilt the lookup on every request, 0.28 ms, more than a third of what a signed-in reader of
    the cached catalog costs beyond an anonymous one (bench/bench_courses.py). simplejwt's own
    checks (active, password digest) still run on what this returns."""

    def __init__(self) -> None:
        from django.contrib.auth import get_user_model

        self.model = get_user_model()
        self.DoesNotExist = self.model.DoesNotExist
        self.objects = self
        self.by_id = Prepared(
            self.model._meta.label,
            self.model._meta.pk.name,
            lambda user_id: self.model._default_manager.filter(pk=user_id),
            uuid.UUID("0b9e4c1d-7a52-4f36-8e21-5d7c3a9f6b14"),
        )

    def get(self, **lookup: Any):
        (field, value), *more = lookup.items()
        if more or field not in ("id", "pk"):
            return self.model._default_manager.get(**lookup)
        try:
            found = self.by_id.objects(value)
        except (ValueError, ValidationError):  # not an id at all: nobody
            found = []
        if not found:
            raise self.model.DoesNotExist
        return found[0]


@functools.cache
def _users() -> _Users:
    return _Users()


class JWTAuthentication(authentication.JWTAuthentication):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user_model = _users()

    def get_user(self, validated_token):
        user = super().get_user(validated_token)
        if token_is_revoked(user, validated_token):
            raise InvalidToken({"detail": "This token was revoked: its session was signed out."})
        return user


class JWTScheme(SimpleJWTScheme):
    """Documents Lyceum's JWTAuthentication in the OpenAPI schema as simplejwt's bearer scheme."""

    target_class = "lyceum.accounts.authentication.JWTAuthentication"
