"""The demo student opens the demo course's coding exercise from its lesson, runs code with their
own input, submits a wrong then a right solution and sees the verdicts change. In Chromium,
against a live server, with programs run in the real sandbox."""

from __future__ import annotations

import os
import re

import pytest
from playwright.sync_api import expect

from lyceum.coding import sandbox
from lyceum.coding.models import CodeExercise
from lyceum.quizzes.models import QuizAttempt
from tests.e2e.conftest import log_in

ok, why = sandbox.available()
pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not ok and not os.environ.get("CI"), reason=f"no sandbox here: {why}"),
]


def write(page, code: str) -> None:
    """Replaces the editor's text (CodeMirror's content is editable like any element)."""
    editor = page.locator(".cm-content")
    editor.click()
    editor.fill(code)


def test_student_runs_and_submits_a_solution(demo, page, screenshot):
    log_in(page, demo, "student", "learn-lyceum-2026")
    exercise = CodeExercise.objects.select_related("lesson").get(title="Add two numbers")
    page.goto(f"{demo}/courses/python-from-zero/lessons/{exercise.lesson_id}/")
    page.get_by_role("link", name="Add two numbers").click()  # the lesson's "Practice" link
    expect(page.get_by_role("heading", level=1)).to_have_text("Add two numbers")
    expect(page.locator(".cm-content")).to_contain_text("a, b = map(int, input().split())")

    write(page, "a, b = map(int, input().split())\nprint(a * b)")
    page.get_by_label("Input (stdin)").fill("6 7")
    page.get_by_role("button", name="Run").click()
    output = page.get_by_role("region", name="Output")
    expect(output).to_contain_text("Accepted")
    expect(output.locator(".code-stdout")).to_have_text("42\n")
    screenshot("60-code-run")

    page.get_by_role("button", name="Submit").click()  # a product, not a sum
    verdicts = page.get_by_role("region", name="Verdicts")
    expect(verdicts).to_contain_text("Wrong answer", timeout=60_000)
    expect(verdicts).to_contain_text("(hidden)")
    screenshot("61-code-wrong")

    write(page, "a, b = map(int, input().split())\nprint(a + b)")
    page.get_by_role("button", name="Submit").click()
    expect(verdicts).to_contain_text("Accepted · 4/4 tests", timeout=60_000)
    screenshot("62-code-accepted")


def test_student_answers_a_quiz_code_question_and_sees_the_run(demo, page, screenshot):
    """The demo code quiz: the program is saved as it is typed (a reload keeps it), tried on the
    student's own input, and after submission run against every test, hidden ones too."""
    log_in(page, demo, "student", "learn-lyceum-2026")
    page.goto(f"{demo}/courses/python-from-zero/")
    page.get_by_role("link", name="Write a program").click()
    page.get_by_role("button", name="Start the quiz").click()
    question = page.get_by_role("group", name=re.compile("Question 1"))
    expect(question.locator(".cm-content")).to_contain_text("a, b = map(int, input().split())")

    question.locator(".cm-content").click()
    question.locator(".cm-content").fill("a, b = map(int, input().split())\nprint(a * b)")
    expect(page.get_by_role("status")).to_have_text("All answers saved.")
    page.reload()
    expect(question.locator(".cm-content")).to_contain_text("print(a * b)")

    question.get_by_text("Try it with your own input").click()
    question.get_by_label("Input (stdin)").fill("6 7")
    question.get_by_role("button", name="Run").click()
    expect(question.locator(".code-output")).to_contain_text("42")
    screenshot("63-quiz-code-question")

    page.get_by_role("button", name="Submit answers").click()
    expect(page.get_by_role("heading", name="Your result")).to_be_visible()
    expect(page.locator(".code-verdict")).to_contain_text("Wrong answer", timeout=60_000)
    expect(page.get_by_text("(hidden)").first).to_be_visible()
    screenshot("64-quiz-code-result")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot("65-quiz-code-result-390")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    attempt = QuizAttempt.objects.get(user__username="student", quiz__title="Write a program")
    assert attempt.status == "graded" and attempt.score < attempt.max_score
