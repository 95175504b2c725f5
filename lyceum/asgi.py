"""ASGI entry point: WebSocket through Channels, HTTP through Django on a fixed pool of threads.

Lyceum's HTTP views are synchronous (Django REST Framework is), so HTTP requests run through
Django's WSGI handler on a thread pool (a2wsgi), one thread hop per request. Django's own ASGI
handler hops threads for every synchronous middleware and starts a thread per request, which
bench/bench_servers.py measured at about a quarter of the throughput, and it cannot keep database
connections between requests. Run with ``uvicorn lyceum.asgi:application``. On the embedded
default (no broker) the process also runs its own tasks: lyceum/core/embedded_worker.py.
"""

import asyncio
import os

from a2wsgi import WSGIMiddleware
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lyceum.settings")
django_wsgi_app = get_wsgi_application()  # sets Django up before the consumers are imported

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.conf import settings  # noqa: E402

from lyceum.core import embedded_worker, realtime  # noqa: E402
from lyceum.core.logging import redact_tokens_in_server_logs  # noqa: E402
from lyceum.core.warmup import prepare_server_process  # noqa: E402
from lyceum.core.websocket import SocketStack  # noqa: E402
from lyceum.routing import websocket_urlpatterns  # noqa: E402

# Host, Origin and credentials are checked by SocketStack (see lyceum/core/websocket.py).
websocket_application = SocketStack(URLRouter(websocket_urlpatterns))
redact_tokens_in_server_logs()
# Without a broker, tasks run on one thread of this process after the requests that queue them.
embedded_worker.start()
prepare_server_process()

router = ProtocolTypeRouter(
    {
        "http": WSGIMiddleware(django_wsgi_app, workers=settings.HTTP_THREADS),
        "websocket": websocket_application,
    }
)


async def application(scope, receive, send):
    """The router, telling lyceum.core.realtime which loop the server runs."""
    loop = asyncio.get_running_loop()
    if realtime._server_loop is not loop:
        realtime.set_server_loop(loop)
    await router(scope, receive, send)
