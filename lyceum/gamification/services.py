"""Every write of gamification: points (exactly once per source), achievements (at most once),
streaks, challenges. Subscribers call these on domain events."""

from __future__ import annotations

import datetime as dt
import secrets
import zoneinfo
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify

from lyceum.accounts.models import User
from lyceum.core.events import publish
from lyceum.core.exceptions import ApplicationError, Conflict, NotFound
from lyceum.courses.models import Course

from . import boards, events, selectors
from .models import Achievement, Challenge, ChallengeCompletion, PointsEntry, UserAchievement, UserStreak
from .rules import holds, validate_rule

# What each kind of activity pays.
LESSON_POINTS = 10
COURSE_POINTS = 100
QUIZ_PASSED_POINTS = 20
QUIZ_PERFECT_POINTS = 30


def award(
    *,
    user_id: Any,
    amount: int,
    reason: str,
    source: str,
    course_id: Any = None,
    quiz_id: Any = None,
) -> bool:
    """Pays ``amount`` for ``source`` unless it was paid already (the database's unique
    constraint decides, so concurrent duplicates pay once). Returns whether it paid; a level
    reached on the way is announced (``level_up``) after commit."""
    if amount <= 0:
        return False
    with transaction.atomic():
        # One award at a time per learner: the level crossed is then seen by exactly one award,
        # and the totals written to the leaderboards are this award's.
        User.objects.select_for_update().filter(pk=user_id).values_list("pk", flat=True).first()
        now = timezone.now()
        try:
            with transaction.atomic():
                PointsEntry.objects.create(
                    user_id=user_id,
                    amount=amount,
                    reason=reason,
                    source=source,
                    course_id=course_id,
                    quiz_id=quiz_id,
                    created_at=now,
                )
        except IntegrityError:
            return False
        totals = boards.totals_of(user_id=user_id, course_id=course_id, at=now)
        transaction.on_commit(lambda: boards.record(totals))
        before = totals.total - amount
        table = selectors.levels()
        level_before, level_after = (
            selectors.level_for(before, table),
            selectors.level_for(before + amount, table),
        )
        if level_after is not None and (level_before is None or level_after.number > level_before.number):
            publish(events.level_up, user_id=user_id, level=level_after.number, title=level_after.title)
    return True


def _local_day(user: User, moment: dt.datetime | None = None) -> dt.date:
    """The day it is (or was, at ``moment``) where the user lives."""
    profile = getattr(user, "profile", None)
    name = getattr(profile, "timezone", "") or "UTC"
    try:
        zone = zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = dt.UTC
    return (moment or timezone.now()).astimezone(zone).date()


def _touch(streak: UserStreak, day: dt.date) -> bool:
    """Counts ``day`` as active; returns whether anything changed."""
    if streak.last_active_day == day:
        return False
    if streak.last_active_day is not None and day < streak.last_active_day:
        return False  # an event from an earlier day arriving late: the streak has moved on
    if streak.last_active_day == day - dt.timedelta(days=1):
        streak.current += 1
    else:
        streak.current = 1
    streak.longest = max(streak.longest, streak.current)
    streak.last_active_day = day
    return True


def _streak_row(user_id: Any, course_id: Any) -> UserStreak:
    """The user's streak row, locked (made if missing, safely under concurrency)."""
    rows = UserStreak.objects.select_for_update()
    found = rows.filter(user_id=user_id, course_id=course_id).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return UserStreak.objects.create(user_id=user_id, course_id=course_id)
    except IntegrityError:
        return rows.get(user_id=user_id, course_id=course_id)


@transaction.atomic
def streak_record_activity(*, user: User, course_id: Any = None, moment: dt.datetime | None = None) -> None:
    """Activity at ``moment`` (now): extends the overall streak and the course's, once a day,
    counted in the user's own time zone."""
    day = _local_day(user, moment)
    for scope in {None, course_id} if course_id else {None}:
        streak = _streak_row(user.pk, scope)
        if _touch(streak, day):
            streak.save(update_fields=["current", "longest", "last_active_day", "updated_at"])


@transaction.atomic
def streak_verify(*, user: User) -> list[UserStreak]:
    """Checks the user's streaks against today in their time zone: a streak whose last active
    day is before yesterday is broken (current 0). Safe to call any number of times."""
    today = _local_day(user)
    streaks = list(
        UserStreak.objects.select_for_update(of=("self",)).filter(user=user).select_related("course")
    )
    for streak in streaks:
        if (
            streak.current
            and streak.last_active_day is not None
            and streak.last_active_day < today - dt.timedelta(days=1)
        ):
            streak.current = 0
            streak.save(update_fields=["current", "updated_at"])
    return streaks


