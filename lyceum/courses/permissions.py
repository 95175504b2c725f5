"""Who may do what with a course. Checked on the object, in services and selectors; decided by
``lyceum.access.checks`` (roles, their permissions, and course-level staff)."""

from __future__ import annotations

from lyceum.access import checks
from lyceum.accounts.models import User

from .models import Course


def is_admin(user: User) -> bool:
    """Manages every course (the admin role, or any role given ``courses.manage_all``)."""
    return bool(user.is_authenticated and checks.has_permission(user, "courses.manage_all"))


def can_teach(user: User) -> bool:
    """Creates courses: instructors and admins."""
    return bool(user.is_authenticated and checks.has_permission(user, "courses.create"))


def can_manage_course(user: User, course: Course) -> bool:
    """Edits the course: its instructor, a co-instructor of it, or an admin."""
    return checks.can_manage_course_of(user, course.pk, course.instructor_id)


def can_manage_course_of(user: User, course_id, instructor_id) -> bool:
    """``can_manage_course`` for a course known only by its ids (a cached page)."""
    return checks.can_manage_course_of(user, course_id, instructor_id)


def can_teach_course(user: User, course: Course) -> bool:
    """Sees the course's students' attempts and progress and grades them: its managers and TAs."""
    return checks.can_teach_course_of(user, course.pk, course.instructor_id)


def taught_course_ids(user: User) -> frozenset:
    """The courses ``user`` is staff of (co-instructor or TA), besides the ones they own."""
    return frozenset(checks.access_of(user).staff)
