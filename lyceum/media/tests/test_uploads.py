"""Resumable uploads over tus 1.0.0: checked against the protocol's own Python client (tuspy),
by content and size, one writer at a time, and private to their owner."""

from __future__ import annotations

import base64
import io
from datetime import timedelta

import pytest
import requests
from django.utils import timezone
from tusclient import client as tus

from lyceum.accounts.services import tokens_issue
from lyceum.media import services
from lyceum.media.models import Upload, Video

URL = "/api/uploads/"


def _meta(**values) -> str:
    return ",".join(f"{key} {base64.b64encode(value.encode()).decode()}" for key, value in values.items())


def _open(client, length: int, purpose: str = "video", filename: str = "clip.mp4"):
    return client.post(
        URL,
        HTTP_TUS_RESUMABLE="1.0.0",
        HTTP_UPLOAD_LENGTH=str(length),
        HTTP_UPLOAD_METADATA=_meta(purpose=purpose, filename=filename),
    )


def _patch(client, url: str, offset: int, data: bytes, content_type: str = "application/offset+octet-stream"):
    return client.generic(
        "PATCH",
        url,
        data,
        content_type=content_type,
        HTTP_UPLOAD_OFFSET=str(offset),
        HTTP_TUS_RESUMABLE="1.0.0",
    )


def test_a_resumed_upload_gives_a_byte_identical_video(live_server, transactional_db, ines, lesson, clip):
    token = tokens_issue(user=ines)["access"]
    headers = {"Authorization": f"Bearer {token}"}
    chunk = 64 * 1024
    first = tus.TusClient(f"{live_server.url}{URL}", headers=headers).uploader(
        file_stream=io.BytesIO(clip), chunk_size=chunk, metadata={"purpose": "video", "filename": "clip.mp4"}
    )
    first.upload_chunk()
    first.upload_chunk()  # then the connection is lost

    again = tus.TusClient(f"{live_server.url}{URL}", headers=headers).uploader(
        file_stream=io.BytesIO(clip), url=first.url, chunk_size=chunk
    )
    resumed_at = again.offset
    again.upload()
    upload_id = first.url.rstrip("/").rsplit("/", 1)[1]
    attached = requests.post(
        f"{live_server.url}/api/instructor/lessons/{lesson.pk}/video/",
        files={"upload": (None, upload_id)},  # a form field, sent as multipart
        headers=headers,
        timeout=120,
    )

    assert resumed_at == 2 * chunk
    assert attached.status_code == 201, attached.text
    video = Video.objects.get(pk=attached.json()["id"])
    with video.source.open("rb") as stored:
        assert stored.read() == clip
    assert video.source_type == "video/mp4" and video.source_size == len(clip)
    assert video.status == Video.Status.READY  # processed once the upload was attached
    assert not Upload.objects.exists()


@pytest.mark.django_db
def test_creation_answers_the_location_and_offset(login_api, ines, clip):
    created = _open(login_api(ines), len(clip))

    assert created.status_code == 201
    assert created["Tus-Resumable"] == "1.0.0"
    assert created["Upload-Offset"] == "0"
    assert created["Location"].endswith(f"{URL}{created.json()['id']}/")


@pytest.mark.django_db
def test_bytes_at_the_wrong_offset_get_409_with_the_right_one(login_api, ines, clip):
    client = login_api(ines)
    url = _open(client, len(clip))["Location"]
    _patch(client, url, 0, clip[:10_000])

    skipped = _patch(client, url, 20_000, clip[20_000:30_000])
    repeated = _patch(client, url, 0, clip[:10_000])
    head = client.head(url)

    assert skipped.status_code == 409 and skipped.json()["error"]["offset"] == 10_000
    assert repeated.status_code == 409
    assert (
        head.status_code == 200
        and head["Upload-Offset"] == "10000"
        and head["Upload-Length"] == str(len(clip))
    )


@pytest.mark.django_db
def test_bytes_beyond_the_declared_length_are_refused(login_api, ines, clip):
    client = login_api(ines)
    url = _open(client, 10_000)["Location"]

    answer = _patch(client, url, 0, clip[:10_001])

    assert answer.status_code == 413
    assert client.head(url)["Upload-Offset"] == "0"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "head", [b"MZ\x90\x00" + b"\x00" * 9000, b"<svg onload=alert(1)>" + b" " * 9000, b"A" * 9000]
)
def test_a_file_that_is_not_a_video_is_refused_by_its_bytes_and_dropped(login_api, ines, settings, head):
    client = login_api(ines)
    url = _open(client, 20_000)["Location"]

    answer = _patch(client, url, 0, head)

    assert answer.status_code == 415
    assert client.head(url).status_code == 404
    assert not list(settings.UPLOADS_PARTIAL_DIR.iterdir())


