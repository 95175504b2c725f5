import datetime

import pytest
from django.utils import timezone

from lyceum.quizzes.models import QuestionAnswer, QuizAttempt
from lyceum.quizzes.tests.factories import enroll, quiz_of_every_type

pytestmark = pytest.mark.django_db


@pytest.fixture
def quiz(ines):
    return quiz_of_every_type(instructor=ines, time_limit_minutes=10, max_attempts=2)


def test_the_quiz_page_never_shows_the_key(client, alice, quiz):
    enroll(alice, quiz)
    client.force_login(alice)

    response = client.post(f"/quizzes/{quiz.pk}/start/")
    html = client.get(response["Location"]).content.decode()

    assert response.status_code == 302
    assert "Capital of France?" in html
    assert "is_correct" not in html and "Shakespeare" not in html and "3.14" not in html
    assert "Because of" not in html
    assert 'id="timer"' in html


def test_submitting_the_form_grades_and_shows_the_result(client, alice, quiz):
    enroll(alice, quiz)
    client.force_login(alice)
    attempt_url = client.post(f"/quizzes/{quiz.pk}/start/")["Location"]
    attempt = QuizAttempt.objects.get(user=alice)
    single = quiz.questions.get(type="single")
    paris = single.choices.get(text="Paris")
    short = quiz.questions.get(type="short_text")

    response = client.post(
        f"/quiz-attempts/{attempt.pk}/submit/",
        {
            f"q-{single.pk}-present": "1",
            f"q-{single.pk}-type": "single",
            f"q-{single.pk}": str(paris.pk),
            f"q-{short.pk}-present": "1",
            f"q-{short.pk}-type": "short_text",
            f"q-{short.pk}": "shakespeare",
        },
        follow=True,
    )

    html = response.content.decode()
    assert response.redirect_chain[-1][0] == attempt_url
    assert "Your result" in html
    attempt.refresh_from_db()
    assert attempt.score == 2
    assert "Right answer: Shakespeare" in html


def test_an_expired_attempt_page_shows_the_result(client, alice, quiz):
    enroll(alice, quiz)
    client.force_login(alice)
    client.post(f"/quizzes/{quiz.pk}/start/")
    attempt = QuizAttempt.objects.get(user=alice)
    QuizAttempt.objects.filter(pk=attempt.pk).update(deadline=timezone.now() - datetime.timedelta(minutes=1))

    html = client.get(f"/quiz-attempts/{attempt.pk}/").content.decode()

    assert "Your result" in html


def test_another_students_attempt_is_404(client, alice, bob, quiz):
    enroll(alice, quiz)
    client.force_login(alice)
    client.post(f"/quizzes/{quiz.pk}/start/")
    attempt = QuizAttempt.objects.get(user=alice)
    client.force_login(bob)

    assert client.get(f"/quiz-attempts/{attempt.pk}/").status_code == 404


def test_instructor_builds_imports_and_grades(client, ines, alice, quiz):
    client.force_login(ines)
    page = client.get(f"/teach/quizzes/{quiz.pk}/")
    client.post(
        f"/teach/quizzes/{quiz.pk}/",
        {
            "action": "question",
            "type": "single",
            "text": "Largest planet?",
            "points": "1",
            "choices": "*Jupiter\nMars\nVenus",
        },
    )
    imported = client.post(
        f"/teach/quizzes/{quiz.pk}/", {"action": "gift", "gift": "Sky colour? {=blue ~green}"}, follow=True
    )
    broken = client.post(f"/teach/quizzes/{quiz.pk}/", {"action": "gift", "gift": "Bad {~a ~b}"}, follow=True)

    assert page.status_code == 200
    assert quiz.questions.filter(
        text="Largest planet?", choices__text="Jupiter", choices__fraction=1
    ).exists()
    assert "Imported 1 question." in imported.content.decode()
    assert "Line 1: The positive weights add up to 0%" in broken.content.decode()

    enroll(alice, quiz)
    client.force_login(alice)
    client.post(f"/quizzes/{quiz.pk}/start/")
    attempt = QuizAttempt.objects.get(user=alice)
    essay = quiz.questions.get(type="essay")
    client.post(
        f"/quiz-attempts/{attempt.pk}/submit/",
        {f"q-{essay.pk}-present": "1", f"q-{essay.pk}-type": "essay", f"q-{essay.pk}": "Because."},
    )
    answer = QuestionAnswer.objects.get(attempt=attempt, question=essay)
    client.force_login(ines)
    client.post(
        f"/teach/quizzes/{quiz.pk}/",
        {"action": "grade", "answer": str(answer.pk), "points": "1", "feedback": "Short but right."},
    )

    attempt.refresh_from_db()
    assert attempt.status == "graded"


def test_the_quiz_page_shows_the_leaderboard(client, alice, quiz):
    enroll(alice, quiz)
    client.force_login(alice)
    client.post(f"/quizzes/{quiz.pk}/start/")
    attempt = QuizAttempt.objects.get(user=alice)
    client.post(f"/quiz-attempts/{attempt.pk}/submit/", {})

    html = client.get(f"/quizzes/{quiz.pk}/").content.decode()

    assert "Leaderboard" in html
    assert 'class="me"' in html
