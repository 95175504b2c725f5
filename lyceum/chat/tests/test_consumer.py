"""The chat socket, with Channels' WebsocketCommunicator: every event, refusals, bad frames,
the rate limit, resend without duplicates and resume without gaps."""

import asyncio

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator

from lyceum.accounts import services as accounts
from lyceum.accounts.tests.factories import PASSWORD, UserFactory
from lyceum.asgi import application
from lyceum.chat import consumers
from lyceum.chat.models import Message, RoomInvitation
from lyceum.chat.services import (
    invitation_accept,
    message_event,
    message_send,
    participant_add,
    room_group,
    room_message,
)
from lyceum.chat.tests.factories import group_room

pytestmark = pytest.mark.django_db(transaction=True)


async def socket_for(user, room, query=""):
    token = (await database_sync_to_async(accounts.tokens_issue)(user=user))["access"]
    return WebsocketCommunicator(
        application,
        f"/ws/chat/rooms/{room.pk}/?token={token}{query}",
        headers=[(b"host", b"localhost"), (b"origin", b"http://localhost")],
    )


async def connected(user, room, query=""):
    socket = await socket_for(user, room, query)
    ok, _ = await socket.connect()
    assert ok
    presence = await socket.receive_json_from()
    assert presence["type"] == "presence"
    return socket


async def next_of(socket, kind, limit=10, **match):
    """The next frame of ``kind`` (with the ``match`` fields), skipping others."""
    for _ in range(limit):
        frame = await socket.receive_json_from(timeout=3)
        if frame["type"] == kind and all(frame.get(k) == v for k, v in match.items()):
            return frame
    raise AssertionError(f"no {kind} frame")


@pytest.fixture
def room(alice, bob):
    return group_room(creator=alice, name="Live", members=[bob])


def test_a_message_is_acknowledged_and_reaches_the_other_member(alice, bob, room):
    async def scenario():
        sender, reader = await connected(alice, room), await connected(bob, room)
        await sender.send_json_to({"type": "message.create", "content": "Hi <b>Bob</b>", "client_id": "a-1"})
        ack = await next_of(sender, "message.ack")
        received = await next_of(reader, "message.create")
        assert ack == {
            "type": "message.ack",
            "client_id": "a-1",
            "id": ack["id"],
            "seq": 1,
            "duplicate": False,
        }
        assert received["message"]["id"] == ack["id"]
        assert received["message"]["content"] == "Hi <b>Bob</b>"  # clients escape on display
        await sender.disconnect()
        await reader.disconnect()

    async_to_sync(scenario)()


def test_a_resend_with_the_same_client_id_is_not_stored_twice(alice, room):
    async def scenario():
        socket = await connected(alice, room)
        for _ in range(2):
            await socket.send_json_to({"type": "message.create", "content": "once", "client_id": "same"})
        first, second = await next_of(socket, "message.ack"), await next_of(socket, "message.ack")
        assert first["id"] == second["id"] and second["duplicate"] is True
        await socket.disconnect()

    async_to_sync(scenario)()
    assert Message.objects.filter(room=room).count() == 1


def test_resume_after_reconnect_gives_exactly_what_was_missed(alice, bob, room):
    for n in range(3):
        message_send(room_id=room.pk, sender=alice, content=f"seen {n}")

    async def scenario():
        socket = await connected(bob, room)
        await socket.disconnect()
        for n in range(4):
            await database_sync_to_async(message_send)(room_id=room.pk, sender=alice, content=f"missed {n}")
        socket = await connected(bob, room)
        await socket.send_json_to({"type": "resume", "after": 3})
        frames = []
        while not frames or frames[-1]["type"] != "resume.done":
            frame = await socket.receive_json_from(timeout=3)
            if frame["type"] in ("message.create", "resume.done"):
                frames.append(frame)
        await socket.disconnect()
        return frames

    frames = async_to_sync(scenario)()
    assert [f["message"]["seq"] for f in frames[:4]] == [4, 5, 6, 7]
    assert [f["message"]["content"] for f in frames[:4]] == [f"missed {n}" for n in range(4)]
    assert frames[4] == {"type": "resume.done", "room": str(room.pk), "last_seq": 7}


