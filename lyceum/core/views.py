from pathlib import PurePosixPath

from django.core.files.storage import default_storage
from django.db import connection
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import api_view, authentication_classes, permission_classes
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response


@extend_schema(
    responses=inline_serializer(
        "Health", {"status": serializers.CharField(), "database": serializers.CharField()}
    ),
    summary="Liveness and database check",
    tags=["health"],
)
@api_view(["GET"])
@authentication_classes([])
@permission_classes([AllowAny])
def health(request: Request) -> Response:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return Response({"status": "ok", "database": connection.vendor})


# Folders of MEDIA_ROOT whose files anyone may read: images Lyceum re-encoded itself (avatars,
# course covers). Every other upload is private and served by a view that checks who asks.
PUBLIC_MEDIA_FOLDERS = ("avatars/", "course-covers/")
PUBLIC_MEDIA_TYPES = {".webp": "image/webp", ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg"}


def public_media(request: HttpRequest, path: str) -> HttpResponse:
    """Serves an avatar or a course cover (nginx does this in production: docs/deployment.md)."""
    suffix = PurePosixPath(path).suffix.lower()
    if not path.startswith(PUBLIC_MEDIA_FOLDERS) or suffix not in PUBLIC_MEDIA_TYPES or ".." in path:
        raise Http404("No such file.")
    storage = default_storage
    if not storage.exists(path):
        raise Http404("No such file.")
    response = FileResponse(storage.open(path, "rb"), content_type=PUBLIC_MEDIA_TYPES[suffix])
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["Cache-Control"] = "public, max-age=86400"
    return response
