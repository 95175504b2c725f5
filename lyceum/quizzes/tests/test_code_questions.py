"""Code questions: a quiz question asks one of the course's coding exercises; the student's
program is saved as they go and, once the attempt is submitted, run in the sandbox against the
exercise's tests for the share of the question's points it passes. Hidden tests never reach the
student, the review options decide what the result shows, and a run the runner cannot make goes
to the course's staff like an essay."""

from __future__ import annotations

import os
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from zeal import zeal_ignore

from lyceum.coding import sandbox
from lyceum.coding import services as coding
from lyceum.coding.languages import find
from lyceum.coding.models import CodeExercise, CodeSubmission
from lyceum.courses.tests.factories import course_with_outline
from lyceum.gamification.models import PointsEntry
from lyceum.quizzes import services
from lyceum.quizzes.models import Question, QuestionAnswer, Quiz, QuizAttempt
from lyceum.quizzes.tests.factories import enroll

pytestmark = pytest.mark.django_db
ok, why = sandbox.available()
needs_sandbox = pytest.mark.skipif(not ok and not os.environ.get("CI"), reason=f"no sandbox here: {why}")

HIDDEN = "CANARY-HIDDEN-QUIZ"
RIGHT = "a, b = map(int, input().split())\nprint(a + b)\n"
SAMPLE_ONLY = "print(3)\n"  # passes the sample (weight 1 of 4) and nothing else


@pytest.fixture
def course(ines):
    return course_with_outline(instructor=ines, is_published=True, modules=1, lessons=1)


def make_exercise(course, ines, **changes) -> CodeExercise:
    """An unpublished exercise (students meet it only in the quiz): a sample worth 1 and two
    hidden tests worth 3 between them."""
    fields = {
        "title": "Add two numbers",
        "statement": "Read two integers, print their **sum**.",
        "languages": ["python", "c"],
        "starter_code": {"python": "a, b = map(int, input().split())\n", "c": "#include <stdio.h>\n"},
        "is_published": False,
        "tests": [
            {"stdin": "1 2\n", "expected_stdout": "3\n", "is_sample": True},
            {"stdin": f"-5 5\n# {HIDDEN}\n", "expected_stdout": "0\n"},
            {"stdin": "1000000 1\n", "expected_stdout": "1000001\n", "weight": 2},
        ],
        **changes,
    }
    return coding.exercise_save(actor=ines, course=course, **fields)


@pytest.fixture
def exercise(course, ines):
    return make_exercise(course, ines)


@pytest.fixture
def quiz(login_api, ines, course, exercise):
    """A published quiz whose review opens at once: a single choice (1 point), then a code
    question (4 points), both made through the API."""
    quiz = Quiz.objects.create(
        course=course,
        title="Exam",
        is_published=True,
        **{part: Quiz.Review.IMMEDIATELY for part in Quiz.REVIEW_PARTS},
    )
    teacher = login_api(ines)
    url = f"/api/instructor/quizzes/{quiz.pk}/questions/"
    single = {
        "type": "single",
        "text": "2 + 2?",
        "choices": [{"text": "4", "is_correct": True}, {"text": "5", "is_correct": False}],
    }
    assert teacher.post(url, single, format="json").status_code == 201
    code = {"type": "code", "text": "Add two numbers.", "points": "4", "code_exercise": str(exercise.pk)}
    reply = teacher.post(url, code, format="json")
    assert reply.status_code == 201, reply.json()
    assert reply.json()["code_exercise"] == str(exercise.pk)
    return quiz


@pytest.fixture
def student(alice, quiz):
    enroll(alice, quiz)
    return alice


def start(client, quiz) -> dict:
    reply = client.post("/api/quiz-attempts/", {"quiz": str(quiz.pk)}, format="json")
    assert reply.status_code == 201, reply.json()
    return reply.json()


def ids(body) -> dict[str, str]:
    return {q["type"]: q["id"] for q in body["questions"]}


