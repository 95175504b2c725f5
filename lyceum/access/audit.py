"""The audit log's writer. ``record`` is called by the services of admin actions inside their
transaction (so an action and its entry stand or fall together); ``AuditMiddleware`` says where
a request came from, and writes a plain entry for a change an admin made that no service
recorded (the Django admin site, say)."""

from __future__ import annotations

import contextvars
import ipaddress
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.http import HttpRequest, HttpResponse

from .models import AuditLog

SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}


@dataclass
class Origin:
    """The current request, as far as the audit log cares. Where it came from is worked out
    only when an entry is written: most requests write none."""

    request: HttpRequest | None = None
    recorded: list[str] = field(default_factory=list)
    # The admin permissions this request was allowed by (``checks.has_permission`` notes them).
    used: set[str] = field(default_factory=set)
    # A page said its action was refused (it redirects back with the reason).
    unchanged: bool = False


_origin: contextvars.ContextVar[Origin | None] = contextvars.ContextVar("lyceum_audit_origin", default=None)


def record(
    *, actor: Any, action: str, target: models.Model | None = None, details: dict | None = None
) -> AuditLog:
    """Appends one entry: ``actor`` did ``action`` to ``target`` (with ``details``), from the
    current request's address, if any."""
    origin = _origin.get() or Origin()
    entry = AuditLog.objects.create(
        actor_id=getattr(actor, "pk", None),
        actor_username=getattr(actor, "username", "")[:150],
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        target_repr=str(target)[:200] if target is not None else "",
        details=details or {},
        **_where(origin.request),
    )
    origin.recorded.append(action)
    return entry


def note_use(codename: str) -> None:
    """The current request did something only ``codename`` allows."""
    origin = _origin.get()
    if origin is not None:
        origin.used.add(codename)


def nothing_changed() -> None:
    """The current request's action was refused: no entry for it."""
    origin = _origin.get()
    if origin is not None:
        origin.unchanged = True


def _succeeded(request: HttpRequest, response: HttpResponse) -> bool:
    """An API call succeeds with 2xx; a page's form, by redirecting (a refused form is shown
    again with its errors, 200)."""
    if request.path.startswith("/api/"):
        return 200 <= response.status_code < 300
    return 300 <= response.status_code < 400


def _where(request: HttpRequest | None) -> dict[str, Any]:
    """Where an action came from: address, user agent, method and path (blank outside a request)."""
    if request is None:
        return {}
    return {
        "ip": _client_ip(request),
        "user_agent": request.headers.get("User-Agent", "")[:300],
        "method": request.method or "",
        "path": request.path[:300],
    }


def _client_ip(request: HttpRequest) -> str | None:
    from lyceum.accounts.throttling import client_address

    try:
        return str(ipaddress.ip_address(client_address(request).strip()))
    except ValueError:  # "unknown", or a forwarded header that holds no address
        return None


class AuditMiddleware:
    """Knows each request's origin for ``record``; logs a change that an admin permission
    allowed and no service recorded (an admin editing someone else's course, a moderator
    deleting a message, the Django admin site). Costs no query: the permission checks say."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        origin = Origin(request=request)
        token = _origin.set(origin)
        try:
            response = self.get_response(request)
            if (
                request.method not in SAFE_METHODS
                and not origin.recorded
                and not origin.unchanged
                and _succeeded(request, response)
                and (origin.used or _on_admin_site(request))
            ):
                record(
                    actor=request.user,
                    action="request",
                    details={
                        "status": response.status_code,
                        "view": _view_name(request),
                        "allowed_by": sorted(origin.used) or ["is_staff"],
                    },
                )
            return response
        finally:
            _origin.reset(token)


def _on_admin_site(request: HttpRequest) -> bool:
    """A change through the Django admin site (which checks is_staff, not Lyceum's roles)."""
    user = getattr(request, "user", None)
    match = getattr(request, "resolver_match", None)
    return bool(
        user is not None and user.is_authenticated and match is not None and match.app_name == "admin"
    )


def _view_name(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    return match.view_name if match is not None else ""
