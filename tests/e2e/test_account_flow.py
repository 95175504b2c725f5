"""A person registers, logs in, edits the profile, uploads an avatar and logs out, in Chromium."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command
from PIL import Image
from playwright.sync_api import expect
from zeal import zeal_ignore

from lyceum.accounts.models import User

pytestmark = pytest.mark.django_db(transaction=True)


def _avatar_png(tmp_path):
    path = tmp_path / "me.png"
    picture = Image.new("RGB", (640, 480), (220, 90, 40))
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG")
    path.write_bytes(buffer.getvalue())
    return path


def test_register_login_edit_profile_upload_avatar_logout(live_server, page, screenshot, tmp_path):
    base = live_server.url
    page.goto(base + "/")
    screenshot("01-home")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Register").click()

    page.get_by_label("Username").fill("grace")
    page.get_by_label("Email").fill("grace@example.com")
    page.get_by_label("First name").fill("Grace")
    page.get_by_label("Password").fill("short")
    page.get_by_role("button", name="Create account").click()
    expect(page.locator(".error")).to_contain_text("too short")
    screenshot("02-register-error")
    page.get_by_label("Password").fill("hopper-compiles-cobol")
    page.get_by_role("button", name="Create account").click()

    expect(page).to_have_url(re.compile(r"/profile/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Grace")
    expect(page.get_by_text("not confirmed")).to_be_visible()

    page.get_by_role("button", name=re.compile("Log out")).click()
    expect(page.get_by_text("You are signed out.")).to_be_visible()

    nav = page.get_by_role("navigation", name="Main")
    nav.get_by_role("link", name="Log in").click()
    page.get_by_label("Email or username").fill("grace@example.com")
    page.get_by_label("Password").fill("wrong-password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_contain_text("No active account")
    page.get_by_label("Password").fill("hopper-compiles-cobol")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome back, Grace")

    nav.get_by_role("link", name="Profile", exact=True).click()
    page.get_by_role("link", name="Edit profile").click()
    page.get_by_label("Last name").fill("Hopper")
    page.get_by_label("Bio").fill("Rear admiral. Wrote the first compiler.")
    page.get_by_label("Time zone").fill("America/New_York")
    page.get_by_label("Theme").select_option("dark")
    page.get_by_role("button", name="Save profile").click()
    expect(page.get_by_text("Your profile is saved.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Grace Hopper")
    expect(page.get_by_text("America/New_York")).to_be_visible()

    page.get_by_role("link", name="Edit profile").click()
    page.get_by_label("Avatar image").set_input_files(str(_avatar_png(tmp_path)))
    page.get_by_role("button", name="Upload avatar").click()
    expect(page.get_by_text("Your new avatar is saved.")).to_be_visible()
    avatar = page.get_by_role("img", name="Avatar of Grace Hopper")
    expect(avatar).to_be_visible()
    # Wait for the image to decode (on a busy machine it may not have yet), then measure it.
    width = page.evaluate("img => img.decode().then(() => img.naturalWidth)", avatar.element_handle())
    assert width == 512
    screenshot("03-profile")

    page.get_by_role("button", name=re.compile("Log out")).click()
    expect(nav.get_by_role("link", name="Log in")).to_be_visible()
    page.goto(base + "/profile/")
    expect(page).to_have_url(re.compile(r"/login/\?next=/profile/"))

    grace = User.objects.select_related("profile").get(username="grace")
    assert grace.last_name == "Hopper"
    assert grace.profile.preferences["theme"] == "dark"
    assert grace.profile.avatar.name.endswith(".webp")


@pytest.mark.parametrize(
    ("login", "password", "sees_admin"),
    [
        ("student", "learn-lyceum-2026", False),
        ("instructor", "teach-lyceum-2026", False),
        ("admin@lyceum.localhost", "admin-lyceum-2026", True),
    ],
)
def test_demo_users_can_log_in(live_server, page, screenshot, login, password, sees_admin):
    with zeal_ignore():  # a command calls services in a loop by design
        call_command("init_data", verbosity=0)
    page.goto(live_server.url + "/login/")
    page.get_by_label("Email or username").fill(login)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome back")
    expect(page.get_by_role("link", name="Admin")).to_have_count(1 if sees_admin else 0)
    if sees_admin:
        page.get_by_role("link", name="Admin").click()
        expect(page.get_by_text("Lyceum administration")).to_be_visible()
        screenshot("04-admin")
