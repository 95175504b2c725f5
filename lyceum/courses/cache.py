"""The catalog and course pages as anonymous readers get them, cached under a version that every
change to what they show replaces.

What anonymous readers see of the catalog (``GET /api/courses/``) and of a course
(``GET /api/courses/{id}/``) is the same for all of them, so its rendered JSON is kept in the
cache (Redis with ``REDIS_URL``, else this process's memory) for ``CATALOG_CACHE_SECONDS``. The
key holds a version token; saving or deleting a course, module, lesson, resource, category or tag,
enrolling or leaving, and an instructor changing their name or picture all replace the token
once the change commits (signals for saves and deletes, explicit calls for bulk writes), so the
next reader misses and reads the database. Entries under an old token are never read again and
expire. A signed-in reader is never served from this cache (their view carries their enrollment).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from rest_framework.request import Request

VERSION_KEY = "catalog:version"


def current_version() -> str:
    version = cache.get(VERSION_KEY)
    if version is None:
        # Missing (first use, or evicted): a new token, so entries from before can never match.
        version = uuid.uuid4().hex
        if not cache.add(VERSION_KEY, version, timeout=None):
            version = cache.get(VERSION_KEY) or version
    return version


def _new_version() -> None:
    cache.set(VERSION_KEY, uuid.uuid4().hex, timeout=None)


def catalog_changed() -> None:
    """What the catalog or a course page shows changed: every cached anonymous response is
    dropped now, and again once the transaction commits (at once outside one), since a reader
    may have cached the state from before the commit meanwhile."""
    _new_version()
    transaction.on_commit(_new_version)


def _on_save_or_delete(sender, **kwargs) -> None:
    catalog_changed()


def _on_user_saved(sender, instance, update_fields=None, **kwargs) -> None:
    # Signing in saves last_login alone, which no page shows; a name or picture may be an
    # instructor's, shown on their courses.
    if update_fields is not None and set(update_fields) <= {"last_login", "updated_at"}:
        return
    catalog_changed()


def connect() -> None:
    """Every save or delete of what the catalog and course pages show drops the cached pages."""
    from django.contrib.auth import get_user_model
    from django.db.models.signals import m2m_changed, post_delete, post_save

    from lyceum.accounts.models import UserProfile

    from .models import Category, Course, CourseEnrollment, Lesson, LessonResource, Module, Tag

    for model in (Category, Course, CourseEnrollment, Lesson, LessonResource, Module, Tag):
        post_save.connect(_on_save_or_delete, sender=model, dispatch_uid=f"catalog.saved.{model.__name__}")
        post_delete.connect(
            _on_save_or_delete, sender=model, dispatch_uid=f"catalog.deleted.{model.__name__}"
        )
    m2m_changed.connect(_on_save_or_delete, sender=Course.tags.through, dispatch_uid="catalog.tags")
    post_save.connect(_on_user_saved, sender=get_user_model(), dispatch_uid="catalog.user")
    post_save.connect(_on_save_or_delete, sender=UserProfile, dispatch_uid="catalog.profile")


def cacheable(request: Request) -> bool:
    """Anonymous, asking for JSON, and caching on."""
    return (
        settings.CATALOG_CACHE_SECONDS > 0
        and not request.user.is_authenticated
        and getattr(request, "accepted_renderer", None) is not None
        and request.accepted_renderer.format == "json"
    )


def cached_response(request: Request, build: Callable[[], object]) -> object:
    """The response ``build`` makes, served from the cache for anonymous readers: keyed by the
    version, the host and scheme (absolute URLs are in it) and the full path with its query."""
    if not cacheable(request):
        return build()
    key = f"catalog:{current_version()}:{request.scheme}://{request.get_host()}{request.get_full_path()}"
    kept = cache.get(key)
    if kept is not None:
        status, headers, content = kept
        response = HttpResponse(content, status=status)
        for name, value in headers.items():
            response[name] = value
        response["X-Lyceum-Cache"] = "hit"
        return response
    response = build()
    response["X-Lyceum-Cache"] = "miss"
    if getattr(response, "status_code", 500) == 200:

        def store(rendered) -> None:
            headers = {
                name: rendered[name]
                for name in ("Content-Type", "Vary", "Allow")
                if rendered.has_header(name)
            }
            cache.set(
                key, (rendered.status_code, headers, rendered.content), timeout=settings.CATALOG_CACHE_SECONDS
            )

        response.add_post_render_callback(store)
    return response
