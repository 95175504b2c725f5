"""Lyceum served by Django's own ASGI handler for HTTP, for comparison in bench_servers.py only."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lyceum.settings")
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter

from lyceum.asgi import websocket_application

application = ProtocolTypeRouter({"http": django_asgi_app, "websocket": websocket_application})
