"""Errors that never reach DRF (unknown /api/ paths, crashes) still answer in the one JSON shape."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from .errors import json_error

logger = logging.getLogger("lyceum.errors")

API_PREFIX = "/api/"


def is_api_request(request: HttpRequest) -> bool:
    return request.path.startswith(API_PREFIX)


def api_error_middleware(get_response: Callable[[HttpRequest], HttpResponse]):
    """Turns HTML 404/500 responses and unhandled exceptions on /api/ paths into JSON errors."""

    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        if not is_api_request(request):
            return response
        content_type = response.get("Content-Type", "")
        if response.status_code == 404 and not content_type.startswith("application/json"):
            return json_error(404, "not_found", "No API endpoint at this address.")
        return response

    def process_exception(request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not is_api_request(request):
            return None
        logger.exception("Unhandled error on %s %s", request.method, request.path)
        return json_error(500, "server_error", "Something went wrong on our side. It was logged.")

    middleware.process_exception = process_exception  # type: ignore[attr-defined]
    return middleware
