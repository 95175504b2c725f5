"""Every change to who may do what: roles and their permissions, a user's roles, suspension,
course staff. Each checks its actor's permission itself and writes its audit entry in the same
transaction."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import Count, ProtectedError
from django.utils import timezone
from django.utils.text import slugify

from lyceum.accounts.models import Role, User, UserRole
from lyceum.core.exceptions import ApplicationError, Conflict, Forbidden, NotFound

from . import audit, checks
from .models import CourseStaff, Permission, RolePermission
from .registry import DEFAULT_ROLE_PERMISSIONS, LOCKED_ROLE, PERMISSIONS, STAFF_ROLES


def _require(actor: User, codename: str) -> None:
    if not checks.has_permission(actor, codename):
        raise Forbidden("Your roles do not allow this.", code="permission_denied")


# --- the permission list and the built-in roles' defaults ---------------------------------------


def permissions_ensure() -> dict[str, Permission]:
    """The registry's permissions as rows (created if missing: a flushed test database, say)."""
    found = {permission.codename: permission for permission in Permission.objects.all()}
    missing = [
        Permission(codename=code, description=text) for code, text in PERMISSIONS.items() if code not in found
    ]
    if missing:
        Permission.objects.bulk_create(missing, ignore_conflicts=True)
        found = {permission.codename: permission for permission in Permission.objects.all()}
    return found


def built_in_defaults(roles: Iterable[Role]) -> None:
    """Gives newly made built-in roles their default permissions."""
    permissions = permissions_ensure()
    RolePermission.objects.bulk_create(
        [
            RolePermission(role=role, permission=permissions[code])
            for role in roles
            for code in DEFAULT_ROLE_PERMISSIONS.get(role.slug, ())
        ],
        ignore_conflicts=True,
    )


# --- roles --------------------------------------------------------------------------------------


def _permission_rows(codenames: Iterable[str]) -> list[Permission]:
    wanted = set(codenames)
    unknown = wanted - PERMISSIONS.keys()
    if unknown:
        raise ApplicationError(
            f"There is no permission {', '.join(sorted(unknown))}.",
            fields={"permissions": [f"Unknown: {', '.join(sorted(unknown))}."]},
        )
    return [permission for code, permission in permissions_ensure().items() if code in wanted]


def _set_role_permissions(role: Role, codenames: Iterable[str]) -> list[str]:
    rows = _permission_rows(codenames)
    RolePermission.objects.filter(role=role).exclude(permission__in=rows).delete()
    RolePermission.objects.bulk_create(
        [RolePermission(role=role, permission=permission) for permission in rows], ignore_conflicts=True
    )
    return sorted(permission.codename for permission in rows)


@transaction.atomic
def role_create(*, actor: User, name: str, description: str = "", permissions: Iterable[str] = ()) -> Role:
    _require(actor, "roles.manage")
    name = name.strip()
    slug = slugify(name).replace("-", "_")[:50]
    if not name or not slug:
        raise ApplicationError("A role needs a name.", fields={"name": ["Give the role a name."]})
    if Role.objects.filter(slug=slug).exists() or Role.objects.filter(name__iexact=name).exists():
        raise Conflict(f"A role named {name!r} exists already.", code="role_exists")
    role = Role.objects.create(slug=slug, name=name[:100], description=description)
    granted = _set_role_permissions(role, permissions)
    audit.record(actor=actor, action="role.create", target=role, details={"permissions": granted})
    return role


def _role_for_change(role_id: Any) -> Role:
    role = Role.objects.select_for_update().filter(pk=role_id).first()
    if role is None:
        raise NotFound("No such role.")
    return role


