"""Gamification: a points ledger, levels, achievements, streaks and challenges."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone


class PointsEntry(models.Model):
    """One award of points: the ledger is the source of truth for totals, levels and boards.
    ``source`` names what earned it (``lesson:<id>``, ``quiz_passed:<id>``, ...): a user is
    paid once per source, enforced by the database."""

    class Reason(models.TextChoices):
        LESSON = "lesson_completed", "Lesson completed"
        COURSE = "course_completed", "Course completed"
        QUIZ_PASSED = "quiz_passed", "Quiz passed"
        QUIZ_PERFECT = "quiz_perfect", "Quiz passed with 100 %"
        ACHIEVEMENT = "achievement", "Achievement earned"
        CHALLENGE = "challenge", "Challenge completed"
        CODE = "code_exercise_passed", "Coding exercise passed"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="points")
    amount = models.PositiveIntegerField()
    reason = models.CharField(max_length=30, choices=Reason.choices)
    source = models.CharField(max_length=100)
    course = models.ForeignKey(
        "courses.Course", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    quiz = models.ForeignKey(
        "quizzes.Quiz", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "source"], name="gamification_points_once_per_source"),
        ]
        indexes = [
            models.Index(fields=["user", "created_at"]),
            models.Index(fields=["course", "created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.amount} to {self.user_id} for {self.source}"


class Level(models.Model):
    number = models.PositiveIntegerField(unique=True)
    points_required = models.PositiveIntegerField(unique=True)
    title = models.CharField(max_length=100)

    class Meta:
        ordering = ["number"]

    def __str__(self) -> str:
        return f"Level {self.number}: {self.title}"


ICONS = ["book", "flag", "flame", "footprints", "medal", "rocket", "star", "trophy"]


def validate_achievement_rule(value) -> None:
    from lyceum.core.exceptions import ApplicationError

    from .rules import validate_rule

    try:
        validate_rule(value)
    except ApplicationError as error:
        raise ValidationError(error.message) from None


class Achievement(models.Model):
    """A badge and the rule that earns it (``lyceum/gamification/rules.py`` documents rules).
    Without a course it is site-wide (admins); with one, its course's staff made it, only that
    course's learners see it, and its rule counts only what they did in that course."""

    slug = models.SlugField(max_length=80, unique=True)
    title = models.CharField(max_length=120)
    description = models.CharField(max_length=500)
    icon = models.CharField(
        max_length=40,
        default="star",
        choices=[(icon, icon) for icon in ICONS],
        help_text="The badge's artwork.",
    )
    rule = models.JSONField(
        validators=[validate_achievement_rule],
        help_text='What earns it, e.g. {"type": "lessons_completed", "count": 5} (see the README).',
    )
    points = models.PositiveIntegerField(default=0, help_text="Points paid when it is earned.")
    course = models.ForeignKey(
        "courses.Course",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="achievements",
        help_text="Empty for a site-wide badge; else only this course's learners earn it, from what "
        "they do in it.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.title


class UserAchievement(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="achievements")
    achievement = models.ForeignKey(Achievement, on_delete=models.CASCADE, related_name="earned")
    earned_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-earned_at"]
        constraints = [
            models.UniqueConstraint(fields=["user", "achievement"], name="gamification_achievement_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} earned {self.achievement_id}"


class UserStreak(models.Model):
    """Consecutive days of activity, counted in the user's own time zone: overall (no course)
    and per course."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="streaks")
    course = models.ForeignKey(
        "courses.Course", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    current = models.PositiveIntegerField(default=0)
    longest = models.PositiveIntegerField(default=0)
    last_active_day = models.DateField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=Q(course__isnull=True), name="gamification_streak_overall_once"
            ),
            models.UniqueConstraint(
                fields=["user", "course"],
                condition=Q(course__isnull=False),
                name="gamification_streak_course_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.current} days"


class Challenge(models.Model):
    """A time-boxed goal with a reward (complete 5 lessons this week)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)

    class Goal(models.TextChoices):
        LESSONS = "lessons_completed", "Lessons completed"
        QUIZZES = "quizzes_passed", "Quizzes passed"
        POINTS = "points", "Points earned"

    title = models.CharField(max_length=120)
    description = models.CharField(max_length=500, blank=True)
    goal = models.CharField(max_length=30, choices=Goal.choices)
    target = models.PositiveIntegerField()
    course = models.ForeignKey(
        "courses.Course", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    reward_points = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["ends_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="gamification_challenge_window"
            ),
            models.CheckConstraint(condition=Q(target__gt=0), name="gamification_challenge_target"),
        ]

    def __str__(self) -> str:
        return self.title


class ChallengeCompletion(models.Model):
    """A challenge whose reward was paid (once)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="completions")
    completed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "challenge"], name="gamification_challenge_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} completed {self.challenge_id}"