def test_connecting_with_after_sends_what_was_missed_before_anything_live(alice, bob, room):
    for n in range(5):
        message_send(room_id=room.pk, sender=alice, content=f"m{n}")

    async def scenario():
        socket = await connected(bob, room, "&after=2")
        frames = [await next_of(socket, "message.create") for _ in range(3)]
        done = await next_of(socket, "resume.done")
        await database_sync_to_async(message_send)(room_id=room.pk, sender=alice, content="live")
        frames.append(await next_of(socket, "message.create"))
        bad = await connected(bob, room, "&after=-4")
        error = await next_of(bad, "error")
        await socket.disconnect()
        await bad.disconnect()
        return frames, done, error

    frames, done, error = async_to_sync(scenario)()
    assert [f["message"]["content"] for f in frames] == ["m2", "m3", "m4", "live"]
    assert done["last_seq"] == 5
    assert error["code"] == "invalid"


def test_a_dropped_broadcast_is_filled_from_the_database_and_a_late_one_is_not_sent_twice(
    alice, bob, room, monkeypatch
):
    from lyceum.chat import services
    from lyceum.core.realtime import group_send

    async def scenario():
        socket = await connected(bob, room)
        await database_sync_to_async(message_send)(room_id=room.pk, sender=alice, content="one")
        first = await next_of(socket, "message.create")
        # The broadcast of "two" is lost (a channel layer may drop a group message) …
        with monkeypatch.context() as patch:
            patch.setattr(services, "broadcast", lambda room_id, event: None)
            two, _ = await database_sync_to_async(message_send)(room_id=room.pk, sender=alice, content="two")
        await database_sync_to_async(message_send)(room_id=room.pk, sender=alice, content="three")
        second, third = await next_of(socket, "message.create"), await next_of(socket, "message.create")
        # … and arrives late after all: it is not sent again.
        late = {
            "type": "message.create",
            "message": await database_sync_to_async(services.message_event)(two),
        }
        await database_sync_to_async(group_send)(services.room_group(room.pk), services.room_message(late))
        await socket.send_json_to({"type": "ping"})
        after = await socket.receive_json_from(timeout=3)
        await socket.disconnect()
        return [f["message"]["content"] for f in (first, second, third)], after

    contents, after = async_to_sync(scenario)()
    assert contents == ["one", "two", "three"]
    assert after == {"type": "pong"}  # nothing came between: the late "two" was dropped


def test_typing_read_receipts_presence_and_delete(alice, bob, room):
    message, _ = message_send(room_id=room.pk, sender=alice, content="delete me")

    async def scenario():
        a = await connected(alice, room)
        b = await connected(bob, room)
        joined = await next_of(a, "presence.join", user=str(bob.pk))
        await a.send_json_to({"type": "typing.start"})
        typing = await next_of(b, "typing.start")
        await a.send_json_to({"type": "typing.stop"})
        stopped = await next_of(b, "typing.stop")
        newcomer = await database_sync_to_async(UserFactory)()
        await database_sync_to_async(participant_add)(room=room, actor=alice, user_id=newcomer.pk)
        invitation = await database_sync_to_async(lambda: RoomInvitation.objects.get(invitee=newcomer))()
        await database_sync_to_async(invitation_accept)(invitation_id=invitation.pk, user=newcomer)
        room_join = await next_of(b, "room.join")
        await b.send_json_to({"type": "read", "seq": 1})
        receipt = await next_of(a, "read")
        await a.send_json_to({"type": "message.delete", "id": str(message.pk)})
        deleted = await next_of(b, "message.delete")
        await b.disconnect()
        left = await next_of(a, "presence.leave", user=str(bob.pk))
        await a.disconnect()
        return joined, typing, stopped, room_join, newcomer, receipt, deleted, left

    joined, typing, stopped, room_join, newcomer, receipt, deleted, left = async_to_sync(scenario)()
    assert joined["user"] == str(bob.pk)
    assert typing["username"] == "alice" and typing["name"] == alice.display_name
    assert stopped["user"] == str(alice.pk)
    assert room_join["user"] == str(newcomer.pk)
    assert (receipt["user"], receipt["seq"]) == (str(bob.pk), 1)
    assert deleted["message"]["deleted"] is True and deleted["message"]["content"] == ""
    assert left["user"] == str(bob.pk)
    assert joined["online"] == sorted([str(alice.pk), str(bob.pk)]) and left["online"] == [str(alice.pk)]


