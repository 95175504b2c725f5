"""The demo student opens the demo course's coding exercise from its lesson, runs code with their
own input, submits a wrong then a right solution and sees the verdicts change. In Chromium,
against a live server, with programs run in the real sandbox."""

from __future__ import annotations

import os

import pytest
from playwright.sync_api import expect

from lyceum.coding import sandbox
from lyceum.coding.models import CodeExercise
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
