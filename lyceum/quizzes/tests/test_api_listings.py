"""What the pages show of quizzes, through the API: a course's quizzes, my attempts, the essays
that wait for grading."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lyceum.courses.models import Category
from lyceum.quizzes.models import Quiz
from lyceum.quizzes.tests.factories import enroll, quiz_of_every_type

pytestmark = pytest.mark.django_db


def _submit_with_essay(client, quiz, text="Because it repeats."):
    started = client.post("/api/quiz-attempts/", {"quiz": str(quiz.pk)}, format="json").json()
    essay = next(q for q in started["questions"] if q["type"] == "essay")
    return client.post(
        f"/api/quiz-attempts/{started['id']}/submit/",
        {"answers": {essay["id"]: {"text": text}}},
        format="json",
    ).json()


def test_a_course_lists_its_published_quizzes_with_my_standing(login_api, api, alice, ines):
    quiz = quiz_of_every_type(instructor=ines, max_attempts=3)
    Quiz.objects.create(course=quiz.course, title="Draft", is_published=False)
    enroll(alice, quiz)
    client = login_api(alice)
    _submit_with_essay(client, quiz)

    mine = client.get(f"/api/courses/{quiz.course_id}/quizzes/")
    anonymous = api.get(f"/api/courses/{quiz.course_id}/quizzes/")
    staff = login_api(ines).get(f"/api/instructor/courses/{quiz.course_id}/quizzes/")

    assert mine.status_code == 200
    assert [q["title"] for q in mine.json()] == ["Every type"]  # not the draft
    status = mine.json()[0]["status"]
    assert (status["attempts_used"], status["attempts_left"], status["is_enrolled"]) == (1, 2, True)
    assert status["question_count"] == 6
    assert anonymous.json()[0]["status"]["is_enrolled"] is False
    assert [q["title"] for q in staff.json()] == ["Every type", "Draft"]
    assert login_api(alice).get(f"/api/instructor/courses/{quiz.course_id}/quizzes/").status_code == 404


def test_listing_quizzes_takes_the_same_queries_for_one_or_many(login_api, alice, ines):
    quiz = quiz_of_every_type(instructor=ines)
    enroll(alice, quiz)
    client = login_api(alice)
    url = f"/api/courses/{quiz.course_id}/quizzes/"
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for n in range(5):
        Quiz.objects.create(course=quiz.course, title=f"Quiz {n}", is_published=True)
    with CaptureQueriesContext(connection) as six:
        assert len(client.get(url).json()) == 6

    assert len(six) == len(one)


def test_my_attempts_at_a_quiz(login_api, alice, bob, ines):
    quiz = quiz_of_every_type(instructor=ines)
    enroll(alice, quiz)
    enroll(bob, quiz)
    _submit_with_essay(login_api(bob), quiz)
    client = login_api(alice)
    _submit_with_essay(client, quiz)
    _submit_with_essay(client, quiz)

    response = client.get(f"/api/quizzes/{quiz.pk}/attempts/")

    assert response.status_code == 200
    assert [(a["number"], a["status"]) for a in response.json()] == [
        (1, "needs_grading"),
        (2, "needs_grading"),
    ]


def test_the_grading_queue_gives_the_answer_texts_and_the_ids_to_grade(login_api, alice, ines, oscar):
    quiz = quiz_of_every_type(instructor=ines)
    enroll(alice, quiz)
    _submit_with_essay(login_api(alice), quiz, text="History repeats.")
    teacher = login_api(ines)

    queue = teacher.get("/api/instructor/essays/", {"quiz": str(quiz.pk)})

    assert queue.status_code == 200
    (item,) = queue.json()["results"]
    assert item["text_answer"] == "History repeats."
    assert item["student"]["username"] == "alice"
    assert item["question"]["text"] == "Why learn history?"
    graded = teacher.post(f"/api/instructor/answers/{item['id']}/grade/", {"points": "1"}, format="json")
    assert graded.status_code == 200 and graded.json()["status"] == "graded"
    assert teacher.get("/api/instructor/essays/").json()["results"] == []
    # another instructor sees none of it, and cannot ask for this quiz
    assert login_api(oscar).get("/api/instructor/essays/").json()["results"] == []
    assert login_api(oscar).get("/api/instructor/essays/", {"quiz": str(quiz.pk)}).status_code == 404
    assert teacher.get("/api/instructor/essays/", {"quiz": "not-a-uuid"}).status_code == 400


def test_categories_for_the_catalog_filter(api):
    Category.objects.create(name="Science", slug="science")
    Category.objects.create(name="Art", slug="art")

    response = api.get("/api/categories/")

    assert response.status_code == 200
    assert [c["slug"] for c in response.json()] == ["art", "science"]