def test_own_messages_are_edited_live_and_others_messages_are_refused(alice, bob, room):
    mine, _ = message_send(room_id=room.pk, sender=alice, content="helo")

    async def scenario():
        a = await connected(alice, room)
        b = await connected(bob, room)
        await a.send_json_to({"type": "message.edit", "id": str(mine.pk), "content": "hello"})
        updated = await next_of(b, "message.update")
        await b.send_json_to({"type": "message.edit", "id": str(mine.pk), "content": "hijacked"})
        refused = await next_of(b, "error")
        await a.send_json_to({"type": "message.edit", "id": "not-an-id", "content": "x"})
        bad_id = await next_of(a, "error")
        await a.disconnect()
        await b.disconnect()
        return updated, refused, bad_id

    updated, refused, bad_id = async_to_sync(scenario)()
    assert updated["message"]["content"] == "hello" and updated["message"]["edited_at"]
    assert refused["code"] == "not_your_message"
    assert bad_id["code"] in {"invalid", "not_found"}
    mine.refresh_from_db()
    assert mine.content == "hello"


def test_a_member_removed_from_the_room_is_disconnected(alice, bob, room):
    from lyceum.chat.services import participant_remove

    async def scenario():
        socket = await connected(bob, room)
        await database_sync_to_async(participant_remove)(room=room, actor=alice, user_id=bob.pk)
        left = await next_of(socket, "room.leave")
        closing = await socket.receive_output(timeout=3)
        return left, closing

    left, closing = async_to_sync(scenario)()
    assert left["user"] == str(bob.pk)
    assert closing == {"type": "websocket.close", "code": consumers.CLOSE_NOT_A_MEMBER}


def test_a_notification_for_the_user_leaves_the_chat_socket_working(alice, room):
    from lyceum.notifications.services import notify

    async def scenario():
        socket = await connected(alice, room)
        await database_sync_to_async(notify)(user=alice, kind="system", title="Elsewhere")
        await socket.send_json_to({"type": "ping"})
        pong = await next_of(socket, "pong")
        await socket.disconnect()
        return pong

    assert async_to_sync(scenario)() == {"type": "pong"}


def test_a_non_member_is_closed_with_4403_and_an_anonymous_socket_with_4401(room):
    outsider = UserFactory()

    async def scenario():
        socket = await socket_for(outsider, room)
        await socket.connect()
        refused = await socket.receive_output()
        anonymous = WebsocketCommunicator(
            application, f"/ws/chat/rooms/{room.pk}/", headers=[(b"host", b"localhost")]
        )
        await anonymous.connect()
        await anonymous.send_json_to({"type": "message.create", "content": "hi", "client_id": "x"})
        return refused, await anonymous.receive_output()

    refused, anonymous = async_to_sync(scenario)()
    assert refused == {"type": "websocket.close", "code": consumers.CLOSE_NOT_A_MEMBER}
    assert anonymous == {"type": "websocket.close", "code": 4401}