@pytest.fixture
def submit(django_capture_on_commit_callbacks):
    """Submits through the API, runs what waited for the commit (the code runs' task: the test's
    transaction never commits), and returns the attempt as the API then shows it."""

    def submit(client, body, answers) -> dict:
        with django_capture_on_commit_callbacks(execute=True):
            reply = client.post(
                f"/api/quiz-attempts/{body['id']}/submit/", {"answers": answers}, format="json"
            )
        assert reply.status_code == 200, reply.json()
        return client.get(f"/api/quiz-attempts/{body['id']}/").json()

    return submit


def code_entry(body) -> dict:
    return next(q for q in body["questions"] if q["type"] == "code")


# --- building -------------------------------------------------------------------------------------


def test_a_code_question_must_ask_an_exercise_of_its_own_course(login_api, ines, quiz, exercise):
    teacher = login_api(ines)
    url = f"/api/instructor/quizzes/{quiz.pk}/questions/"
    other = make_exercise(course_with_outline(instructor=ines, modules=1, lessons=1), ines)
    before = quiz.questions.count()

    missing = teacher.post(url, {"type": "code", "text": "Write it."}, format="json")
    foreign = teacher.post(
        url, {"type": "code", "text": "Write it.", "code_exercise": str(other.pk)}, format="json"
    )
    bogus = teacher.post(url, {"type": "code", "text": "Write it.", "code_exercise": "nope"}, format="json")

    assert missing.status_code == 400 and "code_exercise" in missing.json()["error"]["fields"]
    assert foreign.status_code == 400 and "code_exercise" in foreign.json()["error"]["fields"]
    assert bogus.status_code == 400
    assert quiz.questions.count() == before
    # Another type never keeps an exercise it was sent.
    essay = teacher.post(
        url, {"type": "essay", "text": "Why?", "code_exercise": str(exercise.pk)}, format="json"
    )
    assert essay.status_code == 201 and essay.json()["code_exercise"] is None


def test_an_exercise_a_quiz_asks_cannot_be_deleted_but_its_course_can(login_api, ines, quiz, exercise):
    reply = login_api(ines).delete(f"/api/instructor/exercises/{exercise.pk}/")

    assert reply.status_code == 409 and reply.json()["error"]["code"] == "exercise_in_quiz"
    assert CodeExercise.objects.filter(pk=exercise.pk).exists()
    quiz.course.delete()
    assert not CodeExercise.objects.filter(pk=exercise.pk).exists()


def test_gift_export_leaves_a_code_question_out_with_a_note(login_api, ines, quiz):
    exported = login_api(ines).get(f"/api/instructor/quizzes/{quiz.pk}/export-gift/").content.decode()

    assert "A code question" in exported and "not in GIFT" in exported
    assert "2 + 2?" in exported and "Add two numbers." not in exported


# --- taking -----------------------------------------------------------------------------------------


def test_the_sheet_shows_the_exercise_but_never_its_hidden_tests(login_api, student, quiz, exercise):
    client = login_api(student)
    reply = client.post("/api/quiz-attempts/", {"quiz": str(quiz.pk)}, format="json")

    assert reply.status_code == 201
    entry = code_entry(reply.json())
    code = entry["code"]
    assert code["exercise"] == str(exercise.pk) and code["tests_total"] == 3
    assert code["sample_tests"] == [{"stdin": "1 2\n", "expected_stdout": "3\n"}]
    assert [lang["id"] for lang in code["languages"]] == [
        lang for lang in ("python", "c") if find(lang).available
    ]
    assert "<strong>sum</strong>" in code["statement_html"]
    assert code["starter_code"]["python"].startswith("a, b")
    assert HIDDEN not in reply.content.decode() and "1000001" not in reply.content.decode()
    # The exercise is unpublished: outside the quiz the student cannot open it.
    assert client.get(f"/api/code/exercises/{exercise.pk}/").status_code == 404


