"""Video and recordings: resumable uploads, processing with ffmpeg, signed streams, and watch
progress counted by what was really played."""

from __future__ import annotations

import contextlib
import fcntl
import io
import logging
import re
import shutil
import tempfile
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path, PurePath
from typing import IO, Any

import filetype
import webvtt
from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from django.db import transaction
from django.utils import timezone
from webvtt.errors import MalformedCaptionError, MalformedFileError

from lyceum.accounts.models import User
from lyceum.core import files, ratelimit
from lyceum.core.exceptions import (
    ApplicationError,
    Conflict,
    Forbidden,
    NotFound,
    PayloadTooLarge,
    TooManyRequests,
    Unprocessable,
    UnsupportedMediaType,
)
from lyceum.courses import selectors as course_selectors
from lyceum.courses import services as course_services
from lyceum.courses.models import Course, Lesson
from lyceum.courses.permissions import can_manage_course

from . import ffmpeg
from .models import Recording, Upload, Video, VideoProgress
from .selectors import course_member

logger = logging.getLogger(__name__)

# What a lesson video or a recording may be, by the type its first bytes show -> stored extension.
VIDEO_TYPES = {
    "video/mp4": "mp4",
    "video/x-m4v": "m4v",
    "video/quicktime": "mov",
    "video/webm": "webm",
    "video/x-matroska": "mkv",
    "video/x-msvideo": "avi",
    "video/mpeg": "mpg",
}
RECORDING_TYPES = {**VIDEO_TYPES, "audio/ogg": "ogg", "audio/mpeg": "mp3", "audio/x-wav": "wav"}
PURPOSE_TYPES = {Upload.Purpose.VIDEO: VIDEO_TYPES, Upload.Purpose.RECORDING: RECORDING_TYPES}
# One person's unfinished uploads at once.
MAX_OPEN_UPLOADS = 10
COPY_BLOCK = 1024 * 1024


def _max_bytes(purpose: str) -> int:
    return (
        settings.LESSON_VIDEO_MAX_BYTES if purpose == Upload.Purpose.VIDEO else settings.RECORDING_MAX_BYTES
    )


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.0f} MB"


# --- resumable uploads (the tus protocol, 1.0.0: core, creation, termination) ------------------


def partial_path(upload: Upload) -> Path:
    return Path(settings.UPLOADS_PARTIAL_DIR) / f"{upload.pk}.part"


def upload_create(*, owner: User, purpose: str, length: Any, filename: str = "") -> Upload:
    """Opens a resumable upload of ``length`` bytes; its bytes follow in PATCH requests."""
    if purpose not in Upload.Purpose.values:
        raise ValidationError({"purpose": [f"Say what this upload is: {', '.join(Upload.Purpose.values)}."]})
    try:
        length = int(length)
    except (TypeError, ValueError):
        raise ValidationError({"length": ["Give the upload's length in bytes (Upload-Length)."]}) from None
    if length < 1:
        raise ValidationError({"length": ["An upload has at least one byte."]})
    limit = _max_bytes(purpose)
    if length > limit:
        raise PayloadTooLarge(f"This upload may be at most {_megabytes(limit)}.", extra={"max_bytes": limit})
    now = timezone.now()
    ratelimit.hit("upload_open", f"user:{owner.pk}", message="Too many uploads started; try again later.")
    if Upload.objects.filter(owner=owner, expires_at__gt=now).count() >= MAX_OPEN_UPLOADS:
        raise TooManyRequests(
            f"You have {MAX_OPEN_UPLOADS} unfinished uploads; finish or cancel one first.", retry_after=60
        )
    upload = Upload.objects.create(
        owner=owner,
        purpose=purpose,
        length=length,
        filename=PurePath(filename or "").name[:200],
        expires_at=now + timedelta(hours=settings.UPLOAD_EXPIRY_HOURS),
    )
    path = partial_path(upload)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch()
    return upload


def upload_get(*, owner: User, upload_id: Any) -> Upload:
    upload = Upload.objects.filter(pk=upload_id, owner=owner, expires_at__gt=timezone.now()).first()
    if upload is None:
        raise NotFound("No such upload (it may have expired).")
    return upload


def _discard(upload: Upload) -> None:
    Upload.objects.filter(pk=upload.pk).delete()
    partial_path(upload).unlink(missing_ok=True)


