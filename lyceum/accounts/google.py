"""Verification of Google ID tokens (what Google Sign-In on the web, Android and iOS returns).

The token is checked by the ``google-auth`` library: RS256 signature against Google's published
certificates, audience (``GOOGLE_CLIENT_ID``, several comma-separated client ids allowed), issuer,
issue and expiry times. Lyceum then requires a verified email address.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

import google.auth.exceptions
import google.auth.transport.requests
import requests
from django.conf import settings
from django.core.cache import cache
from google.oauth2 import id_token

from lyceum.core.exceptions import AuthenticationError, ServiceUnavailable

GOOGLE_ISSUERS = ("accounts.google.com", "https://accounts.google.com")
CLOCK_SKEW_SECONDS = 10
CERTS_CACHE_SECONDS = 60 * 60


@dataclass(frozen=True)
class GoogleIdentity:
    subject: str
    email: str
    given_name: str
    family_name: str


class CachedCertsRequest:
    """A google-auth transport that keeps fetched certificates in the Django cache for an hour.

    Google rotates its signing keys about daily and publishes the new one well ahead, so an hour's
    cache never rejects a fresh token and spares a fetch per sign-in.
    """

    def __init__(self, transport: Any | None = None) -> None:
        self.transport = transport or google.auth.transport.requests.Request(requests.Session())

    def __call__(self, url: str, method: str = "GET", **kwargs: Any) -> Any:
        key = "google-certs:" + hashlib.sha256(url.encode()).hexdigest()[:16]
        body = cache.get(key)
        if body is None:
            response = self.transport(url, method=method, **kwargs)
            if response.status != 200:
                return response
            body = response.data
            cache.set(key, body, CERTS_CACHE_SECONDS)
        return _CachedResponse(body)


@dataclass
class _CachedResponse:
    data: bytes
    status: int = 200
    headers: dict[str, str] | None = None


class GoogleIdTokenVerifier:
    def __init__(
        self,
        *,
        client_ids: list[str] | None = None,
        certs_url: str | None = None,
        transport: Any | None = None,
    ) -> None:
        self.client_ids = list(settings.GOOGLE_CLIENT_ID if client_ids is None else client_ids)
        self.certs_url = certs_url or settings.GOOGLE_CERTS_URL
        self.request = CachedCertsRequest(transport)

    def verify(self, token: str) -> GoogleIdentity:
        """Returns who the token names, or raises ``AuthenticationError`` (401)."""
        if not self.client_ids:
            raise ServiceUnavailable(
                "Google sign-in is not configured on this server (GOOGLE_CLIENT_ID is unset).",
                code="google_not_configured",
            )
        try:
            claims = id_token.verify_token(
                token,
                self.request,
                audience=self.client_ids,
                certs_url=self.certs_url,
                clock_skew_in_seconds=CLOCK_SKEW_SECONDS,
            )
        except google.auth.exceptions.TransportError as error:
            raise ServiceUnavailable(
                "Google's certificates could not be fetched. Try again shortly.",
                code="google_unreachable",
            ) from error
        except (ValueError, google.auth.exceptions.GoogleAuthError) as error:
            raise AuthenticationError(
                f"The Google ID token is not valid: {_reason(error)}", code="invalid_google_token"
            ) from error
        if claims.get("iss") not in GOOGLE_ISSUERS:
            raise AuthenticationError(
                "The Google ID token was not issued by Google.", code="invalid_google_token"
            )
        if not claims.get("sub") or not claims.get("email"):
            raise AuthenticationError(
                "The Google ID token carries no account or email address.",
                code="invalid_google_token",
            )
        if claims.get("email_verified") not in (True, "true"):
            raise AuthenticationError(
                "Google has not verified this account's email address.",
                code="google_email_unverified",
            )
        return GoogleIdentity(
            subject=str(claims["sub"]),
            email=str(claims["email"]),
            given_name=str(claims.get("given_name", ""))[:150],
            family_name=str(claims.get("family_name", ""))[:150],
        )


def _reason(error: Exception) -> str:
    text = str(error)
    if "expired" in text.lower():
        return "it has expired."
    if "audience" in text.lower():
        return "it was issued for another application."
    return "its signature or contents could not be verified."
