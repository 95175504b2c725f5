"""A course's own badges: its instructors make them without code (API and page), only its learners
see and earn them, and their rules count only what was done in that course."""

from __future__ import annotations

import pytest
from zeal import zeal_ignore

from lyceum.courses import services as course_services
from lyceum.courses.tests.factories import course_with_outline
from lyceum.gamification.models import Achievement, PointsEntry, UserAchievement

pytestmark = pytest.mark.django_db

RULE = {"type": "lessons_completed", "count": 2}


@pytest.fixture
def course(ines):
    return course_with_outline(instructor=ines, is_published=True, modules=1, lessons=3)


@pytest.fixture
def other_course(oscar):
    return course_with_outline(instructor=oscar, is_published=True, modules=1, lessons=3)


def complete(user, lessons, hooks):
    for lesson in lessons:
        with zeal_ignore(), hooks(execute=True):
            course_services.enroll(user=user, course=lesson.module.course)
        with zeal_ignore(), hooks(execute=True):
            course_services.lesson_complete(user=user, lesson=lesson)


def badge_body(**changes):
    return {
        "title": "Two in a row",
        "description": "Complete two lessons of this course.",
        "icon": "rocket",
        "points": 15,
        "rule": RULE,
        **changes,
    }


def test_an_instructor_adds_a_badge_and_only_work_in_that_course_earns_it(
    login_api, ines, alice, course, other_course, django_capture_on_commit_callbacks
):
    made = login_api(ines).post(
        f"/api/instructor/courses/{course.pk}/achievements/", badge_body(), format="json"
    )
    assert made.status_code == 201, made.json()
    badge = Achievement.objects.get(pk=made.json()["id"])
    assert (badge.course_id, badge.created_by_id, badge.points) == (course.pk, ines.pk, 15)

    # Two lessons elsewhere do not count towards this course's badge.
    complete(alice, list(other_course.modules.first().lessons.all())[:2], django_capture_on_commit_callbacks)
    assert not UserAchievement.objects.filter(user=alice, achievement=badge).exists()
    complete(alice, list(course.modules.first().lessons.all())[:1], django_capture_on_commit_callbacks)
    assert not UserAchievement.objects.filter(user=alice, achievement=badge).exists()
    complete(alice, list(course.modules.first().lessons.all())[1:2], django_capture_on_commit_callbacks)
    assert UserAchievement.objects.filter(user=alice, achievement=badge).count() == 1
    paid = PointsEntry.objects.get(user=alice, source=f"achievement:{badge.pk}")
    assert (paid.amount, paid.course_id) == (15, course.pk)  # on the course's board too

    mine = {row["id"]: row for row in login_api(alice).get("/api/my-achievements/").json()}
    assert mine[badge.pk]["course_title"] == course.title and mine[badge.pk]["earned_at"]
    listed = login_api(ines).get(f"/api/instructor/courses/{course.pk}/achievements/").json()
    assert [(row["title"], row["earned_count"]) for row in listed] == [("Two in a row", 1)]


def test_a_learner_of_another_course_does_not_see_its_badges(login_api, ines, bob, course, other_course):
    login_api(ines).post(f"/api/instructor/courses/{course.pk}/achievements/", badge_body(), format="json")
    with zeal_ignore():
        course_services.enroll(user=bob, course=other_course)
    titles = [row["title"] for row in login_api(bob).get("/api/my-achievements/").json()]
    assert "Two in a row" not in titles and titles  # the site-wide ones are there


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "x" * 121}, "title"),
        ({"icon": "skull"}, "icon"),
        ({"points": -1}, "points"),
        ({"points": 1001}, "points"),
        ({"rule": {"type": "lessons_completed"}}, "rule"),
        ({"rule": {"type": "teleport", "count": 1}}, "rule"),
        ({"rule": {"type": "courses_completed", "count": 2}}, "rule"),  # one course: count is 1
        ({"rule": "lessons_completed >= 2"}, "rule"),
    ],
)
def test_a_bad_badge_is_refused_whole(login_api, ines, course, changes, field):
    reply = login_api(ines).post(
        f"/api/instructor/courses/{course.pk}/achievements/", badge_body(**changes), format="json"
    )
    assert reply.status_code == 400
    assert field in reply.json()["error"]["fields"]
    assert not Achievement.objects.filter(course=course).exists()