def upload_append(*, owner: User, upload_id: Any, offset: Any, length: Any, stream: IO[bytes]) -> Upload:
    """Writes the next ``length`` bytes of an upload, which must start at its current ``offset``
    (409 with the right offset otherwise). A connection that drops keeps what arrived, so the
    client resumes from there. The first bytes must show a type this upload may be (415)."""
    upload = upload_get(owner=owner, upload_id=upload_id)
    try:
        offset, length = int(offset), int(length)
    except (TypeError, ValueError):
        raise ValidationError({"offset": ["Send Upload-Offset and Content-Length as byte counts."]}) from None
    if offset < 0 or length < 0:
        raise ValidationError({"offset": ["Upload-Offset and Content-Length are not negative."]})
    if length > settings.UPLOAD_CHUNK_MAX_BYTES:
        raise PayloadTooLarge(f"Send at most {_megabytes(settings.UPLOAD_CHUNK_MAX_BYTES)} per request.")
    path = partial_path(upload)
    with open(path, "r+b" if path.exists() else "w+b") as handle:
        # One writer at a time per upload: a second request for the same offset waits, then finds
        # the offset moved and is told so.
        fcntl.flock(handle, fcntl.LOCK_EX)
        current = Upload.objects.filter(pk=upload.pk).values_list("offset", flat=True).first()
        if current is None:
            raise NotFound("No such upload (it may have expired).")
        if offset != current:
            raise Conflict(
                f"This upload is at byte {current}; send from there.",
                code="offset_mismatch",
                extra={"offset": current},
            )
        if offset + length > upload.length:
            raise PayloadTooLarge(
                f"The upload is {upload.length} bytes; {offset + length} would exceed it.",
                code="exceeds_length",
            )
        handle.seek(offset)
        received = 0
        with contextlib.suppress(OSError):  # the client went away: keep what arrived
            while received < length:
                block = stream.read(min(COPY_BLOCK, length - received))
                if not block:
                    break
                handle.write(block)
                received += len(block)
        handle.truncate(offset + received)
        handle.flush()
        upload.offset = offset + received
        if not upload.content_type and (upload.offset >= files.SNIFF_BYTES or upload.offset == upload.length):
            handle.seek(0)
            kind = filetype.guess(handle.read(files.SNIFF_BYTES))
            allowed = PURPOSE_TYPES[upload.purpose]
            if kind is None or kind.mime not in allowed:
                _discard(upload)
                names = ", ".join(sorted({ext.upper() for ext in allowed.values()}))
                raise UnsupportedMediaType(f"This file is not a video or recording we accept ({names}).")
            upload.content_type = kind.mime
        Upload.objects.filter(pk=upload.pk).update(offset=upload.offset, content_type=upload.content_type)
    return upload


def upload_delete(*, owner: User, upload_id: Any) -> None:
    _discard(upload_get(owner=owner, upload_id=upload_id))


def uploads_expire(*, now: datetime | None = None) -> int:
    """Removes unfinished uploads past their expiry, and their bytes."""
    count = 0
    for upload in Upload.objects.filter(expires_at__lte=now or timezone.now()).only("pk"):
        _discard(upload)
        count += 1
    return count


@dataclass
class Incoming:
    """A file a service is about to store: sent whole in the request, or a finished upload."""

    file: File
    content_type: str
    extension: str
    size: int
    name: str
    finish: Callable[[], None]


