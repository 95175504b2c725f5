"""The video and recordings API: resumable uploads (tus 1.0.0), videos with signed streams and
watch progress, instructors' course and lesson videos, and recordings."""

from __future__ import annotations

import base64
import binascii

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, parsers
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from lyceum.core import files
from lyceum.core.exceptions import ApplicationError, NotFound, UnsupportedMediaType
from lyceum.core.parsers import UPLOAD_PARSERS
from lyceum.courses import selectors as course_selectors
from lyceum.courses.models import Lesson

from .. import selectors, services
from ..models import Upload, VideoProgress
from . import serializers as s

E400 = OpenApiResponse(description="Validation error: `error.fields` names each bad field.")
E403 = OpenApiResponse(description="Not allowed (not enrolled, or an expired or foreign stream address).")
E404 = OpenApiResponse(description="No such object, or not visible to you.")
E409 = OpenApiResponse(
    description="The upload is elsewhere (offset_mismatch, upload_incomplete) or a repeat."
)
E413 = OpenApiResponse(description="Larger than allowed.")
E415 = OpenApiResponse(description="Not application/offset+octet-stream, or not a video by its bytes.")
E422 = OpenApiResponse(description="impossible_report: a report that could not be true; nothing was counted.")
TUS_VERSION = "1.0.0"
OFFSET_TYPE = "application/offset+octet-stream"


def _tus_headers(response: HttpResponse) -> HttpResponse:
    response["Tus-Resumable"] = TUS_VERSION
    response["Cache-Control"] = "no-store"
    return response


def _metadata(header: str) -> dict[str, str]:
    """tus's Upload-Metadata: comma-separated "key base64(value)" pairs."""
    values = {}
    for pair in filter(None, (part.strip() for part in header.split(","))):
        key, _, encoded = pair.partition(" ")
        try:
            values[key] = base64.b64decode(encoded.strip(), validate=True).decode("utf-8") if encoded else ""
        except (binascii.Error, UnicodeDecodeError):
            raise ApplicationError(
                f"Upload-Metadata's {key[:40]} is not base64 of UTF-8.", code="bad_metadata"
            ) from None
    return values


class TusView(APIView):
    def finalize_response(self, request, response, *args, **kwargs):
        return _tus_headers(super().finalize_response(request, response, *args, **kwargs))

    def options(self, request: Request, *args, **kwargs) -> Response:
        response = Response(status=204)
        response["Tus-Version"] = TUS_VERSION
        response["Tus-Extension"] = "creation,termination"
        response["Tus-Max-Size"] = str(max(settings.LESSON_VIDEO_MAX_BYTES, settings.RECORDING_MAX_BYTES))
        return response


UPLOAD_LENGTH = OpenApiParameter("Upload-Length", OpenApiTypes.INT, OpenApiParameter.HEADER, required=True)
UPLOAD_METADATA = OpenApiParameter(
    "Upload-Metadata",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=True,
    description='tus metadata: "purpose <base64 video|recording>,filename <base64 name>".',
)
UPLOAD_OFFSET = OpenApiParameter("Upload-Offset", OpenApiTypes.INT, OpenApiParameter.HEADER, required=True)


class UploadCreateView(TusView):
    @extend_schema(
        request=None,
        parameters=[UPLOAD_LENGTH, UPLOAD_METADATA],
        responses={
            201: s.UploadSerializer,
            400: E400,
            413: E413,
            429: OpenApiResponse(description="Too many open."),
        },
        summary="Open a resumable upload (tus creation); its bytes follow by PATCH at Location",
        tags=["media"],
    )
    def post(self, request: Request) -> Response:
        meta = _metadata(request.headers.get("Upload-Metadata", ""))
        upload = services.upload_create(
            owner=request.user,
            purpose=meta.get("purpose", ""),
            length=request.headers.get("Upload-Length"),
            filename=meta.get("filename") or meta.get("name") or "",
        )
        response = Response(s.UploadSerializer(upload, context={"request": request}).data, status=201)
        response["Location"] = request.build_absolute_uri(
            reverse("api:media:upload", kwargs={"id": upload.pk})
        )
        response["Upload-Offset"] = "0"
        return response


class OffsetParser(parsers.BaseParser):
    """Declares tus's chunk type; the view streams the body itself (it is never parsed)."""

    media_type = OFFSET_TYPE

    def parse(self, stream, media_type=None, parser_context=None):
        return {}


