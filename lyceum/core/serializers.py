"""Helpers every app's serializers share."""

from __future__ import annotations

from typing import Any


def absolute_url(context: dict[str, Any], url: str) -> str:
    """``url`` made absolute for the request in the serializer's context (left as it is without one)."""
    request = context.get("request")
    return request.build_absolute_uri(url) if request else url
