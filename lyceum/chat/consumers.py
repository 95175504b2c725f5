"""``/ws/chat/rooms/<room id>/``: one room's live socket. See docs/websocket.md.

Messages are saved (with the room's next sequence number) before anyone is told of them; the
sender gets ``message.ack`` with the stored id and its own ``client_id``, so a client that resends
after a reconnect gets the same message back instead of a duplicate. A client that reconnects
connects with ``?after=<last seq it saw>`` and receives exactly what it missed, then the live
messages: each once, in order, whatever the channel layer drops or delivers late.
"""

from __future__ import annotations

import asyncio
import weakref
from urllib.parse import parse_qs

from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from django.conf import settings
from django.core.exceptions import ValidationError

from lyceum.accounts.consumers import user_group
from lyceum.core import ratelimit
from lyceum.core.exceptions import ApplicationError, TooManyRequests
from lyceum.core.websocket import CLOSE_SESSION_REVOKED, JsonSocket

from . import presence, selectors, services
from .models import ChatRoom, Participant

CLOSE_NOT_A_MEMBER = 4403
MAX_SEQ = 2**63 - 1  # sequence numbers are 64-bit: a larger "after" is a bad frame, not a crash
_presence = sync_to_async(lambda change, **kwargs: change(**kwargs), thread_sensitive=False)


class PresenceAnnouncements:
    """Coalesces a room's ``presence.join`` / ``presence.leave`` announcements, per process.

    Each announcement carries the room's online list and goes to every socket of the room, so a
    lecture hall filling up sent N announcements of N users to N sockets: a 1,000-socket room
    never came up (handshakes timed out behind the announcements). The first change in a quiet
    room is announced at once; further changes within ``CHAT_PRESENCE_COALESCE_SECONDS`` are sent
    together when it ends, as one frame of the latest kind with ``joined`` and ``left`` (the user
    ids since the last frame) and the latest ``online`` list. One instance per event loop.
    """

    _by_loop: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    def __init__(self) -> None:
        self.quiet_until: dict[str, float] = {}
        self.pending: dict[str, dict] = {}

    @classmethod
    def here(cls) -> PresenceAnnouncements:
        loop = asyncio.get_running_loop()
        if loop not in cls._by_loop:
            cls._by_loop[loop] = cls()
        return cls._by_loop[loop]

    async def changed(self, layer, room_id: str, kind: str, user_id: str, online: list[str]) -> None:
        loop = asyncio.get_running_loop()
        now = loop.time()
        pending = self.pending.get(room_id)
        if pending is None:
            pending = {"joined": [], "left": []}
            self.pending[room_id] = pending
            if now >= self.quiet_until.get(room_id, 0.0):
                self._record(pending, kind, user_id, online)
                await self._flush(layer, room_id)
                return
            loop.call_at(
                self.quiet_until[room_id], lambda: asyncio.ensure_future(self._flush(layer, room_id))
            )
        self._record(pending, kind, user_id, online)

    @staticmethod
    def _record(pending: dict, kind: str, user_id: str, online: list[str]) -> None:
        (pending["joined"] if kind == "presence.join" else pending["left"]).append(user_id)
        pending.update(kind=kind, user=user_id, online=online)

    async def _flush(self, layer, room_id: str) -> None:
        pending = self.pending.pop(room_id, None)
        loop = asyncio.get_running_loop()
        self.quiet_until[room_id] = loop.time() + settings.CHAT_PRESENCE_COALESCE_SECONDS
        if not pending or "kind" not in pending:
            return
        event = {
            "type": pending["kind"],
            "room": room_id,
            "user": pending["user"],
            "joined": pending["joined"],
            "left": pending["left"],
            "online": pending["online"],
        }
        await layer.group_send(services.room_group(room_id), services.room_message(event))
        if len(self.quiet_until) > 10_000:  # forget rooms long quiet
            now = loop.time()
            self.quiet_until = {room: until for room, until in self.quiet_until.items() if until > now}


