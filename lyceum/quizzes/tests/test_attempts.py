"""Taking a quiz through the API: the rules the server enforces."""

import datetime
import json
from decimal import Decimal

import pytest
from django.utils import timezone

from lyceum.quizzes import events
from lyceum.quizzes.models import Question, Quiz, QuizAttempt
from lyceum.quizzes.tests.factories import enroll, quiz_of_every_type

pytestmark = pytest.mark.django_db


@pytest.fixture
def quiz(ines):
    return quiz_of_every_type(instructor=ines)


@pytest.fixture
def submitted_events():
    seen = []

    def listener(sender, **payload):
        seen.append(payload)

    events.quiz_submitted.connect(listener, weak=False)
    yield seen
    events.quiz_submitted.disconnect(listener)


def _start(client, quiz):
    return client.post("/api/quiz-attempts/", {"quiz": str(quiz.pk)}, format="json")


def _by_type(body):
    return {q["type"]: q for q in body["questions"]}


def _right_answers(body):
    questions = _by_type(body)
    pick = {q["type"]: {c["text"]: c["id"] for c in q["choices"]} for q in body["questions"]}
    right = {
        "single": {"choices": [pick.get("single", {}).get("Paris")]},
        "multiple": {"choices": [pick.get("multiple", {}).get("2"), pick.get("multiple", {}).get("3")]},
        "true_false": {"choices": [pick.get("true_false", {}).get("True")]},
        "short_text": {"text": "  shakespeare "},
        "numeric": {"number": "3.144"},
        "essay": {"text": "To understand the present."},
    }
    return {question["id"]: right[kind] for kind, question in questions.items()}


def test_quiz_detail_shows_rules_but_no_questions(login_api, alice, quiz):
    enroll(alice, quiz)

    body = login_api(alice).get(f"/api/quizzes/{quiz.pk}/").json()

    assert body["title"] == "Every type"
    assert body["status"]["question_count"] == 6
    assert body["status"]["attempts_left"] is None
    assert "questions" not in body


def test_only_enrolled_students_start(login_api, alice, quiz):
    response = _start(login_api(alice), quiz)

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "not_enrolled"


def test_correct_answers_never_reach_the_student_before_submission(login_api, alice, quiz):
    enroll(alice, quiz)
    client = login_api(alice)

    started = _start(client, quiz)
    reread = client.get(f"/api/quiz-attempts/{started.json()['id']}/")

    for response in (started, reread):
        text = response.content.decode()
        assert response.status_code in (200, 201)
        assert "is_correct" not in text
        assert '"correct"' not in text
        assert "Shakespeare" not in text  # the accepted short answer
        assert "3.14" not in text  # the numeric answer
        assert "Because of" not in text  # explanations
        assert response.json()["answers_visible"] is False


def test_a_full_attempt_is_graded_exactly(
    login_api, alice, quiz, submitted_events, django_capture_on_commit_callbacks
):
    enroll(alice, quiz)
    client = login_api(alice)
    body = _start(client, quiz).json()

    with django_capture_on_commit_callbacks(execute=True):
        saved = client.put(
            f"/api/quiz-attempts/{body['id']}/answers/", {"answers": _right_answers(body)}, format="json"
        )
        result = client.post(f"/api/quiz-attempts/{body['id']}/submit/", {}, format="json")

    assert saved.status_code == 200
    graded = result.json()
    assert graded["status"] == "needs_grading"  # the essay waits for the instructor
    assert Decimal(graded["score"]) == Decimal("6.00")
    assert Decimal(graded["max_score"]) == Decimal("7.00")
    assert graded["has_passed"] is None
    assert graded["answers_visible"] is True
    assert _by_type(graded)["short_text"]["correct"]["accepted_answers"] == ["Shakespeare"]
    assert submitted_events == []  # not fully graded yet


