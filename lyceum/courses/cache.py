"""The catalog and course pages, cached under a version that every change to what they show
replaces.

The catalog (``GET /api/courses/``) is the same for every reader who sees only published courses
(anonymous readers and students; not admins, nor instructors with drafts), and a published
course's page (``GET /api/courses/{id}/``) is the same for everyone but for its ``viewer`` member
(the reader's enrollment). Their rendered JSON is kept in the cache (Redis with ``REDIS_URL``,
else this process's memory) for ``CATALOG_CACHE_SECONDS``; a course page is kept without its
``viewer`` member, and each reader's own is put back in. The key holds a version token; saving or
deleting a course, module, lesson, resource, category or tag, enrolling or leaving, and an
instructor changing their name or picture all replace the token, at once and again when the
change commits (signals for saves and deletes, explicit calls for bulk writes), so the next
reader misses and reads the database. Entries under an old token are never read again and expire.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request

from lyceum.core.exceptions import NotFound

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
    """What the catalog or a course page shows changed: every cached response is dropped now,
    and again once the transaction commits (at once outside one), since a reader may have cached
    the state from before the commit meanwhile."""
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


def _enabled(request: Request) -> bool:
    return (
        settings.CATALOG_CACHE_SECONDS > 0
        and getattr(request, "accepted_renderer", None) is not None
        and request.accepted_renderer.format == "json"
    )


def sees_public_catalog(user) -> bool:
    """Whether ``user`` sees the catalog anonymous readers see: anyone but an admin (who sees
    every course) or an instructor with drafts (who sees their own). A student's roles are one
    query; an instructor's drafts one more."""
    from lyceum.accounts.models import Role

    from .models import Course
    from .permissions import is_admin, taught_course_ids

    if not user.is_authenticated:
        return True
    if is_admin(user) or taught_course_ids(user):
        return False
    # Only instructors have drafts (a student's roles were read by is_admin already).
    return not (
        user.has_role(Role.INSTRUCTOR) and Course.objects.filter(instructor=user, is_published=False).exists()
    )


def _key(request: Request, kind: str) -> str:
    # The host and scheme are part of it: the documents hold absolute URLs.
    where = f"{request.scheme}://{request.get_host()}{request.get_full_path()}"
    return f"catalog:{current_version()}:{kind}:{where}"


def _headers(response) -> dict[str, str]:
    return {name: response[name] for name in ("Content-Type", "Vary", "Allow") if response.has_header(name)}


def _from_cache(status: int, headers: dict[str, str], content: bytes) -> HttpResponse:
    response = HttpResponse(content, status=status)
    for name, value in headers.items():
        response[name] = value
    response["X-Lyceum-Cache"] = "hit"
    return response


def cached_catalog(request: Request, build: Callable[[], Any]) -> Any:
    """The catalog page ``build`` makes, from the cache for every reader who sees the public
    catalog, keyed by the full path with its query."""
    if not _enabled(request) or not sees_public_catalog(request.user):
        return build()
    key = _key(request, "list")
    kept = cache.get(key)
    if kept is not None:
        return _from_cache(*kept)
    response = build()
    response["X-Lyceum-Cache"] = "miss"
    if response.status_code == 200:

        def store(rendered) -> None:
            kept = (rendered.status_code, _headers(rendered), rendered.content)
            cache.set(key, kept, timeout=settings.CATALOG_CACHE_SECONDS)

        response.add_post_render_callback(store)
    return response


def cached_course(
    request: Request,
    *,
    build_public: Callable[[], Any],
    viewer_json: Callable[[Any], bytes],
    build: Callable[[], Any],
) -> Any:
    """A course page. ``build_public`` makes the page as anonymous readers see it (a response
    whose JSON object ends with its ``viewer`` member); it is cached without that member, and
    each reader's own ``viewer_json(instructor_id)`` is put back in. A course the public cannot
    see (a draft, for its instructor or an admin) is made for the reader by ``build``, uncached."""
    if not _enabled(request):
        return build()
    key = _key(request, "course")
    kept = cache.get(key)
    if kept is None:
        try:
            public = build_public()
        except NotFound:
            return build()
        body = {name: value for name, value in public.data.items() if name != "viewer"}
        instructor_id = (body.get("instructor") or {}).get("id")
        content = JSONRenderer().render(body)  # as DRF renders it
        kept = (
            public.status_code,
            {"Content-Type": "application/json", "Vary": "Accept"},
            content,
            instructor_id,
        )
        cache.set(key, kept, timeout=settings.CATALOG_CACHE_SECONDS)
        if not request.user.is_authenticated:
            public["X-Lyceum-Cache"] = "miss"
            return public
    status, headers, content, instructor_id = kept
    return _from_cache(status, headers, content[:-1] + b',"viewer":' + viewer_json(instructor_id) + b"}")
