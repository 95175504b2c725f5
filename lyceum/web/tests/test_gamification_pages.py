"""The leaderboard, the badges gallery and the dashboard's strip, through Django's test client."""

import datetime as dt

import pytest
from django.utils import timezone

from lyceum.accounts.tests.factories import UserFactory
from lyceum.gamification import services
from lyceum.gamification.models import Challenge, PointsEntry

pytestmark = pytest.mark.django_db


def test_the_leaderboard_highlights_me_and_shares_ranks(
    client, alice, bob, django_capture_on_commit_callbacks
):
    carol = UserFactory(username="carol", first_name="Carol", last_name="")
    for user, points in ((alice, 30), (bob, 30), (carol, 50)):
        with django_capture_on_commit_callbacks(execute=True):  # Redis boards are written after commit
            services.award(user_id=user.pk, amount=points, reason="challenge", source="seed")
    assert client.get("/leaderboard/").status_code == 302
    client.force_login(alice)

    page = client.get("/leaderboard/?period=week").content.decode()

    assert "You are <strong>#2</strong> with 30 points." in page
    assert page.count('class="me"') == 1
    assert "Equal points share a rank" in page
    assert client.get("/leaderboard/?period=century").status_code == 200  # an unknown period is all time


def test_the_badges_gallery_shows_earned_and_locked(client, alice):
    client.force_login(alice)
    page = client.get("/achievements/").content.decode()
    assert "0 of 8 earned." in page and "Locked" in page and "Flawless" in page


def test_a_challenge_is_claimed_from_the_dashboard(client, alice):
    now = timezone.now()
    challenge = Challenge.objects.create(
        title="Some points",
        goal="points",
        target=10,
        starts_at=now - dt.timedelta(days=1),
        ends_at=now + dt.timedelta(days=1),
        reward_points=15,
    )
    client.force_login(alice)
    early = client.post(f"/challenges/{challenge.pk}/complete/", follow=True).content.decode()
    assert "Not there yet: 0 of 10." in early
    services.award(user_id=alice.pk, amount=10, reason="lesson_completed", source="lesson:x")

    home = client.get("/").content.decode()
    assert "Some points" in home and "10 of 10" in home and ">Claim<" in home
    done = client.post(f"/challenges/{challenge.pk}/complete/", follow=True).content.decode()
    assert "Challenge complete: +15 points." in done
    assert PointsEntry.objects.filter(user=alice, reason="challenge").count() == 1


def test_a_quiz_board_on_the_leaderboard_page_ranks_score_then_time(client, ines, alice, bob):
    from lyceum.quizzes.tests.factories import quiz_of_every_type
    from lyceum.quizzes.tests.test_leaderboard_and_grading import _graded

    quiz = quiz_of_every_type(instructor=ines)
    quiz.is_published = True
    quiz.save()
    _graded(quiz, alice, "80", 100)
    _graded(quiz, bob, "80", 50)  # as good, faster
    client.force_login(alice)
    course = quiz.course

    page = client.get(f"/leaderboard/?course={course.pk}").content.decode()
    assert f"quiz={quiz.pk}" in page  # the course's quiz boards are tabs
    board = client.get(f"/leaderboard/?course={course.pk}&quiz={quiz.pk}&period=week").content.decode()
    assert f"You are <strong>#2</strong> on {quiz.title} with 80 %." in board
    assert board.index(bob.display_name) < board.index(alice.display_name) < board.index("100 s")
    assert board.count('class="me"') == 1
    points_board = client.get(f"/leaderboard/?quiz={quiz.pk}").content.decode()  # no course chosen
    assert "Best attempts by score" not in points_board and "Equal points share a rank" in points_board
