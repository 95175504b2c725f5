"""The course builder API: only a course's instructor (or an admin) changes it."""

import uuid

import pytest

from lyceum.courses.models import Course, CourseEnrollment, Lesson, Module
from lyceum.courses.tests.factories import CourseFactory, course_with_outline

pytestmark = pytest.mark.django_db

URL = "/api/instructor/courses/"


def test_a_student_cannot_create_courses(login_api, alice):
    response = login_api(alice).post(URL, {"title": "Mine"}, format="json")

    assert response.status_code == 403
    assert not Course.objects.exists()


def test_an_instructor_creates_a_draft_with_a_generated_slug(login_api, ines):
    response = login_api(ines).post(
        URL,
        {
            "title": "Rust for Pythonistas",
            "summary": "Ownership without tears",
            "price": "19.50",
            "currency": "EUR",
            "level": "intermediate",
            "category": "Programming",
            "tags": ["Rust", "Systems"],
        },
        format="json",
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["slug"] == "rust-for-pythonistas"
    assert body["is_published"] is False
    assert body["category"] == {"slug": "programming", "name": "Programming"}
    assert sorted(body["tags"]) == ["rust", "systems"]
    assert body["price"] == "19.50"


def test_same_title_gets_a_new_slug_but_an_explicit_duplicate_slug_is_400(login_api, ines):
    client = login_api(ines)
    client.post(URL, {"title": "Algebra"}, format="json")

    second = client.post(URL, {"title": "Algebra"}, format="json")
    clash = client.post(URL, {"title": "Other", "slug": "algebra"}, format="json")

    assert second.json()["slug"] == "algebra-2"
    assert clash.status_code == 400
    assert "slug" in clash.json()["error"]["fields"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": "X", "price": "-1"}, "price"),
        ({"title": ""}, "title"),
        ({"title": "X", "level": "expert"}, "level"),
        ({"title": "X", "currency": "XXX"}, "currency"),
        ({"title": "X", "slug": "not a slug"}, "slug"),
        ({"title": "X", "instructor": "me"}, "instructor"),
    ],
)
def test_bad_course_input_is_400(login_api, ines, body, field):
    response = login_api(ines).post(URL, body, format="json")

    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
    assert not Course.objects.exists()


def test_instructor_list_shows_only_own_courses_with_drafts(login_api, ines, oscar):
    CourseFactory(instructor=ines, title="Ines draft", is_published=False)
    CourseFactory(instructor=oscar, title="Oscar live")

    titles = [c["title"] for c in login_api(ines).get(URL).json()["results"]]

    assert titles == ["Ines draft"]


def test_another_instructor_cannot_see_or_edit_the_course(login_api, ines, oscar):
    course = CourseFactory(instructor=ines, title="Ines")
    client = login_api(oscar)

    assert client.get(f"{URL}{course.pk}/").status_code == 404
    assert client.patch(f"{URL}{course.pk}/", {"title": "Hacked"}, format="json").status_code == 404
    assert client.delete(f"{URL}{course.pk}/").status_code == 404
    assert client.post(f"{URL}{course.pk}/modules/", {"title": "M"}, format="json").status_code == 404
    assert Course.objects.get(pk=course.pk).title == "Ines"


def test_an_admin_can_edit_any_course(login_api, admin_user, ines):
    course = CourseFactory(instructor=ines)

    response = login_api(admin_user).patch(f"{URL}{course.pk}/", {"title": "Fixed"}, format="json")

    assert response.status_code == 200
    assert response.json()["title"] == "Fixed"


def test_publish_needs_a_lesson_then_the_course_appears_in_the_catalog(login_api, api, ines):
    client = login_api(ines)
    course_id = client.post(URL, {"title": "Fresh"}, format="json").json()["id"]

    empty = client.post(f"{URL}{course_id}/publish/")
    module_id = client.post(f"{URL}{course_id}/modules/", {"title": "Start"}, format="json").json()["id"]
    client.post(
        f"/api/instructor/modules/{module_id}/lessons/",
        {"title": "Hello", "content": "# Hello"},
        format="json",
    )
    published = client.post(f"{URL}{course_id}/publish/")

    assert empty.status_code == 409
    assert empty.json()["error"]["code"] == "course_empty"
    assert published.status_code == 200 and published.json()["is_published"] is True
    assert [c["title"] for c in api.get("/api/courses/").json()["results"]] == ["Fresh"]
    client.post(f"{URL}{course_id}/unpublish/")
    assert api.get("/api/courses/").json()["count"] == 0