def test_submitting_twice_returns_the_same_result(
    login_api, alice, ines, django_capture_on_commit_callbacks, submitted_events
):
    quiz = quiz_of_every_type(instructor=ines)
    Question.objects.filter(quiz=quiz, type="essay").delete()
    enroll(alice, quiz)
    client = login_api(alice)
    body = _start(client, quiz).json()

    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(
            f"/api/quiz-attempts/{body['id']}/submit/", {"answers": _right_answers(body)}, format="json"
        )
        second = client.post(f"/api/quiz-attempts/{body['id']}/submit/", {}, format="json")

    assert first.json()["percent"] == second.json()["percent"] == "100.00"
    assert first.json()["has_passed"] is True
    assert len(submitted_events) == 1
    assert submitted_events[0]["has_passed"] is True


def test_reloading_keeps_the_order_of_questions_and_choices(login_api, alice, ines):
    quiz = quiz_of_every_type(instructor=ines, shuffle_questions=True, shuffle_choices=True)
    enroll(alice, quiz)
    client = login_api(alice)

    first = _start(client, quiz).json()
    again = _start(client, quiz)  # resumes the same attempt
    reread = client.get(f"/api/quiz-attempts/{first['id']}/").json()

    assert again.status_code == 200 and again.json()["id"] == first["id"]
    order = [(q["id"], [c["id"] for c in q["choices"]]) for q in first["questions"]]
    assert order == [(q["id"], [c["id"] for c in q["choices"]]) for q in reread["questions"]]


def test_a_random_subset_is_drawn_per_attempt(login_api, alice, ines):
    quiz = quiz_of_every_type(instructor=ines, questions_per_attempt=3)
    enroll(alice, quiz)

    body = _start(login_api(alice), quiz).json()

    assert len(body["questions"]) == 3
    assert Decimal(body["max_score"]) == sum(Decimal(q["points"]) for q in body["questions"])


def test_answers_after_the_deadline_are_refused_and_the_attempt_graded(login_api, alice, ines):
    quiz = quiz_of_every_type(instructor=ines, time_limit_minutes=10)
    enroll(alice, quiz)
    client = login_api(alice)
    body = _start(client, quiz).json()
    answers = _right_answers(body)
    single = _by_type(body)["single"]["id"]
    client.put(
        f"/api/quiz-attempts/{body['id']}/answers/", {"answers": {single: answers[single]}}, format="json"
    )
    QuizAttempt.objects.filter(pk=body["id"]).update(deadline=timezone.now() - datetime.timedelta(seconds=30))

    late = client.put(f"/api/quiz-attempts/{body['id']}/answers/", {"answers": answers}, format="json")

    assert late.status_code == 409
    assert late.json()["error"]["code"] == "time_up"
    attempt = QuizAttempt.objects.get(pk=body["id"])
    assert attempt.status == "graded"
    assert attempt.score == Decimal("1.00")  # only the answer saved in time
    assert attempt.submitted_at == attempt.deadline


def test_an_expired_attempt_is_graded_when_read(login_api, alice, ines):
    quiz = quiz_of_every_type(instructor=ines, time_limit_minutes=5)
    enroll(alice, quiz)
    client = login_api(alice)
    body = _start(client, quiz).json()
    QuizAttempt.objects.filter(pk=body["id"]).update(deadline=timezone.now() - datetime.timedelta(minutes=1))

    reread = client.get(f"/api/quiz-attempts/{body['id']}/").json()

    assert reread["status"] == "graded"
    assert reread["percent"] == "0.00"


def test_the_deadline_is_the_servers(login_api, alice, ines):
    quiz = quiz_of_every_type(instructor=ines, time_limit_minutes=15)
    enroll(alice, quiz)

    body = _start(login_api(alice), quiz).json()

    started = datetime.datetime.fromisoformat(body["started_at"].replace("Z", "+00:00"))
    deadline = datetime.datetime.fromisoformat(body["deadline"].replace("Z", "+00:00"))
    assert deadline - started == datetime.timedelta(minutes=15)
    assert body["server_time"]


def test_maximum_attempts_hold(login_api, alice, ines):
    quiz = quiz_of_every_type(instructor=ines, max_attempts=1)
    enroll(alice, quiz)
    client = login_api(alice)
    body = _start(client, quiz).json()
    client.post(f"/api/quiz-attempts/{body['id']}/submit/", {}, format="json")

    again = _start(client, quiz)

    assert again.status_code == 409
    assert again.json()["error"]["code"] == "no_attempts_left"
    assert QuizAttempt.objects.filter(user=alice, quiz=quiz).count() == 1


