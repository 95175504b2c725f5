"""A question's texts as safe HTML, written in any of GIFT's formats.

``plain`` is escaped; ``markdown`` is rendered by the lessons' Markdown renderer; ``html`` is
sanitized by nh3 (the Ammonia sanitizer); ``moodle`` (Moodle's auto-format, GIFT's default) is
HTML with its line breaks kept, sanitized the same way. No format lets script through.
"""

from __future__ import annotations

import functools
import html
import re

import nh3
from django.utils.safestring import SafeString, mark_safe

from lyceum.courses.markdown import render_markdown, sanitize

FORMATS = ("plain", "markdown", "html", "moodle")
_MARKER = re.compile(r"^\s*\[(plain|markdown|html|moodle)\]", re.I)


def render(text: str, text_format: str, *, inline: bool = False) -> SafeString:
    """``text`` written in ``text_format`` as HTML safe to put in a page. ``inline``: without an
    enclosing paragraph (for a choice's label). A pure function of its arguments, remembered for
    the most recent texts: an exam renders the same questions for every student."""
    return _render(text or "", text_format, inline)


@functools.lru_cache(maxsize=4096)
def _render(text: str, text_format: str, inline: bool) -> SafeString:
    if text_format == "markdown":
        out = render_markdown(text)
        if inline:
            out = re.sub(r"^\s*<p>(.*)</p>\s*$", r"\1", out, flags=re.S)
    elif text_format == "html":
        out = sanitize(text)
    elif text_format == "moodle":
        out = sanitize(text.replace("\r\n", "\n").replace("\n", "<br>\n"))
    else:
        out = html.escape(text).replace("\n", "<br>\n")
    return mark_safe(out.strip())  # noqa: S308 - escaped or sanitized above


def as_plain_text(text: str, text_format: str) -> str:
    """The words of a text without markup (for a title, a preview or plain-text matching)."""
    if text_format == "plain":
        return text
    return html.unescape(nh3.clean(str(render(text, text_format)), tags=set())).strip()


def split_marker(text: str, default: str) -> tuple[str, str]:
    """(text without a leading ``[format]`` marker, the format it names or ``default``)."""
    match = _MARKER.match(text)
    if not match:
        return text.strip(), default
    return text[match.end() :].strip(), match.group(1).lower()


def convert(text: str, source_format: str, target_format: str) -> str:
    """A text written in ``source_format`` rewritten for a place that renders ``target_format``
    (an answer marked ``[html]`` inside a Markdown question, say)."""
    if source_format == target_format or not text:
        return text
    if target_format == "plain":
        return as_plain_text(text, source_format)
    if source_format == "plain" and target_format == "markdown":
        return re.sub(r"([\\`*_{}\[\]()#+\-.!<>|])", r"\\\1", text)
    return str(render(text, source_format, inline=True))