def test_lessons_render_markdown_when_saved(login_api, ines):
    course = course_with_outline(modules=1, lessons=0, instructor=ines)
    module = course.modules.get()

    response = login_api(ines).post(
        f"/api/instructor/modules/{module.pk}/lessons/",
        {
            "title": "Tables",
            "content": "| a | b |\n|---|---|\n| 1 | 2 |\n\n<iframe src=x>",
            "estimated_minutes": 12,
            "is_preview": True,
        },
        format="json",
    )

    assert response.status_code == 201
    html = response.json()["content_html"]
    assert "<table>" in html and "<iframe" not in html


def test_reorder_modules(login_api, ines):
    course = course_with_outline(modules=3, lessons=1, instructor=ines)
    ids = [str(m.pk) for m in course.modules.order_by("order")]

    response = login_api(ines).post(
        f"{URL}{course.pk}/modules/reorder/", {"ids": list(reversed(ids))}, format="json"
    )

    assert response.status_code == 200
    assert [m["id"] for m in response.json()["modules"]] == list(reversed(ids))


@pytest.mark.parametrize("mangle", ["foreign", "missing", "duplicate", "garbage"])
def test_reorder_with_wrong_ids_is_400_and_changes_nothing(login_api, ines, mangle):
    course = course_with_outline(modules=3, lessons=1, instructor=ines)
    other = course_with_outline(modules=1, lessons=1, instructor=ines)
    ids = [str(m.pk) for m in course.modules.order_by("order")]
    bad = {
        "foreign": [*ids[:2], str(other.modules.get().pk)],
        "missing": ids[:2],
        "duplicate": [ids[0], ids[0], ids[1], ids[2]],
        "garbage": ["nope", *ids],
    }[mangle]

    response = login_api(ines).post(f"{URL}{course.pk}/modules/reorder/", {"ids": bad}, format="json")

    assert response.status_code == 400
    assert [str(m.pk) for m in course.modules.order_by("order")] == ids


def test_reorder_and_move_lessons(login_api, ines):
    course = course_with_outline(modules=2, lessons=3, instructor=ines)
    first, second = course.modules.order_by("order")
    lesson_ids = [str(lesson.pk) for lesson in first.lessons.order_by("order")]
    client = login_api(ines)

    reordered = client.post(
        f"/api/instructor/modules/{first.pk}/lessons/reorder/",
        {"ids": [lesson_ids[2], lesson_ids[0], lesson_ids[1]]},
        format="json",
    )
    moved = client.patch(
        f"/api/instructor/lessons/{lesson_ids[0]}/", {"module": str(second.pk)}, format="json"
    )

    assert [lesson["id"] for lesson in reordered.json()] == [lesson_ids[2], lesson_ids[0], lesson_ids[1]]
    assert moved.status_code == 200
    assert Lesson.objects.get(pk=lesson_ids[0]).module_id == second.pk
    assert Lesson.objects.get(pk=lesson_ids[0]).order == 3


def test_a_lesson_cannot_move_to_another_courses_module(login_api, ines):
    course = course_with_outline(modules=1, lessons=1, instructor=ines)
    elsewhere = course_with_outline(modules=1, lessons=0, instructor=ines)
    lesson = Lesson.objects.get(module__course=course)

    response = login_api(ines).patch(
        f"/api/instructor/lessons/{lesson.pk}/", {"module": str(elsewhere.modules.get().pk)}, format="json"
    )

    assert response.status_code == 400
    assert Lesson.objects.get(pk=lesson.pk).module.course_id == course.pk


def test_a_course_with_students_cannot_be_deleted(login_api, ines, alice):
    course = course_with_outline(modules=1, lessons=1, instructor=ines)
    CourseEnrollment.objects.create(user=alice, course=course)

    response = login_api(ines).delete(f"{URL}{course.pk}/")

    assert response.status_code == 409
    assert Course.objects.filter(pk=course.pk).exists()


def test_delete_an_empty_course_module_and_lesson(login_api, ines):
    course = course_with_outline(modules=1, lessons=1, instructor=ines)
    module = course.modules.get()
    lesson = module.lessons.get()
    client = login_api(ines)

    assert client.delete(f"/api/instructor/lessons/{lesson.pk}/").status_code == 204
    assert client.delete(f"/api/instructor/modules/{module.pk}/").status_code == 204
    assert client.delete(f"{URL}{course.pk}/").status_code == 204
    assert not Module.objects.exists()


