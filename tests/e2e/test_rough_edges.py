"""What a new user hit, fixed, as the browser shows it: the learner's dashboard, the notifications
page, a direct conversation from a people search, a course cover uploaded from the builder, the
live Markdown preview, the dark theme, the friendly 403."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image
from playwright.sync_api import expect

from lyceum.courses.models import Course
from lyceum.notifications.models import Notification
from tests.e2e.conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_dashboard_continues_the_course(demo, page, screenshot):
    log_in(page, demo, "student", "learn-lyceum-2026")

    expect(page.get_by_text("Continue where you left off")).to_be_visible()
    expect(page.get_by_role("heading", name="Open quizzes")).to_be_visible()
    expect(page.get_by_role("link", name="Check your understanding")).to_be_visible()
    screenshot("30-dashboard")
    page.get_by_role("link", name="Continue the course").click()

    expect(page).to_have_url(re.compile(r"/courses/python-from-zero/lessons/"))
    expect(page.get_by_role("button", name=re.compile("Mark (as )?complete", re.I))).to_be_visible()


def test_the_notifications_page_from_the_bell(demo, page, screenshot):
    log_in(page, demo, "student", "learn-lyceum-2026")
    unread = Notification.objects.filter(user__username="student", read_at__isnull=True).count()
    assert unread > 0

    bell = page.get_by_role("button", name=re.compile("Notifications"))
    bell.click()
    expect(bell).to_have_attribute("aria-expanded", "true")
    page.get_by_role("link", name="See all").click()

    expect(page.get_by_role("heading", name="Notifications", level=1)).to_be_visible()
    expect(page.locator(".notification")).to_have_count(unread)
    expect(page.locator(".notification time").first).to_contain_text("ago")
    screenshot("31-notifications")
    page.get_by_role("button", name="Mark all read").click()
    expect(page.get_by_text(f"Marked {unread} notification")).to_be_visible()
    expect(page.locator("#bell-count")).to_be_hidden()


def test_a_cover_is_uploaded_from_the_builder(demo, page, screenshot, tmp_path):
    image = tmp_path / "cover.png"
    buffer = io.BytesIO()
    Image.new("RGB", (800, 400), (29, 78, 216)).save(buffer, format="PNG")
    image.write_bytes(buffer.getvalue())
    course = Course.objects.get(slug="python-from-zero")
    log_in(page, demo, "instructor", "teach-lyceum-2026")
    page.goto(f"{demo}/teach/courses/{course.pk}/")

    page.get_by_label("JPEG, PNG, WebP or GIF; scaled to 1600 px").set_input_files(str(image))
    page.get_by_role("button", name="Upload cover").click()

    expect(page.get_by_text("Cover image saved.")).to_be_visible()
    cover = page.get_by_role("img", name="The course's cover")
    expect(cover).to_be_visible()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=cover.element_handle())
    assert cover.evaluate("img => img.naturalWidth") == 800
    screenshot("34-cover-uploaded")


def test_the_lesson_preview_follows_the_typing(demo, page):
    course = Course.objects.get(slug="python-from-zero")
    lesson = course.modules.order_by("order").first().lessons.order_by("order").first()
    log_in(page, demo, "instructor", "teach-lyceum-2026")
    page.goto(f"{demo}/teach/lessons/{lesson.pk}/")

    page.get_by_label("Content").fill("# Fresh heading\n\nSome **bold** words.")

    preview = page.locator("#preview")
    expect(preview.get_by_role("heading", name="Fresh heading")).to_be_visible()  # no click needed
    expect(preview.locator("strong")).to_have_text("bold")
    expect(page.locator("#preview-state")).to_have_text("up to date")


def test_the_dark_theme_preference_applies(demo, page, screenshot):
    log_in(page, demo, "student", "learn-lyceum-2026")
    page.goto(demo + "/profile/edit/")
    page.get_by_label("Theme").select_option("dark")
    page.get_by_role("button", name="Save profile").click()
    background = page.evaluate("getComputedStyle(document.documentElement).backgroundColor")
    assert background == "rgb(15, 18, 25)"
    screenshot("35-dark-theme")

    # "Light" wins over a dark device; "system" follows it.
    page.emulate_media(color_scheme="dark")
    page.goto(demo + "/profile/edit/")
    page.get_by_label("Theme").select_option("light")
    page.get_by_role("button", name="Save profile").click()
    assert page.evaluate("getComputedStyle(document.documentElement).backgroundColor") == "rgb(246, 247, 251)"
    page.goto(demo + "/profile/edit/")
    page.get_by_label("Theme").select_option("system")
    page.get_by_role("button", name="Save profile").click()
    assert page.evaluate("getComputedStyle(document.documentElement).backgroundColor") == "rgb(15, 18, 25)"


def test_a_student_opening_teach_is_told_why(demo, page, screenshot):
    log_in(page, demo, "student", "learn-lyceum-2026")

    response = page.goto(demo + "/teach/")

    assert response.status == 403
    expect(page.get_by_role("heading", name="You can't open this page")).to_be_visible()
    expect(page.get_by_text("Teaching is for instructors")).to_be_visible()
    expect(page.get_by_text("URLconf")).to_have_count(0)
    screenshot("36-forbidden")
