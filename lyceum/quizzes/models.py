"""Quizzes: questions and their choices, attempts and the answers given in them."""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from lyceum.courses.models import Course, Module

MAX_TIME_LIMIT_MINUTES = 24 * 60
MAX_ATTEMPTS = 1000


class Quiz(models.Model):
    class GradingMethod(models.TextChoices):
        HIGHEST = "highest", "Highest attempt"
        AVERAGE = "average", "Average of attempts"
        FIRST = "first", "First attempt"
        LAST = "last", "Last attempt"

    class Navigation(models.TextChoices):
        FREE = "free", "Free: any question, in any order"
        SEQUENTIAL = "sequential", "Sequential: no going back"

    class Review(models.TextChoices):
        """When a student may see one part of the review of a submitted attempt (Moodle's review
        options). Each is a moment from which on the part stays visible."""

        IMMEDIATELY = "immediately", "Immediately after the attempt"
        LATER = "later", "Later, while the quiz is still open: once no attempt is left"
        AFTER_CLOSE = "after_close", "After the quiz closes"
        NEVER = "never", "Never"

    REVIEW_PARTS = ("review_correctness", "review_points", "review_right_answer", "review_feedback")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="quizzes")
    module = models.ForeignKey(
        Module, on_delete=models.SET_NULL, null=True, blank=True, related_name="quizzes"
    )
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    passing_score_percent = models.PositiveSmallIntegerField(default=50, validators=[MaxValueValidator(100)])
    time_limit_minutes = models.PositiveIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_TIME_LIMIT_MINUTES)],
        help_text="1 to 1,440 minutes (a day); empty: no time limit.",
    )
    max_attempts = models.PositiveIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_ATTEMPTS)],
        help_text="1 to 1,000; empty: unlimited.",
    )
    grading_method = models.CharField(
        max_length=10, choices=GradingMethod.choices, default=GradingMethod.HIGHEST
    )
    navigation = models.CharField(max_length=12, choices=Navigation.choices, default=Navigation.FREE)
    shuffle_questions = models.BooleanField(default=False)
    shuffle_choices = models.BooleanField(default=False)
    questions_per_attempt = models.PositiveIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(1000)],
        help_text="Draw this many questions at random from the pool for each attempt; empty: all.",
    )
    # The default hides what would give the next attempt away while attempts remain: with
    # three attempts, a blank first one must not hand over the key (nor per-question points).
    review_correctness = models.CharField(
        max_length=12,
        choices=Review.choices,
        default=Review.LATER,
        help_text="When the student sees whether each answer was right.",
    )
    review_points = models.CharField(
        max_length=12,
        choices=Review.choices,
        default=Review.LATER,
        help_text="When the student sees the points of each question (the total is always shown).",
    )
    review_right_answer = models.CharField(
        max_length=12,
        choices=Review.choices,
        default=Review.LATER,
        help_text="When the student sees the right answers.",
    )
    review_feedback = models.CharField(
        max_length=12,
        choices=Review.choices,
        default=Review.LATER,
        help_text="When the student sees the feedback of the answers given and the explanation.",
    )
    opens_at = models.DateTimeField(null=True, blank=True)
    closes_at = models.DateTimeField(null=True, blank=True)
    is_published = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    content_version = models.PositiveIntegerField(
        default=0,
        editable=False,
        help_text="Goes up with every change to the quiz's questions or choices: the key under "
        "which servers keep them in memory.",
    )

    class Meta:
        ordering = ["created_at"]
        verbose_name_plural = "quizzes"
        constraints = [
            models.CheckConstraint(
                condition=Q(opens_at__isnull=True)
                | Q(closes_at__isnull=True)
                | Q(closes_at__gt=models.F("opens_at")),
                name="quizzes_quiz_closes_after_opening",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        # content_version only ever goes up through bump_content: saving a quiz loaded before a
        # question changed must not write its older number back.
        if not self._state.adding and kwargs.get("update_fields") is None:
            kwargs["update_fields"] = [
                field.attname
                for field in self._meta.concrete_fields
                if not field.primary_key and field.name != "content_version"
            ]
        super().save(*args, **kwargs)

    @staticmethod
    def bump_content(quiz_id) -> None:
        """Marks the quiz's questions or choices changed (servers drop what they kept of them)."""
        Quiz.objects.filter(pk=quiz_id).update(content_version=models.F("content_version") + 1)


class QuestionQuerySet(models.QuerySet):
    def current(self) -> QuestionQuerySet:
        """The questions a quiz asks now: not retired by an edit or a deletion."""
        return self.filter(retired_at__isnull=True)


class Question(models.Model):
    """A question of a quiz. Once any attempt of the quiz exists, a question is never changed in
    place: an edit makes a new version and retires this one, and a deletion retires it, so every
    attempt keeps exactly the questions, choices and points it was given (Moodle's question
    versions do the same)."""

    class Type(models.TextChoices):
        SINGLE = "single", "Single choice"
        MULTIPLE = "multiple", "Multiple choice"
        TRUE_FALSE = "true_false", "True or false"
        SHORT_TEXT = "short_text", "Short text"
        NUMERIC = "numeric", "Numeric"
        MATCHING = "matching", "Matching"
        ESSAY = "essay", "Essay (graded by hand)"
        CODE = "code", "Code (run against an exercise's tests)"
        DESCRIPTION = "description", "Description (text, no answer)"

    class TextFormat(models.TextChoices):
        """How the question's texts are written (GIFT's ``[plain]``, ``[markdown]``…)."""

        PLAIN = "plain", "Plain text"
        MARKDOWN = "markdown", "Markdown"
        HTML = "html", "HTML"
        MOODLE = "moodle", "Moodle auto-format (HTML, line breaks kept)"

    CHOICE_TYPES = {Type.SINGLE, Type.MULTIPLE, Type.TRUE_FALSE}

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="questions")
    type = models.CharField(max_length=12, choices=Type.choices)
    title = models.CharField(max_length=255, blank=True, help_text="The question's name (GIFT ::title::).")
    category = models.CharField(max_length=255, blank=True, help_text="The bank category (GIFT $CATEGORY).")
    text = models.TextField()
    text_format = models.CharField(max_length=8, choices=TextFormat.choices, default=TextFormat.PLAIN)
    points = models.DecimalField(
        max_digits=6,
        decimal_places=2,
        default=Decimal("1.00"),
        validators=[MinValueValidator(Decimal("0"))],
        help_text="At least 0.01, except a description's, which is 0.",
    )
    order = models.PositiveIntegerField(default=0)
    explanation = models.TextField(
        blank=True, help_text="General feedback, shown after the attempt as the review options allow."
    )
    partial_credit = models.BooleanField(
        default=False,
        help_text="Multiple choice: each ticked choice earns its weight (Moodle's rule); "
        "off: all or nothing.",
    )
    accepted_answers = models.JSONField(
        default=list,
        blank=True,
        help_text='Short text: [{"text", "fraction", "feedback"}], tried in order; * is a wildcard.',
    )
    numeric_answers = models.JSONField(
        default=list,
        blank=True,
        help_text='Numeric: [{"value", "tolerance", "fraction", "feedback"}], tried in order; '
        'value "*" matches any number.',
    )
    code_exercise = models.ForeignKey(
        "coding.CodeExercise",
        # An exercise a question asks (an attempt may hold it) stays; the course's deletion takes both.
        on_delete=models.RESTRICT,
        null=True,
        blank=True,
        related_name="questions",
        help_text="Code: the exercise whose tests grade the answer.",
    )
    retired_at = models.DateTimeField(null=True, blank=True, editable=False)
    replaced_by = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, editable=False, related_name="+"
    )

    objects = QuestionQuerySet.as_manager()

    class Meta:
        ordering = ["order", "id"]
        indexes = [models.Index(fields=["quiz", "order"])]

    def __str__(self) -> str:
        return self.text[:60]


