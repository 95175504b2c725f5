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
    return can_manage_course_of(user, course.instructor_id)


def can_manage_course_of(user: User, instructor_id) -> bool:
    """``can_manage_course`` for a course known only by its instructor's id (a cached page)."""
    return bool(user.is_authenticated and (str(instructor_id) == str(user.pk) or is_admin(user)))