def test_unknown_ids_are_404(login_api, ines):
    client = login_api(ines)
    missing = uuid.uuid4()

    assert client.get(f"{URL}{missing}/").status_code == 404
    assert (
        client.patch(f"/api/instructor/modules/{missing}/", {"title": "x"}, format="json").status_code == 404
    )
    assert client.get(f"/api/instructor/lessons/{missing}/").status_code == 404


def test_markdown_preview(login_api, ines):
    response = login_api(ines).post(
        "/api/instructor/markdown/preview/", {"content": "**hi** <script>x</script>"}, format="json"
    )

    assert response.json()["content"] == "<p><strong>hi</strong> </p>"


def test_the_lesson_count_follows_lesson_and_module_writes(login_api, api, ines):
    client = login_api(ines)
    course_id = client.post(URL, {"title": "Counted"}, format="json").json()["id"]
    first = client.post(f"{URL}{course_id}/modules/", {"title": "A"}, format="json").json()["id"]
    second = client.post(f"{URL}{course_id}/modules/", {"title": "B"}, format="json").json()["id"]
    lessons = [
        client.post(f"/api/instructor/modules/{module}/lessons/", {"title": f"L{n}"}, format="json").json()[
            "id"
        ]
        for n, module in enumerate([first, first, second])
    ]

    assert Course.objects.get(pk=course_id).lesson_count == 3
    client.delete(f"/api/instructor/lessons/{lessons[0]}/")
    assert Course.objects.get(pk=course_id).lesson_count == 2
    client.delete(f"/api/instructor/modules/{second}/")
    assert Course.objects.get(pk=course_id).lesson_count == 1
    client.post(f"{URL}{course_id}/publish/")
    assert api.get("/api/courses/").json()["results"][0]["lesson_count"] == 1


def _png():
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (2400, 1200), (10, 120, 90)).save(buffer, format="PNG")
    return SimpleUploadedFile("cover.png", buffer.getvalue(), content_type="image/png")


def test_cover_image_upload_is_checked_and_scaled(login_api, ines, oscar):
    from django.core.files.uploadedfile import SimpleUploadedFile

    course = course_with_outline(modules=1, lessons=1, instructor=ines)

    ok = login_api(ines).post(f"{URL}{course.pk}/cover/", {"cover_image": _png()}, format="multipart")
    fake = login_api(ines).post(
        f"{URL}{course.pk}/cover/", {"cover_image": SimpleUploadedFile("x.png", b"nope")}, format="multipart"
    )
    foreign = login_api(oscar).post(f"{URL}{course.pk}/cover/", {"cover_image": _png()}, format="multipart")

    assert ok.status_code == 200
    assert ok.json()["cover_image_url"].endswith(".webp")
    assert fake.status_code == 400 and "cover_image" in fake.json()["error"]["fields"]
    assert foreign.status_code == 404


def test_lesson_resources_can_be_added_downloaded_and_removed(login_api, ines, alice):
    from django.core.files.uploadedfile import SimpleUploadedFile

    course = course_with_outline(modules=1, lessons=1, instructor=ines)
    lesson = Lesson.objects.get(module__course=course)
    client = login_api(ines)

    added = client.post(
        f"/api/instructor/lessons/{lesson.pk}/resources/",
        {"title": "Slides", "file": SimpleUploadedFile("slides.pdf", b"%PDF-1.7")},
        format="multipart",
    )
    empty = client.post(
        f"/api/instructor/lessons/{lesson.pk}/resources/",
        {"file": SimpleUploadedFile("empty.txt", b"")},
        format="multipart",
    )
    student = login_api(alice)
    student.post(f"/api/courses/{course.pk}/enroll/")
    seen = student.get(f"/api/lessons/{lesson.pk}/").json()["resources"]
    foreign_delete = student.delete(f"/api/instructor/resources/{added.json()['id']}/")
    deleted = client.delete(f"/api/instructor/resources/{added.json()['id']}/")

    assert added.status_code == 201
    assert empty.status_code == 400
    assert [resource["title"] for resource in seen] == ["Slides"]
    assert foreign_delete.status_code == 404
    assert deleted.status_code == 204
    assert student.get(f"/api/lessons/{lesson.pk}/").json()["resources"] == []


def test_markdown_preview_is_rate_limited_per_user(login_api, ines, oscar, rate_limits):
    rate_limits(markdown_preview="3/minute")
    url = "/api/instructor/markdown/preview/"

    codes = [login_api(ines).post(url, {"content": "*hi*"}, format="json").status_code for _ in range(4)]
    other = login_api(oscar).post(url, {"content": "*hi*"}, format="json")

    assert codes == [200, 200, 200, 429]
    assert other.status_code == 200  # per user, not for everyone
