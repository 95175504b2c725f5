"""Presence: one expiring entry per open socket, changed atomically (a Redis sorted set with
REDIS_URL, a dict under a lock otherwise), so concurrent joins lose nothing and a socket whose
process died drops out by itself."""

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from lyceum.chat import presence


@pytest.fixture(autouse=True)
def _empty():
    presence.backend().clear()
    yield
    presence.backend().clear()


def test_concurrent_joins_and_leaves_lose_no_update():
    start = threading.Barrier(40)

    def join(n):
        start.wait()
        presence.join(room_id="r1", user_id=f"user-{n % 20}", channel=f"socket-{n}")

    with ThreadPoolExecutor(max_workers=40) as pool:
        list(pool.map(join, range(40)))
    assert len(presence.online_user_ids(room_id="r1")) == 20

    start = threading.Barrier(20)

    def leave(n):
        start.wait()
        presence.leave(room_id="r1", user_id=f"user-{n % 20}", channel=f"socket-{n}")

    with ThreadPoolExecutor(max_workers=20) as pool:
        list(pool.map(leave, range(20)))  # every user still has their second socket open
    assert len(presence.online_user_ids(room_id="r1")) == 20


def test_a_socket_whose_process_died_drops_out_and_a_beating_one_stays(monkeypatch):
    presence.join(room_id="r2", user_id="crashed", channel="socket-a")
    presence.join(room_id="r2", user_id="alive", channel="socket-b")
    now = time.time()

    monkeypatch.setattr(presence.time, "time", lambda: now + presence.PRESENCE_TTL - 1)
    presence.beat(room_id="r2", user_id="alive", channel="socket-b")
    monkeypatch.setattr(presence.time, "time", lambda: now + presence.PRESENCE_TTL + 1)

    assert presence.online_user_ids(room_id="r2") == ["alive"]


def test_the_channels_of_a_member_are_known_for_cutting_them_off():
    presence.join(room_id="r3", user_id="u1", channel="specific.abc!1")
    presence.join(room_id="r3", user_id="u1", channel="specific.abc!2")
    presence.join(room_id="r3", user_id="u2", channel="specific.abc!3")

    assert sorted(presence.channels_of(room_id="r3", user_id="u1")) == ["specific.abc!1", "specific.abc!2"]
