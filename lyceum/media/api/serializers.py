from __future__ import annotations

import math

from django.conf import settings
from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from lyceum.core.serializers import absolute_url

from .. import services
from ..models import Recording, Upload, Video, VideoProgress


class UploadSerializer(serializers.ModelSerializer):
    complete = serializers.BooleanField(source="is_complete")
    url = serializers.SerializerMethodField()

    class Meta:
        model = Upload
        fields = [
            "id",
            "purpose",
            "filename",
            "length",
            "offset",
            "complete",
            "content_type",
            "expires_at",
            "url",
        ]

    def get_url(self, upload: Upload) -> str:
        return absolute_url(self.context, reverse("api:media:upload", kwargs={"id": upload.pk}))


class ProgressSerializer(serializers.Serializer):
    segments = serializers.ListField(child=serializers.ListField(child=serializers.FloatField()))
    watched_seconds = serializers.FloatField()
    percent = serializers.SerializerMethodField()
    last_position = serializers.FloatField()
    completed = serializers.SerializerMethodField()
    completed_at = serializers.DateTimeField(allow_null=True)

    def get_percent(self, progress: VideoProgress) -> float:
        duration = self.context.get("duration") or progress.video.duration or 0
        return round(min(100.0, 100 * progress.watched_seconds / duration), 1) if duration else 0.0

    def get_completed(self, progress: VideoProgress) -> bool:
        return progress.completed_at is not None


class ProgressReportResultSerializer(serializers.Serializer):
    progress = ProgressSerializer()
    lesson_completed = serializers.BooleanField(help_text="This report completed the video's lesson.")


class RenditionSerializer(serializers.Serializer):
    name = serializers.CharField()
    width = serializers.IntegerField()
    height = serializers.IntegerField()
    bandwidth = serializers.IntegerField()


class StreamSerializer(serializers.Serializer):
    hls = serializers.URLField(help_text="The HLS master playlist (adaptive).")
    source = serializers.URLField(help_text="The uploaded file itself (HTTP Range requests).")
    captions = serializers.URLField(allow_null=True)
    thumbnail = serializers.URLField(allow_null=True)
    expires_at = serializers.DateTimeField(help_text="The addresses stop working then; read the video again.")


class VideoLessonSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    title = serializers.CharField()


class VideoCourseSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    title = serializers.CharField()
    slug = serializers.CharField()


class VideoSerializer(serializers.Serializer):
    """A video for one viewer: its signed stream addresses and what they have watched of it."""

    id = serializers.UUIDField(source="video.id")
    title = serializers.CharField(source="video.title")
    course = VideoCourseSerializer(source="video.course")
    lesson = VideoLessonSerializer(source="video.lesson", allow_null=True)
    status = serializers.ChoiceField(source="video.status", choices=Video.Status.choices)
    failure_reason = serializers.SerializerMethodField()
    duration = serializers.FloatField(source="video.duration", allow_null=True)
    width = serializers.IntegerField(source="video.width", allow_null=True)
    height = serializers.IntegerField(source="video.height", allow_null=True)
    renditions = RenditionSerializer(source="video.renditions", many=True)
    external_url = serializers.CharField(source="video.external_url")
    captions_language = serializers.CharField(source="video.captions_language")
    stream = serializers.SerializerMethodField()
    progress = serializers.SerializerMethodField()
    completion_share = serializers.SerializerMethodField()
    can_manage = serializers.BooleanField(source="manages")
    created_at = serializers.DateTimeField(source="video.created_at")

    def get_failure_reason(self, view) -> str | None:
        return view.video.failure_reason if view.manages else None

    @extend_schema_field(StreamSerializer(allow_null=True))
    def get_stream(self, view) -> dict | None:
        video = view.video
        if video.status != Video.Status.READY or not video.source:
            return None
        request = self.context["request"]
        viewer = request.user if request.user.is_authenticated else None
        token = services.stream_token(video=video, viewer=viewer)

        def url(path: str) -> str:
            return absolute_url(
                self.context,
                reverse("api:media:stream", kwargs={"id": video.pk, "token": token, "path": path}),
            )

        return {
            "hls": url("master.m3u8"),
            "source": url("source"),
            "captions": url("captions.vtt") if video.captions else None,
            "thumbnail": url("thumbnail.jpg") if video.thumbnail else None,
            "expires_at": services.stream_expires_at(),
        }

    @extend_schema_field(ProgressSerializer(allow_null=True))
    def get_progress(self, view) -> dict | None:
        if view.progress is None:
            return None
        return ProgressSerializer(view.progress, context={"duration": view.video.duration}).data

    def get_completion_share(self, view) -> float:
        return settings.VIDEO_COMPLETION_SHARE


