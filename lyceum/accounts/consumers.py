"""``/ws/account/``: a signed-in user's own socket. It is told, and closed, when the user's
sessions are revoked (password changed, refresh token reuse) or the user signs out."""

from __future__ import annotations

from lyceum.core.realtime import group_send
from lyceum.core.websocket import CLOSE_SESSION_REVOKED, JsonSocket


def user_group(user_id: object) -> str:
    return f"user.{user_id}"


def push_to_user(user_id: object, frame: dict) -> None:
    """Sends ``frame`` to every account socket of the user (a notification, a graded submission)."""
    group_send(user_group(user_id), {"type": "notification.push", "event": frame})


class AccountConsumer(JsonSocket):
    async def on_authenticated(self) -> None:
        self.group = user_group(self.user.pk)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.send_json(
            {"type": "hello", "user": {"id": str(self.user.pk), "username": self.user.username}}
        )

    async def disconnect(self, code: int) -> None:
        if hasattr(self, "group"):
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive_json(self, content, **kwargs) -> None:
        if content.get("type") == "ping":
            await self.send_json({"type": "pong"})
        else:
            await self.send_error("unknown_event", 'This socket accepts only {"type": "ping"}.')

    async def notification_push(self, event: dict) -> None:
        await self.send_json(event["event"])

    async def session_revoked(self, event: dict) -> None:
        await self.send_json({"type": "session.revoked", "reason": event.get("reason", "")})
        await self.close(code=CLOSE_SESSION_REVOKED)
