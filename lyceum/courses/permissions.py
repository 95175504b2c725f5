"""Who may do what with a course. Checked on the object, in services and selectors."""

from __future__ import annotations

from lyceum.accounts.models import Role, User

from .models import Course


def is_admin(user: User) -> bool:
    return bool(user.is_authenticated and (user.is_superuser or user.has_role(Role.ADMIN)))


def can_teach(user: User) -> bool:
    """Instructors and admins create courses."""
    return bool(user.is_authenticated and (is_admin(user) or user.has_role(Role.INSTRUCTOR)))


def can_manage_course(user: User, course: Course) -> bool:
    """The course's instructor, or an admin."""
    return bool(user.is_authenticated and (course.instructor_id == user.pk or is_admin(user)))