def test_a_program_is_saved_with_its_language_and_bad_ones_leave_the_saved_answer(login_api, student, quiz):
    client = login_api(student)
    body = start(client, quiz)
    question = ids(body)["code"]
    url = f"/api/quiz-attempts/{body['id']}/answers/"

    saved = client.put(url, {"answers": {question: {"text": RIGHT, "language": "py"}}}, format="json")
    assert saved.status_code == 200, saved.json()
    answer = QuestionAnswer.objects.get(attempt_id=body["id"], question_id=question)
    assert (answer.text_answer, answer.code_language) == (RIGHT, "python")  # Piston's alias, stored as the id

    refused = {
        "unknown": {"text": "x", "language": "cobol"},
        "not taken by the exercise": {"text": "x", "language": "javascript"},
        "no language": {"text": "print(1)"},
        "too long": {"text": "#" * (64 * 1024 + 1), "language": "python"},
    }
    for why_refused, value in refused.items():
        reply = client.put(url, {"answers": {question: value}}, format="json")
        assert reply.status_code == 400, (why_refused, reply.json())
    answer.refresh_from_db()
    assert (answer.text_answer, answer.code_language) == (RIGHT, "python")
    again = client.get(f"/api/quiz-attempts/{body['id']}/").json()
    assert code_entry(again)["answer"] == {
        "choices": [],
        "text": RIGHT,
        "number": None,
        "matches": {},
        "language": "python",
    }


def test_a_language_this_server_lacks_is_refused_with_422(login_api, ines, alice, course):
    dart = find("dart")
    if dart.available:
        pytest.skip("dart is installed here")
    exercise = make_exercise(course, ines, languages=[])
    quiz = Quiz.objects.create(course=course, title="Any language", is_published=True)
    services.question_create(quiz=quiz, actor=ines, type="code", text="Sum.", code_exercise=exercise.pk)
    enroll(alice, quiz)
    client = login_api(alice)
    body = start(client, quiz)

    reply = client.put(
        f"/api/quiz-attempts/{body['id']}/answers/",
        {"answers": {ids(body)["code"]: {"text": "void main() {}", "language": "dart"}}},
        format="json",
    )

    assert reply.status_code == 422 and reply.json()["error"]["code"] == "language_unavailable"
    assert not QuestionAnswer.objects.filter(attempt_id=body["id"]).exists()


# --- grading ----------------------------------------------------------------------------------------


@needs_sandbox
@pytest.mark.parametrize(
    ("language", "source", "points", "verdict"),
    [
        ("python", RIGHT, "4.00", "accepted"),
        ("python", SAMPLE_ONLY, "1.00", "wrong_answer"),
        ("c", "int main( { return 0; }\n", "0.00", "compile_error"),
        ("python", "raise SystemExit(3)\n", "0.00", "runtime_error"),
    ],
)
def test_a_submitted_program_earns_the_share_of_the_tests_it_passes(
    login_api, student, quiz, language, source, points, verdict, submit
):
    if not find(language).available:
        pytest.skip(f"{language} is not installed here")
    client = login_api(student)
    body = start(client, quiz)
    single = next(q for q in body["questions"] if q["type"] == "single")
    four = next(c["id"] for c in single["choices"] if c["text"] == "4")

    result = submit(
        client,
        body,
        {single["id"]: {"choices": [four]}, ids(body)["code"]: {"text": source, "language": language}},
    )

    entry = code_entry(result)
    assert result["status"] == "graded"
    assert entry["points_awarded"] == points and entry["code_status"] == "graded"
    assert entry["code_result"]["verdict"] == verdict
    assert Decimal(result["score"]) == 1 + Decimal(points)
    assert Decimal(result["percent"]) == ((1 + Decimal(points)) / 5 * 100).quantize(Decimal("0.01"))
    if verdict != "compile_error":
        rows = entry["code_result"]["results"]
        assert [row["sample"] for row in rows] == [True, False, False]
        assert all("stdin" not in row and "stdout" not in row for row in rows[1:])
    assert HIDDEN not in str(result)
    run = CodeSubmission.objects.get()
    assert run.purpose == CodeSubmission.Purpose.QUIZ and run.source == source