class ManagedVideoSerializer(serializers.ModelSerializer):
    """A course video as its instructor sees it in a list."""

    lesson = VideoLessonSerializer(allow_null=True)
    url = serializers.SerializerMethodField()

    class Meta:
        model = Video
        fields = [
            "id", "title", "lesson", "status", "failure_reason", "duration", "width", "height",
            "source_type", "source_size", "external_url", "created_at", "processed_at", "url",
        ]  # fmt: skip

    def get_url(self, video: Video) -> str:
        return absolute_url(self.context, reverse("api:media:video", kwargs={"id": video.pk}))


def _finite(value: float | None, field: str) -> None:
    if value is not None and not math.isfinite(value):
        raise serializers.ValidationError({field: ["A finite number of seconds."]})


class ProgressReportSerializer(serializers.Serializer):
    segments = serializers.ListField(
        child=serializers.ListField(child=serializers.FloatField(min_value=0), min_length=2, max_length=2),
        max_length=services.MAX_SEGMENTS_PER_REPORT,
        required=False,
        default=list,
        help_text="What was played since the last report: [[start, end], …] in seconds of the video.",
    )
    position = serializers.FloatField(
        min_value=0, required=False, allow_null=True, help_text="The play head."
    )
    watch_time = serializers.FloatField(
        min_value=0,
        required=False,
        allow_null=True,
        help_text="The roadmap client's field: taken as the play head. It proves nothing watched.",
    )
    sequence = serializers.IntegerField(
        min_value=0, max_value=2**62, required=False, allow_null=True, help_text="Rises with each report."
    )
    sent_at = serializers.DateTimeField(required=False, allow_null=True)

    def validate(self, data):
        for start, end in data.get("segments", []):
            _finite(start, "segments")
            _finite(end, "segments")
        _finite(data.get("position"), "position")
        _finite(data.get("watch_time"), "watch_time")
        if data.get("position") is None and data.get("watch_time") is not None:
            data["position"] = data["watch_time"]
        data.pop("watch_time", None)
        return data


class VideoCreateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200, required=False, allow_blank=True)
    lesson = serializers.UUIDField(required=False, allow_null=True)
    file = serializers.FileField(required=False, help_text="The whole file (small videos).")
    upload = serializers.UUIDField(required=False, allow_null=True, help_text="A finished resumable upload.")
    external_url = serializers.URLField(required=False, allow_blank=True)


class VideoUpdateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200, required=False)
    lesson = serializers.UUIDField(
        required=False, allow_null=True, help_text="null detaches it from its lesson."
    )


class LessonVideoSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200, required=False, allow_blank=True)
    video = serializers.FileField(required=False, help_text="The whole file (small videos).")
    upload = serializers.UUIDField(required=False, allow_null=True, help_text="A finished resumable upload.")


class CaptionsSerializer(serializers.Serializer):
    captions = serializers.FileField(help_text="A WebVTT (.vtt) file.")
    language = serializers.CharField(max_length=16, required=False, default="en")


class RecordingOwnerSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()


class RecordingCourseSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    title = serializers.CharField()


class RecordingSerializer(serializers.ModelSerializer):
    owner = RecordingOwnerSerializer()
    course = RecordingCourseSerializer(allow_null=True)
    file_url = serializers.SerializerMethodField()

    class Meta:
        model = Recording
        fields = [
            "id", "title", "owner", "course", "visibility", "status", "failure_reason",
            "content_type", "size", "duration", "created_at", "file_url",
        ]  # fmt: skip

    def get_file_url(self, recording: Recording) -> str:
        return absolute_url(self.context, reverse("api:media:recording_file", kwargs={"id": recording.pk}))


class RecordingCreateSerializer(serializers.Serializer):
    file = serializers.FileField(
        required=False, help_text="The recording (also accepted as recording or video)."
    )
    recording = serializers.FileField(required=False)
    video = serializers.FileField(required=False)
    upload = serializers.UUIDField(required=False, allow_null=True, help_text="A finished resumable upload.")
    title = serializers.CharField(max_length=200, required=False, allow_blank=True)
    course = serializers.UUIDField(required=False, allow_null=True)
    visibility = serializers.ChoiceField(
        choices=Recording.Visibility.choices, default=Recording.Visibility.PRIVATE
    )
    duration = serializers.FloatField(min_value=0, max_value=10 * 24 * 3600, required=False, allow_null=True)

    def validate(self, data):
        sent = [data.pop(name) for name in ("file", "recording", "video") if data.get(name) is not None]
        if len(sent) > 1:
            raise serializers.ValidationError({"file": ["Send one file."]})
        data["file"] = sent[0] if sent else None
        _finite(data.get("duration"), "duration")
        return data


class RecordingUpdateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200, required=False)
    visibility = serializers.ChoiceField(choices=Recording.Visibility.choices, required=False)
    course = serializers.UUIDField(required=False, allow_null=True)