def test_only_the_courses_staff_manage_its_badges(login_api, ines, oscar, alice, course):
    badge = Achievement.objects.get(
        pk=login_api(ines)
        .post(f"/api/instructor/courses/{course.pk}/achievements/", badge_body(), format="json")
        .json()["id"]
    )
    for outsider in (oscar, alice):
        client = login_api(outsider)
        assert client.get(f"/api/instructor/courses/{course.pk}/achievements/").status_code == 404
        assert (
            client.post(
                f"/api/instructor/courses/{course.pk}/achievements/", badge_body(), format="json"
            ).status_code
            == 404
        )
        assert client.patch(f"/api/instructor/achievements/{badge.pk}/", {"points": 999}).status_code == 404
        assert client.delete(f"/api/instructor/achievements/{badge.pk}/").status_code == 404
    site_wide = Achievement.objects.filter(course__isnull=True).first()
    assert login_api(ines).delete(f"/api/instructor/achievements/{site_wide.pk}/").status_code == 404
    badge.refresh_from_db()
    assert badge.points == 15 and Achievement.objects.filter(pk=site_wide.pk).exists()


def test_an_earned_badge_is_switched_off_not_deleted(
    login_api, ines, alice, course, django_capture_on_commit_callbacks
):
    client = login_api(ines)
    badge_id = client.post(
        f"/api/instructor/courses/{course.pk}/achievements/", badge_body(), format="json"
    ).json()["id"]
    complete(alice, list(course.modules.first().lessons.all())[:2], django_capture_on_commit_callbacks)

    refused = client.delete(f"/api/instructor/achievements/{badge_id}/")
    assert (refused.status_code, refused.json()["error"]["code"]) == (409, "achievement_earned")
    off = client.patch(f"/api/instructor/achievements/{badge_id}/", {"is_active": False}, format="json")
    assert (off.status_code, off.json()["is_active"], off.json()["earned_count"]) == (200, False, 1)
    assert (
        client.patch(
            f"/api/instructor/achievements/{badge_id}/", {"rule": {"type": "all"}}, format="json"
        ).status_code
        == 400
    )
    assert UserAchievement.objects.filter(user=alice, achievement_id=badge_id).exists()  # she keeps it

    unearned = client.post(
        f"/api/instructor/courses/{course.pk}/achievements/", badge_body(title="Later"), format="json"
    ).json()["id"]
    assert client.delete(f"/api/instructor/achievements/{unearned}/").status_code == 204
    assert not Achievement.objects.filter(pk=unearned).exists()


def test_the_badge_editor_page_builds_the_rule_from_conditions(client, ines, oscar, course):
    client.force_login(ines)
    url = f"/teach/courses/{course.pk}/achievements/"
    assert "No badge of its own yet." in client.get(url).content.decode()
    form = {
        "action": "create",
        "title": "Quick and right",
        "description": "Two lessons and a quiz passed with 90 %.",
        "icon": "trophy",
        "points": "25",
        "match": "all",
        "condition_1": "lessons_completed",
        "number_1": "2",
        "condition_2": "quiz_passed",
        "number_2": "90",
        "condition_3": "",
        "number_3": "",
    }
    page = client.post(url, form, follow=True).content.decode()
    assert "Badge “Quick and right” added." in page
    assert "Earned with 2 lesson(s) completed and a quiz passed with at least 90 %" in page
    badge = Achievement.objects.get(course=course)
    assert badge.rule == {
        "type": "all",
        "rules": [{"type": "lessons_completed", "count": 2}, {"type": "quiz_passed", "min_percent": 90}],
    }

    bad = client.post(url, {**form, "number_2": "150"}).content.decode()  # a percent above 100
    assert "The rule is not valid" in bad and Achievement.objects.filter(course=course).count() == 1
    missing = client.post(url, {**form, "number_1": ""}).content.decode()
    assert "This condition needs a number." in missing

    assert client.post(url, {"action": "switch", "badge": "'; DROP"}).status_code == 404
    client.post(url, {"action": "switch", "badge": badge.pk})
    badge.refresh_from_db()
    assert not badge.is_active
    client.post(url, {"action": "delete", "badge": badge.pk})
    assert not Achievement.objects.filter(course=course).exists()

    client.force_login(oscar)
    assert client.get(url).status_code == 404