@pytest.mark.django_db
def test_chunks_are_only_offset_octet_streams(login_api, ines, clip):
    client = login_api(ines)
    url = _open(client, len(clip))["Location"]

    answer = _patch(client, url, 0, clip[:1000], content_type="application/json")

    assert answer.status_code == 415


@pytest.mark.django_db
def test_an_upload_is_its_owners_alone(login_api, ines, oscar, clip):
    url = _open(login_api(ines), len(clip))["Location"]
    other = login_api(oscar)

    assert other.head(url).status_code == 404
    assert _patch(other, url, 0, clip[:1000]).status_code == 404
    assert other.delete(url).status_code == 404
    assert login_api(ines).head(url)["Upload-Offset"] == "0"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({"HTTP_UPLOAD_LENGTH": str(10**13), "HTTP_UPLOAD_METADATA": _meta(purpose="video")}, 413),
        ({"HTTP_UPLOAD_LENGTH": "0", "HTTP_UPLOAD_METADATA": _meta(purpose="video")}, 400),
        ({"HTTP_UPLOAD_LENGTH": "many", "HTTP_UPLOAD_METADATA": _meta(purpose="video")}, 400),
        ({"HTTP_UPLOAD_LENGTH": "100", "HTTP_UPLOAD_METADATA": _meta(purpose="virus")}, 400),
        ({"HTTP_UPLOAD_LENGTH": "100", "HTTP_UPLOAD_METADATA": "purpose !!!notbase64"}, 400),
        ({"HTTP_UPLOAD_LENGTH": "100"}, 400),
    ],
)
def test_a_bad_creation_is_refused_and_makes_nothing(login_api, ines, headers, status):
    answer = login_api(ines).post(URL, **headers)

    assert answer.status_code == status
    assert not Upload.objects.exists()


@pytest.mark.django_db
def test_an_unfinished_upload_cannot_become_a_video(login_api, ines, lesson, clip):
    client = login_api(ines)
    created = _open(client, len(clip))
    _patch(client, created["Location"], 0, clip[:10_000])

    answer = client.post(
        f"/api/instructor/lessons/{lesson.pk}/video/", {"upload": created.json()["id"]}, format="multipart"
    )

    assert answer.status_code == 409 and answer.json()["error"]["code"] == "upload_incomplete"
    assert not Video.objects.exists()


@pytest.mark.django_db
def test_a_recording_upload_cannot_become_a_lesson_video(login_api, ines, lesson, webm):
    client = login_api(ines)
    created = _open(client, len(webm), purpose="recording", filename="r.webm")
    _patch(client, created["Location"], 0, webm)

    answer = client.post(
        f"/api/instructor/lessons/{lesson.pk}/video/", {"upload": created.json()["id"]}, format="multipart"
    )

    assert answer.status_code == 400 and "upload" in answer.json()["error"]["fields"]


@pytest.mark.django_db
def test_unfinished_uploads_are_capped_per_person(login_api, ines):
    client = login_api(ines)
    answers = [_open(client, 1000).status_code for _ in range(services.MAX_OPEN_UPLOADS + 1)]

    assert answers == [201] * services.MAX_OPEN_UPLOADS + [429]


@pytest.mark.django_db
def test_expired_uploads_and_their_bytes_are_removed(login_api, ines, clip, settings):
    client = login_api(ines)
    url = _open(client, len(clip))["Location"]
    _patch(client, url, 0, clip[:10_000])
    Upload.objects.update(expires_at=timezone.now() - timedelta(minutes=1))

    swept = services.videos_sweep()

    assert swept["uploads_expired"] == 1
    assert not Upload.objects.exists()
    assert not list(settings.UPLOADS_PARTIAL_DIR.iterdir())


@pytest.mark.django_db
def test_cancelling_removes_the_upload(login_api, ines, clip, settings):
    client = login_api(ines)
    url = _open(client, len(clip))["Location"]

    assert client.delete(url).status_code == 204
    assert client.head(url).status_code == 404
    assert not list(settings.UPLOADS_PARTIAL_DIR.iterdir())


@pytest.mark.django_db
def test_a_tus_client_discovers_the_server(login_api, ines, settings):
    answer = login_api(ines).options(URL)

    assert answer.status_code == 204
    assert answer["Tus-Version"] == "1.0.0" and answer["Tus-Resumable"] == "1.0.0"
    assert set(answer["Tus-Extension"].split(",")) == {"creation", "termination"}
    assert int(answer["Tus-Max-Size"]) == max(settings.LESSON_VIDEO_MAX_BYTES, settings.RECORDING_MAX_BYTES)
