"""Accounts' own reactions to its events: sockets of a user whose sessions end are closed."""

from __future__ import annotations

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from . import events
from .consumers import user_group


def close_user_sockets(sender, *, user_id, reason: str = "signed_out", **kwargs) -> None:
    layer = get_channel_layer()
    if layer is not None:
        async_to_sync(layer.group_send)(user_group(user_id), {"type": "session.revoked", "reason": reason})


def connect() -> None:
    events.sessions_revoked.connect(close_user_sockets, dispatch_uid="accounts.close_sockets")
    events.user_logged_out.connect(close_user_sockets, dispatch_uid="accounts.close_sockets_out")