def _incoming(*, owner: User, purpose: str, file: File | None, upload_id: Any, field: str) -> Incoming:
    if (file is None) == (upload_id in (None, "")):
        raise ValidationError({field: ["Send the file, or the id of a finished upload (upload), not both."]})
    allowed = PURPOSE_TYPES[purpose]
    limit = _max_bytes(purpose)
    if file is not None:
        if file.size is not None and file.size > limit:
            raise ValidationError({field: [f"The file is larger than {_megabytes(limit)}."]})
        sniffed = files.sniff(file, allowed=allowed, field=field)
        return Incoming(
            file, sniffed.content_type, sniffed.extension, file.size or 0, file.name or "", lambda: None
        )
    try:
        upload = upload_get(owner=owner, upload_id=upload_id)
    except (NotFound, ValidationError):
        raise ValidationError({"upload": ["No such upload of yours (it may have expired)."]}) from None
    if upload.purpose != purpose:
        raise ValidationError(
            {"upload": [f"This upload was opened for a {upload.get_purpose_display().lower()}."]}
        )
    if not upload.is_complete or not upload.content_type:
        raise Conflict(
            f"The upload has {upload.offset} of its {upload.length} bytes; finish it first.",
            code="upload_incomplete",
            extra={"offset": upload.offset},
        )
    path = partial_path(upload)
    handle = open(path, "rb")  # noqa: SIM115 - closed by finish(), after the storage has copied it

    def finish() -> None:
        handle.close()
        Upload.objects.filter(pk=upload.pk).delete()
        transaction.on_commit(lambda: path.unlink(missing_ok=True))

    return Incoming(
        File(handle, name=upload.filename or f"upload.{allowed[upload.content_type]}"),
        upload.content_type,
        allowed[upload.content_type],
        upload.length,
        upload.filename,
        finish,
    )


def _store(field_file, incoming: Incoming, stem: str) -> None:
    """Saves ``incoming`` into ``field_file`` (not the row) under our own name and extension."""
    field_file.save(f"{stem}.{incoming.extension}", incoming.file, save=False)


def _delete_later(storage: Storage, *names: str) -> None:
    def delete() -> None:
        for name in names:
            if name:
                with contextlib.suppress(OSError, NotImplementedError):
                    storage.delete(name)

    transaction.on_commit(delete)


def _delete_tree(storage: Storage, prefix: str) -> None:
    try:
        folders, names = storage.listdir(prefix)
    except (OSError, NotImplementedError):
        return
    for name in names:
        storage.delete(f"{prefix}/{name}")
    for folder in folders:
        _delete_tree(storage, f"{prefix}/{folder}")


# --- videos -------------------------------------------------------------------------------------


def _require_manager(actor: User, course: Course) -> None:
    if not can_manage_course(actor, course):
        raise NotFound("No such course among yours.")


def video_create(
    *,
    course: Course,
    actor: User,
    title: str = "",
    lesson: Lesson | None = None,
    file: File | None = None,
    upload_id: Any = None,
    external_url: str = "",
) -> Video:
    """A course video from an uploaded file (processed into HLS by a worker) or an external
    address. Given a lesson, it becomes that lesson's video, replacing the one it had."""
    _require_manager(actor, course)
    if lesson is not None and lesson.module.course_id != course.pk:
        raise ValidationError({"lesson": ["That lesson is in another course."]})
    title = (title or "").strip() or (lesson.title if lesson is not None else "")
    video = Video(course=course, lesson=lesson, uploaded_by=actor, external_url=external_url or "")
    incoming = None
    if external_url:
        if file is not None or upload_id:
            raise ValidationError({"external_url": ["Send a file or an address, not both."]})
        video.status = Video.Status.READY
    else:
        incoming = _incoming(
            owner=actor, purpose=Upload.Purpose.VIDEO, file=file, upload_id=upload_id, field="file"
        )
        title = title or PurePath(incoming.name).stem[:200]
    video.title = title or "Video"
    video.full_clean(exclude=["source", "lesson", "course", "uploaded_by"])
    try:
        with transaction.atomic():
            if lesson is not None:
                old = Video.objects.select_for_update().filter(lesson=lesson).first()
                if old is not None:
                    _video_remove(old)
            if incoming is not None:
                _store(video.source, incoming, "source")
                video.source_type, video.source_size = incoming.content_type, incoming.size
            video.save()
            if incoming is not None:
                incoming.finish()
                _process_after_commit(video)
    except Exception:
        if incoming is not None:
            incoming.file.close()
        if video.source.name:
            with contextlib.suppress(OSError):
                video.source.storage.delete(video.source.name)
        raise
    return video


def _process_after_commit(video: Video) -> None:
    from . import tasks

    video_id = str(video.pk)
    transaction.on_commit(lambda: tasks.process_video.delay(video_id))