def test_a_student_reads_only_their_own_attempts(login_api, alice, bob, quiz):
    enroll(alice, quiz)
    enroll(bob, quiz)
    body = _start(login_api(alice), quiz).json()
    thief = login_api(bob)

    assert thief.get(f"/api/quiz-attempts/{body['id']}/").status_code == 404
    assert thief.post(f"/api/quiz-attempts/{body['id']}/submit/", {}, format="json").status_code == 404
    assert (
        thief.put(f"/api/quiz-attempts/{body['id']}/answers/", {"answers": {}}, format="json").status_code
        == 404
    )


@pytest.mark.parametrize(
    ("kind", "value", "field"),
    [
        ("single", {"choices": ["00000000-0000-0000-0000-000000000000"]}, "choices"),
        ("numeric", {"number": "abc"}, "answers"),
        ("single", "not an object", "answers"),
    ],
)
def test_bad_answers_are_400_and_save_nothing(login_api, alice, quiz, kind, value, field):
    enroll(alice, quiz)
    client = login_api(alice)
    body = _start(client, quiz).json()

    response = client.put(
        f"/api/quiz-attempts/{body['id']}/answers/",
        {"answers": {_by_type(body)[kind]["id"]: value}},
        format="json",
    )

    assert response.status_code == 400
    assert field in json.dumps(response.json()["error"]["fields"])
    assert not QuizAttempt.objects.get(pk=body["id"]).answers.exists()


def test_answering_a_question_outside_the_attempt_is_400(login_api, alice, ines):
    quiz = quiz_of_every_type(instructor=ines, questions_per_attempt=1)
    enroll(alice, quiz)
    client = login_api(alice)
    body = _start(client, quiz).json()
    other = Question.objects.filter(quiz=quiz).exclude(pk=body["questions"][0]["id"]).first()

    response = client.put(
        f"/api/quiz-attempts/{body['id']}/answers/",
        {"answers": {str(other.pk): {"text": "x"}}},
        format="json",
    )

    assert response.status_code == 400


def test_sequential_navigation_does_not_go_back(login_api, alice, ines):
    quiz = quiz_of_every_type(instructor=ines, navigation="sequential")
    enroll(alice, quiz)
    client = login_api(alice)
    body = _start(client, quiz).json()
    first, second = body["questions"][0]["id"], body["questions"][1]["id"]
    pick = body["questions"][0]["choices"][0]["id"]

    forward = client.put(
        f"/api/quiz-attempts/{body['id']}/answers/", {"answers": {second: {"choices": []}}}, format="json"
    )
    back = client.put(
        f"/api/quiz-attempts/{body['id']}/answers/", {"answers": {first: {"choices": [pick]}}}, format="json"
    )

    assert forward.status_code == 200
    assert back.status_code == 409
    assert back.json()["error"]["code"] == "no_going_back"


def test_a_closed_quiz_cannot_be_started(login_api, alice, ines):
    quiz = quiz_of_every_type(instructor=ines, closes_at=timezone.now() - datetime.timedelta(hours=1))
    enroll(alice, quiz)

    response = _start(login_api(alice), quiz)

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "quiz_closed"


def test_answers_after_the_quiz_closes_setting(login_api, alice, ines):
    quiz = quiz_of_every_type(
        instructor=ines,
        closes_at=timezone.now() + datetime.timedelta(days=1),
        **{part: "after_close" for part in Quiz.REVIEW_PARTS},
    )
    enroll(alice, quiz)
    client = login_api(alice)
    body = _start(client, quiz).json()

    result = client.post(f"/api/quiz-attempts/{body['id']}/submit/", {}, format="json").json()

    assert result["answers_visible"] is False
    assert all("correct" not in question for question in result["questions"])
    quiz.closes_at = timezone.now() - datetime.timedelta(seconds=1)
    quiz.opens_at = None
    quiz.save()
    assert client.get(f"/api/quiz-attempts/{body['id']}/").json()["answers_visible"] is True