class UploadView(TusView):
    parser_classes = [OffsetParser]

    def _offset_headers(self, response: HttpResponse, upload: Upload) -> HttpResponse:
        response["Upload-Offset"] = str(upload.offset)
        response["Upload-Length"] = str(upload.length)
        return response

    @extend_schema(
        responses={200: s.UploadSerializer, 404: E404},
        summary="A resumable upload: how far it is (also HEAD, tus's way)",
        tags=["media"],
    )
    def get(self, request: Request, id) -> Response:
        upload = services.upload_get(owner=request.user, upload_id=id)
        return self._offset_headers(
            Response(s.UploadSerializer(upload, context={"request": request}).data), upload
        )

    def head(self, request: Request, id) -> Response:
        upload = services.upload_get(owner=request.user, upload_id=id)
        return self._offset_headers(Response(status=200), upload)

    @extend_schema(
        request={OFFSET_TYPE: OpenApiTypes.BINARY},
        parameters=[UPLOAD_OFFSET],
        responses={204: None, 400: E400, 404: E404, 409: E409, 413: E413, 415: E415},
        summary="Append the next bytes of an upload at Upload-Offset (tus core)",
        tags=["media"],
    )
    def patch(self, request: Request, id) -> Response:
        if request.content_type.split(";")[0].strip().lower() != OFFSET_TYPE:
            raise UnsupportedMediaType(f"Send the bytes as {OFFSET_TYPE}.")
        upload = services.upload_append(
            owner=request.user,
            upload_id=id,
            offset=request.headers.get("Upload-Offset"),
            length=request.headers.get("Content-Length") or 0,
            stream=request._request,
        )
        return self._offset_headers(Response(status=204), upload)

    @extend_schema(
        responses={204: None, 404: E404}, summary="Cancel an upload (tus termination)", tags=["media"]
    )
    def delete(self, request: Request, id) -> Response:
        services.upload_delete(owner=request.user, upload_id=id)
        return Response(status=204)


# --- videos -------------------------------------------------------------------------------------


def _video_response(request: Request, video_id, status: int = 200) -> Response:
    view = selectors.video_for_viewer(viewer=request.user, video_id=video_id)
    return Response(s.VideoSerializer(view, context={"request": request}).data, status=status)


def _viewer(request: Request):
    return request.user if request.user.is_authenticated else None


class VideoView(APIView):
    def get_permissions(self):
        return [AllowAny()] if self.request.method in ("GET", "HEAD", "OPTIONS") else [IsAuthenticated()]

    @extend_schema(
        responses={200: s.VideoSerializer, 403: E403, 404: E404},
        summary="Video details: signed stream addresses (HLS, the file, captions) and your progress",
        tags=["media"],
    )
    def get(self, request: Request, id) -> Response:
        view = selectors.video_for_viewer(viewer=_viewer(request), video_id=id)
        return Response(s.VideoSerializer(view, context={"request": request}).data)

    @extend_schema(
        request=s.VideoUpdateSerializer,
        responses={
            200: s.VideoSerializer,
            400: E400,
            401: OpenApiResponse(description="Not signed in."),
            404: E404,
        },
        summary="Rename a video or move it to another lesson (the course's staff)",
        tags=["instructor"],
    )
    def patch(self, request: Request, id) -> Response:
        video = selectors.managed_video(user=request.user, video_id=id)
        serializer = s.VideoUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        kwargs = {"title": data.get("title")}
        if "lesson" in data:
            kwargs["lesson"] = _course_lesson(video.course_id, data["lesson"])
        services.video_update(video=video, actor=request.user, **kwargs)
        return _video_response(request, id)

    @extend_schema(
        responses={204: None, 401: OpenApiResponse(description="Not signed in."), 404: E404},
        summary="Delete a video",
        tags=["instructor"],
    )
    def delete(self, request: Request, id) -> Response:
        video = selectors.managed_video(user=request.user, video_id=id)
        services.video_delete(video=video, actor=request.user)
        return Response(status=204)


def _course_lesson(course_id, lesson_id) -> Lesson | None:
    if lesson_id is None:
        return None
    lesson = (
        Lesson.objects.select_related("module__course")
        .filter(pk=lesson_id, module__course_id=course_id)
        .first()
    )
    if lesson is None:
        raise ValidationError({"lesson": ["No such lesson in this course."]})
    return lesson


class VideoProgressView(APIView):
    @extend_schema(
        responses={200: s.ProgressSerializer, 403: E403, 404: E404},
        summary="What you have watched of a video",
        tags=["media"],
    )
    def get(self, request: Request, id) -> Response:
        view = selectors.video_for_viewer(viewer=request.user, video_id=id)
        progress = view.progress or VideoProgress(user=request.user, video=view.video)  # nothing yet
        return Response(s.ProgressSerializer(progress, context={"duration": view.video.duration}).data)

    @extend_schema(
        request=s.ProgressReportSerializer,
        responses={
            200: s.ProgressReportResultSerializer,
            400: E400,
            403: E403,
            404: E404,
            409: E409,
            422: E422,
        },
        summary="Report what was played since the last report (update watch time)",
        tags=["media"],
    )
    def post(self, request: Request, id) -> Response:
        serializer = s.ProgressReportSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        view = selectors.video_for_viewer(viewer=request.user, video_id=id)
        report = services.progress_report(user=request.user, video=view.video, **serializer.validated_data)
        return Response(
            {
                "progress": s.ProgressSerializer(report.progress, context={"duration": report.duration}).data,
                "lesson_completed": report.lesson_completed,
            }
        )


