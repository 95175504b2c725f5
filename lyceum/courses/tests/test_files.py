"""Lesson files: checked by content on upload, served only to whoever may read the lesson, never
as something a browser would run on the site's origin."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from lyceum.courses.models import Lesson, LessonResource
from lyceum.courses.services import course_publish
from lyceum.courses.tests.factories import course_with_outline

pytestmark = pytest.mark.django_db

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f"
    b"\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x04\x00\x09\xfb\x03\xfd\xe3U\xf2\x9c\x00\x00\x00"
    b"\x00IEND\xaeB`\x82"
)
HTML = b"<html><script>fetch('/api/auth/profile/',{method:'PATCH'})</script></html>"
SVG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


def _upload(client, lesson, name, data, title=""):
    return client.post(
        f"/api/instructor/lessons/{lesson.pk}/resources/",
        {"title": title, "file": SimpleUploadedFile(name, data)},
        format="multipart",
    )


@pytest.fixture
def lesson(ines):
    return Lesson.objects.get(module__course=course_with_outline(modules=1, lessons=1, instructor=ines))


def test_a_resource_is_stored_under_the_type_its_content_shows(login_api, ines, lesson):
    client = login_api(ines)

    pdf = _upload(client, lesson, "notes.html", b"%PDF-1.7\n%stuff", title="Notes")
    png = _upload(client, lesson, "diagram.svg", PNG)
    code = _upload(client, lesson, "solution.py", b"print('hello')\n")

    assert (pdf.status_code, png.status_code, code.status_code) == (201, 201, 201)
    stored = {r.title: (r.content_type, r.file.name.rsplit(".", 1)[-1]) for r in LessonResource.objects.all()}
    assert stored["Notes"] == ("application/pdf", "pdf")
    assert stored["diagram"] == ("image/png", "png")
    assert stored["solution"] == ("text/plain", "py")


@pytest.mark.parametrize(
    "name, data",
    [("notes.html", HTML), ("picture.svg", SVG), ("tool.exe", b"MZ\x90\x00\x03" + b"\x00" * 60)],
    ids=["html", "svg", "exe"],
)
def test_html_svg_and_programs_are_refused_whatever_their_name(login_api, ines, lesson, name, data):
    as_named = _upload(login_api(ines), lesson, name, data)
    as_pdf = _upload(login_api(ines), lesson, "harmless.pdf", data)

    for response in (as_named, as_pdf):
        assert response.status_code == 400
        assert "not accepted" in response.json()["error"]["fields"]["file"][0]
    assert not LessonResource.objects.exists()


def test_a_download_carries_headers_that_stop_a_browser_running_it(login_api, ines, alice, lesson):
    client = login_api(ines)
    text = _upload(client, lesson, "notes.md", b"# Notes\n<b>bold</b> is fine inside text\n").json()
    pdf = _upload(client, lesson, "slides.pdf", b"%PDF-1.7\n").json()

    served_text = client.get(f"/api/lessons/resources/{text['id']}/file/")
    served_pdf = client.get(f"/api/lessons/resources/{pdf['id']}/file/")

    assert served_text["Content-Type"] == "text/plain"
    assert served_text["Content-Disposition"] == "attachment; filename*=UTF-8''notes.md"
    assert served_pdf["Content-Type"] == "application/pdf"
    assert served_pdf["Content-Disposition"].startswith("inline;")
    for served in (served_text, served_pdf):
        assert served.status_code == 200
        assert served["X-Content-Type-Options"] == "nosniff"
        assert served["Content-Security-Policy"].startswith("sandbox")


def test_only_who_may_read_the_lesson_gets_its_files(api, login_api, ines, oscar, alice, bob, admin_user):
    course = course_with_outline(modules=1, lessons=2, instructor=ines, is_published=False)
    lesson, preview = Lesson.objects.filter(module__course=course).order_by("order")
    Lesson.objects.filter(pk=preview.pk).update(is_preview=True)
    client = login_api(ines)
    private = _upload(client, lesson, "slides.pdf", b"%PDF-1.7\n").json()
    free = _upload(client, preview, "intro.pdf", b"%PDF-1.7\n").json()
    private_url = f"/api/lessons/resources/{private['id']}/file/"
    free_url = f"/api/lessons/resources/{free['id']}/file/"

    # A draft course: nobody but its staff, not even with the URL.
    assert api.get(private_url).status_code == 404
    assert api.get(free_url).status_code == 404
    assert login_api(alice).get(free_url).status_code == 404
    assert login_api(oscar).get(private_url).status_code == 404
    assert login_api(admin_user).get(private_url).status_code == 200

    course_publish(course=course, actor=ines)
    assert api.get(free_url).status_code == 200  # a preview is open to anyone
    assert api.get(private_url).status_code == 403
    assert login_api(bob).get(private_url).status_code == 403
    student = login_api(alice)
    student.post(f"/api/courses/{course.pk}/enroll/")
    assert student.get(private_url).status_code == 200
    student.delete(f"/api/courses/{course.pk}/enroll/")
    assert student.get(private_url).status_code == 403  # checked on every download


def test_the_lesson_page_links_files_through_the_checking_view(client, ines, lesson):
    _upload_as = lesson.module.course
    client.force_login(ines)
    resource = LessonResource.objects.create(
        lesson=lesson,
        title="Slides",
        file=SimpleUploadedFile("x.pdf", b"%PDF-1.7"),
        content_type="application/pdf",
    )

    page = client.get(f"/courses/{_upload_as.slug}/lessons/{lesson.pk}/").content.decode()

    assert f"/api/lessons/resources/{resource.pk}/file/" in page
    assert "/media/lesson-resources/" not in page


def test_private_uploads_are_not_served_from_media(client, ines, lesson):
    resource = LessonResource.objects.create(
        lesson=lesson,
        title="Slides",
        file=SimpleUploadedFile("x.pdf", b"%PDF-1.7"),
        content_type="application/pdf",
    )

    assert client.get(f"/media/{resource.file.name}").status_code == 404
    assert client.get("/media/avatars/../lesson-resources/x.pdf").status_code == 404


def test_with_nginx_the_view_authorises_and_hands_the_bytes_over_by_x_accel_redirect(
    login_api, ines, lesson, settings
):
    settings.MEDIA_ACCEL_REDIRECT_PREFIX = "/protected-media/"
    client = login_api(ines)
    pdf = _upload(client, lesson, "slides.pdf", b"%PDF-1.7\n").json()
    stored = LessonResource.objects.get(pk=pdf["id"]).file.name

    served = client.get(f"/api/lessons/resources/{pdf['id']}/file/")

    assert served.status_code == 200
    assert served["X-Accel-Redirect"] == f"/protected-media/{stored}"
    assert served.content == b""  # nginx sends the file
    assert served["Content-Type"] == "application/pdf"
    assert served["X-Content-Type-Options"] == "nosniff"