def test_bad_frames_get_an_error_and_the_socket_stays_open(alice, room):
    async def scenario():
        socket = await connected(alice, room)
        await socket.send_to(text_data="not json")
        malformed = await next_of(socket, "error")
        await socket.send_json_to({"type": "launch"})
        unknown = await next_of(socket, "error")
        await socket.send_json_to({"type": "message.create", "content": "x" * 5000})
        too_long = await next_of(socket, "error")
        await socket.send_json_to({"type": "resume", "after": "yesterday"})
        bad_resume = await next_of(socket, "error")
        await socket.send_json_to({"type": "resume", "after": 10**30})  # past any 64-bit number
        huge_resume = await next_of(socket, "error")
        await socket.send_json_to({"type": "read", "seq": 10**30})
        huge_read = await next_of(socket, "error")
        await socket.send_json_to({"type": "ping"})
        pong = await next_of(socket, "pong")
        await socket.disconnect()
        return malformed, unknown, too_long, bad_resume, pong, huge_resume, huge_read

    malformed, unknown, too_long, bad_resume, pong, huge_resume, huge_read = async_to_sync(scenario)()
    assert huge_resume["code"] == huge_read["code"] == "invalid"
    assert malformed["code"] == "malformed_frame"
    assert unknown["code"] == "unknown_event"
    assert too_long["code"] == "invalid"
    assert bad_resume["code"] == "invalid"
    assert pong == {"type": "pong"}


def test_the_send_rate_limit_holds_per_user_across_reconnects(alice, room, rate_limits):
    rate_limits(chat_send="3/hour")

    async def scenario():
        socket = await connected(alice, room)
        for n in range(2):
            await socket.send_json_to({"type": "message.create", "content": f"m{n}", "client_id": f"c{n}"})
            await next_of(socket, "message.ack")
        await socket.disconnect()
        socket = await connected(alice, room)  # a new socket does not start a new count
        for n in range(2, 4):
            await socket.send_json_to({"type": "message.create", "content": f"m{n}", "client_id": f"c{n}"})
        limited = await next_of(socket, "error", limit=20)
        await socket.disconnect()
        return limited

    limited = async_to_sync(scenario)()
    assert limited["code"] == "rate_limited"
    assert limited["client_id"] == "c3"
    assert limited["retry_after"] > 0
    assert Message.objects.filter(room=room).count() == 3


def test_changing_the_password_closes_the_chat_socket(alice, room):
    async def scenario():
        socket = await connected(alice, room)
        await database_sync_to_async(accounts.password_change)(
            user=alice, current_password=PASSWORD, new_password="a-whole-new-secret"
        )
        revoked = await next_of(socket, "session.revoked")
        closing = await socket.receive_output()
        return revoked, closing

    revoked, closing = async_to_sync(scenario)()
    assert revoked["reason"] == "password_changed"
    assert closing["code"] == 4001


def test_an_over_long_client_id_is_refused_not_truncated_into_a_collision(alice, room):
    base = "x" * 64

    async def scenario():
        socket = await connected(alice, room)
        await socket.send_json_to({"type": "message.create", "content": "first", "client_id": base + "A"})
        refused = await next_of(socket, "error")
        await socket.send_json_to({"type": "message.create", "content": "second", "client_id": base})
        ack = await next_of(socket, "message.ack")
        await socket.disconnect()
        return refused, ack

    refused, ack = async_to_sync(scenario)()
    assert refused["code"] == "invalid" and "64" in refused["message"]
    assert ack["duplicate"] is False
    assert list(Message.objects.filter(room=room).values_list("content", flat=True)) == ["second"]


def test_a_socket_acts_only_on_its_own_room(alice, bob, room):
    other = group_room(creator=alice, name="Elsewhere", members=[bob])
    elsewhere, _ = message_send(room_id=other.pk, sender=alice, content="original")

    async def scenario():
        socket = await connected(alice, room)
        await socket.send_json_to({"type": "message.edit", "id": str(elsewhere.pk), "content": "hijacked"})
        edit_error = await next_of(socket, "error")
        await socket.send_json_to({"type": "message.delete", "id": str(elsewhere.pk)})
        delete_error = await next_of(socket, "error")
        await socket.send_json_to({"type": "message.delete", "id": "not-a-uuid"})
        bad_id = await next_of(socket, "error")
        await socket.disconnect()
        return edit_error, delete_error, bad_id

    edit_error, delete_error, bad_id = async_to_sync(scenario)()
    assert edit_error["code"] == delete_error["code"] == bad_id["code"] == "not_found"
    elsewhere.refresh_from_db()
    assert elsewhere.content == "original" and elsewhere.deleted_at is None


