"""Accounts' own reactions to its events: sockets of a user whose sessions end are closed."""

from __future__ import annotations

from lyceum.core.realtime import group_send

from . import events
from .consumers import user_group


def close_user_sockets(sender, *, user_id, reason: str = "signed_out", **kwargs) -> None:
    group_send(user_group(user_id), {"type": "session.revoked", "reason": reason})


def connect() -> None:
    events.sessions_revoked.connect(close_user_sockets, dispatch_uid="accounts.close_sockets")
    events.user_logged_out.connect(close_user_sockets, dispatch_uid="accounts.close_sockets_out")
