"""Points exactly once per source, achievements at most once, streaks in the learner's time
zone, challenges paid only when met, leaderboards with shared ranks, and the API over them."""

from __future__ import annotations

import datetime as dt
import threading
import zoneinfo

import pytest
from django.db import connection, connections
from django.utils import timezone
from zeal import zeal_ignore

from lyceum.accounts.tests.factories import UserFactory
from lyceum.core.exceptions import ApplicationError
from lyceum.courses import services as course_services
from lyceum.courses.tests.factories import course_with_outline
from lyceum.gamification import selectors, services
from lyceum.gamification.models import Achievement, Challenge, PointsEntry, UserAchievement, UserStreak
from lyceum.gamification.rules import Facts, holds, validate_rule
from lyceum.notifications.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def course(ines):
    return course_with_outline(instructor=ines, is_published=True, modules=1, lessons=3)


def complete(user, lesson, hooks):
    with zeal_ignore(), hooks(execute=True):  # tests complete one lesson after another
        course_services.enroll(user=user, course=lesson.module.course)
    with zeal_ignore(), hooks(execute=True):
        course_services.lesson_complete(user=user, lesson=lesson)


def total(user) -> int:
    return selectors.points_total(user_id=user.pk)


def test_a_lesson_pays_once_and_earns_the_first_badge_once(alice, course, django_capture_on_commit_callbacks):
    lesson = course.modules.first().lessons.first()
    complete(alice, lesson, django_capture_on_commit_callbacks)
    complete(alice, lesson, django_capture_on_commit_callbacks)

    assert sorted(PointsEntry.objects.filter(user=alice).values_list("reason", "amount")) == [
        ("achievement", 5),  # first steps
        ("achievement", 10),  # top ten of the course: alone on its board, she is first
        ("lesson_completed", 10),
    ]
    assert set(UserAchievement.objects.filter(user=alice).values_list("achievement__slug", flat=True)) == {
        "first-lesson",
        "top-ten",
    }
    assert (
        Notification.objects.filter(user=alice, kind="achievement", title="Badge earned: First steps").count()
        == 1
    )
    streak = UserStreak.objects.get(user=alice, course__isnull=True)
    assert (streak.current, streak.longest) == (1, 1)


