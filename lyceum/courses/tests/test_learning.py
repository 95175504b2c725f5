"""Course detail, enrollment, lesson content, completion and progress."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lyceum.courses import events
from lyceum.courses.models import Course, CourseEnrollment, Lesson, LessonProgress
from lyceum.courses.tests.factories import CourseFactory, LessonFactory, course_with_outline

pytestmark = pytest.mark.django_db


@pytest.fixture
def course(ines):
    return course_with_outline(modules=2, lessons=2, instructor=ines, title="Intro")


@pytest.fixture
def received():
    """Domain events published during the test, as (name, payload)."""
    seen = []

    def listener(sender, **payload):
        seen.append((sender, payload))

    for event in (events.course_enrolled, events.lesson_completed, events.course_completed):
        event.connect(listener, weak=False)
    yield seen
    for event in (events.course_enrolled, events.lesson_completed, events.course_completed):
        event.disconnect(listener)


def _lessons(course):
    return list(Lesson.objects.filter(module__course=course).order_by("module__order", "order"))


def test_course_detail_lists_modules_and_lessons_in_order(api, course):
    response = api.get(f"/api/courses/{course.pk}/")

    assert response.status_code == 200
    body = response.json()
    assert [m["title"] for m in body["modules"]] == ["Module 1", "Module 2"]
    assert [lesson["title"] for lesson in body["modules"][1]["lessons"]] == ["Lesson 2.1", "Lesson 2.2"]
    assert "content" not in body["modules"][0]["lessons"][0]
    assert body["viewer"]["is_enrolled"] is False


def test_a_draft_course_is_hidden_from_students(login_api, alice, ines):
    draft = CourseFactory(instructor=ines, is_published=False)

    assert login_api(alice).get(f"/api/courses/{draft.pk}/").status_code == 404
    assert login_api(ines).get(f"/api/courses/{draft.pk}/").status_code == 200


@pytest.mark.parametrize(("modules", "lessons"), [(2, 3), (6, 10)])
def test_course_detail_runs_a_constant_number_of_queries(login_api, alice, ines, modules, lessons):
    course = course_with_outline(modules=modules, lessons=lessons, instructor=ines)
    client = login_api(alice)

    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/api/courses/{course.pk}/")

    assert sum(len(m["lessons"]) for m in response.json()["modules"]) == modules * lessons
    # user, viewer's roles, course, tags, modules, lessons, enrollment
    assert len(queries) == 7, [q["sql"][:90] for q in queries.captured_queries]


def test_enroll_is_created_once_and_counted_once(
    login_api, alice, course, received, django_capture_on_commit_callbacks
):
    client = login_api(alice)

    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(f"/api/courses/{course.pk}/enroll/")
        second = client.post(f"/api/courses/{course.pk}/enroll/")

    assert first.status_code == 201
    assert second.status_code == 200
    assert first.json()["total"] == 4 and first.json()["percent"] == 0
    assert CourseEnrollment.objects.filter(user=alice, course=course).count() == 1
    assert Course.objects.get(pk=course.pk).enrollment_count == 1
    assert [name for name, _ in received] == ["course_enrolled"]


def test_a_paid_course_answers_402_and_enrolls_nobody(login_api, alice, ines):
    paid = CourseFactory(instructor=ines, price=Decimal("29.99"), currency="EUR")

    response = login_api(alice).post(f"/api/courses/{paid.pk}/enroll/")

    assert response.status_code == 402
    error = response.json()["error"]
    assert error["code"] == "payment_required"
    assert "29.99 EUR" in error["message"]
    assert not CourseEnrollment.objects.exists()


def test_a_draft_course_cannot_be_enrolled_in(login_api, alice, ines):
    draft = CourseFactory(instructor=ines, is_published=False)

    assert login_api(alice).post(f"/api/courses/{draft.pk}/enroll/").status_code == 404


def test_enroll_needs_sign_in(api, course):
    assert api.post(f"/api/courses/{course.pk}/enroll/").status_code == 401


def test_unenroll(login_api, alice, course):
    client = login_api(alice)
    client.post(f"/api/courses/{course.pk}/enroll/")

    assert client.delete(f"/api/courses/{course.pk}/enroll/").status_code == 204
    assert client.delete(f"/api/courses/{course.pk}/enroll/").status_code == 404
    assert Course.objects.get(pk=course.pk).enrollment_count == 0


def test_lesson_content_is_refused_to_a_student_who_is_not_enrolled(login_api, alice, course):
    lesson = _lessons(course)[0]

    response = login_api(alice).get(f"/api/lessons/{lesson.pk}/")

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "not_enrolled"
    assert "Lesson 1" not in response.content.decode()


def test_preview_lessons_are_open_to_anyone(api, course):
    lesson = _lessons(course)[0]
    lesson.is_preview = True
    lesson.save()

    response = api.get(f"/api/lessons/{lesson.pk}/")

    assert response.status_code == 200
    assert response.json()["content_html"] == "<p>Lesson 1</p>"


def test_an_enrolled_student_reads_sanitized_content_with_navigation(login_api, alice, ines):
    lesson = LessonFactory(
        module__course__instructor=ines, content="Hi <script>alert(1)</script> [x](javascript:alert(1))"
    )
    after = LessonFactory(module=lesson.module)
    client = login_api(alice)
    client.post(f"/api/courses/{lesson.module.course_id}/enroll/")

    body = client.get(f"/api/lessons/{lesson.pk}/").json()

    assert "<script" not in body["content_html"]
    assert "javascript:" not in body["content_html"]
    assert body["previous_lesson_id"] is None
    assert body["next_lesson_id"] == str(after.pk)
    assert body["is_completed"] is False


def test_the_instructor_reads_their_own_lessons_without_enrolling(login_api, ines, course):
    assert login_api(ines).get(f"/api/lessons/{_lessons(course)[0].pk}/").status_code == 200


def test_completing_needs_enrollment(login_api, alice, course):
    response = login_api(alice).put(f"/api/lessons/{_lessons(course)[0].pk}/complete/")

    assert response.status_code == 403
    assert not LessonProgress.objects.exists()


def test_completing_lessons_moves_progress_and_completes_the_course_once(
    login_api, alice, course, received, django_capture_on_commit_callbacks
):
    client = login_api(alice)
    client.post(f"/api/courses/{course.pk}/enroll/")
    lessons = _lessons(course)

    with django_capture_on_commit_callbacks(execute=True):
        first = client.put(
            f"/api/lessons/{lessons[0].pk}/complete/", {"time_spent_seconds": 90}, format="json"
        )
        again = client.put(f"/api/lessons/{lessons[0].pk}/complete/", {}, format="json")
        for lesson in lessons[1:]:
            last = client.put(f"/api/lessons/{lesson.pk}/complete/", {}, format="json")

    assert first.status_code == 200
    assert first.json()["percent"] == 25
    assert first.json()["modules"][0] == {
        "module_id": str(lessons[0].module_id),
        "title": "Module 1",
        "completed": 1,
        "total": 2,
        "percent": 50,
    }
    assert again.json()["completed"] == 1
    assert last.json()["percent"] == 100
    assert last.json()["completed_at"] is not None
    enrollment = CourseEnrollment.objects.get(user=alice, course=course)
    assert enrollment.completed_at is not None
    names = [name for name, _ in received]
    assert names.count("lesson_completed") == 4
    assert names.count("course_completed") == 1
    assert LessonProgress.objects.get(user=alice, lesson=lessons[0]).time_spent_seconds == 90


def test_progress_endpoint(login_api, alice, bob, course):
    client = login_api(alice)
    client.post(f"/api/courses/{course.pk}/enroll/")
    client.put(f"/api/lessons/{_lessons(course)[0].pk}/complete/", {}, format="json")

    mine = client.get(f"/api/courses/{course.pk}/progress/")
    bobs = login_api(bob).get(f"/api/courses/{course.pk}/progress/")

    assert mine.json()["completed"] == 1 and mine.json()["total"] == 4
    assert bobs.status_code == 403


def test_negative_time_spent_is_400(login_api, alice, course):
    client = login_api(alice)
    client.post(f"/api/courses/{course.pk}/enroll/")

    response = client.put(
        f"/api/lessons/{_lessons(course)[0].pk}/complete/", {"time_spent_seconds": -5}, format="json"
    )

    assert response.status_code == 400


@pytest.mark.parametrize("size", [2, 8])
def test_my_courses_shows_progress_in_constant_queries(login_api, alice, ines, size):
    client = login_api(alice)
    for n in range(size):
        course = course_with_outline(modules=1, lessons=2, instructor=ines, title=f"M{n}")
        CourseEnrollment.objects.create(user=alice, course=course)
        LessonProgress.objects.create(
            user=alice, lesson=_lessons(course)[0], completed_at="2026-01-01T00:00:00Z"
        )

    with CaptureQueriesContext(connection) as queries:
        body = client.get("/api/my-courses/").json()

    assert body["count"] == size
    assert {entry["percent"] for entry in body["results"]} == {50}
    assert len(queries) == 4, [q["sql"][:90] for q in queries.captured_queries]
