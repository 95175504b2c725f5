"""The catalog and course pages are cached for anonymous readers, and every change to what they
show is seen by the very next reader: publish, edit, unpublish, a new lesson, a new order, an
enrollment, an instructor's new name."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from lyceum.courses import services
from lyceum.courses.cache import VERSION_KEY
from lyceum.courses.tests.factories import course_with_outline

pytestmark = pytest.mark.django_db


@pytest.fixture
def course(ines):
    return course_with_outline(modules=2, lessons=2, instructor=ines, is_published=True, title="Algebra")


def _get(path: str):
    response = APIClient().get(path)
    assert response.status_code in (200, 404), response.content
    return response


def _titles(response) -> list[str]:
    return [c["title"] for c in response.json()["results"]]


def test_a_second_anonymous_reader_is_served_from_the_cache(course):
    first, second = _get("/api/courses/"), _get("/api/courses/")

    assert first["X-Lyceum-Cache"] == "miss"
    assert second["X-Lyceum-Cache"] == "hit"
    assert second.content == first.content
    assert second["Content-Type"] == first["Content-Type"] == "application/json"
    detail = [_get(f"/api/courses/{course.pk}/") for _ in range(2)]
    assert [d["X-Lyceum-Cache"] for d in detail] == ["miss", "hit"]
    assert detail[1].json()["title"] == "Algebra"


def test_publishing_editing_and_unpublishing_show_at_once(ines, course):
    _get("/api/courses/"), _get(f"/api/courses/{course.pk}/")  # cached
    draft = services.course_create(instructor=ines, title="Geometry")
    services.lesson_create(
        module=services.module_create(course=draft, actor=ines, title="Shapes"), actor=ines, title="Triangles"
    )
    assert "Geometry" not in _titles(_get("/api/courses/"))

    services.course_publish(course=draft, actor=ines)
    assert "Geometry" in _titles(_get("/api/courses/"))

    services.course_update(course=course, actor=ines, title="Linear algebra")
    assert "Linear algebra" in _titles(_get("/api/courses/"))
    assert _get(f"/api/courses/{course.pk}/").json()["title"] == "Linear algebra"

    services.course_publish(course=course, actor=ines, publish_it=False)
    assert "Linear algebra" not in _titles(_get("/api/courses/"))
    assert _get(f"/api/courses/{course.pk}/").status_code == 404


def test_outline_changes_show_at_once(ines, course):
    def outline():
        return [
            [lesson["title"] for lesson in m["lessons"]]
            for m in _get(f"/api/courses/{course.pk}/").json()["modules"]
        ]

    before = outline()
    module = course.modules.order_by("order").first()
    services.lesson_create(module=module, actor=ines, title="Brand new lesson")
    assert outline()[0][-1] == "Brand new lesson"

    lessons = list(module.lessons.order_by("-order").values_list("pk", flat=True))
    services.lessons_reorder(module=module, actor=ines, lesson_ids=lessons)
    assert outline()[0] == list(reversed(before[0] + ["Brand new lesson"]))
    assert _get(f"/api/courses/{course.pk}/").json()["lesson_count"] == 5


def test_enrollments_and_an_instructors_new_name_show_at_once(ines, alice, course):
    assert _get("/api/courses/").json()["results"][0]["enrollment_count"] == 0
    services.enroll(user=alice, course=course)
    assert _get("/api/courses/").json()["results"][0]["enrollment_count"] == 1

    ines.first_name, ines.last_name = "Inès", "Duval"
    ines.save()
    instructor = _get(f"/api/courses/{course.pk}/").json()["instructor"]
    assert "Inès" in str(instructor)


def test_a_signed_in_reader_gets_the_cached_course_with_their_own_standing(login_api, alice, ines, course):
    anonymous = _get(f"/api/courses/{course.pk}/").json()  # cached
    services.enroll(user=alice, course=course)
    _get(f"/api/courses/{course.pk}/")  # the enrollment changed the count: cached again

    mine = login_api(alice).get(f"/api/courses/{course.pk}/")
    teacher = login_api(ines).get(f"/api/courses/{course.pk}/")

    assert mine["X-Lyceum-Cache"] == "hit"
    assert mine.json()["viewer"]["is_enrolled"] is True
    assert mine.json()["viewer"]["enrolled_at"] is not None
    assert mine.json()["viewer"]["can_manage"] is False
    assert teacher.json()["viewer"] == {
        "is_enrolled": False,
        "enrolled_at": None,
        "completed_at": None,
        "can_manage": True,
    }
    assert {k: v for k, v in mine.json().items() if k not in ("viewer", "enrollment_count")} == {
        k: v for k, v in anonymous.items() if k not in ("viewer", "enrollment_count")
    }
    assert list(mine.json())[-1] == "viewer"


def test_a_student_shares_the_public_catalog_but_an_instructor_with_drafts_does_not(
    login_api, alice, ines, course
):
    _get("/api/courses/")
    assert login_api(alice).get("/api/courses/")["X-Lyceum-Cache"] == "hit"

    draft = services.course_create(instructor=ines, title="Unfinished")
    mine = login_api(ines).get("/api/courses/")
    assert "X-Lyceum-Cache" not in mine
    assert "Unfinished" in _titles(mine)
    assert "Unfinished" not in _titles(_get("/api/courses/"))
    assert login_api(ines).get(f"/api/courses/{draft.pk}/").json()["title"] == "Unfinished"
    assert _get(f"/api/courses/{draft.pk}/").status_code == 404


def test_the_version_moves_again_when_the_change_commits(ines, course, django_capture_on_commit_callbacks):
    """A reader between the change and its commit may cache the old page under the new version:
    the commit replaces that version again."""
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.course_update(course=course, actor=ines, title="Renamed")
        during = cache.get(VERSION_KEY)
    for callback in callbacks:
        callback()

    assert cache.get(VERSION_KEY) != during


def test_a_cached_course_page_is_the_page_built_afresh(login_api, alice, course):
    fresh = [
        _get(f"/api/courses/{course.pk}/").content,
        login_api(alice).get(f"/api/courses/{course.pk}/").content,
    ]
    cached = [
        _get(f"/api/courses/{course.pk}/").content,
        login_api(alice).get(f"/api/courses/{course.pk}/").content,
    ]
    assert cached == fresh


def test_caching_can_be_turned_off(settings, course):
    settings.CATALOG_CACHE_SECONDS = 0
    assert "X-Lyceum-Cache" not in _get("/api/courses/")
    assert "X-Lyceum-Cache" not in _get("/api/courses/")
    assert "X-Lyceum-Cache" not in _get(f"/api/courses/{course.pk}/")
