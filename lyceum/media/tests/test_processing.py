"""Processing with the real ffprobe and ffmpeg: a ready video has a duration, a thumbnail and at
least two HLS renditions; a corrupt file ends failed with the reason, never processing."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from lyceum.media import services
from lyceum.media.models import Video

pytestmark = pytest.mark.django_db


def _upload(client, lesson, data: bytes, name: str = "talk.mp4"):
    return client.post(
        f"/api/instructor/lessons/{lesson.pk}/video/",
        {"video": SimpleUploadedFile(name, data)},
        format="multipart",
    )


def _text(response) -> str:
    return b"".join(response.streaming_content).decode()


def test_an_uploaded_video_is_processed_into_renditions(
    login_api, ines, lesson, clip, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        created = _upload(login_api(ines), lesson, clip)

    assert created.status_code == 201, created.content
    video = Video.objects.get(pk=created.json()["id"])
    assert video.status == Video.Status.READY, video.failure_reason
    assert video.duration == pytest.approx(6.0, abs=0.2)
    assert (video.width, video.height) == (320, 180)
    assert len(video.renditions) >= 2
    assert len({r["bandwidth"] for r in video.renditions}) == len(video.renditions)
    with default_storage.open(video.thumbnail) as thumbnail:
        assert thumbnail.read(3) == b"\xff\xd8\xff"  # a JPEG
    master = default_storage.open(video.hls_playlist).read().decode()
    for rendition in video.renditions:
        assert rendition["playlist"] in master
        playlist = default_storage.open(f"videos/{video.pk}/hls/{rendition['playlist']}").read().decode()
        segments = [line for line in playlist.splitlines() if line.endswith(".ts")]
        assert segments and "#EXT-X-ENDLIST" in playlist
        folder = rendition["playlist"].rsplit("/", 1)[0]
        assert all(default_storage.exists(f"videos/{video.pk}/hls/{folder}/{s}") for s in segments)
    assert video.lesson == lesson


def test_the_player_gets_the_playlists_and_segments(
    api, login_api, ines, enrolled, lesson, clip, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        video_id = _upload(login_api(ines), lesson, clip).json()["id"]
    hls = login_api(enrolled).get(f"/api/videos/{video_id}/").json()["stream"]["hls"]

    master = api.get(hls)
    variant_path = next(line for line in _text(master).splitlines() if line.endswith(".m3u8"))
    variant = api.get(hls.rsplit("/", 1)[0] + "/" + variant_path)
    segment_path = next(line for line in _text(variant).splitlines() if line.endswith(".ts"))
    segment = api.get(hls.rsplit("/", 1)[0] + "/" + variant_path.rsplit("/", 1)[0] + "/" + segment_path)

    assert master.status_code == 200 and master["Content-Type"] == "application/vnd.apple.mpegurl"
    assert variant.status_code == 200
    assert segment.status_code == 200 and segment["Content-Type"] == "video/mp2t"
    assert b"".join(segment.streaming_content)[:1] == b"\x47"  # an MPEG-TS sync byte


def test_a_corrupt_upload_ends_failed_with_the_reason(
    login_api, ines, lesson, clip, django_capture_on_commit_callbacks
):
    corrupt = clip[:4096] + os.urandom(20_000)  # an MP4's head, then noise

    with django_capture_on_commit_callbacks(execute=True):
        created = _upload(login_api(ines), lesson, corrupt)

    assert created.status_code == 201  # it looked like an MP4
    video = Video.objects.get(pk=created.json()["id"])
    assert video.status == Video.Status.FAILED
    assert video.failure_reason
    assert login_api(ines).get(f"/api/videos/{video.pk}/").json()["failure_reason"] == video.failure_reason


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("notes.mp4", b"just some text pretending\n" * 100),
        ("page.mp4", b"<html><script>alert(1)</script></html>"),
    ],
)
def test_a_file_that_is_not_a_video_is_refused_at_upload(login_api, ines, lesson, name, data):
    refused = _upload(login_api(ines), lesson, data, name)

    assert refused.status_code == 400
    assert "file" in refused.json()["error"]["fields"]
    assert not Video.objects.exists()


def test_only_the_courses_staff_set_its_videos(login_api, oscar, enrolled, lesson, clip):
    assert _upload(login_api(oscar), lesson, clip).status_code == 404
    assert _upload(login_api(enrolled), lesson, clip).status_code == 404
    assert not Video.objects.exists()


def test_a_new_lesson_video_replaces_the_old_one(login_api, ines, lesson, ready_video, clip):
    old_source = ready_video.source.name

    created = _upload(login_api(ines), lesson, clip)

    assert created.status_code == 201
    assert (
        list(Video.objects.values_list("pk", flat=True)) == [created.json()["id"]]
        or Video.objects.count() == 1
    )
    assert not Video.objects.filter(pk=ready_video.pk).exists()
    assert default_storage.exists(old_source)  # deleted once the transaction commits


def test_a_video_left_processing_by_a_lost_worker_is_failed_by_the_sweep(ready_video, settings):
    Video.objects.filter(pk=ready_video.pk).update(
        status=Video.Status.PROCESSING,
        processing_started_at=timezone.now() - timedelta(seconds=3 * settings.VIDEO_PROCESS_TIMEOUT),
    )

    swept = services.videos_sweep()

    ready_video.refresh_from_db()
    assert swept["failed"] == 1
    assert ready_video.status == Video.Status.FAILED and "worker was lost" in ready_video.failure_reason


def test_a_failed_video_is_processed_again(login_api, ines, ready_video, django_capture_on_commit_callbacks):
    Video.objects.filter(pk=ready_video.pk).update(status=Video.Status.FAILED, failure_reason="earlier")

    with django_capture_on_commit_callbacks(execute=True):
        answer = login_api(ines).post(f"/api/videos/{ready_video.pk}/reprocess/")

    assert answer.status_code == 202
    ready_video.refresh_from_db()
    assert ready_video.status == Video.Status.READY and ready_video.failure_reason == ""
    assert ready_video.hls_playlist.endswith("master.m3u8")


def test_captions_must_be_webvtt(login_api, ines, ready_video, api, enrolled):
    client = login_api(ines)
    url = f"/api/videos/{ready_video.pk}/captions/"
    good = b"WEBVTT\n\n00:00.000 --> 00:02.000\nHello, Lyceum.\n"

    bad = client.put(
        url, {"captions": SimpleUploadedFile("c.vtt", b"1\n00:00:00,000 --> x\nhi")}, format="multipart"
    )
    ok = client.put(
        url, {"captions": SimpleUploadedFile("c.vtt", good), "language": "en"}, format="multipart"
    )
    captions = login_api(enrolled).get(f"/api/videos/{ready_video.pk}/").json()["stream"]["captions"]

    assert bad.status_code == 400 and "captions" in bad.json()["error"]["fields"]
    assert ok.status_code == 200
    served = api.get(captions)
    assert served["Content-Type"] == "text/vtt"
    assert b"".join(served.streaming_content) == good


def test_deleting_a_course_takes_its_videos_files_with_it(
    login_api, ines, lesson, clip, django_capture_on_commit_callbacks, settings
):
    with django_capture_on_commit_callbacks(execute=True):
        video_id = _upload(login_api(ines), lesson, clip).json()["id"]
    video = Video.objects.get(pk=video_id)  # processed once the upload committed
    names = [video.source.name, video.thumbnail, video.hls_playlist]
    assert all(default_storage.exists(name) for name in names)

    with django_capture_on_commit_callbacks(execute=True):
        lesson.module.course.delete()

    assert not Video.objects.exists()
    assert [name for name in names if default_storage.exists(name)] == []
    left = [p for p in (Path(settings.MEDIA_ROOT) / "videos" / str(video.pk)).rglob("*") if p.is_file()]
    assert left == []  # (empty folders may stay on a local disk; a bucket has none)


def test_the_course_outline_shows_a_new_lesson_video_at_once(api, login_api, ines, lesson, clip):
    url = f"/api/courses/{lesson.module.course_id}/"

    def has_video() -> bool:
        outline = api.get(url).json()["modules"]
        return next(item for module in outline for item in module["lessons"])["has_video"]

    before = has_video()  # now cached
    _upload(login_api(ines), lesson, clip)

    assert before is False
    assert has_video() is True
