"""WebSocket authentication: a JWT access token for API clients, the session cookie for pages.

An API client passes its access token as ``?token=<access>`` in the socket's URL (browsers cannot
set headers on a WebSocket). Without a token, the page's session cookie is used.
"""

from __future__ import annotations

from urllib.parse import parse_qs

from channels.auth import AuthMiddlewareStack
from channels.db import database_sync_to_async
from channels.middleware import BaseMiddleware
from django.contrib.auth.models import AnonymousUser
from rest_framework.exceptions import AuthenticationFailed
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import TokenError

# Close codes sent to a socket; documented in docs/websocket.md.
CLOSE_UNAUTHENTICATED = 4401
CLOSE_SESSION_REVOKED = 4001


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
