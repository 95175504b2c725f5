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


def test_signed_in_readers_are_never_served_from_the_cache(login_api, alice, course):
    _get(f"/api/courses/{course.pk}/"), _get(f"/api/courses/{course.pk}/")  # cached for anonymous
    services.enroll(user=alice, course=course)
    client = login_api(alice)

    response = client.get(f"/api/courses/{course.pk}/")

    assert "X-Lyceum-Cache" not in response
    assert response.json()["viewer"]["is_enrolled"] is True


def test_the_version_moves_again_when_the_change_commits(ines, course, django_capture_on_commit_callbacks):
    """A reader between the change and its commit may cache the old page under the new version:
    the commit replaces that version again."""
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.course_update(course=course, actor=ines, title="Renamed")
        during = cache.get(VERSION_KEY)
    for callback in callbacks:
        callback()

    assert cache.get(VERSION_KEY) != during


def test_caching_can_be_turned_off(settings, course):
    settings.CATALOG_CACHE_SECONDS = 0
    assert "X-Lyceum-Cache" not in _get("/api/courses/")
    assert "X-Lyceum-Cache" not in _get("/api/courses/")
