"""WebSocket authentication: a JWT access token for API clients, the session cookie for pages.

An API client passes its access token as ``?token=<access>`` in the socket's URL (browsers cannot
set headers on a WebSocket). Without a token, the page's session cookie is used.
"""

from __future__ import annotations

from urllib.parse import parse_qs

from channels.auth import AuthMiddlewareStack
from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.middleware import BaseMiddleware
from django.contrib.auth.models import AnonymousUser
from rest_framework.exceptions import AuthenticationFailed
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import TokenError

# Close codes sent to a socket; documented in docs/websocket.md.
CLOSE_UNAUTHENTICATED = 4401
CLOSE_SESSION_REVOKED = 4001


class DirectDispatchMixin:
    """Handles each frame and channel-layer event without first hopping to the sync thread.

    Channels' ``AsyncConsumer.dispatch`` calls ``close_old_connections`` through
    ``sync_to_async`` before every handler: for a room of 200 sockets that is 200 hops through
    the process's one sync thread per message, which bounds the fan-out at about 1,000 deliveries
    a second (bench/bench_chat.py). Lyceum's consumers touch the database only through
    ``database_sync_to_async``, which closes stale connections around each call itself, so the
    hop guards nothing here.
    """

    async def dispatch(self, message):
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)


@database_sync_to_async
def _user_for_token(raw: str):
    authentication = JWTAuthentication()
    try:
        return authentication.get_user(authentication.get_validated_token(raw.encode()))
    except (TokenError, AuthenticationFailed, ValueError):
        return AnonymousUser()


class JWTQueryAuthMiddleware(BaseMiddleware):
    async def __call__(self, scope, receive, send):
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        token = (query.get("token") or [""])[0]
        if token:
            scope = dict(scope, user=await _user_for_token(token))
        return await super().__call__(scope, receive, send)


def TokenOrSessionAuthMiddleware(inner):
    return AuthMiddlewareStack(JWTQueryAuthMiddleware(inner))
