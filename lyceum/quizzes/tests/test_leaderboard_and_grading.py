"""The quiz leaderboard, instructors' quiz building, GIFT import and essay grading."""

import datetime
import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import F
from django.utils import timezone

from lyceum.accounts.tests.factories import UserFactory
from lyceum.quizzes import events
from lyceum.quizzes.models import Question, QuestionAnswer, QuizAttempt
from lyceum.quizzes.tests.factories import enroll, quiz_of_every_type

pytestmark = pytest.mark.django_db


def _graded(quiz, user, percent, seconds, number=1):
    enroll(user, quiz)  # the leaderboard ranks the course's members
    start = timezone.now() - datetime.timedelta(hours=1)
    return QuizAttempt.objects.create(
        user=user,
        quiz=quiz,
        number=number,
        status="graded",
        started_at=start,
        submitted_at=start + datetime.timedelta(seconds=seconds),
        percent=Decimal(percent),
        score=Decimal(percent) / 10,
        max_score=Decimal(10),
        has_passed=True,
    )


def test_leaderboard_ranks_best_attempts_by_score_then_time_and_ties_share_a_rank(
    login_api, ines, alice, bob
):
    quiz = quiz_of_every_type(instructor=ines)
    carol, dave = UserFactory(username="carol"), UserFactory(username="dave")
    _graded(quiz, alice, "80", 300)
    _graded(quiz, alice, "95", 600, number=2)  # her best attempt counts
    _graded(quiz, bob, "95", 400)  # same score, faster: above alice
    _graded(quiz, carol, "70", 100)
    _graded(quiz, dave, "70", 100)  # exactly tied with carol

    board = login_api(alice).get(f"/api/quizzes/{quiz.pk}/leaderboard/").json()

    assert [(row["username"], row["rank"]) for row in board["results"]] == [
        ("bob", 1),
        ("alice", 2),
        ("carol", 3),
        ("dave", 3),
    ]
    assert board["results"][1]["percent"] == "95.00"
    assert board["total"] == 4


def test_the_callers_rank_is_given_even_outside_the_page(login_api, ines, alice):
    quiz = quiz_of_every_type(instructor=ines)
    for n in range(5):
        _graded(quiz, UserFactory(), str(90 - n), 60)
    _graded(quiz, alice, "10", 60)

    board = login_api(alice).get(f"/api/quizzes/{quiz.pk}/leaderboard/", {"limit": 3}).json()

    assert len(board["results"]) == 3
    assert board["me"]["rank"] == 6 and board["me"]["username"] == "alice"


def test_the_quiz_board_of_this_week_counts_attempts_submitted_this_week(login_api, ines, alice, bob):
    quiz = quiz_of_every_type(instructor=ines)
    old = _graded(quiz, alice, "100", 60)
    QuizAttempt.objects.filter(pk=old.pk).update(
        started_at=F("started_at") - datetime.timedelta(days=40),
        submitted_at=F("submitted_at") - datetime.timedelta(days=40),
    )
    _graded(quiz, bob, "50", 60)
    client = login_api(alice)

    def board(period):
        reply = client.get(f"/api/quizzes/{quiz.pk}/leaderboard/", {"period": period}).json()
        return [(row["username"], row["rank"]) for row in reply["results"]], reply["me"]

    assert board("all") == ([("alice", 1), ("bob", 2)], board("all")[1])
    assert board("week") == ([("bob", 1)], None)
    refused = client.get(f"/api/quizzes/{quiz.pk}/leaderboard/", {"period": "year"})
    assert (refused.status_code, list(refused.json()["error"]["fields"])) == (400, ["period"])


def test_an_instructor_builds_a_quiz_and_validates_questions(login_api, ines, oscar):
    quiz = quiz_of_every_type(instructor=ines)
    client = login_api(ines)

    created = client.post(
        f"/api/instructor/courses/{quiz.course_id}/quizzes/",
        {"title": "Week 2", "time_limit_minutes": 20, "max_attempts": 2, "passing_score_percent": 60},
        format="json",
    )
    quiz_id = created.json()["id"]
    good = client.post(
        f"/api/instructor/quizzes/{quiz_id}/questions/",
        {"type": "single", "text": "2 + 2?", "choices": [{"text": "4", "is_correct": True}, {"text": "5"}]},
        format="json",
    )
    none_right = client.post(
        f"/api/instructor/quizzes/{quiz_id}/questions/",
        {
            "type": "single",
            "text": "?",
            "choices": [{"text": "a", "is_correct": False}, {"text": "b", "is_correct": False}],
        },
        format="json",
    )
    no_number = client.post(
        f"/api/instructor/quizzes/{quiz_id}/questions/", {"type": "numeric", "text": "?"}, format="json"
    )
    foreign = login_api(oscar).post(
        f"/api/instructor/quizzes/{quiz_id}/questions/", {"type": "essay", "text": "?"}, format="json"
    )

    assert created.status_code == 201
    assert good.status_code == 201 and good.json()["choices"][0]["is_correct"] is True
    assert none_right.status_code == 400 and "choices" in none_right.json()["error"]["fields"]
    assert no_number.status_code == 400
    assert foreign.status_code == 404
    assert Question.objects.filter(quiz_id=quiz_id).count() == 1


