"""Reads of gamification: totals, levels, facts for rules, challenge progress, leaderboards."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet, Sum, Window
from django.db.models.functions import Rank
from django.utils import timezone

from lyceum.accounts.models import User

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


def facts_for(*, user: User) -> Facts:
    """The facts achievement rules ask about, each read when first asked."""
    from lyceum.courses.models import CourseEnrollment, LessonProgress
    from lyceum.quizzes.models import QuizAttempt

    def quizzes_passed(min_percent: float) -> int:
        return (
            QuizAttempt.objects.filter(user=user, has_passed=True, percent__gte=min_percent)
            .values("quiz_id")
            .distinct()
            .count()
        )

    def longest_streak() -> int:
        return max(UserStreak.objects.filter(user=user).values_list("longest", flat=True), default=0)

    def best_course_rank() -> int | None:
        ranks = [
            row.rank
            for course_id in PointsEntry.objects.filter(user=user, course__isnull=False)
            .values_list("course_id", flat=True)
            .distinct()
            if (row := board_row_of(user=user, course_id=course_id, period="all")) is not None
        ]
        return min(ranks, default=None)

    return Facts(
        {
            "lessons_completed": lambda: LessonProgress.objects.filter(
                user=user, completed_at__isnull=False
            ).count(),
            "courses_completed": lambda: CourseEnrollment.objects.filter(
                user=user, completed_at__isnull=False
            ).count(),
            "quizzes_passed": quizzes_passed,
            "longest_streak": longest_streak,
            "points": lambda: points_total(user_id=user.pk),
            "best_course_rank": best_course_rank,
        }
    )


@dataclass
class Board:
    top: list[BoardRow]
    me: BoardRow | None
    neighbours: list[BoardRow]


def board(*, user: User, course_id: Any = None, period: str = "all", limit: int = 100) -> Board:
    """What a leaderboard shows ``user``: the top, their row and their neighbours."""
    mine = board_row_of(user=user, course_id=course_id, period=period)
    return Board(
        top=board_top(course_id=course_id, period=period, limit=limit),
        me=mine,
        neighbours=board_neighbours(user=user, course_id=course_id, period=period, mine=mine) if mine else [],
    )


def achievements_for(*, user: User) -> list[Achievement]:
    """Every active achievement, each with ``earned_at`` (None while locked)."""
    earned = dict(UserAchievement.objects.filter(user=user).values_list("achievement_id", "earned_at"))
    achievements = list(Achievement.objects.filter(is_active=True))
    for achievement in achievements:
        achievement.earned_at = earned.get(achievement.pk)
    return achievements


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


# --- leaderboards (the SQL backend) -------------------------------------------------------------

PERIODS = ("all", "week", "month")


def period_start(period: str, now: dt.datetime | None = None) -> dt.datetime | None:
    """Boards of this week start on Monday 00:00 UTC, of this month on the 1st 00:00 UTC."""
    now = (now or timezone.now()).astimezone(dt.UTC)
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    if period == "week":
        return midnight - dt.timedelta(days=midnight.weekday())
    if period == "month":
        return midnight.replace(day=1)
    return None


@dataclass
class BoardRow:
    rank: int
    user_id: Any
    username: str
    display_name: str
    points: int


def _entries(course_id: Any, period: str) -> QuerySet[PointsEntry]:
    """The ledger rows a board counts: in the course (if any), since the period began."""
    entries = PointsEntry.objects.all()
    if course_id is not None:
        entries = entries.filter(course_id=course_id)
    start = period_start(period)
    if start is not None:
        entries = entries.filter(created_at__gte=start)
    return entries


def _board(*, course_id: Any = None, period: str = "all") -> QuerySet:
    entries = _entries(course_id, period)
    # Standard competition ranking ("1224"): equal points share a rank, the next rank skips.
    return (
        entries.values("user_id", "user__username", "user__first_name", "user__last_name")
        .annotate(points=Sum("amount"))
        .annotate(rank=Window(Rank(), order_by=[Sum("amount").desc()]))
        .order_by("rank", "user__username")
    )


def _row(values: dict) -> BoardRow:
    name = f"{values['user__first_name']} {values['user__last_name']}".strip() or values["user__username"]
    return BoardRow(values["rank"], values["user_id"], values["user__username"], name, values["points"])


def board_top(*, course_id: Any = None, period: str = "all", limit: int = 100) -> list[BoardRow]:
    return [_row(values) for values in _board(course_id=course_id, period=period)[:limit]]


def _totals(*, course_id: Any = None, period: str = "all") -> QuerySet:
    return _entries(course_id, period).values("user_id").annotate(points=Sum("amount"))


def _points_of(user: User, course_id: Any, period: str) -> int | None:
    found = (
        _totals(course_id=course_id, period=period).filter(user_id=user.pk).values_list("points", flat=True)
    )
    return next(iter(found), None)


def board_row_of(*, user: User, course_id: Any = None, period: str = "all") -> BoardRow | None:
    """The user's place (None without points on this board): rank = 1 + how many have more."""
    points = _points_of(user, course_id, period)
    if points is None:
        return None
    ahead = _totals(course_id=course_id, period=period).filter(points__gt=points).count()
    return BoardRow(ahead + 1, user.pk, user.username, user.display_name, points)


def board_neighbours(
    *, user: User, course_id: Any = None, period: str = "all", around: int = 2, mine: BoardRow | None = None
) -> list[BoardRow]:
    """The user's row with ``around`` rows above and below, in board order (points, then
    username), read as one slice of the board. ``mine`` is the user's row if already read."""
    mine = mine or board_row_of(user=user, course_id=course_id, period=period)
    if mine is None:
        return []
    # Those ahead, then those with as many points whose username sorts first.
    tied_before = _totals(course_id=course_id, period=period).filter(
        points=mine.points, user__username__lt=user.username
    )
    position = mine.rank - 1 + tied_before.count()
    start = max(0, position - around)
    return [
        _row(values) for values in _board(course_id=course_id, period=period)[start : position + around + 1]
    ]
