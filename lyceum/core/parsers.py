"""Request body parsers. JSON endpoints accept JSON only (DRF's defaults add form and multipart
bodies to every endpoint); views that take a file name ``UPLOAD_PARSERS``."""

from __future__ import annotations

from django.conf import settings
from rest_framework import parsers
from rest_framework.exceptions import ParseError

from . import jsonsafe


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser with Lyceum's limits: no deep nesting, no lone surrogates (400, never 500)."""

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            raw = stream.read() if stream is not None else b""
            return jsonsafe.loads(raw.decode(encoding))
        except (ValueError, UnicodeDecodeError) as error:
            raise ParseError(f"JSON parse error: {error}") from None


UPLOAD_PARSERS = [parsers.MultiPartParser]