class VideoCaptionsView(APIView):
    parser_classes = UPLOAD_PARSERS

    @extend_schema(
        request={"multipart/form-data": s.CaptionsSerializer},
        responses={200: s.VideoSerializer, 400: E400, 404: E404},
        summary="Upload the video's WebVTT captions (replaces any)",
        tags=["instructor"],
    )
    def put(self, request: Request, id) -> Response:
        video = selectors.managed_video(user=request.user, video_id=id)
        serializer = s.CaptionsSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.video_set_captions(
            video=video,
            actor=request.user,
            file=serializer.validated_data["captions"],
            language=serializer.validated_data["language"],
        )
        return _video_response(request, id)

    @extend_schema(
        responses={200: s.VideoSerializer, 404: E404}, summary="Remove the captions", tags=["instructor"]
    )
    def delete(self, request: Request, id) -> Response:
        video = selectors.managed_video(user=request.user, video_id=id)
        services.video_remove_captions(video=video, actor=request.user)
        return _video_response(request, id)


class VideoReprocessView(APIView):
    @extend_schema(
        request=None,
        responses={202: s.VideoSerializer, 404: E404, 409: E409},
        summary="Process a video again (after it failed)",
        tags=["instructor"],
    )
    def post(self, request: Request, id) -> Response:
        video = selectors.managed_video(user=request.user, video_id=id)
        services.video_reprocess(video=video, actor=request.user)
        return _video_response(request, id, status=202)


FILE_200 = (200, "application/octet-stream")  # documented so; the real Content-Type is the part's
BINARY = OpenApiResponse(OpenApiTypes.BINARY, description="The part (206 for a Range request)")


class VideoStreamView(APIView):
    """Playlists, segments, the source, captions and the thumbnail by a signed address: no cookie
    or header needed, so players and mobile clients fetch them as they are."""

    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = []

    @extend_schema(
        responses={
            FILE_200: BINARY,
            (206, "application/octet-stream"): BINARY,
            403: E403,
            404: E404,
            (416, "text/plain"): OpenApiResponse(description="The Range is outside the file."),
        },
        summary="A part of a video by its signed address (answers Range requests)",
        tags=["media"],
    )
    def get(self, request: Request, id, token: str, path: str) -> HttpResponse:
        part = services.stream_file(video_id=id, token=token, path=path)
        response = files.private_file_response(
            part.storage.open(part.name, "rb"),
            name=part.name,
            content_type=part.content_type,
            filename=part.filename,
            inline=True,
            request=request,
        )
        response["Cache-Control"] = "private, max-age=3600"
        return response


class CourseVideosView(generics.ListAPIView):
    serializer_class = s.ManagedVideoSerializer
    parser_classes = UPLOAD_PARSERS  # a file, or the id of a finished upload, as a form field

    def get_queryset(self):
        course = course_selectors.managed_course(user=self.request.user, course_id=self.kwargs["id"])
        return selectors.course_videos(course=course)

    @extend_schema(summary="A course's videos (the course's staff)", tags=["instructor"])
    def get(self, request: Request, *args, **kwargs) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request={"multipart/form-data": s.VideoCreateSerializer},
        responses={201: s.VideoSerializer, 400: E400, 404: E404, 409: E409},
        summary="Add a video to a course (a file, a finished upload, or an address); optionally a lesson's",
        tags=["instructor"],
    )
    def post(self, request: Request, id) -> Response:
        course = course_selectors.managed_course(user=request.user, course_id=id)
        serializer = s.VideoCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        video = services.video_create(
            course=course,
            actor=request.user,
            title=data.get("title", ""),
            lesson=_course_lesson(course.pk, data.get("lesson")),
            file=data.get("file"),
            upload_id=data.get("upload"),
            external_url=data.get("external_url", ""),
        )
        return _video_response(request, video.pk, status=201)


