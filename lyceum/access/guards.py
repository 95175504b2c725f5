"""The two doors to ``checks.has_permission``: a DRF permission class for the API and a decorator
for pages. Both answer the same way: not signed in → 401 (the API) or the sign-in page; signed in
without the permission → 403."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from rest_framework.permissions import BasePermission

from lyceum.core.exceptions import Forbidden

from .checks import has_permission
from .registry import PERMISSIONS


def _known(codenames: tuple[str, ...]) -> tuple[str, ...]:
    unknown = [code for code in codenames if code not in PERMISSIONS]
    if unknown:
        raise ValueError(f"Unknown permission(s): {unknown}")
    return codenames


def HasPermission(*codenames: str, any_of: bool = False) -> type[BasePermission]:
    """``permission_classes = [HasPermission("users.view")]``: every one of ``codenames`` (or
    any one, with ``any_of``)."""
    needed = _known(codenames)
    combine = any if any_of else all

    class _HasPermission(BasePermission):
        message = "Your roles do not allow this."

        def has_permission(self, request, view) -> bool:
            user = request.user
            if not (user and user.is_authenticated):
                return False  # DRF answers 401 for an anonymous request
            return combine(has_permission(user, code) for code in needed)

    _HasPermission.__name__ = f"HasPermission({', '.join(needed)})"
    return _HasPermission


def permission_required(*codenames: str, any_of: bool = False) -> Callable:
    """The page decorator: the sign-in page for anonymous readers, the 403 page without it."""
    needed = _known(codenames)
    combine = any if any_of else all

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def guarded(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not combine(has_permission(request.user, code) for code in needed):
                raise Forbidden("Your roles do not allow this page.")
            return view(request, *args, **kwargs)

        return guarded

    return decorate
