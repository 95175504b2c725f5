"""Fixtures of the video tests: real clips made by ffmpeg's test sources, a course with a lesson,
and a video of that lesson that is ready to stream."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from lyceum.courses import services as course_services
from lyceum.courses.tests.factories import CourseFactory, LessonFactory, ModuleFactory
from lyceum.media import ffmpeg
from lyceum.media.models import Video


@pytest.fixture(scope="session")
def clip_path(tmp_path_factory) -> Path:
    """A 6-second 320x180 MP4 with sound."""
    path = tmp_path_factory.mktemp("clips") / "clip.mp4"
    ffmpeg.generate_test_video(path, seconds=6, size="320x180")
    return path


@pytest.fixture(scope="session")
def clip(clip_path) -> bytes:
    return clip_path.read_bytes()


@pytest.fixture(scope="session")
def webm(tmp_path_factory) -> bytes:
    """What a browser's MediaRecorder makes: VP8 and Opus in WebM, streamed (no duration, no cues)."""
    path = tmp_path_factory.mktemp("clips") / "recording.webm"
    subprocess.run(
        [
            settings.FFMPEG_BINARY, "-nostdin", "-v", "error", "-y",
            "-f", "lavfi", "-i", "testsrc2=size=320x180:rate=15:duration=3",
            "-f", "lavfi", "-i", "sine=frequency=330:duration=3",
            "-c:v", "libvpx", "-b:v", "300k", "-c:a", "libopus", "-shortest",
            "-f", "webm", "-live", "1", "pipe:1",
        ],
        check=True,
        stdout=path.open("wb"),
    )  # fmt: skip
    return path.read_bytes()


@pytest.fixture
def course(ines):
    return CourseFactory(instructor=ines)


@pytest.fixture
def lesson(course):
    return LessonFactory(module=ModuleFactory(course=course), title="Watch this")


@pytest.fixture
def enrolled(alice, course):
    course_services.enroll(user=alice, course=course)
    return alice


@pytest.fixture
def ready_video(lesson, ines, clip):
    """The lesson's video with its source stored, marked ready (6 s): enough to stream and to
    watch; test_processing makes the renditions for real."""
    video = Video(course=lesson.module.course, lesson=lesson, uploaded_by=ines, title="Clip")
    video.source.save("source.mp4", SimpleUploadedFile("clip.mp4", clip), save=False)
    video.source_type, video.source_size = "video/mp4", len(clip)
    video.status, video.duration, video.width, video.height = Video.Status.READY, 6.0, 320, 180
    video.save()
    return video
