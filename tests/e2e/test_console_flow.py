"""The demo admin makes the demo student an instructor, who then builds a course; the admin
suspends the student, who is signed out on their next click. In Chromium, against a live server."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from lyceum.access.models import AuditLog
from tests.e2e.conftest import SCREENSHOTS, log_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_admin_promotes_then_suspends_the_student(demo, page, browser, screenshot):
    student_context = browser.new_context(viewport={"width": 390, "height": 844})
    student = student_context.new_page()
    student.set_default_timeout(15_000)
    log_in(student, demo, "student", "learn-lyceum-2026")
    main_nav = student.get_by_role("navigation", name="Main")
    expect(main_nav.get_by_role("link", name="Teach")).to_have_count(0)

    log_in(page, demo, "admin", "admin-lyceum-2026")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Console").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Console")
    page.get_by_label("Search").fill("student@lyceum")
    page.get_by_role("button", name="Filter").click()
    screenshot("40-console-users")
    page.get_by_role("link", name="student", exact=True).click()
    page.locator("#roles-form").get_by_label("Instructor").check()
    page.get_by_role("button", name="Save roles").click()
    expect(page.get_by_text("Roles saved.")).to_be_visible()

    student.reload()
    student.locator(".nav-toggle-label").click()  # at 390 px the menu folds behind a toggle
    main_nav.get_by_role("link", name="Teach").click()
    expect(student.get_by_role("heading", level=1)).to_have_text("Teaching")
    student.get_by_role("link", name="New course").click()
    student.get_by_label("Title").fill("Pottery for beginners")
    student.get_by_role("button", name="Create").first.click()
    expect(student.get_by_role("heading", level=1)).to_contain_text("Pottery for beginners")
    student.screenshot(path=str(SCREENSHOTS / "41-promoted-student-builds-390.png"), full_page=True)

    page.get_by_label("Reason (shown to admins)").fill("Testing suspension")
    page.get_by_role("button", name="Suspend").click()
    expect(page.get_by_text("Suspended: their sessions, tokens and sockets ended.")).to_be_visible()
    screenshot("42-console-user-suspended")

    student.reload()  # the builder page: signed out, so the sign-in page
    expect(student.get_by_role("heading", level=1)).to_have_text("Log in")
    student.goto(demo + "/teach/")
    expect(student).to_have_url(f"{demo}/login/?next=/teach/")
    student.get_by_label("Email or username").fill("student")
    student.get_by_label("Password").fill("learn-lyceum-2026")
    student.get_by_role("button", name="Log in").click()
    expect(student.get_by_text("This account is suspended.")).to_be_visible()
    student_context.close()

    page.get_by_role("link", name="Audit log").click()
    expect(page.get_by_role("cell", name="user.suspend")).to_be_visible()
    assert list(AuditLog.objects.order_by("created_at").values_list("action", flat=True)) == [
        "user.roles",
        "user.suspend",
    ]
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot("43-audit-log-390")