def test_a_resume_that_reads_past_the_rooms_last_seq_sends_no_message_twice(alice, bob, room, monkeypatch):
    """The race from the field: the resume reads the room's last sequence number (N), then its
    messages, which by then include N+1; the live broadcast of N+1 arrives after. N+1 must reach
    the reader once."""
    for n in range(3):
        message_send(room_id=room.pk, sender=alice, content=f"m{n}")
    original = consumers.ChatConsumer._read_missed

    def stale_last_seq(self, after, upto):
        batch, last_seq = original(self, after, upto)
        return batch, last_seq - 1  # as if read before the last message was committed

    monkeypatch.setattr(consumers.ChatConsumer, "_read_missed", stale_last_seq)

    async def scenario():
        reader = await connected(bob, room, "&after=0")
        frames = []
        while True:
            frame = await reader.receive_json_from(timeout=3)
            frames.append(frame)
            if frame["type"] == "resume.done":
                break
        # The live broadcast of the last message, late: as a second process would deliver it.
        last = await database_sync_to_async(
            lambda: message_event(Message.objects.select_related("sender").get(room=room, seq=3))
        )()
        await get_channel_layer().group_send(
            room_group(room.pk), room_message({"type": "message.create", "message": last})
        )
        # Then the next message: the layer delivers in order, so once it is here the late
        # broadcast has been handled.
        await database_sync_to_async(message_send)(room_id=room.pk, sender=alice, content="m3")
        while True:
            frame = await reader.receive_json_from(timeout=3)
            frames.append(frame)
            if frame["type"] == "message.create" and frame["message"]["seq"] == 4:
                break
        await reader.disconnect()
        return frames

    frames = async_to_sync(scenario)()
    seqs = [f["message"]["seq"] for f in frames if f["type"] == "message.create"]
    assert seqs == [1, 2, 3, 4]
    assert next(f for f in frames if f["type"] == "resume.done")["last_seq"] == 3


def test_a_room_filling_up_hears_its_joins_in_a_few_frames_not_one_each(settings, alice, bob):
    """Each announcement carries the online list to every socket: one per join made a big room
    cost joins x sockets x members. Joins close together are announced together."""
    settings.CHAT_PRESENCE_COALESCE_SECONDS = 0.5
    newcomers = [UserFactory(username=f"n{n}", email=f"n{n}@example.com") for n in range(6)]
    room = group_room(creator=alice, name="Hall", members=[bob, *newcomers])

    async def scenario():
        watcher = await connected(alice, room)
        assert (await next_of(watcher, "presence.join"))["user"] == str(alice.pk)  # her own, at once
        await asyncio.sleep(0.6)  # the room is quiet again
        first = await connected(bob, room)  # announced at once
        assert (await next_of(watcher, "presence.join"))["user"] == str(bob.pk)
        others = [await connected(user, room) for user in newcomers]  # within the half second
        frames = []
        while not await watcher.receive_nothing(timeout=1.5):  # until the room is quiet
            frame = await watcher.receive_json_from()
            if frame["type"].startswith("presence."):
                frames.append(frame)
        for socket in [watcher, first, *others]:
            await socket.disconnect()
        return frames

    frames = async_to_sync(scenario)()
    assert 1 <= len(frames) <= 2, [f["joined"] for f in frames]
    assert sorted(u for f in frames for u in f["joined"]) == sorted(str(u.pk) for u in newcomers)
    assert set(frames[-1]["online"]) == {str(u.pk) for u in [alice, bob, *newcomers]}
    assert frames[-1]["type"] == "presence.join" and frames[-1]["left"] == []
