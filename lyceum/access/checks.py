"""The one place permissions are decided. ``access_of(user)`` reads everything a user may do in
one query and keeps it on the user object, which lives for one request (or one socket):
roles, the permissions those roles hold, and the courses the user teaches as staff.

Pages use ``permission_required``, the API ``HasPermission``; services and selectors call
``has_permission`` and the course rules below. All of them end here.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from django.db.models import CharField, F, Value
from django.db.models.functions import Cast

from lyceum.core.db import Prepared

from . import audit
from .registry import ADMIN_PERMISSIONS, CO_INSTRUCTOR, PERMISSIONS


@dataclass(frozen=True)
class Access:
    roles: frozenset[str] = frozenset()
    permissions: frozenset[str] = frozenset()
    # course id -> staff role (co_instructor, ta)
    staff: Mapping[uuid.UUID, str] = field(default_factory=lambda: MappingProxyType({}))


NOBODY = Access()
_ROLE, _PERMISSION, _STAFF = "r", "p", "s"


def _union(user_id: Any):
    """The user's roles, their permissions and their staff places, as one query of
    (kind, value, course) rows."""
    from lyceum.accounts.models import UserRole

    from .models import CourseStaff, RolePermission

    text = CharField()
    roles = (
        UserRole.objects.filter(user_id=user_id)
        .order_by()
        .values_list(Value(_ROLE, output_field=text), F("role__slug"), Value("", output_field=text))
    )
    permissions = (
        RolePermission.objects.filter(role__user_roles__user_id=user_id)
        .order_by()
        .values_list(
            Value(_PERMISSION, output_field=text), F("permission__codename"), Value("", output_field=text)
        )
    )
    staff = (
        CourseStaff.objects.filter(user_id=user_id)
        .order_by()
        .values_list(Value(_STAFF, output_field=text), F("role"), Cast("course_id", output_field=text))
    )
    return roles.union(permissions, staff, all=True)


# The union compiled once per database, run with each user's id: building it through the ORM cost
# 1.5 ms of every signed-in request, half of a cached catalog page (bench/bench_courses.py).
_ACCESS = Prepared("accounts.UserRole", "user", _union, uuid.UUID("6f1d3a52-4c8e-4b7a-9d0e-3f2a1b5c7e90"))


def _load(user: Any) -> Access:
    found: dict[str, set] = {_ROLE: set(), _PERMISSION: set()}
    courses: dict[uuid.UUID, str] = {}
    for kind, value, course in _ACCESS.rows(user.pk):
        if kind == _STAFF:
            courses[uuid.UUID(course)] = value
        else:
            found[kind].add(value)
    granted = set(PERMISSIONS) if user.is_superuser else found[_PERMISSION]
    return Access(frozenset(found[_ROLE]), frozenset(granted), MappingProxyType(courses))


def access_of(user: Any) -> Access:
    """What ``user`` may do; read once per user object (so once per request)."""
    if user is None or not user.is_authenticated:
        return NOBODY
    cached = user.__dict__.get("_access")
    if cached is None:
        cached = user.__dict__["_access"] = _load(user)
    return cached


def forget(user: Any) -> None:
    """Drops what ``access_of`` kept (after the user's roles or staff places change)."""
    user.__dict__.pop("_access", None)
    user.__dict__.pop("role_slugs", None)


def has_permission(user: Any, codename: str) -> bool:
    if codename not in PERMISSIONS:
        raise ValueError(f"No permission {codename!r}: add it to lyceum/access/registry.py")
    allowed = codename in access_of(user).permissions
    if allowed and codename in ADMIN_PERMISSIONS:
        audit.note_use(codename)
    return allowed


def _as_uuid(value: Any) -> uuid.UUID | None:
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def staff_role(user: Any, course_id: Any) -> str | None:
    """``co_instructor``, ``ta`` or None: the user's staff place in the course."""
    return access_of(user).staff.get(_as_uuid(course_id))


def can_manage_course_of(user: Any, course_id: Any, instructor_id: Any) -> bool:
    """Edits the course: its instructor, a co-instructor, or whoever manages every course."""
    if user is None or not user.is_authenticated:
        return False
    if str(instructor_id) == str(user.pk):
        return True
    return has_permission(user, "courses.manage_all") or staff_role(user, course_id) == CO_INSTRUCTOR


def can_choose_staff_of(user: Any, instructor_id: Any) -> bool:
    """Adds and removes a course's co-instructors and TAs: its owner or whoever manages every
    course (co-instructors do not)."""
    if user is None or not user.is_authenticated:
        return False
    return str(instructor_id) == str(user.pk) or has_permission(user, "courses.manage_all")


def can_teach_course_of(user: Any, course_id: Any, instructor_id: Any) -> bool:
    """Sees the course's students' attempts and progress and grades them: the course's
    managers and its teaching assistants."""
    return can_manage_course_of(user, course_id, instructor_id) or staff_role(user, course_id) is not None
