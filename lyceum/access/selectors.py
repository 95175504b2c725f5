"""Reads for the admin console and the instructor dashboard."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from lyceum.accounts.models import Role, User, UserRole
from lyceum.accounts.selectors import _with_roles
from lyceum.core.exceptions import NotFound

from . import checks
from .models import AuditLog, CourseStaff, RolePermission


def admin_users(*, search: str = "", role: str = "", status: str = "") -> QuerySet[User]:
    """Every user, newest first, matching ``search`` in username, names and email, holding
    ``role``, and ``active`` or ``suspended``."""
    users = User.objects.all()
    for term in search.split()[:5]:
        users = users.filter(
            Q(username__icontains=term)
            | Q(first_name__icontains=term)
            | Q(last_name__icontains=term)
            | Q(email__icontains=term)
        )
    if role:
        users = users.filter(Exists(Role.objects.filter(slug=role, user_roles__user=OuterRef("pk"))))
    if status == "suspended":
        users = users.filter(suspended_at__isnull=False)
    elif status == "active":
        users = users.filter(suspended_at__isnull=True, is_active=True)
    return _with_roles(users).order_by("-created_at", "username")


def admin_user(*, user_id: Any) -> User:
    user = _with_roles(User.objects.all()).filter(pk=user_id).first()
    if user is None:
        raise NotFound("No such user.")
    return user


@dataclass
class UserFacts:
    courses_taught: int
    enrollments: int
    staff_of: list[CourseStaff]
    audit: list[AuditLog]


def user_facts(*, user: User) -> UserFacts:
    from lyceum.courses.models import Course, CourseEnrollment

    return UserFacts(
        courses_taught=Course.objects.filter(instructor=user).count(),
        enrollments=CourseEnrollment.objects.filter(user=user).count(),
        staff_of=list(CourseStaff.objects.filter(user=user).select_related("course")),
        audit=list(AuditLog.objects.filter(target_id=str(user.pk))[:20]),
    )


def roles_with_permissions() -> list[tuple[Role, list[str], int]]:
    """Every role with its permissions and how many users hold it, in three queries."""
    roles = list(Role.objects.annotate(holders=Count("user_roles")).order_by("id"))
    granted: dict[int, list[str]] = {}
    for role_id, codename in RolePermission.objects.order_by("permission__codename").values_list(
        "role_id", "permission__codename"
    ):
        granted.setdefault(role_id, []).append(codename)
    return [(role, granted.get(role.pk, []), role.holders) for role in roles]


def audit_log(*, actor: str = "", action: str = "", target: str = "") -> QuerySet[AuditLog]:
    entries = AuditLog.objects.all()
    if actor:
        entries = entries.filter(actor_username__iexact=actor)
    if action:
        entries = entries.filter(action__startswith=action)
    if target:
        entries = entries.filter(target_id=target)
    return entries


def platform_stats() -> dict[str, Any]:
    from lyceum.courses.models import Course, CourseEnrollment
    from lyceum.quizzes.models import QuizAttempt

    week_ago = timezone.now() - timedelta(days=7)
    users = User.objects.aggregate(
        total=Count("pk"),
        suspended=Count("pk", filter=Q(suspended_at__isnull=False)),
        new_this_week=Count("pk", filter=Q(created_at__gte=week_ago)),
        active_this_week=Count("pk", filter=Q(last_login__gte=week_ago)),
    )
    courses = Course.objects.aggregate(total=Count("pk"), published=Count("pk", filter=Q(is_published=True)))
    by_role = dict(Role.objects.annotate(n=Count("user_roles")).values_list("slug", "n"))
    return {
        "users": {**users, "by_role": by_role},
        "courses": courses,
        "enrollments": CourseEnrollment.objects.count(),
        "quiz_attempts_this_week": QuizAttempt.objects.filter(started_at__gte=week_ago).count(),
    }


# --- the instructor's side ----------------------------------------------------------------------


@dataclass
class TaughtCourse:
    course: Any
    role: str  # owner, co_instructor, ta


def taught_courses(*, user: User) -> list[TaughtCourse]:
    """The courses ``user`` teaches: their own, then those they are staff of."""
    from lyceum.courses.models import Course

    staff = checks.access_of(user).staff
    courses = (
        Course.objects.filter(Q(instructor=user) | Q(pk__in=list(staff)))
        .select_related("category")
        .order_by("-created_at")
    )
    return [
        TaughtCourse(course, "owner" if course.instructor_id == user.pk else staff.get(course.pk, "ta"))
        for course in courses
    ]


def course_staff(*, course: Any) -> QuerySet[CourseStaff]:
    return (
        CourseStaff.objects.filter(course=course)
        .select_related("user__profile")
        .prefetch_related(Prefetch("user__user_roles", queryset=UserRole.objects.select_related("role")))
    )


@dataclass
class StudentProgress:
    user: User
    enrolled_at: Any
    completed_at: Any
    lessons_completed: int
    lesson_count: int

    @property
    def percent(self) -> int:
        return round(100 * self.lessons_completed / self.lesson_count) if self.lesson_count else 0


def course_students(*, course: Any, search: str = "") -> list[StudentProgress]:
    """The course's students with their progress, in two queries whatever their number."""
    from lyceum.courses.models import CourseEnrollment, LessonProgress

    enrollments = (
        CourseEnrollment.objects.filter(course=course)
        .select_related("user__profile")
        .prefetch_related(Prefetch("user__user_roles", queryset=UserRole.objects.select_related("role")))
        .order_by("enrolled_at")
    )
    for term in search.split()[:5]:
        enrollments = enrollments.filter(
            Q(user__username__icontains=term)
            | Q(user__first_name__icontains=term)
            | Q(user__last_name__icontains=term)
        )
    enrollments = list(enrollments)
    done = dict(
        LessonProgress.objects.filter(
            lesson__module__course=course,
            completed_at__isnull=False,
            user_id__in=[enrollment.user_id for enrollment in enrollments],
        )
        .values("user_id")
        .annotate(n=Count("pk"))
        .values_list("user_id", "n")
    )
    return [
        StudentProgress(e.user, e.enrolled_at, e.completed_at, done.get(e.user_id, 0), course.lesson_count)
        for e in enrollments
    ]