def video_update(*, video: Video, actor: User, title: str | None = None, lesson: Any = ...) -> Video:
    """Renames a video, or moves it to another lesson of its course (``lesson=None`` detaches
    it); a lesson that had a video keeps only the new one."""
    _require_manager(actor, video.course)
    with transaction.atomic():
        if title is not None:
            if not title.strip():
                raise ValidationError({"title": ["A video has a title."]})
            video.title = title.strip()[:200]
        if lesson is not ...:
            if lesson is not None:
                if lesson.module.course_id != video.course_id:
                    raise ValidationError({"lesson": ["That lesson is in another course."]})
                other = Video.objects.select_for_update().filter(lesson=lesson).exclude(pk=video.pk).first()
                if other is not None:
                    _video_remove(other)
            video.lesson = lesson
        video.save()
    return video


def _video_remove(video: Video) -> None:
    video.delete()  # its files go once the deletion commits (files_of_deleted_video)


def files_of_deleted_video(*, video: Video) -> None:
    """A video's files (source, captions, thumbnail, renditions) leave the storage once its row's
    deletion commits, however it was deleted (here, or with its course)."""
    storage = video.source.storage
    _delete_later(storage, video.source.name, video.captions.name, video.thumbnail)
    prefix = f"videos/{video.pk}/hls"
    transaction.on_commit(lambda: _delete_tree(storage, prefix))


def files_of_deleted_recording(*, recording: Recording) -> None:
    _delete_later(recording.file.storage, recording.file.name)


def video_delete(*, video: Video, actor: User) -> None:
    _require_manager(actor, video.course)
    with transaction.atomic():
        _video_remove(video)


def video_set_captions(*, video: Video, actor: User, file: File, language: str = "en") -> Video:
    """Stores WebVTT captions (parsed, so a player will read them) for the video."""
    _require_manager(actor, video.course)
    if not re.fullmatch(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})?", language or ""):
        raise ValidationError({"language": ["Give a language tag such as en or pt-BR."]})
    if file.size is not None and file.size > settings.CAPTIONS_MAX_BYTES:
        raise ValidationError(
            {"captions": [f"Captions may be at most {_megabytes(settings.CAPTIONS_MAX_BYTES)}."]}
        )
    raw = file.read(settings.CAPTIONS_MAX_BYTES + 1)
    if len(raw) > settings.CAPTIONS_MAX_BYTES:
        raise ValidationError(
            {"captions": [f"Captions may be at most {_megabytes(settings.CAPTIONS_MAX_BYTES)}."]}
        )
    try:
        text = raw.decode("utf-8-sig")
        parsed = webvtt.from_buffer(io.StringIO(text))
    except (UnicodeDecodeError, MalformedFileError, MalformedCaptionError):
        raise ValidationError({"captions": ["This is not a WebVTT (.vtt) captions file."]}) from None
    if not parsed.captions:
        raise ValidationError({"captions": ["The captions file has no captions."]})
    old = video.captions.name
    with transaction.atomic():
        video.captions.save("captions.vtt", ContentFile(text.encode("utf-8")), save=False)
        video.captions_language = language
        video.save(update_fields=["captions", "captions_language", "updated_at"])
        _delete_later(video.captions.storage, old)
    return video


def video_remove_captions(*, video: Video, actor: User) -> Video:
    _require_manager(actor, video.course)
    old = video.captions.name
    with transaction.atomic():
        video.captions = ""
        video.save(update_fields=["captions", "updated_at"])
        _delete_later(video.source.storage, old)
    return video


def video_reprocess(*, video: Video, actor: User) -> Video:
    """Processes a failed (or finished) upload again."""
    _require_manager(actor, video.course)
    if not video.source:
        raise Conflict(
            "This video is an external address; there is nothing to process.", code="nothing_to_process"
        )
    with transaction.atomic():
        changed = Video.objects.filter(
            pk=video.pk, status__in=[Video.Status.FAILED, Video.Status.READY]
        ).update(status=Video.Status.UPLOADED, failure_reason="")
        if not changed:
            raise Conflict("This video is being processed already.", code="processing")
        video.refresh_from_db()
        _process_after_commit(video)
    return video


@contextlib.contextmanager
def _local_copy(field_file, work: Path) -> Iterator[Path]:
    """A path on this machine holding the stored file: the file itself on local storage, else a
    copy (an S3 bucket)."""
    try:
        yield Path(field_file.path)
        return
    except NotImplementedError:
        pass
    target = work / f"source{PurePath(field_file.name).suffix}"
    with field_file.storage.open(field_file.name, "rb") as source, open(target, "wb") as copy:
        shutil.copyfileobj(source, copy, COPY_BLOCK)
    yield target