class LessonVideoView(APIView):
    parser_classes = UPLOAD_PARSERS  # a file, or the id of a finished upload, as a form field

    @extend_schema(
        request={"multipart/form-data": s.LessonVideoSerializer},
        responses={201: s.VideoSerializer, 400: E400, 404: E404, 409: E409},
        summary="Set the lesson's video (a file or a finished upload); it replaces the one it had",
        tags=["instructor"],
    )
    def post(self, request: Request, id) -> Response:
        lesson = course_selectors.managed_lesson(user=request.user, lesson_id=id)
        serializer = s.LessonVideoSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        video = services.video_create(
            course=lesson.module.course,
            actor=request.user,
            title=data.get("title", ""),
            lesson=lesson,
            file=data.get("video"),
            upload_id=data.get("upload"),
        )
        return _video_response(request, video.pk, status=201)

    @extend_schema(responses={204: None, 404: E404}, summary="Remove the lesson's video", tags=["instructor"])
    def delete(self, request: Request, id) -> Response:
        lesson = course_selectors.managed_lesson(user=request.user, lesson_id=id)
        video = selectors.lesson_video(lesson_id=lesson.pk)
        if video is None:
            raise NotFound("This lesson has no video.")
        services.video_delete(video=video, actor=request.user)
        return Response(status=204)


# --- recordings ---------------------------------------------------------------------------------


class UploadRecordingView(APIView):
    parser_classes = UPLOAD_PARSERS  # a file, or the id of a finished upload, as a form field

    @extend_schema(
        request={"multipart/form-data": s.RecordingCreateSerializer},
        responses={201: s.RecordingSerializer, 400: E400, 409: E409},
        summary="Upload a recording (a file, or a finished resumable upload); private unless shared",
        tags=["media"],
    )
    def post(self, request: Request) -> Response:
        serializer = s.RecordingCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        recording = services.recording_create(
            owner=request.user,
            title=data.get("title", ""),
            file=data["file"],
            upload_id=data.get("upload"),
            course_id=data.get("course"),
            visibility=data["visibility"],
            duration=data.get("duration"),
        )
        recording.refresh_from_db()
        return Response(s.RecordingSerializer(recording, context={"request": request}).data, status=201)


class MyRecordingsView(generics.ListAPIView):
    serializer_class = s.RecordingSerializer

    def get_queryset(self):
        return selectors.my_recordings(user=self.request.user)

    @extend_schema(summary="Your recordings, newest first", tags=["media"])
    def get(self, request: Request, *args, **kwargs) -> Response:
        return super().get(request, *args, **kwargs)


class CourseRecordingsView(generics.ListAPIView):
    serializer_class = s.RecordingSerializer

    def get_queryset(self):
        return selectors.course_recordings(viewer=self.request.user, course_id=self.kwargs["id"])

    @extend_schema(summary="Recordings shared with a course (its members)", tags=["media"])
    def get(self, request: Request, *args, **kwargs) -> Response:
        return super().get(request, *args, **kwargs)


class RecordingView(APIView):
    @extend_schema(responses={200: s.RecordingSerializer, 404: E404}, summary="A recording", tags=["media"])
    def get(self, request: Request, id) -> Response:
        recording = selectors.recording_for_viewer(viewer=request.user, recording_id=id)
        return Response(s.RecordingSerializer(recording, context={"request": request}).data)

    @extend_schema(
        request=s.RecordingUpdateSerializer,
        responses={200: s.RecordingSerializer, 400: E400, 404: E404},
        summary="Rename your recording, or share it with a course (visibility course) or not",
        tags=["media"],
    )
    def patch(self, request: Request, id) -> Response:
        recording = selectors.recording_for_viewer(viewer=request.user, recording_id=id)
        serializer = s.RecordingUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        if "course" in data:
            data["course_id"] = data.pop("course")
        recording = services.recording_update(recording=recording, actor=request.user, **data)
        return Response(s.RecordingSerializer(recording, context={"request": request}).data)

    @extend_schema(responses={204: None, 404: E404}, summary="Delete your recording", tags=["media"])
    def delete(self, request: Request, id) -> Response:
        recording = selectors.recording_for_viewer(viewer=request.user, recording_id=id)
        services.recording_delete(recording=recording, actor=request.user)
        return Response(status=204)


class RecordingFileView(APIView):
    @extend_schema(
        responses={
            FILE_200: BINARY,
            (206, "application/octet-stream"): BINARY,
            404: E404,
            (416, "text/plain"): OpenApiResponse(description="The Range is outside the file."),
        },
        summary="A recording's file (answers Range requests)",
        tags=["media"],
    )
    def get(self, request: Request, id) -> HttpResponse:
        recording = selectors.recording_for_viewer(viewer=request.user, recording_id=id)
        extension = recording.file.name.rsplit(".", 1)[-1] if "." in recording.file.name else "bin"
        return files.private_file_response(
            recording.file,
            content_type=recording.content_type,
            filename=files.download_name(recording.title, extension),
            inline=True,
            request=request,
        )