@transaction.atomic
def role_update(
    *,
    actor: User,
    role_id: Any,
    name: str | None = None,
    description: str | None = None,
    permissions: Iterable[str] | None = None,
) -> Role:
    """Renames a role or changes its permissions. The admin role always keeps every permission
    (nobody can lock the site's admins out); built-in roles keep their names."""
    _require(actor, "roles.manage")
    role = _role_for_change(role_id)
    changes: dict[str, Any] = {}
    if name is not None and name.strip() != role.name:
        if role.slug in Role.BUILT_IN:
            raise Conflict("Built-in roles keep their names.", code="built_in_role")
        if Role.objects.filter(name__iexact=name.strip()).exclude(pk=role.pk).exists():
            raise Conflict(f"A role named {name!r} exists already.", code="role_exists")
        changes["name"] = [role.name, name.strip()[:100]]
        role.name = name.strip()[:100]
    if description is not None and description != role.description:
        changes["description"] = [role.description, description]
        role.description = description
    if changes:
        role.save(update_fields=["name", "description"])
    if permissions is not None:
        wanted = set(permissions)
        if role.slug == LOCKED_ROLE and wanted != set(PERMISSIONS):
            raise Conflict("The admin role always holds every permission.", code="locked_role")
        before = set(RolePermission.objects.filter(role=role).values_list("permission__codename", flat=True))
        after = set(_set_role_permissions(role, wanted))
        if before != after:
            changes["permissions"] = {"added": sorted(after - before), "removed": sorted(before - after)}
    if changes:
        audit.record(actor=actor, action="role.update", target=role, details=changes)
    return role


@transaction.atomic
def role_delete(*, actor: User, role_id: Any) -> None:
    _require(actor, "roles.manage")
    role = _role_for_change(role_id)
    if role.slug in Role.BUILT_IN:
        raise Conflict("Built-in roles cannot be deleted.", code="built_in_role")
    holders = UserRole.objects.filter(role=role).count()
    if holders:
        raise Conflict(f"{holders} user(s) hold this role: take it from them first.", code="role_in_use")
    audit.record(actor=actor, action="role.delete", target=role, details={"name": role.name})
    try:
        role.delete()
    except ProtectedError as error:  # assigned between the count and the delete
        raise Conflict("Users hold this role: take it from them first.", code="role_in_use") from error


# --- a user's roles and standing ----------------------------------------------------------------


def _target(user_id: Any) -> User:
    user = User.objects.select_for_update().filter(pk=user_id).first()
    if user is None:
        raise NotFound("No such user.")
    return user


def _admins_left(excluding: User) -> int:
    return (
        User.objects.filter(is_active=True, user_roles__role__slug=Role.ADMIN)
        .exclude(pk=excluding.pk)
        .aggregate(n=Count("pk", distinct=True))["n"]
    )


@transaction.atomic
def user_roles_set(*, actor: User, user_id: Any, role_slugs: Iterable[str]) -> User:
    """Makes ``role_slugs`` the user's roles (every user keeps at least one). An admin cannot
    take the admin role from themselves, and the last active admin keeps it."""
    _require(actor, "roles.assign")
    user = _target(user_id)
    wanted = {slug.strip() for slug in role_slugs if slug.strip()}
    if not wanted:
        raise ApplicationError(
            "A user holds at least one role.", fields={"roles": ["Choose at least one role."]}
        )
    roles = {role.slug: role for role in Role.objects.filter(slug__in=wanted)}
    if wanted - roles.keys():
        unknown = ", ".join(sorted(wanted - roles.keys()))
        raise ApplicationError(f"There is no role {unknown}.", fields={"roles": [f"Unknown: {unknown}."]})
    held = {
        user_role.role.slug: user_role
        for user_role in UserRole.objects.filter(user=user).select_related("role")
    }
    removed, added = held.keys() - wanted, wanted - held.keys()
    if Role.ADMIN in removed:
        if user.pk == actor.pk:
            raise Conflict("You cannot take the admin role from yourself.", code="own_admin_role")
        if _admins_left(excluding=user) == 0:
            raise Conflict("This is the last admin: give the role to someone else first.", code="last_admin")
    if Role.ADMIN in added and not checks.has_permission(actor, "roles.manage"):
        # Handing out every permission is for those who may define permissions.
        raise Forbidden("Only those who manage roles make admins.", code="permission_denied")
    UserRole.objects.filter(user=user, role__slug__in=removed).delete()
    UserRole.objects.bulk_create(
        [UserRole(user=user, role=roles[slug], assigned_by=actor) for slug in added], ignore_conflicts=True
    )
    checks.forget(user)
    if added or removed:
        audit.record(
            actor=actor,
            action="user.roles",
            target=user,
            details={"added": sorted(added), "removed": sorted(removed)},
        )
    return user


