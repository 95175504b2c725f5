"""Validation rules live in the models and services: the page and the API accept and refuse the
same input."""

import pytest

from lyceum.accounts.models import UserProfile
from lyceum.quizzes.models import Quiz
from lyceum.quizzes.tests.factories import quiz_of_every_type

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("born", ["2999-01-01", "1850-06-01"])
def test_an_impossible_date_of_birth_is_refused_by_the_api_and_the_page(login_api, client, alice, born):
    api = login_api(alice).patch("/api/auth/profile/", {"date_of_birth": born}, format="json")
    client.force_login(alice)
    page = client.post(
        "/profile/edit/",
        {
            "username": "alice",
            "email": "alice@example.com",
            "timezone": "UTC",
            "theme": "system",
            "date_of_birth": born,
        },
    )

    assert api.status_code == 400
    assert "date_of_birth" in api.json()["error"]["fields"]
    assert page.status_code == 400
    assert "date of birth" in page.content.decode()
    assert UserProfile.objects.get(user=alice).date_of_birth is None


@pytest.mark.parametrize(
    "settings_, field",
    [({"time_limit_minutes": 100_000}, "time_limit_minutes"), ({"max_attempts": 5000}, "max_attempts")],
)
def test_absurd_quiz_settings_are_refused_by_the_api_and_the_page(login_api, client, ines, settings_, field):
    quiz = quiz_of_every_type(instructor=ines)
    before = Quiz.objects.values("time_limit_minutes", "max_attempts").get(pk=quiz.pk)

    api = login_api(ines).patch(f"/api/instructor/quizzes/{quiz.pk}/", settings_, format="json")
    client.force_login(ines)
    page = client.post(
        f"/teach/quizzes/{quiz.pk}/",
        {"action": "settings", "title": quiz.title, "passing_score_percent": "50", **settings_},
        follow=True,
    )

    assert api.status_code == 400
    assert field in api.json()["error"]["fields"]
    assert "less than or equal to" in page.content.decode()
    assert Quiz.objects.values("time_limit_minutes", "max_attempts").get(pk=quiz.pk) == before
