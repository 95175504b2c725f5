"""WebSocket authentication and the frame handling every Lyceum socket shares. See docs/websocket.md.

Who a socket belongs to, in this order:
1. An access token (API and mobile clients): in the ``Sec-WebSocket-Protocol`` header as
   ``bearer.<token>`` beside ``lyceum`` (keeps it out of URLs and logs), or as ``?token=``. No
   Origin is needed: a token is not an ambient credential, so another site cannot borrow it.
2. The session cookie (pages), only when the handshake's Origin is the site's own: the same
   scheme, host and port as the socket, ``SITE_URL`` or one of ``CSRF_TRUSTED_ORIGINS``. A page
   of another origin, even another port of the same host, is treated as anonymous.
3. Neither: the socket is accepted anonymous and must send ``{"type": "auth", "token": ...}`` as
   its first frame within ``SOCKET_AUTH_TIMEOUT_SECONDS``; otherwise it is closed with 4401.
A handshake naming a host outside ``ALLOWED_HOSTS``, or a path no socket serves, is refused.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
from typing import Any
from urllib.parse import parse_qs, urlsplit

from channels.auth import AuthMiddlewareStack
from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.exceptions import StopConsumer
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from channels.layers import get_channel_layer
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http.request import split_domain_port, validate_host
from rest_framework.exceptions import AuthenticationFailed
from rest_framework_simplejwt.exceptions import TokenError

from . import jsonsafe

# Close codes sent to a socket; documented in docs/websocket.md.
CLOSE_UNAUTHENTICATED = 4401
CLOSE_SESSION_REVOKED = 4001
SUBPROTOCOL = "lyceum"
BEARER_PREFIX = "bearer."
MAX_FRAME_CHARS = 32 * 1024


async def dispatch_from(sources: list, dispatch) -> None:
    """Channels' ``await_many_dispatch`` with one long-lived reader per source: each message is
    handled by ``dispatch`` one at a time (a lock, first come first served), in arrival order
    per source, and a source is read again only once its last message is handled. Channels'
    version makes a new task and an ``asyncio.wait`` for every message, a third of a room's
    fan-out (py-spy on bench/bench_chat.py). Returns, or raises, what a handler raises
    (``StopConsumer`` ends the socket)."""
    lock = asyncio.Lock()

    async def read(source) -> None:
        while True:
            message = await source()
            async with lock:
                await dispatch(message)

    readers = [asyncio.ensure_future(read(source)) for source in sources]
    try:
        done, _ = await asyncio.wait(readers, return_when=asyncio.FIRST_EXCEPTION)
        for reader in done:
            reader.result()
    finally:
        for reader in readers:
            reader.cancel()
        for reader in readers:
            with contextlib.suppress(asyncio.CancelledError):
                await reader


class DirectDispatchMixin:
    """Handles each frame and channel-layer event without first hopping to the sync thread, and
    reads the socket and the channel layer with one reader each (``dispatch_from``).

    Channels' ``AsyncConsumer.dispatch`` calls ``close_old_connections`` through
    ``sync_to_async`` before every handler: for a room of 200 sockets that is 200 hops through
    the process's one sync thread per message, which bounds the fan-out at about 1,000 deliveries
    a second (bench/bench_chat.py). Lyceum's consumers touch the database only through
    ``database_sync_to_async``, which closes stale connections around each call itself, so the
    hop guards nothing here.
    """

    async def __call__(self, scope, receive, send):
        # AsyncConsumer.__call__, with dispatch_from in place of await_many_dispatch.
        self.scope = scope
        self.channel_layer = get_channel_layer(self.channel_layer_alias)
        sources = [receive]
        if self.channel_layer is not None:
            self.channel_name = await self.channel_layer.new_channel()
            self.channel_receive = functools.partial(self.channel_layer.receive, self.channel_name)
            sources.append(self.channel_receive)
        self.base_send = send
        with contextlib.suppress(StopConsumer):
            await dispatch_from(sources, self.dispatch)

    async def dispatch(self, message):
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)


@database_sync_to_async
def user_for_token(raw: str):
    """The active user an access token names, or AnonymousUser; revoked tokens (signed out,
    sessions ended) name nobody. The same check as the API's."""
    from lyceum.accounts.authentication import JWTAuthentication

    authentication = JWTAuthentication()
    try:
        return authentication.get_user(authentication.get_validated_token(raw.encode()))
    except (TokenError, AuthenticationFailed, ValueError, UnicodeEncodeError):
        return AnonymousUser()


def _header(scope: dict, name: bytes) -> str:
    for key, value in scope.get("headers", []):
        if key == name:
            return value.decode("latin-1")
    return ""


def _offered_protocols(scope: dict) -> list[str]:
    return [part.strip() for part in scope.get("subprotocols", []) if part.strip()]


def token_from_handshake(scope: dict) -> str:
    for protocol in _offered_protocols(scope):
        if protocol.startswith(BEARER_PREFIX):
            return protocol[len(BEARER_PREFIX) :]
    query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    return (query.get("token") or [""])[0]


def _origin(url: str) -> str:
    """scheme://host[:port], lower case, without the scheme's default port."""
    parts = urlsplit(url.strip().lower())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return ""
    try:
        port = parts.port
    except ValueError:
        return ""
    default = 443 if parts.scheme == "https" else 80
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    return f"{parts.scheme}://{host}" + (f":{port}" if port and port != default else "")


