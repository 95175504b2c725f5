"""``/ws/account/``: a signed-in user's own socket. It is told, and closed, when the user's
sessions are revoked (password changed, refresh token reuse) or the user signs out."""

from __future__ import annotations

from channels.generic.websocket import AsyncJsonWebsocketConsumer

from lyceum.core.websocket import CLOSE_SESSION_REVOKED, CLOSE_UNAUTHENTICATED, DirectDispatchMixin


def user_group(user_id: object) -> str:
    return f"user.{user_id}"


class AccountConsumer(DirectDispatchMixin, AsyncJsonWebsocketConsumer):
    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            # Accept, then close: a refusal before the handshake reaches browsers as a bare 403,
            # while a close code tells the client why.
            await self.accept()
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        self.group = user_group(user.pk)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        await self.send_json({"type": "hello", "user": {"id": str(user.pk), "username": user.username}})

    async def disconnect(self, code: int) -> None:
        if hasattr(self, "group"):
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive(self, text_data=None, bytes_data=None, **kwargs) -> None:
        try:
            content = await self.decode_json(text_data or "")
        except ValueError:
            await self.send_json(
                {"type": "error", "code": "malformed_frame", "message": "A frame must be a JSON object."}
            )
            return
        await self.receive_json(content)

    async def receive_json(self, content, **kwargs) -> None:
        if isinstance(content, dict) and content.get("type") == "ping":
            await self.send_json({"type": "pong"})
        else:
            await self.send_json(
                {
                    "type": "error",
                    "code": "unknown_event",
                    "message": 'This socket accepts only {"type": "ping"}.',
                }
            )

    async def notification_push(self, event: dict) -> None:
        await self.send_json(event["event"])

    async def session_revoked(self, event: dict) -> None:
        await self.send_json({"type": "session.revoked", "reason": event.get("reason", "")})
        await self.close(code=CLOSE_SESSION_REVOKED)
