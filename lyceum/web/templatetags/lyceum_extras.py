"""Small template filters the pages share."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    """``mapping[key]``, or None when either is missing (``{{ answers|get_item:id }}``)."""
    if not mapping:
        return None
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.filter
def weight(fraction: Any) -> str:
    """A choice's or answer's fraction as a GIFT weight: ``0.5`` is ``50%``."""
    from decimal import Decimal, InvalidOperation

    try:
        percent = (Decimal(str(fraction)) * 100).quantize(Decimal("0.01")).normalize()
    except InvalidOperation:
        return ""
    return f"{percent:f}%"


@register.filter
def verdict_label(verdict: Any) -> str:
    """A code run's verdict in words (``wrong_answer`` is "Wrong answer")."""
    from lyceum.coding.models import CodeSubmission

    try:
        return str(CodeSubmission.Verdict(verdict).label)
    except ValueError:
        return str(verdict or "")
