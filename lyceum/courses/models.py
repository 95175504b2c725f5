"""Courses: the catalog, their modules and lessons, enrollments and progress."""

from __future__ import annotations

import uuid
from decimal import Decimal
from pathlib import PurePath

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

CURRENCIES = [("USD", "US dollar"), ("EUR", "Euro"), ("GBP", "Pound sterling"), ("INR", "Indian rupee")]


def _unique_name(folder: str, filename: str) -> str:
    return f"{folder}/{uuid.uuid4().hex}{PurePath(filename).suffix.lower()}"


def course_cover_upload_to(instance: models.Model, filename: str) -> str:
    return _unique_name("course-covers", filename)


def lesson_video_upload_to(instance: models.Model, filename: str) -> str:
    """Named by migrations: lesson videos were a file field of the lesson before lyceum.media."""
    return _unique_name("lesson-videos", filename)


def lesson_resource_upload_to(instance: models.Model, filename: str) -> str:
    return _unique_name("lesson-resources", filename)


class Category(models.Model):
    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.name


class Tag(models.Model):
    name = models.CharField(max_length=50, unique=True)
    slug = models.SlugField(max_length=50, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Course(models.Model):
    class Level(models.TextChoices):
        BEGINNER = "beginner", "Beginner"
        INTERMEDIATE = "intermediate", "Intermediate"
        ADVANCED = "advanced", "Advanced"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=220, unique=True)
    summary = models.CharField(max_length=300, blank=True)
    description = models.TextField(blank=True)
    instructor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="courses_taught"
    )
    price = models.DecimalField(
        max_digits=10,
        decimal_places=2,
        default=Decimal("0.00"),
        validators=[MinValueValidator(Decimal("0.00"))],
    )
    currency = models.CharField(max_length=3, choices=CURRENCIES, default="USD")
    level = models.CharField(max_length=20, choices=Level.choices, default=Level.BEGINNER)
    category = models.ForeignKey(
        Category, on_delete=models.SET_NULL, null=True, blank=True, related_name="courses"
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="courses")
    cover_image = models.ImageField(upload_to=course_cover_upload_to, blank=True)
    is_published = models.BooleanField(default=False)
    published_at = models.DateTimeField(null=True, blank=True)
    # Kept by the courses services (enroll, unenroll; lesson and module writes) for the catalog.
    enrollment_count = models.PositiveIntegerField(default=0, editable=False)
    lesson_count = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(price__gte=0), name="courses_course_price_gte_0"),
        ]
        indexes = [
            # Partial indexes over published courses, one per catalog ordering: a page is read
            # off the index with no sort, whatever the catalog's size.
            models.Index(
                fields=["-published_at", "-created_at"],
                name="course_newest_idx",
                condition=Q(is_published=True),
            ),
            models.Index(
                fields=["-enrollment_count", "-published_at"],
                name="course_popular_idx",
                condition=Q(is_published=True),
            ),
            models.Index(fields=["title", "id"], name="course_title_idx", condition=Q(is_published=True)),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_free(self) -> bool:
        return self.price == 0


class Module(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="modules")
    title = models.CharField(max_length=200)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order", "id"]
        indexes = [models.Index(fields=["course", "order"])]

    def __str__(self) -> str:
        return self.title


class Lesson(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="lessons")
    title = models.CharField(max_length=200)
    content = models.TextField(blank=True, help_text="Markdown.")
    content_html = models.TextField(
        blank=True, editable=False, help_text="The content rendered and sanitized."
    )
    video_url = models.URLField(blank=True)
    order = models.PositiveIntegerField(default=0)
    estimated_minutes = models.PositiveIntegerField(
        default=5, validators=[MinValueValidator(1), MaxValueValidator(24 * 60)]
    )
    is_preview = models.BooleanField(default=False, help_text="Anyone may read it without enrolling.")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["order", "id"]
        indexes = [models.Index(fields=["module", "order"])]

    def __str__(self) -> str:
        return self.title


class LessonResource(models.Model):
    """A file a lesson offers for download."""

    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="resources")
    title = models.CharField(max_length=200)
    file = models.FileField(upload_to=lesson_resource_upload_to)
    content_type = models.CharField(
        max_length=100, blank=True, help_text="What the file's content showed it to be at upload."
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.title


class CourseEnrollment(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrollments")
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="enrollments")
    enrolled_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-enrolled_at"]
        constraints = [
            models.UniqueConstraint(fields=["user", "course"], name="courses_enrollment_one_per_user_course"),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.course}"


class LessonProgress(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lesson_progress"
    )
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="progress")
    completed_at = models.DateTimeField(null=True, blank=True)
    time_spent_seconds = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "lesson progress"
        constraints = [
            models.UniqueConstraint(fields=["user", "lesson"], name="courses_progress_one_per_user_lesson"),
        ]

    def __str__(self) -> str:
        return f"{self.user} on {self.lesson}"
