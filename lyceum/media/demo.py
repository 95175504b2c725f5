"""The demo lesson video for `manage.py init_data`: 20 seconds of ffmpeg's test pattern with a
tone and English captions, on the Python course's "Variables and types" lesson, processed into
HLS like any upload."""

from __future__ import annotations

import tempfile
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.base import ContentFile

from lyceum.accounts.models import User
from lyceum.courses.models import Course

from . import ffmpeg, services
from .models import Video

LESSON_TITLE = "Variables and types"
CAPTIONS = """WEBVTT

00:00.000 --> 00:05.000
Welcome back. In this lesson we name values.

00:05.000 --> 00:12.000
A variable is a name for a value: age = 30.

00:12.000 --> 00:17.000
Python works out the type from the value: int, str, float.

00:17.000 --> 00:20.000
Now try it in the exercise.
"""


def create_demo_video(*, course: Course, instructor: User) -> Video | None:
    """The demo video, made once; None when ffmpeg is not installed (the lesson keeps its text)
    or DEMO_VIDEO is off."""
    if not settings.DEMO_VIDEO:
        return None
    lesson = course.modules.filter(lessons__title=LESSON_TITLE).first()
    lesson = lesson.lessons.get(title=LESSON_TITLE) if lesson else None
    if lesson is None:
        return None
    existing = Video.objects.filter(lesson=lesson).first()
    if existing is not None:
        return existing
    with tempfile.TemporaryDirectory(prefix="lyceum-demo-") as folder:
        path = Path(folder) / "variables-and-types.mp4"
        try:
            ffmpeg.generate_test_video(path, seconds=20, size="480x270")
        except ffmpeg.MediaError:
            return None
        with open(path, "rb") as handle:
            video = services.video_create(
                course=course,
                actor=instructor,
                lesson=lesson,
                title="Variables and types, in 20 seconds",
                file=File(handle, name=path.name),
            )
    services.video_set_captions(
        video=video, actor=instructor, file=ContentFile(CAPTIONS.encode(), name="captions.vtt"), language="en"
    )
    return video