def test_quiz_settings_are_validated(login_api, ines):
    quiz = quiz_of_every_type(instructor=ines)
    now = timezone.now()

    response = login_api(ines).patch(
        f"/api/instructor/quizzes/{quiz.pk}/",
        {
            "opens_at": now.isoformat(),
            "closes_at": (now - datetime.timedelta(hours=1)).isoformat(),
        },
        format="json",
    )

    assert response.status_code == 400
    assert "closes_at" in response.json()["error"]["fields"]


def test_gift_import_adds_every_question_or_none(login_api, ines):
    quiz = quiz_of_every_type(instructor=ines)
    client = login_api(ines)
    before = quiz.questions.count()

    ok = client.post(
        f"/api/instructor/quizzes/{quiz.pk}/import-gift/",
        {"gift": "Capital of Italy? {=Rome ~Milan}\n\nPi? {#3.14:0.01}\n"},
        format="json",
    )
    bad = client.post(
        f"/api/instructor/quizzes/{quiz.pk}/import-gift/",
        {"gift": "Fine {T}\n\n\nBroken {~a ~b}\n"},
        format="json",
    )

    assert ok.status_code == 201
    assert [q["type"] for q in ok.json()] == ["single", "numeric"]
    assert bad.status_code == 400
    assert bad.json()["error"]["fields"]["gift"] == [
        "Line 4: The positive weights add up to 0%, not 100%. "
        "(A single-choice question marks its right answer with =.)"
    ]
    assert quiz.questions.count() == before + 2


def test_essays_are_graded_by_hand_then_the_attempt_is_complete(
    login_api, ines, alice, django_capture_on_commit_callbacks
):
    quiz = quiz_of_every_type(instructor=ines)
    enroll(alice, quiz)
    student = login_api(alice)
    body = student.post("/api/quiz-attempts/", {"quiz": str(quiz.pk)}, format="json").json()
    essay = next(q for q in body["questions"] if q["type"] == "essay")
    student.post(
        f"/api/quiz-attempts/{body['id']}/submit/",
        {"answers": {essay["id"]: {"text": "Because the past explains the present."}}},
        format="json",
    )
    teacher = login_api(ines)
    waiting = teacher.get(f"/api/instructor/quizzes/{quiz.pk}/attempts/", {"status": "needs_grading"}).json()
    answer = QuestionAnswer.objects.get(attempt_id=body["id"], question_id=essay["id"])
    seen = []
    events.quiz_submitted.connect(lambda sender, **p: seen.append(p), weak=False, dispatch_uid="test-essay")

    too_many = teacher.post(f"/api/instructor/answers/{answer.pk}/grade/", {"points": "5"}, format="json")
    by_student = student.post(f"/api/instructor/answers/{answer.pk}/grade/", {"points": "1"}, format="json")
    with django_capture_on_commit_callbacks(execute=True):
        graded = teacher.post(
            f"/api/instructor/answers/{answer.pk}/grade/",
            {"points": "1", "feedback": "Well argued."},
            format="json",
        )
    events.quiz_submitted.disconnect(dispatch_uid="test-essay")

    assert [a["id"] for a in waiting["results"]] == [body["id"]]
    assert too_many.status_code == 400
    assert by_student.status_code == 404
    assert graded.status_code == 200
    assert graded.json()["status"] == "graded"
    assert graded.json()["score"] == "1.00"
    assert len(seen) == 1
    result = student.get(f"/api/quiz-attempts/{body['id']}/").json()
    assert next(q for q in result["questions"] if q["type"] == "essay")["feedback"] == "Well argued."