def achievements_evaluate(*, user: User, course_id: Any = None) -> list[Achievement]:
    """Awards every active site-wide achievement (and, with ``course_id``, every one of that
    course) whose rule now holds and that the user lacks, at most once each whatever runs at
    the same time; returns those newly earned. A course's badges count only that course."""
    earned_ids = set(UserAchievement.objects.filter(user=user).values_list("achievement_id", flat=True))
    scope = (
        Q(course__isnull=True) | Q(course_id=course_id) if course_id is not None else Q(course__isnull=True)
    )
    pending = [a for a in Achievement.objects.filter(scope, is_active=True) if a.pk not in earned_ids]
    if not pending:
        return []
    facts = {None: selectors.facts_for(user=user)}
    if course_id is not None:
        facts[course_id] = selectors.facts_for(user=user, course_id=course_id)
    new: list[Achievement] = []
    for achievement in pending:
        if not holds(achievement.rule, facts[course_id if achievement.course_id else None]):
            continue
        with transaction.atomic():
            try:
                with transaction.atomic():
                    UserAchievement.objects.create(user=user, achievement=achievement)
            except IntegrityError:
                continue  # earned at the same moment elsewhere
            publish(
                events.achievement_earned,
                user_id=user.pk,
                achievement_id=achievement.pk,
                title=achievement.title,
                points=achievement.points,
            )
        new.append(achievement)
        award(
            user_id=user.pk,
            amount=achievement.points,
            reason=PointsEntry.Reason.ACHIEVEMENT,
            source=f"achievement:{achievement.pk}",
            course_id=achievement.course_id,
        )
    return new


def challenge_complete(*, user: User, challenge_id: Any) -> ChallengeCompletion:
    """Pays the challenge's reward once, and only if its goal is met within its window."""
    now = timezone.now()
    challenge = Challenge.objects.filter(pk=challenge_id).first()
    if challenge is None:
        raise NotFound("No such challenge.")
    if not challenge.starts_at <= now:
        raise Conflict("This challenge has not started.", code="challenge_not_started")
    progress = selectors.challenge_progress(user=user, challenges=[challenge])[challenge.pk]
    if progress < challenge.target:
        raise Conflict(
            f"Not there yet: {progress} of {challenge.target}.",
            code="challenge_not_met",
            extra={"progress": progress},
        )
    with transaction.atomic():
        completion, created = ChallengeCompletion.objects.get_or_create(user=user, challenge=challenge)
        if not created:
            raise Conflict("You completed this challenge already.", code="challenge_completed")
        award(
            user_id=user.pk,
            amount=challenge.reward_points,
            reason=PointsEntry.Reason.CHALLENGE,
            source=f"challenge:{challenge.pk}",
            course_id=challenge.course_id,
        )
    return completion


# --- a course's own badges (its staff make them) --------------------------------------------------

MAX_ACHIEVEMENT_POINTS = 1000


def _check_course_rule(rule: dict) -> None:
    """Within one course, "courses completed" can only be that course: a count above 1 could
    never be met."""
    if rule["type"] in ("all", "any"):
        for child in rule["rules"]:
            _check_course_rule(child)
    elif rule["type"] == "courses_completed" and rule["count"] != 1:
        raise ApplicationError(
            "In a course's badge, courses_completed counts this course only: its count is 1.",
            code="invalid_rule",
            fields={"rule": ["courses_completed needs count 1 in a course's badge."]},
        )


def _achievement_save(achievement: Achievement) -> Achievement:
    validate_rule(achievement.rule)
    _check_course_rule(achievement.rule)
    if not 0 <= achievement.points <= MAX_ACHIEVEMENT_POINTS:
        raise ApplicationError(
            f"A badge pays 0 to {MAX_ACHIEVEMENT_POINTS} points.",
            fields={"points": [f"From 0 to {MAX_ACHIEVEMENT_POINTS}."]},
        )
    achievement.full_clean()
    achievement.save()
    return achievement


def achievement_create(
    *,
    actor: User,
    course: Course,
    title: str,
    description: str,
    icon: str,
    points: int,
    rule: dict,
    is_active: bool = True,
) -> Achievement:
    """A badge of ``course`` (whose staff the caller is: the view checked), earned by its
    learners from what they do in it. Bad input is refused whole (400) and nothing is written."""
    slug = f"{slugify(title)[:60] or 'badge'}-{secrets.token_hex(3)}"
    return _achievement_save(
        Achievement(
            slug=slug,
            title=title,
            description=description,
            icon=icon,
            points=points,
            rule=rule,
            is_active=is_active,
            course=course,
            created_by=actor,
        )
    )


ACHIEVEMENT_EDITABLE = ("title", "description", "icon", "points", "rule", "is_active")


def achievement_update(*, achievement: Achievement, **changes: Any) -> Achievement:
    """Changes a course badge; those who earned it keep it (a new rule counts from now on)."""
    unknown = set(changes) - set(ACHIEVEMENT_EDITABLE)
    if unknown:
        raise ApplicationError(f"Cannot change {', '.join(sorted(unknown))}.")
    for name, value in changes.items():
        setattr(achievement, name, value)
    return _achievement_save(achievement)


def achievement_delete(*, achievement: Achievement) -> None:
    """Deletes a badge nobody has earned yet; one that was earned can be switched off instead."""
    if achievement.earned.exists():
        raise Conflict(
            "Learners have earned this badge: switch it off instead, so they keep it.",
            code="achievement_earned",
        )
    achievement.delete()