def host_is_allowed(scope: dict) -> bool:
    domain, _port = split_domain_port(_header(scope, b"host"))
    return bool(domain) and validate_host(domain, settings.ALLOWED_HOSTS)


def site_origins(scope: dict) -> set[str]:
    """The origins whose pages may use the session cookie on this socket."""
    scheme = "https" if scope.get("scheme") in ("wss", "https") else "http"
    origins = {_origin(f"{scheme}://{_header(scope, b'host')}")} if host_is_allowed(scope) else set()
    origins |= {_origin(url) for url in [settings.SITE_URL, *settings.CSRF_TRUSTED_ORIGINS]}
    return origins - {""}


def origin_is_own(scope: dict) -> bool:
    origin = _origin(_header(scope, b"origin"))
    return bool(origin) and origin in site_origins(scope)


class SocketAuthMiddleware:
    """Puts ``user`` and ``auth_method`` (token, session or None) into the socket's scope."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.with_session = AuthMiddlewareStack(inner)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "websocket":
            return await self.inner(scope, receive, send)
        if not host_is_allowed(scope):
            return await _refuse(receive, send)
        token = token_from_handshake(scope)
        if token:
            user = await user_for_token(token)
            return await self.inner(dict(scope, user=user, auth_method="token"), receive, send)
        if origin_is_own(scope):
            return await self.with_session(dict(scope, auth_method="session"), receive, send)
        return await self.inner(dict(scope, user=AnonymousUser(), auth_method=None), receive, send)


async def _refuse(receive, send) -> None:
    """Refuses the handshake (HTTP 403 to the client) without raising."""
    message = await receive()
    if message["type"] == "websocket.connect":
        await send({"type": "websocket.close", "code": 1008})


class RouteOr404:
    """The socket URL router, refusing a path no socket serves instead of failing with a 500."""

    def __init__(self, router: Any) -> None:
        self.router = router

    async def __call__(self, scope, receive, send):
        try:
            match = self._match(scope)
        except ValueError:
            match = None
        if match is None:
            return await _refuse(receive, send)
        return await self.router(scope, receive, send)

    def _match(self, scope) -> bool | None:
        from django.urls.exceptions import Resolver404

        path = scope.get("path_remaining", scope["path"]).lstrip("/")
        for route in self.router.routes:
            try:
                if route.pattern.match(path):
                    return True
            except Resolver404:
                continue
        return None


class JsonSocket(DirectDispatchMixin, AsyncJsonWebsocketConsumer):
    """A socket that speaks JSON frames: hostile frames get an ``error`` frame, never a crash;
    anonymous sockets may authenticate with a first ``auth`` frame."""

    async def connect(self) -> None:
        self.user = self.scope.get("user")
        protocol = SUBPROTOCOL if SUBPROTOCOL in _offered_protocols(self.scope) else None
        # Accept, then close with a code: a refused handshake reaches browsers as a bare 403.
        await self.accept(subprotocol=protocol)
        if self.user is not None and self.user.is_authenticated:
            await self.on_authenticated()
            return
        self.user = None
        self._auth_timer = asyncio.get_running_loop().call_later(
            settings.SOCKET_AUTH_TIMEOUT_SECONDS, lambda: asyncio.ensure_future(self._auth_timed_out())
        )

    async def _auth_timed_out(self) -> None:
        if self.user is None:
            await self.close(code=CLOSE_UNAUTHENTICATED)

    async def on_authenticated(self) -> None:
        """The socket's owner is known (``self.user``): join groups, say hello."""
        raise NotImplementedError

    async def websocket_disconnect(self, message) -> None:
        timer = getattr(self, "_auth_timer", None)
        if timer is not None:
            timer.cancel()
        await super().websocket_disconnect(message)

    async def receive(self, text_data=None, bytes_data=None, **kwargs) -> None:
        content = await self.parse_frame(text_data)
        if content is None:
            return
        if self.user is None:
            await self._authenticate(content)
            return
        await self.receive_json(content)

    async def parse_frame(self, text_data: str | None) -> dict | None:
        """The frame as a JSON object with a string ``type``, or None (an error frame was sent)."""
        if text_data is None:
            await self.send_error("malformed_frame", "Frames are JSON text, not binary.")
            return None
        if len(text_data) > MAX_FRAME_CHARS:
            await self.send_error("frame_too_large", f"A frame has at most {MAX_FRAME_CHARS} characters.")
            return None
        try:
            content = jsonsafe.loads(text_data)
        except ValueError as error:
            await self.send_error("malformed_frame", f"A frame must be a JSON object: {error}")
            return None
        if not isinstance(content, dict) or not isinstance(content.get("type"), str):
            await self.send_error("malformed_frame", 'A frame is a JSON object with a "type".')
            return None
        return content

    async def _authenticate(self, content: dict) -> None:
        token = content.get("token")
        if content["type"] != "auth" or not isinstance(token, str) or not token:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        user = await user_for_token(token)
        if not user.is_authenticated:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        self._auth_timer.cancel()
        self.user = user
        self.scope["user"], self.scope["auth_method"] = user, "token"
        await self.on_authenticated()

    async def send_error(self, code: str, message: str, **fields: Any) -> None:
        await self.send_json({"type": "error", "code": code, "message": message, **fields})


def SocketStack(router: Any) -> Any:
    return SocketAuthMiddleware(RouteOr404(router))