def test_the_periodic_sweep_grades_expired_attempts_only(login_api, alice, bob, ines):
    from lyceum.quizzes.tasks import close_expired_attempts

    quiz = quiz_of_every_type(instructor=ines, time_limit_minutes=10)
    enroll(alice, quiz)
    enroll(bob, quiz)
    expired = _start(login_api(alice), quiz).json()
    running = _start(login_api(bob), quiz).json()
    QuizAttempt.objects.filter(pk=expired["id"]).update(
        deadline=timezone.now() - datetime.timedelta(minutes=1)
    )

    closed = close_expired_attempts.delay().get()

    assert closed == 1
    assert QuizAttempt.objects.get(pk=expired["id"]).status == "graded"
    assert QuizAttempt.objects.get(pk=running["id"]).status == "in_progress"


def test_an_attempt_survives_its_questions_being_deleted_or_their_choices_replaced(
    login_api, ines, alice, bob, quiz
):
    enroll(alice, quiz)
    student, teacher = login_api(alice), login_api(ines)
    attempt = _start(student, quiz).json()
    single = Question.objects.get(quiz=quiz, type="single")
    multiple = Question.objects.get(quiz=quiz, type="multiple")
    right = single.choices.get(fraction=1)

    deleted = teacher.delete(f"/api/instructor/questions/{single.pk}/")
    replaced = teacher.patch(
        f"/api/instructor/questions/{multiple.pk}/",
        {"choices": [{"text": "Only this", "is_correct": True}, {"text": "Not this"}]},
        format="json",
    )
    read = student.get(f"/api/quiz-attempts/{attempt['id']}/")
    saved = student.put(
        f"/api/quiz-attempts/{attempt['id']}/answers/",
        {"answers": {str(single.pk): {"choices": [str(right.pk)]}}},
        format="json",
    )
    submitted = student.post(f"/api/quiz-attempts/{attempt['id']}/submit/", {}, format="json")

    assert deleted.status_code == 204 and replaced.status_code == 200
    assert read.status_code == 200 and saved.status_code == 200 and submitted.status_code == 200
    held = {q["id"]: q for q in read.json()["questions"]}
    assert str(single.pk) in held
    assert {c["text"] for c in held[str(multiple.pk)]["choices"]} == {c.text for c in multiple.choices.all()}
    assert (
        QuizAttempt.objects.get(pk=attempt["id"]).answers.get(question=single).points_awarded == single.points
    )
    # The next attempt gets the quiz as it is now.
    enroll(bob, quiz)
    fresh = {q["id"] for q in _start(login_api(bob), quiz).json()["questions"]}
    assert str(single.pk) not in fresh and str(multiple.pk) not in fresh


def test_a_student_who_left_the_course_cannot_save_or_submit_nor_rank(login_api, ines, alice, bob, quiz):
    enroll(alice, quiz)
    enroll(bob, quiz)
    student = login_api(alice)
    done = _start(student, quiz).json()
    student.post(f"/api/quiz-attempts/{done['id']}/submit/", {}, format="json")
    open_attempt = _start(login_api(bob), quiz).json()
    assert login_api(bob).get(f"/api/quizzes/{quiz.pk}/leaderboard/").json()["total"] == 1

    login_api(alice).delete(f"/api/courses/{quiz.course.pk}/enroll/")
    login_api(bob).delete(f"/api/courses/{quiz.course.pk}/enroll/")
    saved = login_api(bob).put(
        f"/api/quiz-attempts/{open_attempt['id']}/answers/", {"answers": {}}, format="json"
    )
    submitted = login_api(bob).post(f"/api/quiz-attempts/{open_attempt['id']}/submit/", {}, format="json")
    board_for_leaver = login_api(alice).get(f"/api/quizzes/{quiz.pk}/leaderboard/")
    board_for_staff = login_api(ines).get(f"/api/quizzes/{quiz.pk}/leaderboard/")

    assert saved.status_code == 403 and submitted.status_code == 403
    assert QuizAttempt.objects.get(pk=open_attempt["id"]).status == "in_progress"
    assert board_for_leaver.status_code == 403
    assert board_for_staff.status_code == 200
    assert board_for_staff.json()["total"] == 0  # alice left: her score left with her
