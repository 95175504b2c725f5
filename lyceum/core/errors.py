"""One JSON shape for every API error.

``{"error": {"code": str, "message": str, "fields": {field: [messages]}}}``; ``fields`` is empty unless
the error concerns particular input fields. See docs/api-errors.md.
"""

from __future__ import annotations

import logging
import math
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from rest_framework import exceptions as drf
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler as drf_exception_handler

from .exceptions import ApplicationError, TooManyRequests

logger = logging.getLogger(__name__)

VALIDATION_MESSAGE = "The request has invalid fields."


def error_body(code: str, message: str, fields: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "fields": fields or {}}}


def _flatten(detail: Any) -> dict[str, Any]:
    """DRF's nested error detail as ``{field: [messages]}``; nested serializers keep their nesting."""
    if isinstance(detail, dict):
        return {str(key): _flatten_value(value) for key, value in detail.items()}
    return {"non_field_errors": _flatten_value(detail)}


def _flatten_value(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(key): _flatten_value(inner) for key, inner in value.items()}
    if isinstance(value, list):
        if all(not isinstance(item, dict | list) for item in value):
            return [str(item) for item in value]
        return [_flatten_value(item) for item in value]
    return [str(value)]


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF exception handler: maps DRF, Django and domain errors to the one error shape."""
    if isinstance(exc, ApplicationError):
        body = error_body(exc.code, exc.message, exc.fields)
        body["error"].update(exc.extra)
        response = Response(body, status=exc.status_code)
        if isinstance(exc, TooManyRequests):
            response["Retry-After"] = str(exc.retry_after)
        return response
    if isinstance(exc, RequestDataTooBig):
        return Response(error_body("payload_too_large", "The request body is too large."), status=413)
    if isinstance(exc, SuspiciousOperation):  # too many fields or files, a malformed upload
        return Response(error_body("bad_request", f"The request was refused: {exc}"), status=400)
    if isinstance(exc, DjangoValidationError):
        exc = drf.ValidationError(as_serializer_error(exc))
    elif isinstance(exc, Http404):
        exc = drf.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = drf.PermissionDenied()

    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # unexpected: Django logs it and the middleware answers a JSON 500

    if isinstance(exc, drf.ValidationError):
        response.data = error_body("validation_error", VALIDATION_MESSAGE, _flatten(exc.detail))
    else:
        detail = exc.detail if isinstance(exc, drf.APIException) else str(exc)
        code = exc.get_codes() if isinstance(exc, drf.APIException) else "error"
        if isinstance(detail, dict):
            message = str(detail.get("detail", "")) or VALIDATION_MESSAGE
            code = code.get("detail", "error") if isinstance(code, dict) else code
            fields = {key: value for key, value in _flatten(detail).items() if key != "detail"}
        else:
            message, fields = str(detail), {}
        if isinstance(code, list):
            code = code[0] if code else "error"
        if isinstance(exc, drf.Throttled) and exc.wait is not None:
            response["Retry-After"] = str(max(1, math.ceil(exc.wait)))
        response.data = error_body(str(code), message, fields)
    return response


def json_error(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse(error_body(code, message), status=status)