def _save_exact(storage: Storage, name: str, path: Path) -> None:
    with open(path, "rb") as handle:
        saved = storage.save(name, File(handle))
    if saved != name:  # the playlists name their segments: a renamed file would break them
        storage.delete(saved)
        raise ffmpeg.MediaError(f"The storage would not keep {name} under its name.")


def _fail(model, pk, reason: str) -> None:
    model.objects.filter(pk=pk).update(status=model.Status.FAILED, failure_reason=reason[:2000])


def _processed(model, pk, work: Callable[[Path], Any]) -> Any:
    """``work(folder)`` in a fresh temporary folder; if it fails, the row is ``failed`` with the
    reason (ffmpeg's, or a general one once logged) and the answer is None."""
    try:
        with tempfile.TemporaryDirectory(prefix="lyceum-media-") as folder:
            return work(Path(folder))
    except ffmpeg.MediaError as error:
        _fail(model, pk, str(error))
    except Exception:
        logger.exception("processing %s %s failed", model._meta.model_name, pk)
        _fail(model, pk, "Processing failed on the server; try processing it again.")
    return None


def video_process(*, video_id: Any) -> Video | None:
    """Probes an uploaded video, makes its thumbnail and HLS renditions and stores them beside
    it. Ends ``ready``, or ``failed`` with the reason; never left ``processing``. Does nothing
    unless the video is waiting (another worker has it, or it is done)."""
    claimed = Video.objects.filter(pk=video_id, status=Video.Status.UPLOADED).update(
        status=Video.Status.PROCESSING, processing_started_at=timezone.now(), failure_reason=""
    )
    if not claimed:
        return None
    video = Video.objects.get(pk=video_id)
    storage = video.source.storage
    prefix = f"videos/{video.pk}/hls"

    def work(folder: Path):
        with _local_copy(video.source, folder) as source:
            info = ffmpeg.probe(source)
            if info.duration <= 0:
                raise ffmpeg.MediaError("The video has no duration: it may be cut short or damaged.")
            out = folder / "hls"
            renditions = ffmpeg.hls(
                source, out, probe=info, segment_seconds=settings.VIDEO_HLS_SEGMENT_SECONDS
            )
            thumb = folder / "thumbnail.jpg"
            ffmpeg.thumbnail(source, thumb, at=min(1.0, info.duration / 2))
        _delete_tree(storage, prefix)
        for path in sorted(out.rglob("*")):
            if path.is_file():
                _save_exact(storage, f"{prefix}/{path.relative_to(out).as_posix()}", path)
        with open(thumb, "rb") as handle:
            thumbnail = storage.save(f"videos/{video.pk}/thumbnail-{uuid.uuid4().hex[:8]}.jpg", File(handle))
        return info, renditions, thumbnail

    made = _processed(Video, video.pk, work)
    if made is not None:
        info, renditions, thumbnail = made
        Video.objects.filter(pk=video.pk).update(
            status=Video.Status.READY,
            duration=round(info.duration, 3),
            width=info.width,
            height=info.height,
            renditions=renditions,
            hls_playlist=f"{prefix}/master.m3u8",
            thumbnail=thumbnail,
            processed_at=timezone.now(),
        )
        if video.thumbnail:
            with contextlib.suppress(OSError):
                storage.delete(video.thumbnail)
    return Video.objects.get(pk=video.pk)


def videos_sweep(*, now: datetime | None = None) -> dict[str, int]:
    """What the periodic task does: fails videos and recordings a lost worker left processing,
    queues videos whose task never ran, and expires unfinished uploads."""
    from . import tasks

    now = now or timezone.now()
    stuck_before = now - timedelta(seconds=2 * settings.VIDEO_PROCESS_TIMEOUT)
    reason = "Processing stopped before it finished (the worker was lost); process it again."
    stuck = Video.objects.filter(
        status=Video.Status.PROCESSING, processing_started_at__lt=stuck_before
    ).update(status=Video.Status.FAILED, failure_reason=reason)
    stuck += Recording.objects.filter(status=Recording.Status.PROCESSING, created_at__lt=stuck_before).update(
        status=Recording.Status.FAILED, failure_reason=reason
    )
    waiting = list(
        Video.objects.filter(
            status=Video.Status.UPLOADED, updated_at__lt=now - timedelta(minutes=10)
        ).values_list("pk", flat=True)
    )
    for video_id in waiting:
        tasks.process_video.delay(str(video_id))
    return {"failed": stuck, "queued": len(waiting), "uploads_expired": uploads_expire(now=now)}


