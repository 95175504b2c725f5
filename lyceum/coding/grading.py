"""How a program's output is compared with a test's expected output."""

from __future__ import annotations

import math


def _lines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n").rstrip("\n")


def _number(token: str) -> float | None:
    try:
        value = float(token)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def matches(output: str, expected: str, *, mode: str, tolerance: float = 1e-6) -> bool:
    """Whether ``output`` answers ``expected``:

    - ``exact``: the same text, whatever the line endings and trailing newlines;
    - ``whitespace``: the same words, however they are spaced and broken into lines;
    - ``numeric``: the same words, where two numbers match within ``tolerance`` (absolute, or
      relative to the larger), so ``0.30000000000000004`` answers ``0.3``.
    """
    if mode == "exact":
        return _lines(output) == _lines(expected)
    got, want = output.split(), expected.split()
    if mode == "whitespace":
        return got == want
    if mode != "numeric":
        raise ValueError(f"unknown comparison {mode!r}")
    if len(got) != len(want):
        return False
    for have, need in zip(got, want, strict=True):
        a, b = _number(have), _number(need)
        if a is None or b is None:
            if have != need:
                return False
        elif abs(a - b) > tolerance and abs(a - b) > tolerance * max(abs(a), abs(b)):
            return False
    return True
