"""Recordings: uploaded (whole or resumable), given a duration by ffmpeg, private to their owner
unless shared with a course the owner belongs to."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from lyceum.courses import services as course_services
from lyceum.media.models import Recording

pytestmark = pytest.mark.django_db
URL = "/api/upload-recording/"


@pytest.fixture
def recorded(login_api, enrolled, webm, django_capture_on_commit_callbacks):
    """alice's recording, sent as the roadmap's client sends it (multipart, field "recording")."""
    with django_capture_on_commit_callbacks(execute=True):
        answer = login_api(enrolled).post(
            URL,
            {"recording": SimpleUploadedFile("clip.webm", webm), "title": "My answer"},
            format="multipart",
        )
    assert answer.status_code == 201, answer.content
    return Recording.objects.get(pk=answer.json()["id"])


def test_a_browser_recording_gets_a_duration_and_stays_private(recorded, login_api, enrolled, bob):
    assert recorded.status == Recording.Status.READY, recorded.failure_reason
    assert recorded.duration == pytest.approx(3.0, abs=0.3)
    assert recorded.content_type == "video/webm" and recorded.visibility == "private"
    mine = login_api(enrolled).get("/api/my-recordings/").json()
    assert [r["id"] for r in mine["results"]] == [str(recorded.pk)]
    assert login_api(bob).get("/api/my-recordings/").json()["results"] == []
    assert login_api(bob).get(f"/api/recordings/{recorded.pk}/").status_code == 404
    assert login_api(bob).get(f"/api/recordings/{recorded.pk}/file/").status_code == 404


def test_the_file_is_served_with_ranges(recorded, login_api, enrolled):
    client = login_api(enrolled)

    whole = client.get(f"/api/recordings/{recorded.pk}/file/")
    part = client.get(f"/api/recordings/{recorded.pk}/file/", HTTP_RANGE="bytes=0-99")

    body = b"".join(whole.streaming_content)
    assert whole.status_code == 200 and body[:4] == b"\x1a\x45\xdf\xa3"  # EBML: WebM
    assert part.status_code == 206 and b"".join(part.streaming_content) == body[:100]


def test_sharing_with_a_course_lets_its_members_watch(recorded, login_api, enrolled, bob, course, oscar):
    course_services.enroll(user=bob, course=course)

    shared = login_api(enrolled).patch(
        f"/api/recordings/{recorded.pk}/", {"visibility": "course", "course": str(course.pk)}, format="json"
    )

    assert shared.status_code == 200 and shared.json()["course"]["id"] == str(course.pk)
    assert login_api(bob).get(f"/api/recordings/{recorded.pk}/").status_code == 200
    assert login_api(bob).get(f"/api/recordings/{recorded.pk}/file/").status_code == 200
    listed = login_api(bob).get(f"/api/courses/{course.pk}/recordings/").json()["results"]
    assert [r["id"] for r in listed] == [str(recorded.pk)]
    assert login_api(oscar).get(f"/api/recordings/{recorded.pk}/").status_code == 404
    assert login_api(oscar).get(f"/api/courses/{course.pk}/recordings/").status_code == 403
    # only the owner changes it
    assert (
        login_api(bob).patch(f"/api/recordings/{recorded.pk}/", {"title": "x"}, format="json").status_code
        == 404
    )
    assert login_api(bob).delete(f"/api/recordings/{recorded.pk}/").status_code == 404


def test_one_shares_only_with_ones_own_courses(recorded, login_api, enrolled, ines):
    from lyceum.courses.tests.factories import CourseFactory

    elsewhere = CourseFactory()

    answer = login_api(enrolled).patch(
        f"/api/recordings/{recorded.pk}/",
        {"visibility": "course", "course": str(elsewhere.pk)},
        format="json",
    )
    no_course = login_api(enrolled).patch(
        f"/api/recordings/{recorded.pk}/", {"visibility": "course"}, format="json"
    )

    assert answer.status_code == 400 and "course" in answer.json()["error"]["fields"]
    assert no_course.status_code == 400
    recorded.refresh_from_db()
    assert recorded.visibility == "private" and recorded.course is None


@pytest.mark.parametrize(
    "data",
    [
        {"file": SimpleUploadedFile("r.webm", b"<html><script>alert(1)</script>")},
        {"file": SimpleUploadedFile("r.webm", b"\x00" * 5000)},
        {},
        {"title": "no file"},
    ],
)
def test_what_is_not_a_recording_is_refused(login_api, alice, data):
    answer = login_api(alice).post(URL, data, format="multipart")

    assert answer.status_code == 400
    assert not Recording.objects.exists()


def test_a_resumable_upload_becomes_a_recording(login_api, alice, webm, django_capture_on_commit_callbacks):
    import base64

    client = login_api(alice)
    created = client.post(
        "/api/uploads/",
        HTTP_UPLOAD_LENGTH=str(len(webm)),
        HTTP_UPLOAD_METADATA="purpose " + base64.b64encode(b"recording").decode(),
    )
    client.generic(
        "PATCH",
        created["Location"],
        webm,
        content_type="application/offset+octet-stream",
        HTTP_UPLOAD_OFFSET="0",
    )

    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(URL, {"upload": created.json()["id"], "title": "Screen"}, format="multipart")

    assert answer.status_code == 201, answer.content
    recording = Recording.objects.get()
    assert recording.title == "Screen" and recording.status == Recording.Status.READY


def test_deleting_a_recording_removes_it(recorded, login_api, enrolled):
    assert login_api(enrolled).delete(f"/api/recordings/{recorded.pk}/").status_code == 204
    assert not Recording.objects.exists()
