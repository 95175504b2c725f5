"""Uploaded files: what they are, judged by their bytes, and how they are handed back.

Nothing a user uploads is served from the site's origin as something a browser would run. Each
upload is identified by its content (``filetype``'s magic numbers, or UTF-8 text that is not
markup), refused
unless its type is on an allowlist, and stored under an extension of that type, never the name it
came with. Private files are served by views that check who asks (``private_file_response``):
safe types (raster images, PDF, audio, video) inline, everything else as an attachment, always
with ``X-Content-Type-Options: nosniff`` and a sandboxing Content-Security-Policy, through nginx
(``X-Accel-Redirect``) when ``MEDIA_ACCEL_REDIRECT_PREFIX`` is set, else streamed by Django,
which answers HTTP Range requests (206, or 416 for a range outside the file) so that video seeks.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePath
from urllib.parse import quote

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.http import FileResponse, HttpRequest, HttpResponse, StreamingHttpResponse
from werkzeug.http import parse_range_header

SNIFF_BYTES = 8192

# Types a lesson resource may be, by the MIME type its content shows -> stored extension.
RESOURCE_TYPES = {
    "application/pdf": "pdf",
    "image/png": "png",
    "image/jpeg": "jpg",
    "image/gif": "gif",
    "image/webp": "webp",
    "application/zip": "zip",
    "application/epub+zip": "epub",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "pptx",
    "application/vnd.oasis.opendocument.text": "odt",
    "application/vnd.oasis.opendocument.spreadsheet": "ods",
    "application/vnd.oasis.opendocument.presentation": "odp",
    "audio/mpeg": "mp3",
    "audio/ogg": "ogg",
    "audio/x-wav": "wav",
    "video/mp4": "mp4",
    "video/webm": "webm",
    "text/plain": "txt",
}
# Text keeps one of these extensions if it came with it (source code, data), else becomes .txt.
TEXT_EXTENSIONS = {
    "txt", "md", "csv", "tsv", "py", "js", "ts", "java", "c", "h", "cpp", "hpp", "dart", "go", "rs",
    "rb", "php", "sql", "json", "yaml", "yml", "toml", "ini", "tex", "r", "kt", "swift", "sh",
}  # fmt: skip
# Types a browser shows without running anything of the file's: served inline.
INLINE_TYPES = {
    "application/pdf",
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "audio/mpeg",
    "audio/ogg",
    "audio/x-wav",
    "video/mp4",
    "video/webm",
    "video/ogg",
    "video/quicktime",
}
# A file's response may not run script, load anything or be framed by another site, even if a
# browser were talked into rendering it as a page.
FILE_CSP = "sandbox; default-src 'none'; img-src 'self'; media-src 'self'; style-src 'unsafe-inline'"


@dataclass(frozen=True)
class Sniffed:
    content_type: str
    extension: str


def _is_text(head: bytes) -> bool:
    """UTF-8 text that is not markup: HTML, SVG and XML are what a browser would run."""
    if b"\x00" in head or head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as error:
        # A multi-byte character cut by the end of the sample is still text.
        return error.start >= len(head) - 3 and len(head) == SNIFF_BYTES
    return True


def sniff(upload: File, *, allowed: dict[str, str] = RESOURCE_TYPES, field: str = "file") -> Sniffed:
    """The type of ``upload`` by its content; raises ValidationError (naming ``field``) if it is
    not one of ``allowed`` (MIME type -> extension to store it under)."""
    upload.seek(0)
    head = upload.read(SNIFF_BYTES)
    upload.seek(0)
    kind = filetype.guess(head)
    if kind is not None and kind.mime in allowed:
        return Sniffed(kind.mime, allowed[kind.mime])
    if kind is None and "text/plain" in allowed and _is_text(head):
        suffix = PurePath(upload.name or "").suffix.lower().lstrip(".")
        return Sniffed("text/plain", suffix if suffix in TEXT_EXTENSIONS else "txt")
    names = sorted({ext.upper() for ext in allowed.values()})
    raise ValidationError({field: [f"This type of file is not accepted. Upload one of: {', '.join(names)}."]})


def download_name(title: str, extension: str) -> str:
    stem = "".join(ch if ch.isalnum() or ch in " ._-" else "_" for ch in title).strip(" .") or "download"
    return f"{stem[:100]}.{extension}"


STREAM_BLOCK = 256 * 1024


def requested_span(header: str | None, size: int) -> tuple[int, int] | bool | None:
    """The byte span ``[start, stop)`` a Range header asks of a file of ``size`` bytes: None to
    send the whole file (no header, another unit, several ranges, which we may ignore), False when
    the header asks for bytes the file does not have or cannot be read (416)."""
    if not header:
        return None
    parsed = parse_range_header(header)
    if parsed is None:
        return False if header.strip().lower().startswith("bytes") else None
    if parsed.units != "bytes" or len(parsed.ranges) != 1:
        return None
    start, stop = parsed.ranges[0]
    if start < 0:  # a suffix: the last -start bytes, the whole file if it is shorter
        start = max(0, size + start)
    stop = size if stop is None else min(stop, size)
    if start >= stop:
        return False
    return start, stop


def _stream(handle, start: int, stop: int):
    try:
        handle.seek(start)
        left = stop - start
        while left > 0:
            block = handle.read(min(STREAM_BLOCK, left))
            if not block:
                break
            left -= len(block)
            yield block
    finally:
        handle.close()


def file_response(
    request: HttpRequest | None, stored: File, *, content_type: str, name: str | None = None
) -> HttpResponse:
    """``stored`` whole (200) or the span its Range header asks for (206; 416 outside the file),
    through nginx when ``MEDIA_ACCEL_REDIRECT_PREFIX`` is set (nginx answers Range itself).
    ``name`` is the file's name in the storage when ``stored`` is not a model's file field."""
    prefix = settings.MEDIA_ACCEL_REDIRECT_PREFIX
    if prefix:
        stored.close()
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = prefix.rstrip("/") + "/" + quote(name or stored.name)
        return response
    size = stored.size
    span = requested_span(request.headers.get("Range") if request is not None else None, size)
    if span is False:
        stored.close()
        response = HttpResponse(status=416, content_type="text/plain")
        response["Content-Range"] = f"bytes */{size}"
    elif span is None:
        response = FileResponse(stored.open("rb"), content_type=content_type)
        response["Content-Length"] = str(size)
    else:
        start, stop = span
        handle = stored.open("rb")
        response = StreamingHttpResponse(_stream(handle, start, stop), status=206, content_type=content_type)
        response["Content-Range"] = f"bytes {start}-{stop - 1}/{size}"
        response["Content-Length"] = str(stop - start)
    response["Accept-Ranges"] = "bytes"
    return response


def private_file_response(
    stored: File,
    *,
    content_type: str,
    filename: str,
    inline: bool | None = None,
    request: HttpRequest | None = None,
    name: str | None = None,
) -> HttpResponse:
    """Hands a stored private file to a client the caller has already authorised; with
    ``request``, answers its Range header."""
    content_type = content_type or "application/octet-stream"
    if inline is None:
        inline = content_type in INLINE_TYPES
    response = file_response(request, stored, content_type=content_type, name=name)
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f"{disposition}; filename*=UTF-8''{quote(filename)}"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = FILE_CSP
    response["Cache-Control"] = "private, max-age=300"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response
