"""Browser tests: Playwright drives Debian's Chromium (never a downloaded browser) against a live
Lyceum server."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import expect
from zeal import zeal_ignore

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="module")
def browser_args() -> list[str]:
    """Chromium's extra switches for a module's browser (a module may add its own)."""
    return []


@pytest.fixture(scope="module")
def browser(browser_args):
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: run `make system-deps`")
    # Playwright's sync API runs an event loop in this thread; the tests' own ORM calls are still
    # plain synchronous code, so Django's async-safety check must stand aside while it runs.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-background-networking",
                "--disable-gpu",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                *browser_args,
            ],
        )
        yield browser
        browser.close()
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


class InFlight:
    """Wraps the live server's WSGI application and counts the requests it is handling."""

    def __init__(self, app) -> None:
        self.app = app
        self.count = 0
        self.lock = threading.Lock()

    def __call__(self, environ, start_response):
        with self.lock:
            self.count += 1
        try:
            return self.app(environ, start_response)
        finally:
            with self.lock:
                self.count -= 1


def drain(live_server, timeout: float = 30) -> None:
    """Waits until the live server handles no request. A page's own requests (autosave, the bell,
    a socket retrying over HTTP) may still run when a test ends; the database must not be
    emptied under them."""
    httpd = getattr(live_server.thread, "httpd", None)
    app = httpd.get_app() if httpd is not None else None
    if not isinstance(app, InFlight):
        return
    deadline = time.monotonic() + timeout
    while app.count and time.monotonic() < deadline:
        time.sleep(0.02)


def count_requests(live_server) -> None:
    httpd = getattr(live_server.thread, "httpd", None)
    if httpd is not None and not isinstance(httpd.get_app(), InFlight):
        httpd.set_app(InFlight(httpd.get_app()))


@pytest.fixture
def page(browser, request):
    live = request.getfixturevalue("live_server") if "live_server" in request.fixturenames else None
    if live is not None:
        count_requests(live)
    context = browser.new_context(viewport={"width": 1280, "height": 860})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    # Stop the page's scripts (timers, reconnecting sockets) before the browser goes, then let
    # the server finish what it had started.
    page.goto("about:blank")
    context.close()
    if live is not None:
        drain(live)


@pytest.fixture
def screenshot(page):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def with_demo_video(settings):
    """Ask for it before ``demo``: the demo data then has its lesson video (made by ffmpeg)."""
    settings.DEMO_VIDEO = True


@pytest.fixture
def demo(live_server):
    """The demo data of `make run` on pytest-django's live server; its base URL."""
    with zeal_ignore():  # a command calls services in a loop by design
        call_command("init_data", verbosity=0)
    return live_server.url


def log_in(page, base: str, login: str, password: str) -> None:
    """Signs in through the login page and waits for the welcome."""
    page.goto(base + "/login/")
    page.get_by_label("Email or username").fill(login)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome back")
    # The page's scripts (the bell, autosave) have run once "load" has fired: a click before
    # then would reach a button with no handler yet (a busy machine makes that window wide).
    page.wait_for_load_state("load")
