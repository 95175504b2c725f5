from django.contrib import admin
from django.db import models

from .models import Recording, Upload, Video, VideoProgress


@admin.register(Video)
class VideoAdmin(admin.ModelAdmin):
    list_display = ["title", "course", "lesson", "status", "duration", "height", "created_at"]
    list_filter = ["status"]
    list_select_related = ["course", "lesson"]
    search_fields = ["title", "course__title", "lesson__title"]
    raw_id_fields = ["course", "lesson", "uploaded_by"]
    # What processing wrote: changed by processing it again, not by hand.
    readonly_fields = [
        "source_type", "source_size", "status", "failure_reason", "duration", "width", "height",
        "thumbnail", "hls_playlist", "renditions", "processing_started_at", "processed_at",
    ]  # fmt: skip
    # An address typed without a scheme is https (Django 6's default, chosen now).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(VideoProgress)
class VideoProgressAdmin(ReadOnlyAdmin):
    """What each viewer really played: written by their players' reports only."""

    list_display = ["user", "video", "watched_seconds", "last_position", "completed_at", "updated_at"]
    list_select_related = ["user", "video"]
    search_fields = ["user__username", "video__title"]


@admin.register(Recording)
class RecordingAdmin(admin.ModelAdmin):
    list_display = ["title", "owner", "course", "visibility", "status", "duration", "size", "created_at"]
    list_filter = ["visibility", "status"]
    list_select_related = ["owner", "course"]
    search_fields = ["title", "owner__username"]
    raw_id_fields = ["owner", "course"]
    readonly_fields = ["content_type", "size", "duration", "status", "failure_reason"]


@admin.register(Upload)
class UploadAdmin(ReadOnlyAdmin):
    list_display = ["filename", "owner", "purpose", "offset", "length", "expires_at"]
    list_select_related = ["owner"]
