"""Errors that never reach DRF (unknown /api/ paths, crashes) still answer in the one JSON shape."""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.deprecation import MiddlewareMixin

from .errors import json_error
from .exceptions import Forbidden, NotFound

logger = logging.getLogger("lyceum.errors")

API_PREFIX = "/api/"


def is_api_request(request: HttpRequest) -> bool:
    return request.path.startswith(API_PREFIX)


class ApiErrorMiddleware(MiddlewareMixin):
    """Turns HTML 404 responses and unhandled exceptions on /api/ paths into JSON errors."""

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        if (
            is_api_request(request)
            and response.status_code == 404
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            return json_error(404, "not_found", "No API endpoint at this address.")
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not is_api_request(request):
            # Pages call the same services: their NotFound and Forbidden are the 404 and 403
            # pages, with the reason; rendered here so that development (DEBUG) shows the page
            # a user sees too, not Django's technical 404 with its list of routes.
            from lyceum.web.views import forbidden, not_found

            if isinstance(exception, NotFound | Http404):
                return not_found(request, exception)
            if isinstance(exception, Forbidden | PermissionDenied):
                return forbidden(request, exception)
            return None
        logger.exception("Unhandled error on %s %s", request.method, request.path)
        return json_error(500, "server_error", "Something went wrong on our side. It was logged.")


class ResolveUserMiddleware(MiddlewareMixin):
    """Loads ``request.user`` before the view, outside the N+1 detector's count.

    Installed only with NPLUSONE_CHECK: the lazy user load would otherwise be counted with the
    view's own ``User`` queries and reported as an N+1 pattern that is not there.
    """

    def process_request(self, request: HttpRequest) -> None:
        from zeal import zeal_ignore

        with zeal_ignore([{"model": "accounts.User", "field": "*"}]):
            request.user.is_authenticated  # noqa: B018 - evaluating the lazy object is the point
