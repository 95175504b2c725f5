"""Reads of gamification: totals, levels, facts for rules, challenge progress, leaderboards."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from lyceum.accounts.models import User

from . import boards
from .models import (
    Achievement,
    Challenge,
    ChallengeCompletion,
    Level,
    PointsEntry,
    UserAchievement,
    UserStreak,
)
from .rules import Facts


def points_total(*, user_id: Any) -> int:
    return PointsEntry.objects.filter(user_id=user_id).aggregate(total=Sum("amount"))["total"] or 0


def levels() -> list[Level]:
    return list(Level.objects.order_by("points_required"))


def level_for(total: int, table: list[Level] | None = None) -> Level | None:
    """The highest level whose points the total reaches."""
    reached = None
    for level in table if table is not None else levels():
        if level.points_required <= total:
            reached = level
    return reached


@dataclass
class LevelStatus:
    total: int
    level: Level | None
    next_level: Level | None

    @property
    def progress_percent(self) -> int:
        """How far from this level to the next, in percent (100 at the top level)."""
        if self.next_level is None:
            return 100
        floor = self.level.points_required if self.level else 0
        span = self.next_level.points_required - floor
        return min(100, max(0, round(100 * (self.total - floor) / span))) if span else 100

    @property
    def points_to_next(self) -> int:
        return max(0, self.next_level.points_required - self.total) if self.next_level else 0


def level_status(*, user: User) -> LevelStatus:
    total = points_total(user_id=user.pk)
    table = levels()
    level = level_for(total, table)
    following = [row for row in table if row.points_required > total]
    return LevelStatus(total, level, following[0] if following else None)


def points_history(*, user: User) -> QuerySet[PointsEntry]:
    return PointsEntry.objects.filter(user=user).select_related("course", "quiz")


def facts_for(*, user: User, course_id: Any = None) -> Facts:
    """The facts achievement rules ask about, each read when first asked. With ``course_id``,
    only what the learner did in that course counts (the rules of a course's own badges)."""
    from lyceum.courses.models import CourseEnrollment, LessonProgress
    from lyceum.quizzes.models import QuizAttempt

    in_course = course_id is not None
    lessons = LessonProgress.objects.filter(user=user, completed_at__isnull=False)
    enrollments = CourseEnrollment.objects.filter(user=user, completed_at__isnull=False)
    attempts = QuizAttempt.objects.filter(user=user, has_passed=True)
    streaks = UserStreak.objects.filter(user=user)
    points = PointsEntry.objects.filter(user=user)
    if in_course:
        lessons = lessons.filter(lesson__module__course_id=course_id)
        enrollments = enrollments.filter(course_id=course_id)
        attempts = attempts.filter(quiz__course_id=course_id)
        streaks = streaks.filter(course_id=course_id)
        points = points.filter(course_id=course_id)

    def quizzes_passed(min_percent: float) -> int:
        return attempts.filter(percent__gte=min_percent).values("quiz_id").distinct().count()

    def best_course_rank() -> int | None:
        # From the ledger, whatever serves the boards: a badge is decided on exact figures.
        courses = (
            [course_id]
            if in_course
            else points.filter(course__isnull=False).values_list("course_id", flat=True).distinct()
        )
        ranks = [row.rank for c in courses if (row := boards.SQL.row_of(user=user, course_id=c)) is not None]
        return min(ranks, default=None)

    return Facts(
        {
            "lessons_completed": lessons.count,
            "courses_completed": enrollments.count,
            "quizzes_passed": quizzes_passed,
            "longest_streak": lambda: max(streaks.values_list("longest", flat=True), default=0),
            "points": lambda: points.aggregate(total=Sum("amount"))["total"] or 0,
            "best_course_rank": best_course_rank,
        }
    )


def achievements_for(*, user: User) -> list[Achievement]:
    """The achievements the user can earn (site-wide ones and those of their courses), each with
    ``earned_at`` (None while locked)."""
    from lyceum.courses.models import CourseEnrollment

    earned = dict(UserAchievement.objects.filter(user=user).values_list("achievement_id", "earned_at"))
    mine = CourseEnrollment.objects.filter(user=user).values("course_id")
    achievements = list(
        Achievement.objects.filter(
            Q(course__isnull=True) | Q(course__in=mine), is_active=True
        ).select_related("course")
    )
    for achievement in achievements:
        achievement.earned_at = earned.get(achievement.pk)
    return achievements


def course_achievements(*, course_id: Any) -> QuerySet[Achievement]:
    """A course's own badges, each with how many learners earned it."""
    return Achievement.objects.filter(course_id=course_id).annotate(earned_count=Count("earned"))


# --- challenges ---------------------------------------------------------------------------------


def active_challenges(*, at: dt.datetime | None = None) -> QuerySet[Challenge]:
    now = at or timezone.now()
    return Challenge.objects.filter(starts_at__lte=now, ends_at__gt=now).select_related("course")


@dataclass
class ChallengeRow:
    challenge: Challenge
    progress: int
    completed: bool


def challenge_rows(*, user: User, challenges: list[Challenge]) -> list[ChallengeRow]:
    """Each challenge with the user's progress and whether its reward was paid."""
    progress = challenge_progress(user=user, challenges=challenges)
    done = set(
        ChallengeCompletion.objects.filter(user=user, challenge__in=challenges).values_list(
            "challenge_id", flat=True
        )
    )
    return [ChallengeRow(c, progress[c.pk], c.pk in done) for c in challenges]


def challenge_progress(*, user: User, challenges: list[Challenge]) -> dict[Any, int]:
    """Each challenge's progress for the user, from the ledger within its window: lessons first
    completed, quizzes first passed, or points earned (in its course, if it names one)."""
    progress: dict[Any, int] = {}
    for challenge in challenges:
        entries = PointsEntry.objects.filter(
            user=user, created_at__gte=challenge.starts_at, created_at__lt=challenge.ends_at
        ).exclude(reason=PointsEntry.Reason.CHALLENGE)
        if challenge.course_id:
            entries = entries.filter(course_id=challenge.course_id)
        if challenge.goal == Challenge.Goal.LESSONS:
            value = entries.filter(reason=PointsEntry.Reason.LESSON).count()
        elif challenge.goal == Challenge.Goal.QUIZZES:
            value = entries.filter(reason=PointsEntry.Reason.QUIZ_PASSED).count()
        else:
            value = entries.aggregate(total=Sum("amount"))["total"] or 0
        progress[challenge.pk] = value
    return progress


# --- leaderboards ------------------------------------------------------------------------------

PERIODS = boards.PERIODS


def board(
    *, user: User, course_id: Any = None, period: str = "all", limit: int = 100, around: int = 2
) -> boards.Board:
    """What a points leaderboard shows ``user``: the top, their row and their neighbours, from
    the configured backend (``lyceum/gamification/boards.py``)."""
    return boards.backend().page(user=user, course_id=course_id, period=period, limit=limit, around=around)