@needs_sandbox
@pytest.mark.django_db(transaction=True)
def test_without_a_worker_the_submission_answers_with_the_programs_result(login_api, student, quiz):
    """The embedded default runs the task as the submission commits: its response is final."""
    client = login_api(student)
    body = start(client, quiz)

    reply = client.post(
        f"/api/quiz-attempts/{body['id']}/submit/",
        {"answers": {ids(body)["code"]: {"text": RIGHT, "language": "python"}}},
        format="json",
    )

    assert reply.status_code == 200
    assert reply.json()["status"] == "graded" and reply.json()["score"] == "4.00"
    assert code_entry(reply.json())["code_result"]["verdict"] == "accepted"


@needs_sandbox
def test_a_quiz_run_is_not_practice_pays_no_exercise_points_and_is_read_in_the_review_only(
    login_api, student, ines, quiz, exercise, submit
):
    client = login_api(student)
    body = start(client, quiz)
    submit(client, body, {ids(body)["code"]: {"text": RIGHT, "language": "python"}})
    run = CodeSubmission.objects.get()

    assert run.verdict == "accepted"
    assert not coding.practice_submissions(user=student, exercise=exercise).exists()
    assert client.get(f"/api/code/submissions/{run.pk}/").status_code == 404
    assert login_api(ines).get(f"/api/code/submissions/{run.pk}/").status_code == 200
    assert not PointsEntry.objects.filter(user=student, reason=PointsEntry.Reason.CODE).exists()


@needs_sandbox
def test_closed_review_hides_the_verdicts_but_says_the_grading_is_done(login_api, student, quiz, submit):
    Quiz.objects.filter(pk=quiz.pk).update(
        review_correctness=Quiz.Review.NEVER, review_points=Quiz.Review.NEVER
    )
    client = login_api(student)
    body = start(client, quiz)

    entry = code_entry(submit(client, body, {ids(body)["code"]: {"text": RIGHT, "language": "python"}}))

    assert entry["code_status"] == "graded"
    assert "code_result" not in entry and "state" not in entry and entry["points_awarded"] is None


def test_an_empty_program_earns_nothing_and_runs_nothing(login_api, student, quiz, submit):
    client = login_api(student)
    body = start(client, quiz)

    result = submit(client, body, {ids(body)["code"]: {"text": "  \n", "language": ""}})

    assert result["status"] == "graded" and code_entry(result)["code_status"] == "not_run"
    assert code_entry(result)["points_awarded"] == "0.00"
    assert not CodeSubmission.objects.exists()


@pytest.fixture
def broken_runner(monkeypatch):
    def unavailable(**kwargs):
        raise sandbox.Unavailable("bubblewrap is missing")

    monkeypatch.setattr(sandbox, "execute_many", unavailable)


def test_a_run_the_runner_cannot_make_goes_to_the_staff_to_grade_by_hand(
    login_api, student, ines, quiz, broken_runner, submit
):
    client = login_api(student)
    body = start(client, quiz)

    result = submit(client, body, {ids(body)["code"]: {"text": RIGHT, "language": "python"}})

    assert result["status"] == "needs_grading" and code_entry(result)["code_status"] == "by_hand"
    teacher = login_api(ines)
    waiting = teacher.get("/api/instructor/essays/").json()
    rows = waiting["results"] if isinstance(waiting, dict) else waiting
    assert [(row["question"]["type"], row["code_language"], row["text_answer"]) for row in rows] == [
        ("code", "python", RIGHT)
    ]
    graded = teacher.post(
        f"/api/instructor/answers/{rows[0]['id']}/grade/",
        {"points": "3", "feedback": "Close."},
        format="json",
    )
    assert graded.status_code == 200, graded.json()
    attempt = QuizAttempt.objects.get(pk=body["id"])
    assert attempt.status == QuizAttempt.Status.GRADED and attempt.score == Decimal("3.00")
    # Grading again runs nothing more: the answer was claimed by its (failed) run.
    services.code_answers_grade(attempt_id=attempt.pk)
    assert CodeSubmission.objects.count() == 1


