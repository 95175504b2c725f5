"""Access-token authentication for the API and the sockets: simplejwt's checks (signature,
expiry, the password-hash digest) plus Lyceum's revocations, so that signing out means the same
for REST, pages and sockets. Costs no query beyond loading the user."""

from __future__ import annotations

import time

from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from rest_framework_simplejwt import authentication
from rest_framework_simplejwt.exceptions import InvalidToken

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


class JWTAuthentication(authentication.JWTAuthentication):
    def get_user(self, validated_token):
        user = super().get_user(validated_token)
        if token_is_revoked(user, validated_token):
            raise InvalidToken({"detail": "This token was revoked: its session was signed out."})
        return user


class JWTScheme(SimpleJWTScheme):
    """Documents Lyceum's JWTAuthentication in the OpenAPI schema as simplejwt's bearer scheme."""

    target_class = "lyceum.accounts.authentication.JWTAuthentication"