@transaction.atomic
def user_suspend(*, actor: User, user_id: Any, reason: str = "") -> User:
    """Suspends a user: their next request is refused, their open sockets close, and they cannot
    sign in until reactivated."""
    from lyceum.accounts.services import sessions_end_all

    _require(actor, "users.suspend")
    user = _target(user_id)
    if user.pk == actor.pk:
        raise Conflict("You cannot suspend yourself.", code="own_account")
    if user.is_superuser and not actor.is_superuser:
        raise Forbidden("Only a superuser suspends a superuser.", code="permission_denied")
    if user.suspended_at is not None:
        raise Conflict("This user is suspended already.", code="already_suspended")
    if user.has_role(Role.ADMIN) and _admins_left(excluding=user) == 0:
        raise Conflict("This is the last admin: make another admin first.", code="last_admin")
    user.is_active = False
    user.suspended_at = timezone.now()
    user.suspension_reason = reason.strip()[:500]
    user.save(update_fields=["is_active", "suspended_at", "suspension_reason", "updated_at"])
    sessions_end_all(user=user, reason="suspended")
    audit.record(actor=actor, action="user.suspend", target=user, details={"reason": user.suspension_reason})
    return user


@transaction.atomic
def user_reactivate(*, actor: User, user_id: Any) -> User:
    _require(actor, "users.suspend")
    user = _target(user_id)
    if user.suspended_at is None:
        raise Conflict("This user is not suspended.", code="not_suspended")
    user.is_active = True
    user.suspended_at = None
    user.suspension_reason = ""
    user.save(update_fields=["is_active", "suspended_at", "suspension_reason", "updated_at"])
    audit.record(actor=actor, action="user.reactivate", target=user)
    return user


# --- course staff -------------------------------------------------------------------------------


def course_for_staff(actor: User, course_id: Any):
    from lyceum.courses.models import Course

    course = Course.objects.filter(pk=course_id).first()
    if course is None or not checks.can_choose_staff_of(actor, course.instructor_id):
        raise NotFound("No such course among yours.")
    return course


@transaction.atomic
def course_staff_set(*, actor: User, course_id: Any, user_id: Any, role: str) -> CourseStaff:
    """Makes ``user_id`` a co-instructor or TA of the course (or changes their staff role)."""
    if role not in STAFF_ROLES:
        raise ApplicationError(
            f"A course staff role is one of {', '.join(STAFF_ROLES)}.", fields={"role": ["Unknown role."]}
        )
    course = course_for_staff(actor, course_id)
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        raise ApplicationError("No such user.", fields={"user": ["No active user with this id."]})
    if user.pk == course.instructor_id:
        raise Conflict("The course's instructor teaches it already.", code="already_instructor")
    staff, created = CourseStaff.objects.update_or_create(
        course=course, user=user, defaults={"role": role, "added_by": actor}
    )
    audit.record(
        actor=actor,
        action="course.staff.add" if created else "course.staff.change",
        target=course,
        details={"user": str(user.pk), "username": user.username, "role": role},
    )
    checks.forget(user)
    return staff


@transaction.atomic
def course_staff_remove(*, actor: User, course_id: Any, user_id: Any) -> None:
    course = course_for_staff(actor, course_id)
    deleted, _ = CourseStaff.objects.filter(course=course, user_id=user_id).delete()
    if not deleted:
        raise NotFound("This user is not on the course's staff.")
    audit.record(actor=actor, action="course.staff.remove", target=course, details={"user": str(user_id)})