def test_a_run_whose_task_was_lost_is_queued_again(
    login_api, student, quiz, broken_runner, django_capture_on_commit_callbacks
):
    client = login_api(student)
    body = start(client, quiz)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:  # the task never reaches a worker
        services.attempt_submit(
            user=student,
            attempt_id=body["id"],
            answers={ids(body)["code"]: {"text": RIGHT, "language": "python"}},
        )
    assert callbacks and not CodeSubmission.objects.exists()

    assert services.code_answers_resume() == 0  # too recent: its task may still be on its way
    QuizAttempt.objects.filter(pk=body["id"]).update(submitted_at=timezone.now() - timedelta(minutes=3))
    with zeal_ignore():
        assert services.code_answers_resume() == 1

    answer = QuestionAnswer.objects.get(attempt_id=body["id"], question__type="code")
    assert answer.code_submission is not None and answer.code_submission.purpose == "quiz"


def test_an_instructors_points_are_never_overwritten_by_a_late_run(
    login_api, student, ines, quiz, django_capture_on_commit_callbacks
):
    client = login_api(student)
    body = start(client, quiz)
    with django_capture_on_commit_callbacks(execute=False):
        services.attempt_submit(
            user=student,
            attempt_id=body["id"],
            answers={ids(body)["code"]: {"text": RIGHT, "language": "python"}},
        )
    answer = QuestionAnswer.objects.get(attempt_id=body["id"], question__type="code")
    services.essay_grade(answer_id=answer.pk, grader=ines, points=Decimal("2"))

    services.code_answers_grade(attempt_id=body["id"])

    answer.refresh_from_db()
    assert answer.points_awarded == Decimal("2.00") and not CodeSubmission.objects.exists()
    assert QuizAttempt.objects.get(pk=body["id"]).status == QuizAttempt.Status.GRADED


def test_the_sheet_costs_the_same_queries_with_one_or_five_code_questions(ines, course, alice):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from lyceum.quizzes import selectors

    counts = []
    with zeal_ignore():  # one quiz after another reads the same things: not an N+1
        for n in (1, 5):
            quiz = Quiz.objects.create(course=course, title=f"{n} programs", is_published=True)
            for _ in range(n):
                exercise = make_exercise(course, ines)
                services.question_create(
                    quiz=quiz, actor=ines, type="code", text="Sum.", code_exercise=exercise.pk
                )
            enroll(alice, quiz)
            attempt, _ = services.attempt_start(user=alice, quiz=quiz)
            attempt = QuizAttempt.objects.select_related("quiz").get(pk=attempt.pk)
            selectors.forget_questions()
            with CaptureQueriesContext(connection) as queries:
                sheet = selectors.attempt_sheet(attempt=attempt)
            assert len(sheet) == n and all(entry["code"]["tests_total"] == 3 for entry in sheet)
            counts.append(len(queries))
    assert counts[0] == counts[1]


def test_a_quiz_without_code_questions_reads_no_exercise(login_api, ines, course, alice):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    quiz = Quiz.objects.create(course=course, title="Plain", is_published=True)
    services.question_create(quiz=quiz, actor=ines, type="essay", text="Why?")
    enroll(alice, quiz)
    client = login_api(alice)
    body = start(client, quiz)

    with CaptureQueriesContext(connection) as queries:
        client.get(f"/api/quiz-attempts/{body['id']}/")

    assert not any("coding_" in query["sql"] for query in queries.captured_queries)
    assert Question.objects.filter(quiz=quiz, code_exercise__isnull=False).count() == 0