def test_crossing_a_level_announces_it(alice, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.award(user_id=alice.pk, amount=90, reason="challenge", source="test:a")
    assert not Notification.objects.filter(user=alice, kind="level_up", title__startswith="Level 2").exists()
    with django_capture_on_commit_callbacks(execute=True):
        services.award(user_id=alice.pk, amount=20, reason="challenge", source="test:b")
    assert (
        Notification.objects.filter(user=alice, kind="level_up", title="Level 2 reached: Apprentice").count()
        == 1
    )
    status = selectors.level_status(user=alice)
    assert (status.total, status.level.number, status.next_level.number, status.points_to_next) == (
        110,
        2,
        3,
        140,
    )
    assert status.progress_percent == 7  # 10 of the 150 between 100 and 250


@pytest.mark.parametrize(
    ("rule", "facts", "expected"),
    [
        ({"type": "lessons_completed", "count": 3}, {"lessons_completed": 3}, True),
        ({"type": "lessons_completed", "count": 3}, {"lessons_completed": 2}, False),
        ({"type": "courses_completed", "count": 1}, {"courses_completed": 1}, True),
        ({"type": "quiz_passed", "min_percent": 100}, {"quizzes_passed": {100.0: 1}}, True),
        ({"type": "quiz_passed", "min_percent": 100, "count": 2}, {"quizzes_passed": {100.0: 1}}, False),
        ({"type": "streak", "days": 7}, {"longest_streak": 7}, True),
        ({"type": "streak", "days": 7}, {"longest_streak": 6}, False),
        ({"type": "points", "total": 500}, {"points": 499}, False),
        ({"type": "course_rank", "top": 10}, {"best_course_rank": 10}, True),
        ({"type": "course_rank", "top": 10}, {"best_course_rank": None}, False),
        (
            {"type": "all", "rules": [{"type": "points", "total": 1}, {"type": "streak", "days": 2}]},
            {"points": 5, "longest_streak": 1},
            False,
        ),
        (
            {"type": "any", "rules": [{"type": "points", "total": 1}, {"type": "streak", "days": 2}]},
            {"points": 5, "longest_streak": 1},
            True,
        ),
    ],
)
def test_every_rule_type(rule, facts, expected):
    loaders = {name: (lambda *args, _v=value: _v[args[0]] if args else _v) for name, value in facts.items()}
    assert holds(validate_rule(rule), Facts(loaders)) is expected


@pytest.mark.parametrize(
    "rule",
    [
        {"type": "lessons_completed"},
        {"type": "lessons_completed", "count": 0},
        {"type": "teleport", "count": 1},
        {"type": "points", "total": 5, "extra": 1},
        {"type": "all", "rules": []},
        "points",
        {
            "type": "all",
            "rules": [
                {
                    "type": "all",
                    "rules": [
                        {"type": "all", "rules": [{"type": "all", "rules": [{"type": "points", "total": 1}]}]}
                    ],
                }
            ],
        },
    ],
)
def test_bad_rules_are_refused_with_the_reason(rule):
    with pytest.raises(ApplicationError) as refused:
        validate_rule(rule)
    assert refused.value.code == "invalid_rule"


def _day(user, year, month, day, hour, zone):
    moment = dt.datetime(year, month, day, hour, tzinfo=zoneinfo.ZoneInfo(zone))
    with zeal_ignore():  # the test records one day after another
        services.streak_record_activity(user=user, moment=moment)
        return UserStreak.objects.get(user=user, course__isnull=True)


def test_streaks_count_days_in_the_learners_time_zone(alice):
    alice.profile.timezone = "Asia/Tokyo"
    alice.profile.save()
    # 23:30 UTC on the 1st is the 2nd in Tokyo; 00:30 UTC on the 3rd is the 3rd there.
    assert _day(alice, 2026, 6, 1, 23, "UTC").last_active_day == dt.date(2026, 6, 2)
    assert _day(alice, 2026, 6, 3, 0, "UTC").current == 2
    assert _day(alice, 2026, 6, 3, 5, "UTC").current == 2  # the same Tokyo day again
    assert _day(alice, 2026, 6, 5, 3, "UTC").current == 1  # the 4th was missed
    assert UserStreak.objects.get(user=alice, course__isnull=True).longest == 2


def test_a_streak_survives_a_daylight_saving_change(alice):
    alice.profile.timezone = "America/New_York"
    alice.profile.save()
    # Clocks go forward on 2026-03-08: that local day has 23 hours.
    _day(alice, 2026, 3, 7, 23, "America/New_York")
    _day(alice, 2026, 3, 8, 23, "America/New_York")
    assert _day(alice, 2026, 3, 9, 0, "America/New_York").current == 3


def test_verifying_a_streak_breaks_it_after_a_missed_day_and_is_idempotent(alice, login_api):
    UserStreak.objects.create(
        user=alice, current=4, longest=4, last_active_day=timezone.localdate() - dt.timedelta(days=1)
    )
    client = login_api(alice)
    assert client.post("/api/verify-streak/").json()[0]["current"] == 4  # yesterday still counts
    UserStreak.objects.filter(user=alice).update(last_active_day=timezone.localdate() - dt.timedelta(days=2))
    for _ in range(3):
        reply = client.post("/api/verify-streak/")
        assert reply.status_code == 200
        assert (reply.json()[0]["current"], reply.json()[0]["longest"]) == (0, 4)


def test_a_challenge_pays_once_and_only_when_met(
    alice, course, login_api, django_capture_on_commit_callbacks
):
    now = timezone.now()
    challenge = Challenge.objects.create(
        title="Two lessons",
        goal="lessons_completed",
        target=2,
        starts_at=now - dt.timedelta(days=1),
        ends_at=now + dt.timedelta(days=6),
        reward_points=40,
    )
    client = login_api(alice)
    lessons = list(course.modules.first().lessons.all())
    complete(alice, lessons[0], django_capture_on_commit_callbacks)

    early = client.post(f"/api/challenges/{challenge.pk}/complete/")
    assert (early.status_code, early.json()["error"]["code"]) == (409, "challenge_not_met")
    complete(alice, lessons[1], django_capture_on_commit_callbacks)
    listed = client.get("/api/challenges/").json()
    assert [(row["title"], row["progress"], row["completed"]) for row in listed] == [
        ("Two lessons", 2, False)
    ]

    assert client.post(f"/api/challenges/{challenge.pk}/complete/").status_code == 200
    again = client.post(f"/api/challenges/{challenge.pk}/complete/")
    assert (again.status_code, again.json()["error"]["code"]) == (409, "challenge_completed")
    assert PointsEntry.objects.filter(user=alice, reason="challenge").count() == 1
    assert client.post("/api/challenges/7d1f0a52-3c1e-4a55-9d6b-1c2f0e2c9a11/complete/").status_code == 404


def test_the_gamification_api(api, login_api, alice, bob, course, django_capture_on_commit_callbacks):
    complete(alice, course.modules.first().lessons.first(), django_capture_on_commit_callbacks)
    client = login_api(alice)
    for path in (
        "/api/leaderboard/",
        "/api/my-achievements/",
        "/api/streak/",
        "/api/my-points/",
        "/api/my-level/",
        "/api/challenges/",
    ):
        assert api.get(path).status_code == 401
        assert client.get(path).status_code == 200, path

    board = client.get("/api/leaderboard/?period=week").json()
    assert (board["me"]["rank"], board["me"]["points"], board["period"]) == (1, 25, "week")
    assert client.get("/api/leaderboard/?period=decade").status_code == 400
    assert client.get(f"/api/leaderboard/courses/{course.pk}/").json()["top"][0]["username"] == "alice"
    assert login_api(bob).get(f"/api/leaderboard/courses/{course.pk}/").status_code == 403
    assert client.get("/api/leaderboard/courses/7d1f0a52-3c1e-4a55-9d6b-1c2f0e2c9a11/").status_code == 404

    points = client.get("/api/my-points/").json()
    assert points["total_points"] == 25
    assert sorted(row["reason"] for row in points["results"]) == [
        "achievement",
        "achievement",
        "lesson_completed",
    ]
    badges = {row["slug"]: row for row in client.get("/api/my-achievements/").json()}
    assert badges["first-lesson"]["earned_at"] and badges["perfect-quiz"]["earned_at"] is None
    assert badges["first-lesson"]["icon_url"].endswith("/badges/footprints.svg")
    level = client.get("/api/my-level/").json()
    assert (level["level"], level["total_points"], level["next_level"]) == (1, 25, 2)


@pytest.mark.django_db(transaction=True)
def test_fifty_identical_events_at_once_pay_once(settings):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL (SQLite runs one writer at a time)")
    from lyceum.accounts.services import roles_ensure

    roles_ensure()
    user = UserFactory(username="racer")
    Achievement.objects.create(
        slug="fifty", title="Fifty", description="x", rule={"type": "points", "total": 10}, points=7
    )
    barrier = threading.Barrier(50)
    results: list[bool] = []

    def worker():
        try:
            barrier.wait()
            results.append(
                services.award(user_id=user.pk, amount=10, reason="lesson_completed", source="lesson:same")
            )
            services.achievements_evaluate(user=user)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert results.count(True) == 1
    assert selectors.points_total(user_id=user.pk) == 17  # 10 once, and the badge's 7 once
    assert UserAchievement.objects.filter(user=user).count() == 1