class ChatConsumer(JsonSocket):
    async def on_authenticated(self) -> None:
        self.room_id = str(self.scope["url_route"]["kwargs"]["room_id"])
        if not await self._is_member():
            await self.close(code=CLOSE_NOT_A_MEMBER)
            return
        self.group = services.room_group(self.room_id)
        # The last message sequence number this connection has delivered: from ``?after=N`` (a
        # reconnecting client's last seen), else from the first message. With it no message
        # reaches the client twice or out of order, and none is skipped.
        self.delivered, bad_after = self._after_from_url()
        await self.channel_layer.group_add(self.group, self.channel_name)
        # Signing out or changing the password closes this socket too.
        await self.channel_layer.group_add(user_group(self.user.pk), self.channel_name)
        online = await _presence(
            presence.join, room_id=self.room_id, user_id=self.user.pk, channel=self.channel_name
        )
        self.heartbeat = asyncio.ensure_future(self._heartbeat())
        await self.send_json({"type": "presence", "room": self.room_id, "online": online})
        await PresenceAnnouncements.here().changed(
            self.channel_layer, self.room_id, "presence.join", str(self.user.pk), online
        )
        if bad_after:
            await self._error("invalid", "after must be the last sequence number seen (0 or more).")
        elif self.delivered is not None:
            await self._resume(self.delivered)

    def _after_from_url(self) -> tuple[int | None, bool]:
        values = parse_qs(self.scope.get("query_string", b"").decode("latin-1")).get("after")
        if not values:
            return None, False
        try:
            after = int(values[-1])
        except ValueError:
            return None, True
        return (after, False) if 0 <= after <= MAX_SEQ else (None, True)

    async def disconnect(self, code: int) -> None:
        if hasattr(self, "group"):
            self.heartbeat.cancel()
            await self.channel_layer.group_discard(self.group, self.channel_name)
            await self.channel_layer.group_discard(user_group(self.user.pk), self.channel_name)
            online = await _presence(
                presence.leave, room_id=self.room_id, user_id=self.user.pk, channel=self.channel_name
            )
            await PresenceAnnouncements.here().changed(
                self.channel_layer, self.room_id, "presence.leave", str(self.user.pk), online
            )

    async def _heartbeat(self) -> None:
        """Keeps this socket's presence entry alive, and closes the socket if its user is no
        longer a member (a removal whose close event a full channel dropped)."""
        while True:
            await asyncio.sleep(presence.PRESENCE_HEARTBEAT)
            await _presence(
                presence.beat, room_id=self.room_id, user_id=self.user.pk, channel=self.channel_name
            )
            if not await self._is_member():
                await self.close(code=CLOSE_NOT_A_MEMBER)
                return

    # --- frames from the client -----------------------------------------------------------------

    async def receive_json(self, content, **kwargs) -> None:
        if not hasattr(self, "group"):
            return
        try:
            ratelimit.hit("chat_frame", f"user:{self.user.pk}")
        except TooManyRequests as error:
            await self._rate_limited(error)
            return
        handler = self.HANDLERS.get(content["type"])
        if handler is None:
            await self._error("unknown_event", f"Unknown event type {content['type']!r}.")
            return
        ref = content.get("client_id") if isinstance(content.get("client_id"), str) else None
        try:
            await handler(self, content)
        except ValidationError as error:
            await self._error("invalid", "; ".join(error.messages), ref=ref)
        except TooManyRequests as error:
            await self._rate_limited(error, ref=ref)
        except ApplicationError as error:
            await self._error(error.code, error.message, ref=ref)

    async def _rate_limited(self, error: TooManyRequests, ref=None) -> None:
        await self.send_json(
            {
                "type": "error",
                "code": "rate_limited",
                "message": error.message,
                "retry_after": error.retry_after,
                "client_id": ref,
            }
        )

    async def on_message_create(self, content: dict) -> None:
        text, client_id = content.get("content"), content.get("client_id") or ""
        if not isinstance(text, str) or not isinstance(client_id, str):
            raise ValidationError("content and client_id must be strings.")
        message, created = await database_sync_to_async(services.message_send)(
            room_id=self.room_id, sender=self.user, content=text, client_id=client_id
        )
        await self.send_json(
            {
                "type": "message.ack",
                "client_id": client_id,
                "id": str(message.id),
                "seq": message.seq,
                "duplicate": not created,
            }
        )

    async def on_message_delete(self, content: dict) -> None:
        await database_sync_to_async(services.message_delete)(
            message_id=str(content.get("id", "")), user=self.user, room_id=self.room_id
        )

    async def on_message_edit(self, content: dict) -> None:
        text = content.get("content")
        if not isinstance(text, str):
            raise ValidationError("content must be a string.")
        await database_sync_to_async(services.message_edit)(
            message_id=str(content.get("id", "")), user=self.user, content=text, room_id=self.room_id
        )

    async def on_resume(self, content: dict) -> None:
        after = content.get("after", 0)
        if not isinstance(after, int) or isinstance(after, bool) or not 0 <= after <= MAX_SEQ:
            raise ValidationError("after must be the last sequence number seen (0 or more).")
        await self._resume(after)

    async def _resume(self, after: int) -> None:
        """Sends every message after ``after``, in order, then ``resume.done``."""
        self.delivered = after
        last_seq = await self._deliver_missed(upto=None)
        if last_seq is None:
            return
        if self.delivered == after:
            # Nothing was sent: the client may have claimed a number the room has not reached.
            self.delivered = min(after, last_seq)
        await self.send_json({"type": "resume.done", "room": self.room_id, "last_seq": self.delivered})

    async def on_typing(self, content: dict) -> None:
        await self._announce(content["type"], username=self.user.username, name=self.user.display_name)

    async def on_read(self, content: dict) -> None:
        seq = content.get("seq")
        if seq is not None and (not isinstance(seq, int) or isinstance(seq, bool) or not 0 <= seq <= MAX_SEQ):
            raise ValidationError("seq must be a sequence number.")
        await database_sync_to_async(self._mark_read)(seq)

    async def on_ping(self, content: dict) -> None:
        await self.send_json({"type": "pong"})

    HANDLERS = {
        "message.create": on_message_create,
        "message.edit": on_message_edit,
        "message.delete": on_message_delete,
        "resume": on_resume,
        "typing.start": on_typing,
        "typing.stop": on_typing,
        "read": on_read,
        "ping": on_ping,
    }

    # --- events from the room's group -----------------------------------------------------------

    async def room_event(self, event: dict) -> None:
        if not hasattr(self, "group"):
            return
        if event["event_type"] == "message.create":
            seq = event["seq"]
            if self.delivered is not None:
                if seq <= self.delivered:  # already sent by a resume
                    return
                if seq > self.delivered + 1:
                    # A gap: an earlier message's broadcast is late (another process) or was
                    # dropped by the channel layer. It is stored, so it is sent from the database.
                    if await self._deliver_missed(upto=seq - 1) is None:
                        return
            self.delivered = seq
        await self.send(text_data=event["text"])
        if event["event_type"] == "room.leave" and event.get("user") == str(self.user.pk):
            await self.close(code=CLOSE_NOT_A_MEMBER)  # removed from the room, or left it

    async def room_removed(self, event: dict) -> None:
        """Sent to this socket's own channel when its user is removed from the room."""
        await self.close(code=CLOSE_NOT_A_MEMBER)

    async def notification_push(self, event: dict) -> None:
        """Notifications go to the user's group, which this socket joins for session.revoked;
        they are shown by the account socket (/ws/account/), not here."""

    async def session_revoked(self, event: dict) -> None:
        await self.send_json({"type": "session.revoked", "reason": event.get("reason", "")})
        await self.close(code=CLOSE_SESSION_REVOKED)

    # --- helpers --------------------------------------------------------------------------------

    async def _announce(self, kind: str, **fields) -> None:
        """Tells the room's sockets (this one included) of this user's ``kind`` event."""
        event = {"type": kind, "room": self.room_id, "user": str(self.user.pk), **fields}
        await self.channel_layer.group_send(self.group, services.room_message(event))

    async def _error(self, code: str, message: str, ref=None) -> None:
        await self.send_error(code, message, client_id=ref)

    @database_sync_to_async
    def _is_member(self) -> bool:
        return Participant.objects.filter(room_id=self.room_id, user=self.user).exists()

    async def _deliver_missed(self, upto: int | None) -> int | None:
        """Sends the stored messages after ``self.delivered`` (up to ``upto``, else all), in order;
        returns the room's last sequence number as read, or None if the user is no longer a
        member (the socket is then closed)."""
        while True:
            batch, last_seq = await self._missed(self.delivered or 0, upto)
            if batch is None:
                await self.close(code=CLOSE_NOT_A_MEMBER)
                return None
            for message in batch:
                await self.send_json({"type": "message.create", "message": message})
                self.delivered = message["seq"]
            if len(batch) < selectors.RESUME_BATCH:
                return last_seq

    async def _missed(self, after: int, upto: int | None) -> tuple[list[dict] | None, int]:
        return await database_sync_to_async(self._read_missed)(after, upto)

    def _read_missed(self, after: int, upto: int | None) -> tuple[list[dict] | None, int]:
        # Read from the database, so only a member may: a removed member whose close was
        # dropped must not read on through a gap.
        if not Participant.objects.filter(room_id=self.room_id, user=self.user).exists():
            return None, 0
        room = ChatRoom.objects.get(pk=self.room_id)
        messages = selectors.messages_after(room=room, seq=after, upto=upto)
        return [services.message_event(m) for m in messages], room.last_seq

    def _mark_read(self, seq) -> None:
        room = ChatRoom.objects.get(pk=self.room_id)
        services.room_mark_read(room=room, user=self.user, seq=seq)