# --- streams: signed, expiring addresses ---------------------------------------------------------

STREAM_SALT = "lyceum.media.stream"
HLS_PATH = re.compile(r"(?:master\.m3u8|\d{3,4}p/(?:index\.m3u8|seg_\d{4,6}\.ts))")
# The parts of a video whose stored names its row holds: stream path -> the Video field.
STORED_PARTS = {"source": "source", "thumbnail.jpg": "thumbnail", "captions.vtt": "captions"}
STREAM_TYPES = {
    ".m3u8": "application/vnd.apple.mpegurl",
    ".ts": "video/mp2t",
    ".vtt": "text/vtt",
    ".jpg": "image/jpeg",
}


def stream_token(*, video: Video, viewer: User | None) -> str:
    """An address token for whoever ``viewer`` is (already authorised), valid for
    VIDEO_STREAM_URL_MAX_AGE: players and mobile clients fetch playlists and segments with it,
    without cookies or headers."""
    return signing.TimestampSigner(salt=STREAM_SALT).sign_object(
        {"v": video.pk.hex, "u": str(viewer.pk) if viewer is not None else None}
    )


def stream_expires_at() -> datetime:
    return timezone.now() + timedelta(seconds=settings.VIDEO_STREAM_URL_MAX_AGE)


@dataclass
class StreamFile:
    storage: Storage
    name: str
    content_type: str
    filename: str


def stream_file(*, video_id: Any, token: str, path: str) -> StreamFile:
    """The stored file a signed stream address names; 403 for a bad or expired token."""
    try:
        claims = signing.TimestampSigner(salt=STREAM_SALT).unsign_object(
            token, max_age=settings.VIDEO_STREAM_URL_MAX_AGE
        )
    except signing.SignatureExpired:
        raise Forbidden(
            "This video address has expired; open the video again.", code="stream_expired"
        ) from None
    except signing.BadSignature:
        raise Forbidden("This video address is not valid.", code="stream_invalid") from None
    video_id = uuid.UUID(str(video_id))
    if not isinstance(claims, dict) or claims.get("v") != video_id.hex:
        raise Forbidden("This video address is not valid.", code="stream_invalid")
    storage = Video._meta.get_field("source").storage
    if HLS_PATH.fullmatch(path):
        # Playlists and segments (most of a playback's requests) have names of their own: the
        # signed address names the video, the file exists only once processing stored it.
        name, content_type = f"videos/{video_id}/hls/{path}", STREAM_TYPES[PurePath(path).suffix]
    else:
        field = STORED_PARTS.get(path)
        row = Video.objects.filter(pk=video_id).values_list(field, "source_type").first() if field else None
        if row is None or not row[0]:
            raise NotFound("No such part of this video.")
        name, source_type = row
        if field == "source":
            content_type = source_type or "application/octet-stream"
        else:
            content_type = STREAM_TYPES[PurePath(path).suffix]
    if not storage.exists(name):
        raise NotFound("No such part of this video.")
    return StreamFile(storage, name, content_type, PurePath(name).name)


# --- watch progress ------------------------------------------------------------------------------

# Reports nearer than this to each other, or to the end, are one interval (timeupdate's grain).
MERGE_GAP = 0.3
# Positions may overshoot the duration by this much (the last frame's length, rounding).
END_TOLERANCE = 0.5
# A client's clock may be this far ahead of ours.
CLOCK_SKEW = timedelta(seconds=30)
MAX_SEGMENTS_PER_REPORT = 50


class ImpossibleReport(Unprocessable):
    code = "impossible_report"


def merge_segments(
    segments: list[list[float]] | list[tuple[float, float]], *, gap: float = MERGE_GAP
) -> list[list[float]]:
    """Sorted, non-overlapping intervals covering ``segments``; intervals closer than ``gap``
    become one."""
    merged: list[list[float]] = []
    for start, end in sorted((float(s), float(e)) for s, e in segments if e > s):
        if merged and start <= merged[-1][1] + gap:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [[round(s, 3), round(e, 3)] for s, e in merged]


