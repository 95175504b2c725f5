"""Exam day's three requests (start, save everything, submit) read and write in bulk: the same
number of queries at 10 and at 100 questions; the bulk grader gives every answer what the
per-question grader gives it; questions kept in memory never outlive a change."""

from __future__ import annotations

import json
import random
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from zeal import zeal_ignore

from lyceum.courses.tests.factories import course_with_outline
from lyceum.quizzes import selectors, services
from lyceum.quizzes.api.serializers import SheetQuestionSerializer, sheet_question_json
from lyceum.quizzes.grading import Key, grade_answer
from lyceum.quizzes.models import Choice, Question, QuestionAnswer, Quiz, QuizAttempt
from lyceum.quizzes.tests.factories import enroll

pytestmark = pytest.mark.django_db

KINDS = ["single", "multiple", "true_false", "short_text", "numeric", "matching", "essay", "description"]


def exam(instructor, *, questions: int, seed: int = 7, **quiz_fields) -> Quiz:
    """A published quiz of ``questions`` questions cycling through every type, with weights
    drawn at random (Moodle-valid: single choice has a 100% choice, multiple choice's positive
    weights sum to 100%, short and numeric answers have a 100% answer)."""
    chance = random.Random(seed)
    for part in Quiz.REVIEW_PARTS:
        quiz_fields.setdefault(part, Quiz.Review.IMMEDIATELY)
    course = course_with_outline(modules=1, lessons=1, instructor=instructor)
    quiz = Quiz.objects.create(course=course, title="Exam", is_published=True, **quiz_fields)
    choices = []
    for n in range(questions):
        kind = KINDS[n % len(KINDS)]
        question = Question.objects.create(
            quiz=quiz,
            type=kind,
            text=f"Question {n} *{kind}*",
            text_format=chance.choice(["plain", "markdown", "moodle"]),
            order=n,
            points=Decimal(chance.choice(["1", "2", "0.5", "3"])) if kind != "description" else Decimal(0),
            partial_credit=kind == "multiple" and chance.random() < 0.7,
            accepted_answers=[
                {"text": "paris", "fraction": "1", "feedback": "Right"},
                {"text": "par*", "fraction": "0.5", "feedback": "Close"},
                {"text": "*", "fraction": "0", "feedback": "No"},
            ]
            if kind == "short_text"
            else [],
            numeric_answers=[
                {"value": str(n), "tolerance": "0.5", "fraction": "1", "feedback": ""},
                {"value": str(n), "tolerance": "2", "fraction": "0.5", "feedback": "Near"},
            ]
            if kind == "numeric"
            else [],
        )
        if kind == "single":
            weights = [Decimal(1), Decimal("0.5"), Decimal(0), Decimal("-0.25")]
        elif kind == "multiple":
            weights = [Decimal("0.5"), Decimal("0.5"), Decimal("-0.5"), Decimal("-1")]
        elif kind == "true_false":
            weights = [Decimal(1), Decimal(0)]
        else:
            weights = []
        chance.shuffle(weights)
        choices += [
            Choice(question=question, text=f"Choice {i}", fraction=w, order=i) for i, w in enumerate(weights)
        ]
        if kind == "matching":
            choices += [
                Choice(question=question, text=f"Stem {i}", match_text=f"Answer {i % 3}", order=i)
                for i in range(4)
            ] + [Choice(question=question, text="", match_text="Distractor", order=4)]
    Choice.objects.bulk_create(choices)
    return quiz


def random_answers(sheet: list[dict], chance: random.Random) -> dict[str, dict]:
    answers = {}
    for question in sheet:
        kind, ids = question["type"], [c["id"] for c in question["choices"]]
        if chance.random() < 0.1 or kind == "description":
            continue  # left blank
        if kind in ("single", "true_false"):
            answers[question["id"]] = {"choices": [chance.choice(ids)]}
        elif kind == "multiple":
            answers[question["id"]] = {"choices": chance.sample(ids, chance.randint(0, len(ids)))}
        elif kind == "short_text":
            answers[question["id"]] = {"text": chance.choice(["Paris", " PARIS ", "Parma", "Lyon", ""])}
        elif kind == "numeric":
            target = int(question["text"].split()[1])
            answers[question["id"]] = {"number": str(target + chance.choice([0, 0.4, 1.5, 3, -0.2]))}
        elif kind == "matching":
            answers[question["id"]] = {
                "matches": {stem: chance.choice(question["options"] + [""]) for stem in ids}
            }
        else:
            answers[question["id"]] = {"text": chance.choice(["", "An essay."])}
    return answers


