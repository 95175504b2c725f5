"""Seeds the Range benchmark: a course, an enrolled student and a lesson video whose source is a
generated clip (ffmpeg's test sources); prints the video's signed source path and the stored
file's path, as JSON, on the last line.

    BENCH_CLIP_SECONDS=60 python bench/seed_video.py
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lyceum.settings")

import django

django.setup()

from django.core.files import File
from django.urls import reverse

from lyceum.accounts.models import User
from lyceum.courses.models import Course, Lesson, Module
from lyceum.media import ffmpeg, services
from lyceum.media.models import Video


def seed(seconds: int) -> dict:
    teacher = User.objects.create_user(username="bench-teacher", email="t@bench.localhost", password=None)
    student = User.objects.create_user(username="bench-student", email="s@bench.localhost", password=None)
    course = Course.objects.create(instructor=teacher, title="Bench", slug="bench", is_published=True)
    lesson = Lesson.objects.create(module=Module.objects.create(course=course, title="M"), title="Watch")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "clip.mp4"
        ffmpeg.generate_test_video(path, seconds=seconds, size="1280x720")
        video = Video(course=course, lesson=lesson, uploaded_by=teacher, title="Bench clip")
        with open(path, "rb") as handle:
            video.source.save("source.mp4", File(handle), save=False)
    video.source_type, video.source_size = "video/mp4", video.source.size
    video.status, video.duration = Video.Status.READY, float(seconds)
    video.save()
    token = services.stream_token(video=video, viewer=student)
    return {
        "stream": reverse("api:media:stream", kwargs={"id": video.pk, "token": token, "path": "source"}),
        "file": video.source.path,
        "size": video.source.size,
    }


if __name__ == "__main__":
    print(json.dumps(seed(int(os.environ.get("BENCH_CLIP_SECONDS", "60")))))
