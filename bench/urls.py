"""Lyceum's URLs plus ``/bench/static/<name>/``: a minimal DRF view answering a stored JSON
document (written by the benchmark before the server starts), the baseline the real endpoints are
measured against."""

import json
import os
from functools import cache
from pathlib import Path

from django.urls import path
from rest_framework.decorators import api_view, authentication_classes, permission_classes
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from lyceum.urls import urlpatterns as lyceum_urlpatterns

PAYLOADS = Path(os.environ.get("BENCH_PAYLOAD_DIR", "/nonexistent"))


@cache
def _payload(name: str):
    return json.loads((PAYLOADS / f"{name}.json").read_text())


@api_view(["GET"])
@authentication_classes([])
@permission_classes([AllowAny])
def static_json(request, name: str):
    return Response(_payload(name))


@api_view(["POST"])
@authentication_classes([])
@permission_classes([AllowAny])
def static_ack(request):
    """What a webhook answers, without verifying, recording or doing anything."""
    return Response({"received": True, "outcome": "processed"})


urlpatterns = [
    path("bench/static/<slug:name>/", static_json),
    path("bench/ack/", static_ack),
    *lyceum_urlpatterns,
]
