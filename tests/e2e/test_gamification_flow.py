"""The demo student finishes the Python course and passes its quiz, then sees their points, a
new badge and their place on the leaderboard change. In Chromium, against a live server."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from lyceum.accounts.models import User
from lyceum.gamification.selectors import points_total
from tests.e2e.conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)
PLACE = re.compile(r"You are #(\d+) with (\d+) points\.")


def _place(page, demo) -> tuple[int, int]:
    page.goto(demo + "/leaderboard/")
    text = page.get_by_text(PLACE).inner_text()
    rank, points = PLACE.search(text).groups()
    return int(rank), int(points)


def test_student_earns_points_a_badge_and_a_better_place(demo, page, screenshot):
    log_in(page, demo, "student", "learn-lyceum-2026")
    rank_before, points_before = _place(page, demo)
    page.goto(demo + "/achievements/")
    expect(page.get_by_role("listitem").filter(has_text="Finisher")).to_contain_text("Locked")

    page.goto(demo + "/")
    page.get_by_role("link", name="Continue the course").click()
    for _ in range(10):  # every lesson left, one after another
        more = page.get_by_role("button", name="Complete and continue")
        if more.count():
            more.click()
            continue
        page.get_by_role("button", name="Mark complete").click()
        break
    expect(page.get_by_text("Completed", exact=True)).to_be_visible()
    celebration = page.get_by_role("region", name="Celebration")  # the course's badge, just earned
    expect(celebration).to_contain_text("Badge earned: Finisher")
    screenshot("49-celebration")
    celebration.get_by_role("button", name="Close").click()
    expect(celebration).to_have_count(0)
    page.reload()  # celebrated once: not again on the next page
    expect(page.get_by_text("Completed", exact=True)).to_be_visible()
    expect(celebration).to_have_count(0)

    page.goto(demo + "/courses/python-from-zero/")
    page.get_by_role("link", name="Check your understanding").click()
    page.get_by_role("button", name="Start the quiz").click()
    page.get_by_label("print").check()
    page.get_by_label("int", exact=True).check()
    page.get_by_label("str", exact=True).check()
    pairs = page.get_by_role("group", name=re.compile("Question 3"))
    pairs.get_by_label("42").select_option("int")
    pairs.get_by_label("3.14").select_option("float")
    page.get_by_role("group", name=re.compile("Question 5")).get_by_role("textbox").fill("def")
    page.get_by_role("group", name=re.compile("Question 6")).get_by_role("textbox").fill("3")
    expect(page.get_by_role("status")).to_have_text("All answers saved.")
    page.get_by_role("button", name="Submit answers").click()
    page.get_by_role("alertdialog").get_by_role("button", name="Submit anyway").click()
    expect(page.get_by_text("Passed", exact=True)).to_be_visible()

    page.goto(demo + "/achievements/")
    expect(page.get_by_role("listitem").filter(has_text="Finisher")).to_contain_text("Earned")
    screenshot("50-badge-earned")
    rank_after, points_after = _place(page, demo)
    screenshot("51-leaderboard-after")
    student = User.objects.get(username="student")
    assert points_after == points_total(user_id=student.pk)
    # six lessons (10 each), the course (100), the quiz (20) and the Finisher badge (50) at least
    assert points_after >= points_before + 60 + 100 + 20 + 50
    assert rank_after < rank_before
