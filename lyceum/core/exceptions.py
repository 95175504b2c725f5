"""Domain errors. Services raise these; the API's exception handler turns them into one JSON shape."""

from __future__ import annotations

from typing import Any


class ApplicationError(Exception):
    """A request that breaks a business rule. Answered with ``status_code`` and ``code``."""

    status_code = 400
    code = "invalid"
    default_message = "The request could not be carried out."

    def __init__(
        self,
        message: str | None = None,
        *,
        code: str | None = None,
        fields: dict[str, list[str]] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        self.message = message or self.default_message
        if code:
            self.code = code
        self.fields = fields or {}
        self.extra = extra or {}
        super().__init__(self.message)


class NotFound(ApplicationError):
    status_code = 404
    code = "not_found"
    default_message = "Not found."


class Forbidden(ApplicationError):
    status_code = 403
    code = "permission_denied"
    default_message = "You do not have permission to do this."


class Conflict(ApplicationError):
    status_code = 409
    code = "conflict"
    default_message = "The request conflicts with the current state."


class AuthenticationError(ApplicationError):
    status_code = 401
    code = "authentication_failed"
    default_message = "Authentication failed."


class TooManyRequests(ApplicationError):
    status_code = 429
    code = "throttled"
    default_message = "Too many attempts. Try again later."

    def __init__(self, message: str | None = None, *, retry_after: int, **kwargs: Any) -> None:
        self.retry_after = max(1, int(retry_after))
        super().__init__(message, **kwargs)


class ServiceUnavailable(ApplicationError):
    status_code = 503
    code = "service_unavailable"
    default_message = "This service is not available right now."


class PaymentRequired(ApplicationError):
    status_code = 402
    code = "payment_required"
    default_message = "This needs a payment first."


class PayloadTooLarge(ApplicationError):
    status_code = 413
    code = "payload_too_large"
    default_message = "The request is larger than this allows."


class UnsupportedMediaType(ApplicationError):
    status_code = 415
    code = "unsupported_media_type"
    default_message = "This type of content is not accepted here."


class Unprocessable(ApplicationError):
    status_code = 422
    code = "unprocessable"
    default_message = "The request is well formed but cannot be true."