def _queries(client, method: str, url: str, body: dict) -> tuple[int, dict]:
    with CaptureQueriesContext(connection) as captured:
        response = getattr(client, method)(url, body, format="json")
    assert response.status_code < 300, response.content
    statements = [q["sql"] for q in captured.captured_queries if "SAVEPOINT" not in q["sql"]]
    return len(statements), response.json()


def _exam_day_queries(login_api, student, quiz) -> tuple[int, int, int, int]:
    """(start, save, save again, submit) query counts with no question in memory, without the
    savepoints."""
    enroll(student, quiz)
    client = login_api(student)
    selectors.forget_questions()
    start, body = _queries(client, "post", "/api/quiz-attempts/", {"quiz": str(quiz.pk)})
    answers = random_answers(body["questions"], random.Random(1))
    selectors.forget_questions()
    save, _ = _queries(client, "put", f"/api/quiz-attempts/{body['id']}/answers/", {"answers": answers})
    selectors.forget_questions()
    again = random_answers(body["questions"], random.Random(2))
    resave, _ = _queries(client, "put", f"/api/quiz-attempts/{body['id']}/answers/", {"answers": again})
    selectors.forget_questions()
    submit, graded = _queries(client, "post", f"/api/quiz-attempts/{body['id']}/submit/", {})
    assert graded["status"] in ("graded", "needs_grading")
    assert QuestionAnswer.objects.filter(attempt_id=body["id"]).count() == len(body["questions"])
    return start, save, resave, submit


def test_start_save_and_submit_cost_the_same_queries_at_10_and_100_questions(login_api, ines, alice, bob):
    small = _exam_day_queries(login_api, alice, exam(ines, questions=10, max_attempts=1))
    large = _exam_day_queries(login_api, bob, exam(ines, questions=100, max_attempts=1))

    assert small == large
    # start: user, quiz, roles, enrollment (locked), attempt in progress, attempts used, question
    # ids, questions, choices, insert. save and submit: user, attempt (locked), enrollment, the
    # attempt's material (questions, choices, answers, picks), then save: the upsert, the picks
    # inserted (and those saved before deleted, when saving again); submit: blank answers
    # inserted, points, attempt.
    assert small == (10, 9, 10, 10), small


