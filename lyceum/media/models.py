"""Video lessons, what each viewer really watched of them, recordings, and resumable uploads."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


def video_source_upload_to(instance: Video, filename: str) -> str:
    return f"videos/{instance.pk}/source/{uuid.uuid4().hex}{_suffix(filename)}"


def video_captions_upload_to(instance: Video, filename: str) -> str:
    return f"videos/{instance.pk}/captions-{uuid.uuid4().hex[:8]}.vtt"


def recording_upload_to(instance: Recording, filename: str) -> str:
    return f"recordings/{instance.owner_id}/{uuid.uuid4().hex}{_suffix(filename)}"


def _suffix(filename: str) -> str:
    from pathlib import PurePath

    return PurePath(filename).suffix.lower()[:8]


class Video(models.Model):
    """A course's video: an uploaded file processed into HLS renditions, or an external address."""

    class Status(models.TextChoices):
        UPLOADED = "uploaded", "Uploaded"
        PROCESSING = "processing", "Processing"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    course = models.ForeignKey("courses.Course", on_delete=models.CASCADE, related_name="videos")
    lesson = models.OneToOneField(
        "courses.Lesson", on_delete=models.SET_NULL, null=True, blank=True, related_name="video"
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    title = models.CharField(max_length=200)
    source = models.FileField(upload_to=video_source_upload_to, blank=True, max_length=300)
    source_type = models.CharField(max_length=100, blank=True, help_text="What the file's bytes showed.")
    source_size = models.BigIntegerField(default=0)
    external_url = models.URLField(blank=True, help_text="A YouTube or Vimeo page, or a file elsewhere.")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.UPLOADED)
    failure_reason = models.TextField(blank=True)
    duration = models.FloatField(null=True, blank=True, help_text="Seconds.")
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    thumbnail = models.CharField(max_length=300, blank=True, help_text="Storage name of the JPEG.")
    hls_playlist = models.CharField(max_length=300, blank=True, help_text="Storage name of master.m3u8.")
    renditions = models.JSONField(default=list, blank=True)
    captions = models.FileField(upload_to=video_captions_upload_to, blank=True, max_length=300)
    captions_language = models.CharField(max_length=16, default="en")
    processing_started_at = models.DateTimeField(null=True, blank=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "updated_at"])]
        constraints = [
            models.CheckConstraint(
                condition=~Q(source="") | ~Q(external_url=""), name="media_video_has_source_or_url"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class VideoProgress(models.Model):
    """What one viewer has really played of a video: merged [start, end] seconds."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="video_progress"
    )
    video = models.ForeignKey(Video, on_delete=models.CASCADE, related_name="progress")
    segments = models.JSONField(default=list, blank=True)
    watched_seconds = models.FloatField(default=0)
    last_position = models.FloatField(default=0)
    last_report_at = models.DateTimeField(null=True, blank=True)
    last_sequence = models.BigIntegerField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "video"], name="media_progress_one_per_user_video"),
        ]

    def __str__(self) -> str:
        return f"{self.user} on {self.video}"


class Recording(models.Model):
    """A camera or screen recording made in the browser (or uploaded by a client)."""

    class Visibility(models.TextChoices):
        PRIVATE = "private", "Only me"
        COURSE = "course", "The course"

    class Status(models.TextChoices):
        PROCESSING = "processing", "Processing"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="recordings")
    course = models.ForeignKey(
        "courses.Course", on_delete=models.SET_NULL, null=True, blank=True, related_name="recordings"
    )
    title = models.CharField(max_length=200)
    file = models.FileField(upload_to=recording_upload_to, max_length=300)
    content_type = models.CharField(max_length=100)
    size = models.BigIntegerField(default=0)
    duration = models.FloatField(null=True, blank=True, help_text="Seconds.")
    visibility = models.CharField(max_length=10, choices=Visibility.choices, default=Visibility.PRIVATE)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PROCESSING)
    failure_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["owner", "-created_at"]),
            models.Index(fields=["course", "visibility"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(visibility="private") | Q(course__isnull=False),
                name="media_recording_shared_with_a_course",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Upload(models.Model):
    """A resumable upload in progress (the tus protocol): its bytes grow in UPLOADS_PARTIAL_DIR
    until ``offset == length``; then a video or a recording takes them over."""

    class Purpose(models.TextChoices):
        VIDEO = "video", "Lesson video"
        RECORDING = "recording", "Recording"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="uploads")
    purpose = models.CharField(max_length=10, choices=Purpose.choices)
    filename = models.CharField(max_length=200, blank=True)
    length = models.BigIntegerField()
    offset = models.BigIntegerField(default=0)
    content_type = models.CharField(max_length=100, blank=True, help_text="Known once the head has arrived.")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    expires_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["expires_at"])]

    def __str__(self) -> str:
        return f"{self.filename or self.pk} ({self.offset}/{self.length})"

    @property
    def is_complete(self) -> bool:
        return self.offset == self.length
