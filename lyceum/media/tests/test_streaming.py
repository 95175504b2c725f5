"""Streaming: signed addresses for whoever may watch, HTTP Range requests (206, 416), and
nothing for anyone else."""

from __future__ import annotations

import time

import pytest
from django.core import signing

from lyceum.media import services
from lyceum.media.models import Video

pytestmark = pytest.mark.django_db


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def _source_url(client, video) -> str:
    response = client.get(f"/api/videos/{video.pk}/")
    assert response.status_code == 200, response.content
    return response.json()["stream"]["source"]


def test_the_whole_file_says_it_takes_ranges(api, login_api, enrolled, ready_video, clip):
    url = _source_url(login_api(enrolled), ready_video)

    response = api.get(url)

    assert response.status_code == 200
    assert response["Accept-Ranges"] == "bytes"
    assert response["Content-Type"] == "video/mp4"
    assert int(response["Content-Length"]) == len(clip)
    assert _body(response) == clip


@pytest.mark.parametrize(
    ("header", "span"),
    [
        ("bytes=0-99", (0, 100)),  # the first bytes
        ("bytes=1000-1999", (1000, 2000)),  # the middle
        ("bytes=-500", (-500, None)),  # a suffix: the last 500
        ("bytes=5000-", (5000, None)),  # from a byte to the end
    ],
)
def test_a_range_gets_206_with_exactly_those_bytes(api, login_api, enrolled, ready_video, clip, header, span):
    url = _source_url(login_api(enrolled), ready_video)
    start, stop = span
    expected = clip[start:stop] if stop is not None else clip[start:]
    first = len(clip) + start if start < 0 else start

    response = api.get(url, HTTP_RANGE=header)

    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes {first}-{first + len(expected) - 1}/{len(clip)}"
    assert int(response["Content-Length"]) == len(expected)
    assert _body(response) == expected


def test_a_suffix_longer_than_the_file_is_the_whole_file(api, login_api, enrolled, ready_video, clip):
    url = _source_url(login_api(enrolled), ready_video)

    response = api.get(url, HTTP_RANGE=f"bytes=-{len(clip) * 2}")

    assert response.status_code == 206
    assert _body(response) == clip


@pytest.mark.parametrize("header", ["bytes={size}-", "bytes={size}-{more}", "bytes=abc-def", "bytes=9-2"])
def test_a_range_outside_the_file_or_unreadable_is_416(api, login_api, enrolled, ready_video, clip, header):
    url = _source_url(login_api(enrolled), ready_video)

    response = api.get(url, HTTP_RANGE=header.format(size=len(clip), more=len(clip) + 100))

    assert response.status_code == 416
    assert response["Content-Range"] == f"bytes */{len(clip)}"


def test_several_ranges_get_the_whole_file(api, login_api, enrolled, ready_video, clip):
    url = _source_url(login_api(enrolled), ready_video)

    response = api.get(url, HTTP_RANGE="bytes=0-9,20-29")

    assert response.status_code == 200
    assert _body(response) == clip


def test_details_go_only_to_those_who_may_watch_the_lesson(
    api, login_api, enrolled, bob, oscar, ines, ready_video
):
    path = f"/api/videos/{ready_video.pk}/"

    student = login_api(enrolled).get(path)
    teacher = login_api(ines).get(path)

    assert student.status_code == 200
    assert student.json()["failure_reason"] is None and student.json()["can_manage"] is False
    assert teacher.status_code == 200 and teacher.json()["can_manage"] is True
    assert api.get(path).status_code == 403  # not signed in, not a preview
    assert login_api(bob).get(path).status_code == 403  # not enrolled
    assert login_api(oscar).get(path).status_code == 403  # another course's instructor


def test_a_preview_lessons_video_is_for_everyone(api, ready_video):
    ready_video.lesson.is_preview = True
    ready_video.lesson.save()

    response = api.get(f"/api/videos/{ready_video.pk}/")

    assert response.status_code == 200
    assert response.json()["stream"]["hls"].endswith("/master.m3u8")


def test_a_forged_or_foreign_address_is_refused(api, login_api, enrolled, ready_video, lesson, ines, clip):
    url = _source_url(login_api(enrolled), ready_video)
    token = url.split("/stream/")[1].split("/")[0]
    other = Video.objects.create(
        course=lesson.module.course, title="Other", external_url="https://example.com/v"
    )

    forged = api.get(url.replace(token, token[:-2] + ("AA" if not token.endswith("AA") else "BB")))
    foreign = api.get(f"/api/videos/{other.pk}/stream/{token}/source")

    assert forged.status_code == 403 and forged.json()["error"]["code"] == "stream_invalid"
    assert foreign.status_code == 403


def test_an_expired_address_is_refused(api, login_api, enrolled, ready_video, settings, monkeypatch):
    url = _source_url(login_api(enrolled), ready_video)
    later = time.time() + settings.VIDEO_STREAM_URL_MAX_AGE + 60
    monkeypatch.setattr(signing.time, "time", lambda: later)

    response = api.get(url)

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "stream_expired"


def test_only_known_parts_are_served(api, login_api, enrolled, ready_video):
    url = _source_url(login_api(enrolled), ready_video)
    base = url.rsplit("/", 1)[0]

    for path in ["../../../../settings.py", "360p/../../source", "captions.vtt", "720p/index.m3u8"]:
        response = api.get(f"{base}/{path}")
        assert response.status_code == 404, path


def test_a_token_names_the_viewer_and_the_video(ready_video, enrolled):
    token = services.stream_token(video=ready_video, viewer=enrolled)

    claims = signing.TimestampSigner(salt=services.STREAM_SALT).unsign_object(token)

    assert claims == {"v": ready_video.pk.hex, "u": str(enrolled.pk)}


def test_behind_nginx_the_stream_hands_the_stored_name_over(api, login_api, enrolled, ready_video, settings):
    url = _source_url(login_api(enrolled), ready_video)
    settings.MEDIA_ACCEL_REDIRECT_PREFIX = "/protected-media/"

    response = api.get(url, HTTP_RANGE="bytes=0-99")

    assert response.status_code == 200 and response.content == b""  # nginx answers the Range
    assert response["X-Accel-Redirect"] == f"/protected-media/{ready_video.source.name}"
    assert response["Content-Type"] == "video/mp4"
