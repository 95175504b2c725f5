"""Signed tokens for email verification (Django's signing; the link names the address it confirms)."""

from __future__ import annotations

from django.conf import settings
from django.core import signing

from .models import User

EMAIL_VERIFICATION_SALT = "lyceum.accounts.email-verification"


def email_verification_token(*, user: User) -> str:
    return signing.dumps({"user": str(user.pk), "email": user.email}, salt=EMAIL_VERIFICATION_SALT)


def email_verification_payload(*, token: str) -> dict[str, str] | None:
    """The signed payload, or None if the token is forged, malformed or older than the timeout."""
    try:
        payload = signing.loads(
            token, salt=EMAIL_VERIFICATION_SALT, max_age=settings.EMAIL_VERIFICATION_TIMEOUT
        )
    except signing.BadSignature:
        return None
    if not isinstance(payload, dict) or not {"user", "email"} <= payload.keys():
        return None
    return payload