@pytest.mark.django_db(transaction=True)
def test_concurrent_start_requests_cannot_exceed_the_maximum(ines, alice):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL (SQLite runs one writer at a time)")
    from rest_framework.test import APIClient

    from lyceum.accounts.services import tokens_issue

    quiz = quiz_of_every_type(instructor=ines, max_attempts=2)
    enroll(alice, quiz)
    token = tokens_issue(user=alice)["access"]
    barrier, statuses = threading.Barrier(8), []

    def start_and_finish():
        from django.db import connection as thread_connection

        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
        try:
            barrier.wait()
            response = client.post("/api/quiz-attempts/", {"quiz": str(quiz.pk)}, format="json")
            statuses.append(response.status_code)
            if response.status_code in (200, 201):
                # Finish it at once, so that the next start would need a new attempt.
                QuizAttempt.objects.filter(pk=response.json()["id"]).update(status="graded")
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=start_and_finish) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert QuizAttempt.objects.filter(user=alice, quiz=quiz).count() <= 2
    assert set(statuses) <= {200, 201, 409}
    assert 201 in statuses


def test_questions_can_be_edited_and_an_edit_after_attempts_makes_a_new_version(login_api, ines, alice):
    quiz = quiz_of_every_type(instructor=ines)
    single = quiz.questions.get(type="single")
    client = login_api(ines)

    edited = client.patch(
        f"/api/instructor/questions/{single.pk}/",
        {
            "text": "Capital of France (city)?",
            "points": "3",
            "choices": [{"text": "Paris", "is_correct": True}, {"text": "Rome"}],
        },
        format="json",
    )
    retyped = client.patch(f"/api/instructor/questions/{single.pk}/", {"type": "essay"}, format="json")
    enroll(alice, quiz)
    student = login_api(alice)
    attempt = student.post("/api/quiz-attempts/", {"quiz": str(quiz.pk)}, format="json").json()
    student.post(f"/api/quiz-attempts/{attempt['id']}/submit/", {}, format="json")
    locked = client.patch(
        f"/api/instructor/questions/{single.pk}/",
        {"choices": [{"text": "Lyon", "is_correct": True}, {"text": "x"}]},
        format="json",
    )

    assert edited.status_code == 200
    assert [c["text"] for c in edited.json()["choices"]] == ["Paris", "Rome"]
    assert edited.json()["points"] == "3.00"
    assert edited.json()["id"] == str(single.pk)  # no attempts yet: changed in place
    assert retyped.status_code == 400
    # With an attempt, the change is a new version; the attempt keeps the old one.
    assert locked.status_code == 200
    new_id = locked.json()["id"]
    assert new_id != str(single.pk)
    single.refresh_from_db()
    assert single.retired_at is not None and str(single.replaced_by_id) == new_id
    assert [c.text for c in single.choices.all()] == ["Paris", "Rome"]
    keys = client.get(f"/api/instructor/quizzes/{quiz.pk}/").json()
    assert new_id in [q["id"] for q in keys] and str(single.pk) not in [q["id"] for q in keys]
    review = student.get(f"/api/quiz-attempts/{attempt['id']}/")
    assert review.status_code == 200
    assert str(single.pk) in [q["id"] for q in review.json()["questions"]]


def test_the_leaderboard_shows_attempts_awaiting_essay_grading_as_provisional(
    login_api, client, alice, bob, ines
):
    quiz = quiz_of_every_type(instructor=ines)
    for student in (alice, bob):
        enroll(student, quiz)
    api = login_api(alice)
    started = api.post("/api/quiz-attempts/", {"quiz": str(quiz.pk)}, format="json").json()
    by_type = {q["type"]: q for q in started["questions"]}
    paris = next(c["id"] for c in by_type["single"]["choices"] if c["text"] == "Paris")
    api.post(
        f"/api/quiz-attempts/{started['id']}/submit/",
        {
            "answers": {
                by_type["single"]["id"]: {"choices": [paris]},
                by_type["essay"]["id"]: {"text": "Because."},
            }
        },
        format="json",
    )

    board = login_api(bob).get(f"/api/quizzes/{quiz.pk}/leaderboard/").json()
    client.force_login(bob)
    page = client.get(f"/quizzes/{quiz.pk}/").content.decode()

    assert [(row["username"], row["provisional"]) for row in board["results"]] == [("alice", True)]
    assert "provisional" in page
    answer = QuestionAnswer.objects.get(attempt_id=started["id"], question__type="essay")
    login_api(ines).post(f"/api/instructor/answers/{answer.pk}/grade/", {"points": "1"}, format="json")
    graded = login_api(bob).get(f"/api/quizzes/{quiz.pk}/leaderboard/").json()["results"][0]
    assert graded["provisional"] is False and graded["score"] == "2.00"