def test_questions_kept_in_memory_spare_the_next_students_two_queries(login_api, ines, alice, bob):
    quiz = exam(ines, questions=12)
    enroll(alice, quiz)
    enroll(bob, quiz)
    selectors.forget_questions()
    cold, _ = _queries(login_api(alice), "post", "/api/quiz-attempts/", {"quiz": str(quiz.pk)})
    warm, _ = _queries(login_api(bob), "post", "/api/quiz-attempts/", {"quiz": str(quiz.pk)})

    assert warm == cold - 2


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_bulk_grader_gives_every_answer_what_the_per_question_grader_gives(
    login_api, ines, alice, bob, admin_user, seed
):
    """Random attempts over every question type: each answer's points, written by the bulk
    grader, equal those of grading that one answer alone from a fresh read of the database."""
    chance = random.Random(seed)
    quiz = exam(ines, questions=24, seed=seed, shuffle_questions=True, shuffle_choices=True)
    attempts = []
    for student in (alice, bob, admin_user):
        enroll(student, quiz)
        client = login_api(student)
        started = client.post("/api/quiz-attempts/", {"quiz": str(quiz.pk)}, format="json").json()
        answers = random_answers(started["questions"], chance)
        half = dict(list(answers.items())[: len(answers) // 2])
        client.put(f"/api/quiz-attempts/{started['id']}/answers/", {"answers": half}, format="json")
        rest = {k: v for k, v in answers.items() if k not in half}
        submitted = client.post(
            f"/api/quiz-attempts/{started['id']}/submit/", {"answers": rest}, format="json"
        )
        assert submitted.status_code == 200, submitted.content
        attempts.append(started["id"])

    checked = 0
    for attempt in QuizAttempt.objects.filter(pk__in=attempts):
        total = Decimal(0)
        answers = QuestionAnswer.objects.filter(attempt=attempt).select_related("question")
        for answer in answers:
            question = answer.question
            with zeal_ignore():  # one answer at a time, on purpose
                alone = grade_answer(
                    Key.of(question, question.choices.all()),
                    selected_choice_ids=[str(c.pk) for c in answer.selected_choices.all()],
                    text=answer.text_answer,
                    number=answer.numeric_answer,
                    matches=answer.matches,
                )
            if alone is None and not answer.text_answer.strip():
                alone = Decimal("0.00")
            assert answer.points_awarded == alone, (question.type, answer.pk)
            total += answer.points_awarded or 0
            checked += 1
        assert attempt.score == total
    assert checked == 3 * 24


def test_the_sheet_in_a_response_is_what_its_documented_serializer_gives(login_api, ines, alice):
    quiz = exam(ines, questions=16)
    enroll(alice, quiz)
    client = login_api(alice)
    started = client.post("/api/quiz-attempts/", {"quiz": str(quiz.pk)}, format="json").json()
    answers = random_answers(started["questions"], random.Random(5))
    client.post(f"/api/quiz-attempts/{started['id']}/submit/", {"answers": answers}, format="json")
    attempt = QuizAttempt.objects.select_related("quiz").get(pk=started["id"])

    sheet = selectors.attempt_sheet(attempt=attempt)
    assert any("correct" in entry for entry in sheet)  # every part of the review is in it
    expected = json.loads(json.dumps(SheetQuestionSerializer(sheet, many=True).data))
    assert json.loads(json.dumps([sheet_question_json(entry) for entry in sheet])) == expected


def test_a_changed_question_is_read_again_not_served_from_memory(login_api, ines, alice, bob):
    quiz = exam(ines, questions=3)
    question = quiz.questions.get(order=0)
    selectors.question_material([str(question.pk)], version=Quiz.objects.get(pk=quiz.pk).content_version)

    question.text = "Rewritten before anyone started"  # a plain save, as the admin does
    question.save()
    choice = question.choices.first()
    choice.text = "Renamed choice"
    choice.save()
    stale = Quiz.objects.get(pk=quiz.pk)
    Quiz.objects.get(pk=quiz.pk).save()  # a save of the quiz keeps the version moving up only
    stale.title = "Renamed quiz"
    stale.save()

    enroll(alice, quiz)
    body = login_api(alice).post("/api/quiz-attempts/", {"quiz": str(quiz.pk)}, format="json").json()
    first = next(q for q in body["questions"] if q["id"] == str(question.pk))
    assert first["text"] == "Rewritten before anyone started"
    assert "Renamed choice" in [c["text"] for c in first["choices"]]

    # Once attempts hold it, the builder makes a new version; the next student gets that one.
    services.question_update(question=question, actor=ines, text="Second version")
    enroll(bob, quiz)
    body = login_api(bob).post("/api/quiz-attempts/", {"quiz": str(quiz.pk)}, format="json").json()
    assert "Second version" in [q["text"] for q in body["questions"]]
    assert str(question.pk) not in [q["id"] for q in body["questions"]]


def test_submitting_reports_the_grading_cpu_in_server_timing(login_api, ines, alice):
    quiz = exam(ines, questions=8)
    enroll(alice, quiz)
    client = login_api(alice)
    started = client.post("/api/quiz-attempts/", {"quiz": str(quiz.pk)}, format="json").json()

    response = client.post(f"/api/quiz-attempts/{started['id']}/submit/", {}, format="json")
    again = client.post(f"/api/quiz-attempts/{started['id']}/submit/", {}, format="json")

    assert response["Server-Timing"].startswith("grade;dur=")
    assert float(response["Server-Timing"].split("dur=")[1].split(";")[0]) > 0
    assert "Server-Timing" not in again  # nothing graded the second time


def test_saving_an_answer_again_replaces_it_in_place(login_api, ines, alice):
    quiz = exam(ines, questions=3)  # single, multiple, true/false
    enroll(alice, quiz)
    client = login_api(alice)
    started = client.post("/api/quiz-attempts/", {"quiz": str(quiz.pk)}, format="json").json()
    single = next(q for q in started["questions"] if q["type"] == "single")
    first, second = single["choices"][0]["id"], single["choices"][1]["id"]
    url = f"/api/quiz-attempts/{started['id']}/answers/"

    client.put(url, {"answers": {single["id"]: {"choices": [first]}}}, format="json")
    answer_id = QuestionAnswer.objects.get(attempt_id=started["id"], question_id=single["id"]).pk
    saved = client.put(url, {"answers": {single["id"]: {"choices": [second]}}}, format="json").json()

    answer = QuestionAnswer.objects.get(attempt_id=started["id"], question_id=single["id"])
    assert answer.pk == answer_id
    assert [str(c.pk) for c in answer.selected_choices.all()] == [second]
    assert next(q for q in saved["questions"] if q["id"] == single["id"])["answer"]["choices"] == [second]
    graded = client.post(f"/api/quiz-attempts/{started['id']}/submit/", {}, format="json").json()
    points = next(q for q in graded["questions"] if q["id"] == single["id"])["points_awarded"]
    fraction = Choice.objects.get(pk=second).fraction
    assert Decimal(points) == (Question.objects.get(pk=single["id"]).points * max(fraction, 0)).quantize(
        Decimal("0.01")
    )


def test_an_attempt_in_a_response_is_what_the_generic_serializer_gives(login_api, ines, alice):
    from rest_framework import serializers
    from rest_framework.test import APIRequestFactory

    from lyceum.quizzes.api.serializers import AttemptSerializer

    quiz = exam(ines, questions=8, time_limit_minutes=30)
    enroll(alice, quiz)
    client = login_api(alice)
    started = client.post("/api/quiz-attempts/", {"quiz": str(quiz.pk)}, format="json").json()
    request = APIRequestFactory().get("/")

    def compare():
        with zeal_ignore():  # read twice on purpose: in progress, then submitted
            attempt = QuizAttempt.objects.select_related("quiz").get(pk=started["id"])
        review = selectors.attempt_review(attempt)
        context = {"request": request, "sheet": selectors.attempt_sheet(attempt=attempt), "review": review}
        serializer = AttemptSerializer(attempt, context=context)
        fast = serializer.to_representation(attempt)
        generic = serializers.ModelSerializer.to_representation(
            AttemptSerializer(attempt, context=context), attempt
        )
        fast.pop("server_time"), generic.pop("server_time")
        assert json.loads(json.dumps(fast)) == json.loads(json.dumps(generic))
        return fast

    assert compare()["status"] == "in_progress"
    client.post(f"/api/quiz-attempts/{started['id']}/submit/", {}, format="json")
    assert compare()["submitted_at"] is not None


def test_an_autosave_that_prefers_a_minimal_return_gets_the_progress_only(login_api, ines, alice):
    quiz = exam(ines, questions=5)
    enroll(alice, quiz)
    client = login_api(alice)
    started = client.post("/api/quiz-attempts/", {"quiz": str(quiz.pk)}, format="json").json()
    answers = random_answers(started["questions"], random.Random(3))
    url = f"/api/quiz-attempts/{started['id']}/answers/"

    minimal = client.put(url, {"answers": answers}, format="json", HTTP_PREFER="return=minimal")
    full = client.put(url, {"answers": answers}, format="json")

    assert minimal.status_code == 200
    assert minimal["Preference-Applied"] == "return=minimal"
    body = minimal.json()
    assert set(body) == {"id", "status", "position", "deadline", "server_time", "saved"}
    assert sorted(body["saved"]) == sorted(answers)
    assert "Preference-Applied" not in full and len(full.json()["questions"]) == 5
    assert QuestionAnswer.objects.filter(attempt_id=started["id"]).count() == len(answers)
