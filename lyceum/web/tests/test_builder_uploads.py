"""The course builder uploads a cover, lesson files and a video from the page."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from lyceum.courses.models import LessonResource
from lyceum.courses.tests.factories import course_with_outline

pytestmark = pytest.mark.django_db


def _png() -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "teal").save(out, format="PNG")
    return SimpleUploadedFile("cover.png", out.getvalue(), content_type="image/png")


def test_a_cover_is_uploaded_from_the_builder(client, ines, alice):
    course = course_with_outline(modules=1, lessons=1, instructor=ines)
    client.force_login(ines)

    saved = client.post(f"/teach/courses/{course.pk}/cover/", {"cover_image": _png()}, follow=True)
    refused = client.post(
        f"/teach/courses/{course.pk}/cover/",
        {"cover_image": SimpleUploadedFile("x.png", b"<svg onload=alert(1)>", content_type="image/png")},
        follow=True,
    )
    missing = client.post(f"/teach/courses/{course.pk}/cover/", {}, follow=True)

    course.refresh_from_db()
    assert "Cover image saved." in saved.content.decode()
    assert course.cover_image.name.endswith(".webp")
    assert 'class="cover-preview"' in saved.content.decode()
    assert "Cover image saved." not in refused.content.decode()
    assert "message message-error" in refused.content.decode()
    assert "Choose an image to upload." in missing.content.decode()
    client.force_login(alice)
    assert client.post(f"/teach/courses/{course.pk}/cover/", {"cover_image": _png()}).status_code == 404


def test_lesson_files_are_added_and_removed_from_the_editor(client, ines):
    course = course_with_outline(modules=1, lessons=1, instructor=ines)
    lesson = course.modules.get().lessons.get()
    client.force_login(ines)
    url = f"/teach/lessons/{lesson.pk}/files/"

    added = client.post(
        url,
        {
            "action": "add_resource",
            "title": "Slides",
            "file": SimpleUploadedFile("s.pdf", b"%PDF-1.4\n%\xe2\xe3\n1 0 obj"),
        },
        follow=True,
    )
    html_file = client.post(
        url,
        {
            "action": "add_resource",
            "file": SimpleUploadedFile("x.html", b"<html><script>alert(1)</script></html>"),
        },
        follow=True,
    )
    resource = LessonResource.objects.get(lesson=lesson)
    removed = client.post(url, {"action": "delete_resource", "resource": str(resource.pk)}, follow=True)
    bogus = client.post(url, {"action": "delete_resource", "resource": "x"}, follow=True)

    assert "Added “Slides”." in added.content.decode() and "Slides" in added.content.decode()
    assert "This type of file is not accepted." in html_file.content.decode()
    assert "File removed." in removed.content.decode()
    assert not LessonResource.objects.filter(lesson=lesson).exists()
    assert "No such file in this lesson." in bogus.content.decode()


def test_a_video_that_is_not_one_is_refused(client, ines):
    course = course_with_outline(modules=1, lessons=1, instructor=ines)
    lesson = course.modules.get().lessons.get()
    client.force_login(ines)

    refused = client.post(
        f"/teach/lessons/{lesson.pk}/files/",
        {"action": "video", "video": SimpleUploadedFile("v.mp4", b"not a video at all")},
        follow=True,
    )
    accepted = client.post(
        f"/teach/lessons/{lesson.pk}/files/",
        {"action": "video", "video": SimpleUploadedFile("v.mp4", b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 64)},
        follow=True,
    )

    assert "This type of file is not accepted." in refused.content.decode()
    assert "Video uploaded; it is being processed." in accepted.content.decode()
