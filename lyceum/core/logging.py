"""Log hygiene: credentials that ride in URLs never reach a log line.

A socket client may put its access token in the URL (``?token=``); uvicorn writes the URL of every
HTTP request (``uvicorn.access``) and every socket handshake (``uvicorn.error``). The filter
rewrites any ``token``, ``access``, ``refresh`` or ``id_token`` query value to ``[redacted]``.
"""

from __future__ import annotations

import logging
import re

SECRET_QUERY = re.compile(r"((?:^|[?&;])(?:token|access|refresh|id_token|access_token)=)[^&\s\"']*", re.I)
REDACTED = r"\1[redacted]"


def redact(text: str) -> str:
    return SECRET_QUERY.sub(REDACTED, text)


class RedactTokensFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and record.args:
            record.args = tuple(redact(arg) if isinstance(arg, str) else arg for arg in record.args)
        elif isinstance(record.args, dict):
            record.args = {k: redact(v) if isinstance(v, str) else v for k, v in record.args.items()}
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        return True


SERVER_LOGGERS = ("uvicorn.access", "uvicorn.error", "daphne.access", "django.request", "django.server")


def redact_tokens_in_server_logs() -> None:
    """Adds the filter to the loggers of the servers Lyceum runs under (idempotent)."""
    for name in SERVER_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(existing, RedactTokensFilter) for existing in logger.filters):
            logger.addFilter(RedactTokensFilter())
