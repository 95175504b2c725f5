"""A quiz's code questions in the pages: the builder adds one from the course's exercises, the
quiz screen gives each an editor with the exercise's languages and samples (never its hidden
tests), the plain form submits the program, and the result shows the run as the review allows."""

from __future__ import annotations

import os

import pytest

from lyceum.coding import sandbox
from lyceum.coding.languages import find
from lyceum.coding.models import CodeSubmission
from lyceum.courses.tests.factories import course_with_outline
from lyceum.quizzes import services
from lyceum.quizzes.models import Question, Quiz, QuizAttempt
from lyceum.quizzes.tests.factories import enroll
from lyceum.quizzes.tests.test_code_questions import HIDDEN, RIGHT, make_exercise

pytestmark = pytest.mark.django_db
ok, why = sandbox.available()
needs_sandbox = pytest.mark.skipif(not ok and not os.environ.get("CI"), reason=f"no sandbox here: {why}")


@pytest.fixture
def course(ines):
    return course_with_outline(instructor=ines, is_published=True, modules=1, lessons=1)


@pytest.fixture
def exercise(course, ines):
    return make_exercise(course, ines)


@pytest.fixture
def quiz(course, ines, exercise, alice):
    quiz = Quiz.objects.create(
        course=course,
        title="Exam",
        is_published=True,
        **{part: Quiz.Review.IMMEDIATELY for part in Quiz.REVIEW_PARTS},
    )
    services.question_create(
        quiz=quiz, actor=ines, type="code", text="Add two numbers.", points=4, code_exercise=exercise.pk
    )
    enroll(alice, quiz)
    return quiz


def test_the_builder_adds_a_code_question_from_the_courses_exercises(client, ines, course, exercise):
    quiz = Quiz.objects.create(course=course, title="Builder")
    client.force_login(ines)

    page = client.get(f"/teach/quizzes/{quiz.pk}/").content.decode()
    assert f'<option value="{exercise.pk}">Add two numbers (unpublished)</option>' in page

    refused = client.post(
        f"/teach/quizzes/{quiz.pk}/",
        {"action": "question", "type": "code", "text": "Sum them.", "points": "3"},
        follow=True,
    )
    assert "Choose the exercise whose tests grade the answers." in refused.content.decode()
    assert not quiz.questions.exists()

    added = client.post(
        f"/teach/quizzes/{quiz.pk}/",
        {
            "action": "question",
            "type": "code",
            "text": "Sum them.",
            "points": "3",
            "code_exercise": exercise.pk,
        },
        follow=True,
    )
    question = quiz.questions.get()
    assert (question.type, question.code_exercise_id, question.points) == ("code", exercise.pk, 3)
    assert "Graded by the tests of" in added.content.decode()


def test_the_quiz_screen_gives_an_editor_with_the_samples_and_no_hidden_test(client, alice, quiz):
    client.force_login(alice)

    html = client.get(client.post(f"/quizzes/{quiz.pk}/start/")["Location"]).content.decode()

    question = quiz.questions.get()
    assert f'name="q-{question.pk}-language"' in html and 'class="code-source mono"' in html
    assert "codemirror.min.js" in html and "quiz-code.js" in html
    assert "Example input" in html and "1 2" in html
    assert "runs against 3 tests" in html
    assert HIDDEN not in html and "1000001" not in html
    python = find("python")
    assert f'<option value="python">{python.name} {python.version}</option>' in html


def test_a_quiz_without_code_loads_no_editor(client, alice, ines, course):
    quiz = Quiz.objects.create(course=course, title="Words", is_published=True)
    services.question_create(quiz=quiz, actor=ines, type="essay", text="Why?")
    enroll(alice, quiz)
    client.force_login(alice)

    html = client.get(client.post(f"/quizzes/{quiz.pk}/start/")["Location"]).content.decode()

    assert "codemirror.min.js" not in html and "quiz-code.js" not in html


def _form(question, source, language):
    return {
        f"q-{question.pk}-present": "1",
        f"q-{question.pk}-type": "code",
        f"q-{question.pk}": source,
        f"q-{question.pk}-language": language,
    }


def test_while_the_program_runs_the_result_says_so_and_waits(
    client, alice, quiz, django_capture_on_commit_callbacks
):
    client.force_login(alice)
    client.post(f"/quizzes/{quiz.pk}/start/")
    attempt = QuizAttempt.objects.get(user=alice)

    with django_capture_on_commit_callbacks(execute=False):  # no worker has taken the run yet
        client.post(f"/quiz-attempts/{attempt.pk}/submit/", _form(quiz.questions.get(), RIGHT, "python"))
    html = client.get(f"/quiz-attempts/{attempt.pk}/").content.decode()

    assert "Running against the tests…" in html and "quiz-result.js" in html
    assert "this page updates when they are done" in html


def test_a_bad_language_in_the_form_is_reported_and_nothing_is_graded(client, alice, quiz):
    client.force_login(alice)
    client.post(f"/quizzes/{quiz.pk}/start/")
    attempt = QuizAttempt.objects.get(user=alice)

    page = client.post(
        f"/quiz-attempts/{attempt.pk}/submit/", _form(quiz.questions.get(), RIGHT, "cobol"), follow=True
    )

    assert "Unknown language" in page.content.decode()
    attempt.refresh_from_db()
    assert attempt.status == QuizAttempt.Status.IN_PROGRESS and not attempt.answers.exists()


@needs_sandbox
def test_the_plain_form_submits_the_program_and_the_result_shows_its_run(
    client, alice, quiz, django_capture_on_commit_callbacks
):
    client.force_login(alice)
    client.post(f"/quizzes/{quiz.pk}/start/")
    attempt = QuizAttempt.objects.get(user=alice)
    question = quiz.questions.get()

    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/quiz-attempts/{attempt.pk}/submit/", _form(question, "print(3)\n", "python"))
    html = client.get(f"/quiz-attempts/{attempt.pk}/").content.decode()

    assert "Wrong answer" in html and "1 of 3 tests passed" in html
    assert "(example)" in html and html.count("(hidden)") == 2
    assert HIDDEN not in html
    assert "1 of 4 points" in html and "25%" in html
    assert CodeSubmission.objects.get().purpose == "quiz"
    assert Question.objects.get(pk=question.pk).code_exercise_id is not None