def covered_seconds(segments: list[list[float]]) -> float:
    return round(sum(end - start for start, end in segments), 3)


@dataclass
class ProgressReport:
    progress: VideoProgress
    duration: float
    lesson_completed: bool


def progress_report(
    *,
    user: User,
    video: Video,
    segments: list[list[float]],
    position: float | None = None,
    sequence: int | None = None,
    sent_at: datetime | None = None,
) -> ProgressReport:
    """Adds what the player says it played since its last report. A report is refused (422,
    progress unchanged) when it could not be true: a position outside the video, a date in the
    future, or more playing than the time since the last report allows (VIDEO_MAX_PLAYBACK_RATE,
    VIDEO_REPORT_MAX_SECONDS); a report already received (``sequence`` not above the last) is 409.
    When VIDEO_COMPLETION_SHARE of the video has been played the video is complete, and with it
    its lesson (``lesson_completed``) for an enrolled viewer."""
    if video.status != Video.Status.READY or not video.duration:
        raise Conflict("This video cannot be watched yet.", code="video_not_ready")
    duration = float(video.duration)
    if len(segments) > MAX_SEGMENTS_PER_REPORT:
        raise ValidationError({"segments": [f"Send at most {MAX_SEGMENTS_PER_REPORT} segments per report."]})
    for start, end in segments:
        if start < 0 or end < start:
            raise ValidationError({"segments": ["Each segment is [start, end] with 0 <= start <= end."]})
        if end > duration + END_TOLERANCE:
            raise ImpossibleReport(f"A segment ends at {end:.1f} s; the video is {duration:.1f} s long.")
    if position is not None and not 0 <= position <= duration + END_TOLERANCE:
        raise ImpossibleReport(f"The position {position:.1f} s is outside the video ({duration:.1f} s).")
    now = timezone.now()
    if sent_at is not None and sent_at > now + CLOCK_SKEW:
        raise ImpossibleReport("This report is dated in the future.")
    ratelimit.hit("video_progress", f"user:{user.pk}", message="Too many progress reports; slow down.")
    report = merge_segments([[s, min(e, duration)] for s, e in segments], gap=0)
    claimed = covered_seconds(report)
    lesson_completed = False
    with transaction.atomic():
        VideoProgress.objects.get_or_create(user=user, video=video)
        progress = VideoProgress.objects.select_for_update().get(user=user, video=video)
        if sequence is not None and progress.last_sequence is not None and sequence <= progress.last_sequence:
            raise Conflict("This report was received already.", code="stale_report")
        rate = settings.VIDEO_MAX_PLAYBACK_RATE
        cap = settings.VIDEO_REPORT_MAX_SECONDS
        if progress.last_report_at is not None:
            elapsed = max(0.0, (now - progress.last_report_at).total_seconds())
        else:
            elapsed = cap / rate
        allowed = min(elapsed * rate + settings.VIDEO_REPORT_SLACK_SECONDS, cap)
        if claimed > allowed:
            raise ImpossibleReport(
                f"The report says {claimed:.1f} s were played; at most {allowed:.1f} s could have been "
                "since the last report."
            )
        progress.segments = merge_segments([*progress.segments, *report])
        progress.watched_seconds = min(duration, covered_seconds(progress.segments))
        if position is not None:
            progress.last_position = round(min(position, duration), 3)
        progress.last_report_at = now
        if sequence is not None:
            progress.last_sequence = sequence
        if (
            progress.completed_at is None
            and progress.watched_seconds >= settings.VIDEO_COMPLETION_SHARE * duration
        ):
            progress.completed_at = now
            if video.lesson_id is not None and course_selectors.enrollment_for(
                user=user, course=video.course
            ):
                course_services.lesson_complete(user=user, lesson=video.lesson)
                lesson_completed = True
        progress.save()
    return ProgressReport(progress=progress, duration=duration, lesson_completed=lesson_completed)


# --- recordings ----------------------------------------------------------------------------------