class Choice(models.Model):
    """A choice of a choice question, weighted as in Moodle (1 is full marks, negative takes
    marks away); or a pair of a matching question (``text`` the stem, ``match_text`` its answer;
    an empty stem is an extra wrong answer)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices")
    text = models.CharField(max_length=1000, blank=True)
    fraction = models.DecimalField(
        max_digits=8,
        decimal_places=7,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("-1")), MaxValueValidator(Decimal("1"))],
        help_text="The share of the question's points this choice earns: 1 is all, -1 takes all.",
    )
    feedback = models.TextField(blank=True, help_text="Shown to a student who chose it.")
    match_text = models.CharField(max_length=1000, blank=True, help_text="Matching: the stem's answer.")
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(fraction__gte=-1) & Q(fraction__lte=1), name="quizzes_choice_fraction_range"
            ),
        ]

    def __str__(self) -> str:
        return self.text[:60]

    @property
    def is_correct(self) -> bool:
        return self.fraction > 0


class QuizAttempt(models.Model):
    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", "In progress"
        NEEDS_GRADING = "needs_grading", "Needs grading"
        GRADED = "graded", "Graded"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="quiz_attempts")
    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="attempts")
    number = models.PositiveIntegerField(help_text="1 for the user's first attempt, and so on.")
    status = models.CharField(max_length=14, choices=Status.choices, default=Status.IN_PROGRESS)
    started_at = models.DateTimeField(default=timezone.now)
    deadline = models.DateTimeField(
        null=True, blank=True, help_text="The server's deadline; empty: no time limit."
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    question_order = models.JSONField(
        default=list, help_text="The ids of this attempt's questions, in order."
    )
    choice_order = models.JSONField(default=dict, help_text="For each question id, its choice ids in order.")
    position = models.PositiveIntegerField(
        default=0, help_text="Sequential navigation: the index of the furthest question reached."
    )
    score = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    max_score = models.DecimalField(max_digits=8, decimal_places=2, default=Decimal("0"))
    percent = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    has_passed = models.BooleanField(null=True)

    class Meta:
        ordering = ["-started_at"]
        constraints = [
            # Two attempts started at once get the same number: one of them fails here.
            models.UniqueConstraint(fields=["user", "quiz", "number"], name="quizzes_attempt_number_unique"),
        ]
        indexes = [models.Index(fields=["quiz", "status"])]

    def __str__(self) -> str:
        return f"{self.user} on {self.quiz} (#{self.number})"


class QuestionAnswer(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    attempt = models.ForeignKey(QuizAttempt, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    selected_choices = models.ManyToManyField(Choice, blank=True, related_name="+")
    text_answer = models.TextField(blank=True, max_length=20_000)
    numeric_answer = models.DecimalField(max_digits=20, decimal_places=6, null=True, blank=True)
    matches = models.JSONField(
        default=dict, blank=True, help_text="Matching: for each stem's id, the answer chosen."
    )
    code_language = models.CharField(max_length=20, blank=True, help_text="Code: the answer's language.")
    code_submission = models.ForeignKey(
        "coding.CodeSubmission",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Code: the run that graded the answer against the exercise's tests.",
    )
    points_awarded = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    feedback = models.TextField(blank=True, help_text="The instructor's comment (essays, code).")
    graded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    saved_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["attempt", "question"], name="quizzes_answer_one_per_question"),
        ]

    def __str__(self) -> str:
        return f"Answer to {self.question_id} in {self.attempt_id}"
