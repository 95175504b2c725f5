import uuid
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lyceum.courses.models import CourseEnrollment
from lyceum.courses.tests.factories import CategoryFactory, CourseFactory, course_with_outline

pytestmark = pytest.mark.django_db

URL = "/api/courses/"


def _titles(response):
    return [course["title"] for course in response.json()["results"]]


def test_anyone_sees_published_courses_but_no_drafts(api, ines):
    CourseFactory(title="Published", instructor=ines)
    CourseFactory(title="Draft", instructor=ines, is_published=False, published_at=None)

    response = api.get(URL)

    assert response.status_code == 200
    assert _titles(response) == ["Published"]


def test_an_instructor_also_sees_their_own_drafts_but_not_others(login_api, ines, oscar):
    CourseFactory(title="Ines draft", instructor=ines, is_published=False)
    CourseFactory(title="Oscar draft", instructor=oscar, is_published=False)

    assert _titles(login_api(ines).get(URL)) == ["Ines draft"]


def test_an_admin_sees_every_course(login_api, admin_user, ines):
    CourseFactory(title="Draft", instructor=ines, is_published=False)
    CourseFactory(title="Live", instructor=ines)

    assert sorted(_titles(login_api(admin_user).get(URL))) == ["Draft", "Live"]


def test_search_matches_title_and_description(api, ines):
    CourseFactory(title="Python for data science", description="pandas and numpy", instructor=ines)
    CourseFactory(title="Watercolour painting", description="Brushes, paper and pigments", instructor=ines)

    assert _titles(api.get(URL, {"search": "python"})) == ["Python for data science"]
    assert _titles(api.get(URL, {"search": "pigments"})) == ["Watercolour painting"]
    assert _titles(api.get(URL, {"search": "astronomy"})) == []


def test_filters_by_category_level_price_instructor_and_tag(api, ines, oscar):
    code = CategoryFactory(name="Programming", slug="programming")
    free = CourseFactory(title="Free beginner", category=code, level="beginner", instructor=ines)
    CourseFactory(title="Paid advanced", price=Decimal("49.00"), level="advanced", instructor=oscar)
    free.tags.create(name="Python", slug="python")

    assert _titles(api.get(URL, {"category": "programming"})) == ["Free beginner"]
    assert _titles(api.get(URL, {"level": "advanced"})) == ["Paid advanced"]
    assert _titles(api.get(URL, {"price": "free"})) == ["Free beginner"]
    assert _titles(api.get(URL, {"price": "paid"})) == ["Paid advanced"]
    assert _titles(api.get(URL, {"instructor": "oscar"})) == ["Paid advanced"]
    assert _titles(api.get(URL, {"tag": "python"})) == ["Free beginner"]


def test_ordering_newest_popular_and_title(api, ines, bob, alice):
    from datetime import timedelta

    from django.utils import timezone

    now = timezone.now()
    older = CourseFactory(title="B older", instructor=ines, published_at=now - timedelta(days=2))
    CourseFactory(title="A newer", instructor=ines, published_at=now)
    for student in (alice, bob):
        CourseEnrollment.objects.create(user=student, course=older)
    older.enrollment_count = 2
    older.save()

    assert _titles(api.get(URL)) == ["A newer", "B older"]
    assert _titles(api.get(URL, {"ordering": "popular"})) == ["B older", "A newer"]
    assert _titles(api.get(URL, {"ordering": "title"})) == ["A newer", "B older"]


def test_catalog_is_paginated_and_counts_lessons(api, ines):
    course_with_outline(modules=2, lessons=3, instructor=ines, title="Outlined")
    for n in range(4):
        CourseFactory(instructor=ines, title=f"Extra {n}")

    page = api.get(URL, {"page_size": 2}).json()

    assert page["count"] == 5
    assert len(page["results"]) == 2
    outlined = api.get(URL, {"search": "Outlined"}).json()["results"][0]
    assert outlined["lesson_count"] == 6
    assert outlined["price"] == "0.00" and outlined["is_free"] is True


@pytest.mark.parametrize("size", [3, 25])
def test_catalog_runs_a_constant_number_of_queries(api, ines, size):
    for n in range(size):
        course = course_with_outline(modules=2, lessons=2, instructor=ines, title=f"C{n}")
        course.tags.create(name=f"T{n}", slug=f"t{n}")

    with CaptureQueriesContext(connection) as queries:
        response = api.get(URL, {"page_size": 100})

    assert response.json()["count"] == size
    assert len(queries) == 3, [q["sql"][:80] for q in queries.captured_queries]  # count, page, tags


def test_bad_page_and_unknown_filters_are_handled(api, ines):
    CourseFactory(instructor=ines)

    assert api.get(URL, {"page": 5}).status_code == 404
    assert api.get(URL, {"ordering": "nonsense"}).status_code == 200
    assert api.get(URL, {"level": "impossible"}).json()["count"] == 0
    assert api.get(f"{URL}{uuid.uuid4()}/").status_code == 404
