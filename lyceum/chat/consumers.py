"""``/ws/chat/rooms/<room id>/``: one room's live socket. See docs/websocket.md.

Messages are saved (with the room's next sequence number) before anyone is told of them; the
sender gets ``message.ack`` with the stored id and its own ``client_id``, so a client that resends
after a reconnect gets the same message back instead of a duplicate. A client that reconnects
connects with ``?after=<last seq it saw>`` and receives exactly what it missed, then the live
messages: each once, in order, whatever the channel layer drops or delivers late.
"""

from __future__ import annotations

import time
from collections import deque
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError

from lyceum.accounts.consumers import user_group
from lyceum.core.exceptions import ApplicationError
from lyceum.core.websocket import CLOSE_SESSION_REVOKED, CLOSE_UNAUTHENTICATED, DirectDispatchMixin

from . import selectors, services
from .models import ChatRoom, Participant

CLOSE_NOT_A_MEMBER = 4403
PRESENCE_SECONDS = 60 * 60


def presence_key(room_id) -> str:
    return f"chat:presence:{room_id}"


class ChatConsumer(DirectDispatchMixin, AsyncJsonWebsocketConsumer):
    async def connect(self) -> None:
        self.user = self.scope.get("user")
        self.room_id = str(self.scope["url_route"]["kwargs"]["room_id"])
        # Accept, then close with a code: a refused handshake reaches browsers as a bare 403.
        await self.accept()
        if self.user is None or not self.user.is_authenticated:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        if not await self._is_member():
            await self.close(code=CLOSE_NOT_A_MEMBER)
            return
        self.group = services.room_group(self.room_id)
        self.sent_at: deque[float] = deque()
        # The last message sequence number this connection has delivered: from ``?after=N`` (a
        # reconnecting client's last seen), else from the first message. With it no message
        # reaches the client twice or out of order, and none is skipped.
        self.delivered, bad_after = self._after_from_url()
        await self.channel_layer.group_add(self.group, self.channel_name)
        # Signing out or changing the password closes this socket too.
        await self.channel_layer.group_add(user_group(self.user.pk), self.channel_name)
        online = await self._presence(+1)
        await self.send_json({"type": "presence", "room": self.room_id, "online": online})
        await self._announce("presence.join", online=online)
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
        return (after, False) if after >= 0 else (None, True)

    async def disconnect(self, code: int) -> None:
        if hasattr(self, "group"):
            await self.channel_layer.group_discard(self.group, self.channel_name)
            await self.channel_layer.group_discard(user_group(self.user.pk), self.channel_name)
            await self._announce("presence.leave", online=await self._presence(-1))

    # --- frames from the client -----------------------------------------------------------------

    async def receive(self, text_data=None, bytes_data=None, **kwargs) -> None:
        if not hasattr(self, "group"):
            return
        if self._rate_limited():
            await self._error(
                "rate_limited",
                f"At most {settings.CHAT_RATE_LIMIT_FRAMES} frames every "
                f"{settings.CHAT_RATE_LIMIT_SECONDS} seconds.",
            )
            return
        try:
            content = await self.decode_json(text_data or "")
        except ValueError:
            await self._error("malformed_frame", "A frame must be a JSON object.")
            return
        if not isinstance(content, dict) or not isinstance(content.get("type"), str):
            await self._error("malformed_frame", 'A frame is a JSON object with a "type".')
            return
        handler = self.HANDLERS.get(content["type"])
        if handler is None:
            await self._error("unknown_event", f"Unknown event type {content['type']!r}.")
            return
        try:
            await handler(self, content)
        except ValidationError as error:
            await self._error("invalid", "; ".join(error.messages), ref=content.get("client_id"))
        except ApplicationError as error:
            await self._error(error.code, error.message, ref=content.get("client_id"))

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
            message_id=str(content.get("id", "")), user=self.user
        )

    async def on_message_edit(self, content: dict) -> None:
        text = content.get("content")
        if not isinstance(text, str):
            raise ValidationError("content must be a string.")
        await database_sync_to_async(services.message_edit)(
            message_id=str(content.get("id", "")), user=self.user, content=text
        )

    async def on_resume(self, content: dict) -> None:
        after = content.get("after", 0)
        if not isinstance(after, int) or after < 0:
            raise ValidationError("after must be the last sequence number seen (0 or more).")
        await self._resume(after)

    async def _resume(self, after: int) -> None:
        """Sends every message after ``after``, in order, then ``resume.done``."""
        self.delivered = after
        last_seq = await self._deliver_missed(upto=None)
        self.delivered = min(self.delivered, last_seq)  # a client cannot claim the future
        await self.send_json({"type": "resume.done", "room": self.room_id, "last_seq": last_seq})

    async def on_typing(self, content: dict) -> None:
        await self._announce(content["type"], username=self.user.username, name=self.user.display_name)

    async def on_read(self, content: dict) -> None:
        seq = content.get("seq")
        if seq is not None and (not isinstance(seq, int) or seq < 0):
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
        if event["event_type"] == "message.create":
            seq = event["seq"]
            if self.delivered is not None:
                if seq <= self.delivered:  # already sent by a resume
                    return
                if seq > self.delivered + 1:
                    # A gap: an earlier message's broadcast is late (another process) or was
                    # dropped by the channel layer. It is stored, so it is sent from the database.
                    await self._deliver_missed(upto=seq - 1)
            self.delivered = seq
        await self.send(text_data=event["text"])
        if event["event_type"] == "room.leave" and event.get("user") == str(self.user.pk):
            await self.close(code=CLOSE_NOT_A_MEMBER)  # removed from the room, or left it

    async def notification_push(self, event: dict) -> None:
        """Notifications go to the user's group, which this socket joins for session.revoked;
        they are shown by the account socket (/ws/account/), not here."""

    async def session_revoked(self, event: dict) -> None:
        await self.send_json({"type": "session.revoked", "reason": event.get("reason", "")})
        await self.close(code=CLOSE_SESSION_REVOKED)

    # --- helpers --------------------------------------------------------------------------------

    def _rate_limited(self) -> bool:
        now = time.monotonic()
        while self.sent_at and now - self.sent_at[0] > settings.CHAT_RATE_LIMIT_SECONDS:
            self.sent_at.popleft()
        if len(self.sent_at) >= settings.CHAT_RATE_LIMIT_FRAMES:
            return True
        self.sent_at.append(now)
        return False

    async def _announce(self, kind: str, **fields) -> None:
        """Tells the room's sockets (this one included) of this user's ``kind`` event."""
        event = {"type": kind, "room": self.room_id, "user": str(self.user.pk), **fields}
        await self.channel_layer.group_send(self.group, services.room_message(event))

    async def _error(self, code: str, message: str, ref=None) -> None:
        await self.send_json({"type": "error", "code": code, "message": message, "client_id": ref})

    @database_sync_to_async
    def _is_member(self) -> bool:
        return Participant.objects.filter(room_id=self.room_id, user=self.user).exists()

    async def _deliver_missed(self, upto: int | None) -> int:
        """Sends the stored messages after ``self.delivered`` (up to ``upto``, else all), in order;
        returns the room's last sequence number."""
        while True:
            batch, last_seq = await self._missed(self.delivered or 0, upto)
            for message in batch:
                await self.send_json({"type": "message.create", "message": message})
                self.delivered = message["seq"]
            if len(batch) < selectors.RESUME_BATCH:
                return last_seq

    @database_sync_to_async
    def _missed(self, after: int, upto: int | None) -> tuple[list[dict], int]:
        room = ChatRoom.objects.get(pk=self.room_id)
        messages = selectors.messages_after(room=room, seq=after, upto=upto)
        return [services.message_event(m) for m in messages], room.last_seq

    def _mark_read(self, seq) -> None:
        room = ChatRoom.objects.get(pk=self.room_id)
        services.room_mark_read(room=room, user=self.user, seq=seq)

    @database_sync_to_async
    def _presence(self, change: int) -> list[str]:
        """Who is online in the room (kept in the cache, shared by every server process)."""
        key = presence_key(self.room_id)
        counts = cache.get(key, {})
        user = str(self.user.pk)
        counts[user] = counts.get(user, 0) + change
        if counts[user] <= 0:
            counts.pop(user)
        cache.set(key, counts, PRESENCE_SECONDS)
        return sorted(counts)
