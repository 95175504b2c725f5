"""Reads of video and recordings, with who may see what: a lesson's video goes to whoever may read
the lesson; a course video without a lesson to the course's members; a recording to its owner,
and to the course's members once shared with a course."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from lyceum.accounts.models import User
from lyceum.core.exceptions import Forbidden, NotFound
from lyceum.courses import selectors as course_selectors
from lyceum.courses.models import Course
from lyceum.courses.permissions import can_manage_course, taught_course_ids

from .models import Recording, Video, VideoProgress


@dataclass
class VideoView:
    video: Video
    manages: bool
    progress: VideoProgress | None


def _video(video_id: Any) -> Video | None:
    return (
        Video.objects.select_related("course__instructor", "lesson__module__course__instructor")
        .filter(pk=video_id)
        .first()
    )


def course_member(*, viewer: User | None, course: Course) -> bool:
    """Whether ``viewer`` manages ``course`` (True) or is enrolled in it (False); raises otherwise."""
    if not course_selectors.courses_visible_to(viewer).filter(pk=course.pk).exists():
        raise NotFound("No such course.")
    if viewer is not None and can_manage_course(viewer, course):
        return True
    if course_selectors.enrollment_for(user=viewer, course=course) is None:
        raise Forbidden("Enroll in this course to watch its videos.", code="not_enrolled")
    return False


def video_require_access(*, viewer: User | None, video: Video) -> bool:
    """Raises unless ``viewer`` may watch ``video``; returns whether they manage its course."""
    if video.lesson_id is not None:
        return course_selectors.lesson_require_access(viewer=viewer, lesson=video.lesson)
    return course_member(viewer=viewer, course=video.course)


def video_for_viewer(*, viewer: User | None, video_id: Any) -> VideoView:
    video = _video(video_id)
    if video is None:
        raise NotFound("No such video.")
    manages = video_require_access(viewer=viewer, video=video)
    return VideoView(video=video, manages=manages, progress=_progress(viewer=viewer, video=video))


def _progress(*, viewer: User | None, video: Video) -> VideoProgress | None:
    return VideoProgress.objects.filter(user=viewer, video=video).first() if viewer is not None else None


def lesson_video_view(*, viewer: User | None, lesson_id: Any, manages: bool) -> VideoView | None:
    """The lesson's video for a viewer the lesson's page has already let in (``manages`` as it
    found), or None."""
    video = Video.objects.select_related("course", "lesson").filter(lesson_id=lesson_id).first()
    if video is None:
        return None
    return VideoView(video=video, manages=manages, progress=_progress(viewer=viewer, video=video))


def lesson_video(*, lesson_id: Any) -> Video | None:
    return Video.objects.filter(lesson_id=lesson_id).first()


def managed_video(*, user: User, video_id: Any) -> Video:
    video = _video(video_id)
    if video is None or not can_manage_course(user, video.course):
        raise NotFound("No such video among your courses.")
    return video


def course_videos(*, course: Course) -> QuerySet[Video]:
    return Video.objects.filter(course=course).select_related("lesson").order_by("-created_at")


def my_recordings(*, user: User) -> QuerySet[Recording]:
    return Recording.objects.filter(owner=user).select_related("course").order_by("-created_at", "id")


def recording_for_viewer(*, viewer: User | None, recording_id: Any) -> Recording:
    """The owner's recording; another person's only once it is shared with a course they belong
    to. Others are told it does not exist."""
    recording = (
        Recording.objects.select_related("owner", "course__instructor").filter(pk=recording_id).first()
    )
    if recording is None or viewer is None:
        raise NotFound("No such recording.")
    if recording.owner_id == viewer.pk:
        return recording
    if recording.visibility == Recording.Visibility.COURSE and recording.course is not None:
        try:
            course_member(viewer=viewer, course=recording.course)
        except (NotFound, Forbidden):
            pass
        else:
            return recording
    raise NotFound("No such recording.")


def course_recordings(*, viewer: User, course_id: Any) -> QuerySet[Recording]:
    """Recordings shared with a course, for its members."""
    course = Course.objects.select_related("instructor").filter(pk=course_id).first()
    if course is None:
        raise NotFound("No such course.")
    course_member(viewer=viewer, course=course)
    return (
        Recording.objects.filter(course=course, visibility=Recording.Visibility.COURSE)
        .select_related("owner", "course")
        .order_by("-created_at", "id")
    )


def shareable_courses(*, user: User) -> QuerySet[Course]:
    """The courses ``user`` may share a recording with: those they take, own or teach."""
    return (
        Course.objects.filter(
            Q(enrollments__user=user) | Q(instructor=user) | Q(pk__in=list(taught_course_ids(user)))
        )
        .distinct()
        .order_by("title")
        .only("id", "title")
    )
