"""JSON from the outside world: bodies of API requests and frames of sockets.

``json.loads`` accepts what the rest of Lyceum cannot hold: nesting deep enough to exhaust the
interpreter's recursion (``RecursionError``) and lone UTF-16 surrogates (``"\\ud800"``) that no
database can encode. Both are refused here, as ``ValueError``, before anything else sees them.
"""

from __future__ import annotations

import json
from typing import Any

MAX_DEPTH = 32


def check(data: Any) -> Any:
    """Returns ``data`` if no container in it is nested deeper than ``MAX_DEPTH`` and every string
    (keys too) is valid Unicode; raises ``ValueError`` saying which rule broke."""
    stack: list[tuple[Any, int]] = [(data, 0)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, str):
            _check_text(value)
        elif isinstance(value, dict | list):
            if depth >= MAX_DEPTH:
                raise ValueError(f"JSON is nested more than {MAX_DEPTH} levels deep.")
            items = value.items() if isinstance(value, dict) else ((None, item) for item in value)
            for key, item in items:
                if key is not None:
                    _check_text(key)
                stack.append((item, depth + 1))
    return data


def _check_text(text: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("JSON text holds an invalid character (a lone surrogate).") from None


def loads(text: str | bytes) -> Any:
    """``json.loads`` that raises ``ValueError`` (never ``RecursionError``) for any unusable input."""
    try:
        return check(json.loads(text))
    except RecursionError:
        raise ValueError(f"JSON is nested more than {MAX_DEPTH} levels deep.") from None
    except UnicodeDecodeError:
        raise ValueError("JSON must be UTF-8.") from None
