"""Request body parsers. JSON endpoints accept JSON only (DRF's defaults add form and multipart
bodies to every endpoint); views that take a file name ``UPLOAD_PARSERS``."""

from __future__ import annotations

from django.conf import settings
from rest_framework import parsers
from rest_framework.exceptions import ParseError

from . import jsonsafe
from .exceptions import PayloadTooLarge


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser with Lyceum's limits: at most DATA_UPLOAD_MAX_MEMORY_SIZE bytes (413), no
    deep nesting and no lone surrogates (400), never a 500."""

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        raw = stream.read(limit + 1) if stream is not None else b""
        if limit is not None and len(raw) > limit:
            raise PayloadTooLarge(f"A JSON body has at most {limit // 1024} KB.")
        try:
            return jsonsafe.loads(raw.decode(encoding))
        except (ValueError, UnicodeDecodeError) as error:
            raise ParseError(f"JSON parse error: {error}") from None


UPLOAD_PARSERS = [parsers.MultiPartParser]
