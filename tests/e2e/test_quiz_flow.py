"""The demo student takes a timed quiz in Chromium: answers are saved as they go, a reload keeps
them and the order, submitting shows the result; an attempt left to expire is graded on what was
saved."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from lyceum.courses.models import Course
from lyceum.quizzes.models import QuizAttempt
from tests.e2e.conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)


def _question_order(page):
    return page.locator("fieldset[data-question]").evaluate_all(
        "sets => sets.map(s => s.dataset.question + ':' + "
        "Array.from(s.querySelectorAll('input[type=radio],input[type=checkbox]'))"
        ".map(i => i.value).join(','))"
    )


def test_student_takes_a_timed_quiz_reloads_and_submits(demo, page, screenshot):
    log_in(page, demo, "student", "learn-lyceum-2026")
    page.goto(demo + "/courses/python-from-zero/")
    page.get_by_role("link", name="Check your understanding").click()
    expect(page.get_by_text("10 minutes, kept by the server")).to_be_visible()
    page.get_by_role("button", name="Start the quiz").click()

    expect(page.get_by_role("timer")).to_contain_text(re.compile(r"(9|10):\d\d left"))
    order = _question_order(page)
    page.get_by_label("print").check()
    page.get_by_label("int", exact=True).check()
    page.get_by_label("str", exact=True).check()
    pairs = page.get_by_role("group", name=re.compile("Question 3"))
    pairs.get_by_label("42").select_option("int")
    pairs.get_by_label("3.14").select_option("float")
    page.get_by_role("group", name=re.compile("Question 5")).get_by_role("textbox").fill(" DEF ")
    expect(page.get_by_role("status")).to_have_text("All answers saved.")
    screenshot("20-quiz-in-progress")

    page.reload()
    assert _question_order(page) == order
    expect(page.get_by_label("print")).to_be_checked()
    expect(page.get_by_label("int", exact=True)).to_be_checked()
    expect(page.get_by_role("group", name=re.compile("Question 5")).get_by_role("textbox")).to_have_value(
        " DEF "
    )
    expect(pairs.get_by_label("42")).to_have_value("int")
    page.get_by_role("group", name=re.compile("Question 6")).get_by_role("textbox").fill("3")
    page.get_by_role("button", name="Submit answers").click()

    # Two questions are blank: the page asks first, and "Keep answering" goes back to the first.
    confirm = page.get_by_role("alertdialog")
    expect(confirm).to_contain_text("2 questions have no answer (4, 7)")
    screenshot("20b-quiz-confirm-blank")
    confirm.get_by_role("button", name="Keep answering").click()
    expect(confirm).to_be_hidden()
    expect(page.get_by_role("group", name=re.compile("Question 4")).get_by_label("True")).to_be_focused()
    page.get_by_role("button", name="Submit answers").click()
    confirm.get_by_role("button", name="Submit anyway").click()

    expect(page.get_by_role("heading", name="Your result")).to_be_visible()
    # print, both types, two of three pairs, def and 7 // 2 == 3: 1 + 1 + 0.67 + 1 + 1 of 7 points.
    expect(page.get_by_text("66.71%")).to_be_visible()
    expect(page.get_by_text("Passed", exact=True)).to_be_visible()
    # Two attempts are left: neither the key nor per-question points are shown yet.
    expect(page.locator("#review-note")).to_contain_text("shown once you have no attempt left")
    expect(page.get_by_text(re.compile(r"^Right answers?:"))).to_have_count(0)
    expect(page.locator(".mark")).to_have_count(0)
    screenshot("21-quiz-result")
    attempt = QuizAttempt.objects.get(user__username="student")
    assert (attempt.score, attempt.status) == (Decimal("4.67"), "graded")


def test_an_attempt_left_to_expire_is_graded_on_what_was_saved(demo, page):
    log_in(page, demo, "student", "learn-lyceum-2026")
    course = Course.objects.get(slug="python-from-zero")
    quiz = course.quizzes.get(title="Check your understanding")
    page.goto(f"{demo}/quizzes/{quiz.pk}/")
    page.get_by_role("button", name="Start the quiz").click()
    page.get_by_label("print").check()
    expect(page.get_by_role("status")).to_have_text("All answers saved.")
    # The clock runs out while the student is away.
    QuizAttempt.objects.filter(user__username="student").update(
        deadline=timezone.now() - datetime.timedelta(seconds=30)
    )

    page.reload()

    expect(page.get_by_role("heading", name="Your result")).to_be_visible()
    attempt = QuizAttempt.objects.get(user__username="student")
    assert attempt.status == "graded"
    assert attempt.score == 1


def test_the_last_attempt_shows_what_was_wrong_and_the_right_answers(demo, page, screenshot):
    quiz = Course.objects.get(slug="python-from-zero").quizzes.get(title="Check your understanding")
    type(quiz).objects.filter(pk=quiz.pk).update(max_attempts=1)
    log_in(page, demo, "student", "learn-lyceum-2026")
    page.goto(f"{demo}/quizzes/{quiz.pk}/")
    page.get_by_role("button", name="Start the quiz").click()
    page.get_by_label("echo").check()  # wrong
    page.get_by_label("int", exact=True).check()  # half of the weights
    pairs = page.get_by_role("group", name=re.compile("Question 3"))
    pairs.get_by_label("42").select_option("str")  # wrong pair
    pairs.get_by_label("3.14").select_option("float")
    page.get_by_role("group", name=re.compile("Question 4")).get_by_label("True").check()
    page.get_by_role("group", name=re.compile("Question 5")).get_by_role("textbox").fill("function")
    page.get_by_role("group", name=re.compile("Question 6")).get_by_role("textbox").fill("3.5")
    page.get_by_role("group", name=re.compile("Question 7")).get_by_role("textbox").fill(
        "A name for a value."
    )
    expect(page.get_by_role("status")).to_have_text("All answers saved.")
    page.get_by_role("button", name="Submit answers").click()

    expect(page.get_by_role("heading", name="Your result")).to_be_visible()
    first = page.get_by_role("region", name=re.compile("Question 1"))
    expect(first.get_by_text("Wrong", exact=True)).to_be_visible()
    expect(first.locator("li.wrong")).to_contain_text("echo")
    expect(first.get_by_text("(a right answer)")).to_be_visible()
    types = page.get_by_role("region", name=re.compile("Question 2"))
    expect(types.get_by_text("0.50 / 1 point")).to_be_visible()
    expect(types.get_by_text("Partly right")).to_be_visible()
    pairs_result = page.get_by_role("region", name=re.compile("Question 3"))
    expect(pairs_result.get_by_text("(right answer: int)")).to_be_visible()
    expect(
        page.get_by_role("region", name=re.compile("Question 5")).get_by_text("Right answers: def, def:")
    ).to_be_visible()
    arithmetic = page.get_by_role("region", name=re.compile("Question 6"))
    expect(arithmetic.get_by_text("That is 7 / 2.")).to_be_visible()  # the 50% answer's feedback
    expect(arithmetic.get_by_text("0.50 / 1 point")).to_be_visible()
    expect(
        page.get_by_role("region", name=re.compile("Question 7")).get_by_text("Awaiting grading")
    ).to_be_visible()
    screenshot("22-quiz-review")
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot("22b-quiz-review-390")
