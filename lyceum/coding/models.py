"""Coding exercises: a statement, starter code, tests (sample ones shown, hidden ones not) and
submissions graded against every test in the sandbox."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class CodeExercise(models.Model):
    class Comparison(models.TextChoices):
        EXACT = "exact", "Exactly (line endings and a final newline aside)"
        WHITESPACE = "whitespace", "Ignoring whitespace"
        NUMERIC = "numeric", "Numbers within a tolerance, other words exactly"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    course = models.ForeignKey("courses.Course", on_delete=models.CASCADE, related_name="code_exercises")
    lesson = models.ForeignKey(
        "courses.Lesson", on_delete=models.CASCADE, null=True, blank=True, related_name="code_exercises"
    )
    title = models.CharField(max_length=200)
    statement = models.TextField(help_text="Markdown")
    languages = models.JSONField(default=list, blank=True, help_text="Language ids allowed; empty: every one")
    starter_code = models.JSONField(default=dict, blank=True, help_text="Language id -> code to start from")
    limits = models.JSONField(default=dict, blank=True, help_text="Overrides of the run limits (clipped)")
    comparison = models.CharField(max_length=20, choices=Comparison.choices, default=Comparison.WHITESPACE)
    tolerance = models.FloatField(default=1e-6, help_text="For numeric comparison: absolute or relative")
    points = models.PositiveIntegerField(
        default=20, help_text="Paid (once) when a submission passes every test"
    )
    is_published = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(tolerance__gte=0), name="coding_exercise_tolerance"),
        ]

    def __str__(self) -> str:
        return self.title


class CodeTest(models.Model):
    exercise = models.ForeignKey(CodeExercise, on_delete=models.CASCADE, related_name="tests")
    order = models.PositiveIntegerField(default=0)
    stdin = models.TextField(blank=True)
    expected_stdout = models.TextField(blank=True)
    is_sample = models.BooleanField(default=False, help_text="Shown to students with its input and output")
    weight = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return f"Test {self.order} of {self.exercise_id}"


class CodeSubmission(models.Model):
    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"

    class Verdict(models.TextChoices):
        ACCEPTED = "accepted", "Accepted"
        WRONG_ANSWER = "wrong_answer", "Wrong answer"
        COMPILE_ERROR = "compile_error", "Compile error"
        RUNTIME_ERROR = "runtime_error", "Runtime error"
        TIME_LIMIT = "time_limit", "Time limit exceeded"
        MEMORY_LIMIT = "memory_limit", "Memory limit exceeded"
        OUTPUT_LIMIT = "output_limit", "Output limit exceeded"
        INTERNAL_ERROR = "internal_error", "Internal error"

    class Purpose(models.TextChoices):
        PRACTICE = "practice", "Practice (the exercise's page or the API)"
        QUIZ = "quiz", "A quiz's code question"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    exercise = models.ForeignKey(CodeExercise, on_delete=models.CASCADE, related_name="submissions")
    purpose = models.CharField(
        max_length=10,
        choices=Purpose.choices,
        default=Purpose.PRACTICE,
        help_text="A quiz's runs are shown only in the quiz's review, as its options allow.",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="code_submissions"
    )
    language = models.CharField(max_length=20)
    source = models.TextField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    verdict = models.CharField(max_length=20, choices=Verdict.choices, blank=True)
    tests_passed = models.PositiveIntegerField(default=0)
    tests_total = models.PositiveIntegerField(default=0)
    score = models.DecimalField(
        max_digits=5, decimal_places=2, default=0, help_text="Percent of the tests' weight"
    )
    compile_output = models.TextField(blank=True)
    results = models.JSONField(default=list, blank=True, help_text="Per test: verdict, times, memory")
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "exercise", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.user_id} on {self.exercise_id}: {self.verdict or self.state}"
