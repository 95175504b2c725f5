"""Every page, as each kind of user sees it, at a desktop width and at 390 px (a phone): no page
scrolls sideways, and axe-core (vendored from npm, lyceum/web/static/vendor/axe-core) finds no
WCAG 2.1 A or AA violation, in the light theme and, for the learner's pages, the dark one. Also what
axe cannot see: the menu button's focus, the notifications panel on a phone, Escape."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect
from zeal import zeal_ignore

from lyceum.accounts.models import User
from lyceum.chat.services import course_room
from lyceum.coding.models import CodeExercise
from lyceum.courses.models import Course, Lesson
from lyceum.quizzes import services as quiz_services
from lyceum.quizzes.models import Quiz
from tests.e2e.conftest import SCREENSHOTS, count_requests, drain, log_in

pytestmark = pytest.mark.django_db(transaction=True)

AXE = Path(__file__).resolve().parents[2] / "lyceum/web/static/vendor/axe-core/axe.min.js"
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
WIDTHS = [1280, 390]


def _violations(page) -> list[dict]:
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    return page.evaluate(
        """async (tags) => {
            const result = await axe.run(document, {runOnly: {type: "tag", values: tags}});
            return result.violations.map((v) => ({
                rule: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 3).map((n) => n.target.join(" ") + " :: " + n.failureSummary),
            }));
        }""",
        WCAG,
    )


def _check(page, url: str, name: str, problems: list[str], *, shoot: bool = False) -> None:
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(url)
        page.wait_for_load_state("load")
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        if overflow > 0:
            problems.append(f"{name} @{width}px scrolls sideways by {overflow}px")
        for violation in _violations(page):
            problems.append(f"{name} @{width}px: {violation}")
        if shoot and width == 390:
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOTS / f"390-{name}.png"), full_page=True)


@pytest.fixture
def axe_page(browser, live_server):
    # axe is injected as a script of its own; the pages' CSP (script-src 'self') would refuse it.
    count_requests(live_server)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(20_000)
    yield page
    page.goto("about:blank")
    context.close()
    drain(live_server)


def _learner_urls(base: str) -> dict[str, str]:
    student = User.objects.get(username="student")
    instructor = User.objects.get(username="instructor")
    course = Course.objects.get(slug="python-from-zero")
    lesson = Lesson.objects.filter(module__course=course).order_by("module__order", "order").first()
    quiz = Quiz.objects.get(course=course, title="Check your understanding")
    done, _ = quiz_services.attempt_start(user=student, quiz=quiz)
    quiz_services.attempt_submit(user=student, attempt_id=done.pk)
    running, _ = quiz_services.attempt_start(user=student, quiz=quiz)
    code_quiz = Quiz.objects.get(course=course, title="Write a program")
    program, _ = quiz_services.attempt_start(user=student, quiz=code_quiz)
    (question_id,) = program.question_order
    quiz_services.attempt_submit(
        user=student,
        attempt_id=program.pk,
        answers={question_id: {"text": "print(3)\n", "language": "python"}},
    )
    writing, _ = quiz_services.attempt_start(user=student, quiz=code_quiz)
    from lyceum.payments import services as payment_services

    paid = Course.objects.get(slug="machine-learning-foundations")
    payment, _ = payment_services.checkout_start(user=student, course=paid, success_url="/", cancel_url="/")
    room = course_room(course=course)
    from django.core.files.base import ContentFile

    from lyceum.media.models import Recording

    recording = Recording(
        owner=student, title="My answer", content_type="video/webm", status="ready", duration=3
    )
    recording.file.save("r.webm", ContentFile(b"\x1a\x45\xdf\xa3"), save=False)
    recording.save()
    video_lesson = Lesson.objects.get(module__course=course, title="Variables and types")
    return {
        "home": base + "/",
        "catalog": base + "/courses/",
        "course": f"{base}/courses/{course.slug}/",
        "lesson": f"{base}/courses/{course.slug}/lessons/{lesson.pk}/",
        "video-lesson": f"{base}/courses/{course.slug}/lessons/{video_lesson.pk}/",
        "recordings": base + "/recordings/",
        "recording-new": base + "/recordings/new/",
        "my-courses": base + "/my-courses/",
        "quiz": f"{base}/quizzes/{quiz.pk}/",
        "attempt": f"{base}/quiz-attempts/{running.pk}/",
        "result": f"{base}/quiz-attempts/{done.pk}/",
        "code-attempt": f"{base}/quiz-attempts/{writing.pk}/",
        "code-result": f"{base}/quiz-attempts/{program.pk}/",
        "chat": base + "/chat/",
        "chat-room": f"{base}/chat/{room.pk}/",
        "people": base + "/people/",
        "person": f"{base}/people/{instructor.pk}/",
        "notifications": base + "/notifications/",
        "leaderboard": base + "/leaderboard/",
        "leaderboard-quiz": f"{base}/leaderboard/?course={course.pk}&quiz={quiz.pk}",
        "code": base + "/code/",
        "code-exercise": f"{base}/code/exercises/{CodeExercise.objects.get(course=course).pk}/",
        "pricing": base + "/pricing/",
        "billing": base + "/billing/",
        "sandbox-checkout": f"{base}/payments/sandbox/{payment.pk}/",
        "payment-waiting": f"{base}/billing/payments/{payment.pk}/",
        "achievements": base + "/achievements/",
        "profile": base + "/profile/",
        "profile-edit": base + "/profile/edit/",
        "teach-refused": base + "/teach/",
        "not-found": base + "/no/such/page/",
    }


def test_every_page_fits_a_phone_and_passes_axe(with_demo_video, demo, page, axe_page):
    problems: list[str] = []
    for name, path in {
        "public-home": "/",
        "login": "/login/",
        "register": "/register/",
        "password-reset": "/password/reset/",
        "public-catalog": "/courses/",
        "public-course": "/courses/python-from-zero/",
        "public-pricing": "/pricing/",
    }.items():
        _check(axe_page, demo + path, name, problems)

    log_in(axe_page, demo, "student", "learn-lyceum-2026")
    with zeal_ignore():  # the attempts it sets up each notify the student: by design, not an N+1
        learner = _learner_urls(demo)
    for name, url in learner.items():
        _check(
            axe_page,
            url,
            name,
            problems,
            shoot=name
            in {
                "home",
                "result",
                "people",
                "notifications",
                "leaderboard",
                "achievements",
                "code-exercise",
                "code-attempt",
                "code-result",
                "pricing",
                "sandbox-checkout",
                "video-lesson",
                "recordings",
                "recording-new",
            },
        )
    axe_page.emulate_media(color_scheme="dark")
    for name in ("home", "course", "video-lesson", "result", "code-result", "chat-room", "notifications"):
        _check(axe_page, learner[name], f"dark-{name}", problems)
    axe_page.emulate_media(color_scheme="light")

    axe_page.context.clear_cookies()
    log_in(axe_page, demo, "instructor", "teach-lyceum-2026")
    course = Course.objects.get(slug="python-from-zero")
    lesson = Lesson.objects.filter(module__course=course).first()
    quiz = Quiz.objects.get(course=course, title="Check your understanding")
    for name, path in {
        "instructor-home": "/",
        "teach": "/teach/",
        "teach-course": f"/teach/courses/{course.pk}/",
        "teach-lesson": f"/teach/lessons/{lesson.pk}/",
        "teach-video-lesson": f"/teach/lessons/{Lesson.objects.get(title='Variables and types').pk}/",
        "teach-quiz": f"/teach/quizzes/{quiz.pk}/",
        "teach-code-quiz": f"/teach/quizzes/{Quiz.objects.get(course=course, title='Write a program').pk}/",
        "teach-people": f"/teach/courses/{course.pk}/people/",
        "teach-badges": f"/teach/courses/{course.pk}/achievements/",
        "teach-exercises": f"/teach/courses/{course.pk}/exercises/",
        "teach-exercise": f"/teach/courses/{course.pk}/exercises/{course.code_exercises.get().pk}/",
    }.items():
        _check(
            axe_page,
            demo + path,
            name,
            problems,
            shoot=name in {"teach", "teach-course", "teach-people", "teach-badges", "teach-video-lesson"},
        )

    axe_page.context.clear_cookies()
    log_in(axe_page, demo, "admin", "admin-lyceum-2026")
    student = User.objects.get(username="student")
    for name, path in {
        "console": "/console/",
        "console-user": f"/console/users/{student.pk}/",
        "console-roles": "/console/roles/",
        "console-audit": "/console/audit/",
    }.items():
        _check(axe_page, demo + path, name, problems, shoot=True)

    assert not problems, "\n".join(problems)


def test_the_menu_and_the_notifications_panel_work_on_a_phone(demo, page, screenshot):
    log_in(page, demo, "student", "learn-lyceum-2026")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(demo + "/courses/")

    # The menu button shows where the keyboard is.
    page.locator("#nav-toggle").focus()
    outline = page.locator(".nav-toggle-label").evaluate("e => getComputedStyle(e).outlineStyle")
    assert outline == "solid"
    page.keyboard.press("Space")
    bell = page.get_by_role("button", name=re.compile("Notifications"))
    expect(bell).to_be_visible()

    # The panel opens inside the screen, its buttons reachable; Escape closes it.
    bell.click()
    panel = page.locator("#bell-panel")
    expect(panel).to_be_visible()
    box = panel.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    # in the menu's flow: nothing of the menu hides under it
    profile = page.get_by_role("link", name="Profile").bounding_box()
    assert profile["y"] >= box["y"] + box["height"]
    read_all = page.get_by_role("button", name="Mark all read")
    expect(read_all).to_be_in_viewport()
    expect(page.get_by_role("link", name="See all")).to_be_visible()
    screenshot("390-notifications-panel")
    page.keyboard.press("Escape")
    expect(panel).to_be_hidden()
    expect(bell).to_be_focused()
    expect(bell).to_have_attribute("aria-expanded", "false")


def test_the_focus_ring_has_enough_contrast(demo, page):
    page.goto(demo + "/login/")
    colour = page.evaluate("getComputedStyle(document.documentElement).getPropertyValue('--focus').trim()")

    def luminance(hex_colour: str) -> float:
        channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    for background in ("#ffffff", "#f6f7fb"):
        ratio = (luminance(background) + 0.05) / (luminance(colour) + 0.05)
        assert ratio >= 3, (colour, background, ratio)
