"""The demo student finds a course, enrolls, completes a lesson and sees progress move; the demo
instructor builds and publishes a course. In Chromium, against a live server."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from lyceum.courses.models import Course, Lesson
from tests.e2e.conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)


def _percent(page) -> int:
    return int(page.get_by_role("progressbar").first.get_attribute("aria-valuenow"))


def test_student_searches_enrolls_and_completes_a_lesson(demo, page, screenshot):
    log_in(page, demo, "student", "learn-lyceum-2026")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Courses", exact=True).click()
    page.get_by_label("Search courses").fill("accessibility")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("status")).to_have_text("1 course")
    screenshot("10-catalog-search")
    page.get_by_role("link", name="Web Accessibility in Practice").click()

    page.get_by_role("button", name="Enroll for free").click()
    expect(page.get_by_text("You are enrolled in Web Accessibility in Practice.")).to_be_visible()
    assert _percent(page) == 0
    page.get_by_role("link", name="Start learning").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("The POUR principles")
    page.get_by_role("button", name="Mark complete").click()
    expect(page.get_by_text("Completed", exact=True)).to_be_visible()
    assert _percent(page) == 25
    screenshot("11-lesson-completed")
    page.get_by_role("link", name="Next →").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Semantic HTML first")
    page.get_by_role("button", name="Complete and continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Keyboard testing")
    assert _percent(page) == 50

    page.get_by_role("navigation", name="Main").get_by_role("link", name="My courses").click()
    expect(page.get_by_role("progressbar", name="Web Accessibility in Practice")).to_have_attribute(
        "aria-valuenow", "50"
    )
    screenshot("12-my-courses")


def test_instructor_creates_a_course_with_a_module_and_a_lesson_and_publishes(demo, page, screenshot):
    log_in(page, demo, "instructor", "teach-lyceum-2026")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Teach").click()
    page.get_by_role("link", name="New course").click()
    page.get_by_label("Title").fill("Sourdough Science")
    page.get_by_label("Summary").fill("Wild yeast, explained")
    page.get_by_label("Level").select_option("beginner")
    page.get_by_label("Category").fill("Cooking")
    page.get_by_role("button", name="Create course").click()
    expect(page.get_by_text("Your course is created as a draft.")).to_be_visible()

    page.get_by_label("New module title").fill("The starter")
    page.get_by_role("button", name="Add module").click()
    page.get_by_label("New lesson in The starter").fill("Feeding schedule")
    page.get_by_role("button", name="Add lesson").click()
    page.get_by_role("link", name="Feeding schedule").click()
    page.get_by_label("Content (Markdown)").fill(
        "Feed **twice** a day:\n\n| flour | water |\n|---|---|\n| 50 g | 50 g |"
    )
    page.get_by_role("button", name="Preview").click()
    expect(page.locator("#preview strong")).to_have_text("twice")
    expect(page.locator("#preview table")).to_be_visible()
    screenshot("13-lesson-editor")
    page.get_by_role("button", name="Save lesson").click()
    expect(page.get_by_text("Lesson saved.")).to_be_visible()

    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_text("Published: students can find and enroll in it.")).to_be_visible()
    screenshot("14-course-builder")

    course = Course.objects.get(title="Sourdough Science")
    assert course.is_published
    assert "<strong>twice</strong>" in Lesson.objects.get(module__course=course).content_html
    page.goto(demo + "/courses/?search=sourdough")
    expect(page.get_by_role("link", name="Sourdough Science")).to_be_visible()
    expect(page).to_have_url(re.compile(r"search=sourdough"))