def _share_target(*, owner: User, course_id: Any, visibility: str) -> Course | None:
    if visibility not in Recording.Visibility.values:
        raise ValidationError({"visibility": [f"Choose one of: {', '.join(Recording.Visibility.values)}."]})
    if course_id in (None, ""):
        if visibility == Recording.Visibility.COURSE:
            raise ValidationError({"course": ["Choose the course to share the recording with."]})
        return None
    course = Course.objects.select_related("instructor").filter(pk=course_id).first()
    if course is None:
        raise ValidationError({"course": ["No such course."]})
    try:
        course_member(viewer=owner, course=course)
    except ApplicationError:
        raise ValidationError({"course": ["You can share only with a course you take or teach."]}) from None
    return course


def recording_create(
    *,
    owner: User,
    title: str = "",
    file: File | None = None,
    upload_id: Any = None,
    course_id: Any = None,
    visibility: str = Recording.Visibility.PRIVATE,
    duration: float | None = None,
) -> Recording:
    """Stores a recording, private unless shared with a course the owner belongs to; a worker
    then gives it a duration and an index (MediaRecorder's WebM has neither)."""
    course = _share_target(owner=owner, course_id=course_id, visibility=visibility)
    incoming = _incoming(
        owner=owner, purpose=Upload.Purpose.RECORDING, file=file, upload_id=upload_id, field="file"
    )
    title = (title or "").strip()[:200] or f"Recording {timezone.localtime():%Y-%m-%d %H:%M}"
    recording = Recording(
        owner=owner,
        course=course,
        title=title,
        visibility=visibility,
        content_type=incoming.content_type,
        size=incoming.size,
        duration=duration if duration and duration > 0 else None,
    )
    try:
        with transaction.atomic():
            _store(recording.file, incoming, "recording")
            recording.save()
            incoming.finish()
            from . import tasks

            recording_id = str(recording.pk)
            transaction.on_commit(lambda: tasks.process_recording.delay(recording_id))
    except Exception:
        incoming.file.close()
        if recording.file.name:
            with contextlib.suppress(OSError):
                recording.file.storage.delete(recording.file.name)
        raise
    return recording


def recording_process(*, recording_id: Any) -> Recording | None:
    """Reads the recording's duration; a WebM from a browser is remuxed first so that it has one
    and can be seeked. Ends ``ready`` or ``failed`` with the reason."""
    recording = Recording.objects.filter(pk=recording_id, status=Recording.Status.PROCESSING).first()
    if recording is None:
        return None
    storage = recording.file.storage

    def work(folder: Path):
        with _local_copy(recording.file, folder) as source:
            suffix = PurePath(recording.file.name).suffix
            fixed = folder / f"fixed{suffix}"
            ffmpeg.remux(source, fixed)
            info = ffmpeg.probe(fixed, audio_only_ok=True)
        with open(fixed, "rb") as handle:
            return info, storage.save(
                f"recordings/{recording.owner_id}/{uuid.uuid4().hex}{suffix}", File(handle)
            )

    made = _processed(Recording, recording.pk, work)
    if made is not None:
        info, new_name = made
        updated = Recording.objects.filter(pk=recording.pk, status=Recording.Status.PROCESSING).update(
            status=Recording.Status.READY,
            file=new_name,
            size=storage.size(new_name),
            duration=round(info.duration, 3) if info.duration else recording.duration,
        )
        with contextlib.suppress(OSError):
            storage.delete(recording.file.name if updated else new_name)
    return Recording.objects.get(pk=recording.pk)


def recording_update(
    *,
    recording: Recording,
    actor: User,
    title: str | None = None,
    visibility: str | None = None,
    course_id: Any = ...,
) -> Recording:
    if recording.owner_id != actor.pk:
        raise NotFound("No such recording.")
    if title is not None:
        if not title.strip():
            raise ValidationError({"title": ["A recording has a title."]})
        recording.title = title.strip()[:200]
    visibility = visibility or recording.visibility
    if course_id is ...:
        course_id = recording.course_id
    recording.course = _share_target(owner=actor, course_id=course_id, visibility=visibility)
    recording.visibility = visibility
    recording.save(update_fields=["title", "visibility", "course"])
    return recording


def recording_delete(*, recording: Recording, actor: User) -> None:
    if recording.owner_id != actor.pk:
        raise NotFound("No such recording.")
    recording.delete()  # its file goes once the deletion commits (files_of_deleted_recording)
