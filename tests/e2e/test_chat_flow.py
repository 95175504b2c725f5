"""Two people in one chat room, in two browser contexts, against the real ASGI server (uvicorn, as
`make run` serves it) with the demo data: the room list's unread badge and the bell move while the
instructor is elsewhere; in the room, the student's typing shows, then the message, its edit and
its deletion, live."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import SCREENSHOTS, log_in
from tests.servers import call_api, demo_server


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with demo_server(tmp_path_factory.mktemp("var")) as running:
        yield running


def signed_in(browser, server, login: str, password: str):
    context = browser.new_context(base_url=server.base_url, viewport={"width": 1100, "height": 800})
    page = context.new_page()
    page.set_default_timeout(15_000)
    log_in(page, server.base_url, login, password)
    return page


def shoot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def test_two_people_chat_live(browser, server):
    ines = signed_in(browser, server, "instructor", "teach-lyceum-2026")
    sam = signed_in(browser, server, "student", "learn-lyceum-2026")

    # Ines is on her room list; the course room has nothing unread for her.
    ines.goto("/chat/")
    course_room = ines.locator(".room-item", has_text="Python from Zero")
    expect(course_room.locator(".unread-count")).to_be_hidden()
    expect(ines.locator(".room-item", has_text="Sam Student")).to_be_visible()  # the direct room
    bell = ines.locator("#bell-count")
    before = int(bell.text_content() or 0)

    # Sam opens the course room and writes; Ines's list and bell move without a reload.
    sam.goto("/chat/")
    sam.get_by_role("link", name="Python from Zero").click()
    expect(sam.locator("#connection")).to_have_text("Connected")
    sam.get_by_label("Message", exact=True).fill("Is the <b>quiz</b> graded today?")
    sam.get_by_role("button", name="Send").click()
    expect(sam.locator(".chat-message.mine").last).not_to_have_class(re.compile("pending"))
    expect(course_room.locator(".unread-count")).to_have_text("1")
    expect(course_room.locator(".new-dot")).to_be_visible()
    expect(bell).to_have_text(str(before + 1))
    shoot(ines, "chat-room-list-live")

    # Ines opens the room: the message is there, shown as text.
    course_room.get_by_role("link").click()
    expect(ines.locator("#connection")).to_have_text("Connected")
    expect(ines.locator(".chat-message").last.locator(".text")).to_have_text(
        "Is the <b>quiz</b> graded today?"
    )
    expect(ines.locator("#presence")).to_have_text("2 online")
    expect(sam.locator(".chat-message.mine").last.locator("time")).to_contain_text("seen")  # her receipt

    # Sam types: Ines sees it; then the message arrives live.
    sam.get_by_label("Message", exact=True).fill("One more question")
    expect(ines.locator("#typing")).to_have_text("Sam Student is typing…")
    sam.get_by_label("Message", exact=True).press("Enter")
    latest = ines.locator(".chat-message").last
    expect(latest.locator(".text")).to_have_text("One more question")
    expect(latest.locator(".author")).to_have_text("Sam Student")
    expect(ines.locator("#typing")).to_have_text("")
    shoot(ines, "chat-room-live")

    # Sam corrects the message, then deletes the first one.
    mine = sam.locator(".chat-message.mine").last
    mine.get_by_role("button", name="Edit this message").click()
    sam.get_by_label("Edit message").fill("One more question, about loops")
    sam.get_by_label("Edit message").press("Enter")
    expect(latest.locator(".text")).to_have_text("One more question, about loops")
    expect(latest.locator("time")).to_contain_text("edited")
    first = sam.locator(".chat-message.mine", has_text="graded today")
    first.get_by_role("button", name="Delete this message").click()
    expect(ines.locator(".chat-message.deleted").last.locator(".text")).to_have_text("message deleted")
    expect(ines.get_by_text("Is the <b>quiz</b> graded today?")).to_have_count(0)
    shoot(sam, "chat-room-student")

    # Back on her list, Ines has read the room: no badge, no dot.
    ines.goto("/chat/")
    expect(course_room.locator(".unread-count")).to_be_hidden()
    expect(course_room.locator(".new-dot")).to_be_hidden()

    # Sam has Ines's reply from the demo unread in their direct room; opening the room reads it.
    sam.goto("/chat/")
    direct = sam.locator(".room-item", has_text="Ines Instructor")
    expect(direct.locator(".unread-count")).to_have_text("1")
    direct.get_by_role("link").click()
    expect(sam.locator("#connection")).to_have_text("Connected")
    expect(sam.locator(".chat-message").last.locator(".text")).to_have_text(
        "Of course, I will grade it tonight."
    )
    sam.goto("/chat/")
    for _ in range(20):  # the read frame may still be on its way when the page is left
        if direct.locator(".unread-count").is_hidden():
            break
        sam.wait_for_timeout(250)
        sam.reload()
    expect(direct.locator(".unread-count")).to_be_hidden()

    ines.context.close()
    sam.context.close()


def test_a_hostile_client_id_does_not_break_the_room_page(browser, server):
    """A client id is user data: the page keeps messages in maps, never in CSS selectors, so one
    holding `"]` neither breaks the page nor hides the messages after it."""
    sam = signed_in(browser, server, "student", "learn-lyceum-2026")
    sam.goto("/chat/")
    sam.get_by_role("link", name="Python from Zero").click()
    expect(sam.locator("#connection")).to_have_text("Connected")
    errors: list[str] = []
    sam.on("pageerror", lambda error: errors.append(str(error)))

    _, signed_in_as = call_api(
        server, "POST", "/api/auth/login/", {"login": "instructor", "password": "teach-lyceum-2026"}
    )
    room = sam.locator("#chat").get_attribute("data-room")
    for client_id, content in [('x"]', "hostile id"), ("plain-1", "after the hostile one")]:
        body = {"room": room, "content": content, "client_id": client_id}
        assert call_api(server, "POST", "/api/chat/send/", body, signed_in_as["access"])[0] == 201

    expect(sam.locator(".chat-message", has_text="hostile id")).to_be_visible()
    expect(sam.locator(".chat-message", has_text="after the hostile one")).to_be_visible()
    assert errors == []
    shoot(sam, "chat-hostile-client-id")


def test_a_direct_conversation_from_a_people_search(browser, server):
    page = signed_in(browser, server, "student", "learn-lyceum-2026")
    page.get_by_role("link", name="Chat", exact=True).click()
    page.get_by_role("link", name="Find people").click()
    page.get_by_label("Find someone by name or username").fill("Ines")
    page.get_by_role("button", name="Search").click()
    shoot(page, "32-people-search")

    page.get_by_role("button", name="Message Ines Instructor").click()

    expect(page.get_by_role("heading", name="Ines Instructor", level=1)).to_be_visible()
    expect(page.locator("#connection")).to_have_text("Connected")
    page.get_by_label("Message", exact=True).fill("Hello Ines, a question about lesson 2")
    page.get_by_role("button", name="Send").click()
    expect(page.locator(".chat-message.mine .text").last).to_have_text(
        "Hello Ines, a question about lesson 2"
    )
    shoot(page, "33-direct-chat")
