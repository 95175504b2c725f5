"""WSGI entry point: kept for WSGI-only hosts and as the benchmark's reference; Lyceum runs on ASGI."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lyceum.settings")

application = get_wsgi_application()

from lyceum.core.warmup import prepare_server_process  # noqa: E402

prepare_server_process()
