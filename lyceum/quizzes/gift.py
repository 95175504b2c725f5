"""Moodle's GIFT question format: parsing into plain question data.

Written here because the one GIFT parser on PyPI (pygiftparser) has not been released since 2017
and reports no line numbers; instructors need to be told where their file is wrong.

Supported: single choice (``{=right ~wrong}``), multiple choice with weights
(``{~%50%a ~%50%b ~%-100%c}``), true/false (``{T}``, ``{FALSE}``), short answer (``{=a =b}``),
numeric (``{#3.14:0.01}``, ``{#1..5}``), essay (``{}``), titles (``::title::``), per-answer
feedback (``#...``, ignored), general feedback (``####...``, kept as the explanation), missing-word
questions (text after the answer block), ``//`` comments, ``$CATEGORY`` lines and the escapes
``\\~ \\= \\# \\{ \\} \\:``. Matching questions (``->``) are refused with their line number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

ESCAPES = {"\\~": "~", "\\=": "=", "\\#": "#", "\\{": "{", "\\}": "}", "\\:": ":", "\\n": "\n"}
_PLACEHOLDER = "\x00{}\x00"


@dataclass
class ParsedChoice:
    text: str
    is_correct: bool


@dataclass
class ParsedQuestion:
    line: int
    type: str
    text: str
    title: str = ""
    explanation: str = ""
    choices: list[ParsedChoice] = field(default_factory=list)
    partial_credit: bool = False
    accepted_answers: list[str] = field(default_factory=list)
    numeric_answer: Decimal | None = None
    numeric_tolerance: Decimal = Decimal("0")


@dataclass
class GiftError:
    line: int
    message: str

    def __str__(self) -> str:
        return f"Line {self.line}: {self.message}"


class GiftSyntaxError(ValueError):
    def __init__(self, errors: list[GiftError]) -> None:
        self.errors = errors
        super().__init__("; ".join(str(error) for error in errors))


def _protect(text: str) -> str:
    """Hides escaped characters so that splitting on the special ones ignores them."""
    for index, escape in enumerate(ESCAPES):
        text = text.replace(escape, _PLACEHOLDER.format(index))
    return text


def _restore(text: str) -> str:
    for index, plain in enumerate(ESCAPES.values()):
        text = text.replace(_PLACEHOLDER.format(index), plain)
    return text.strip()


def _blocks(source: str):
    """(first line number, text) of each question: blank lines separate them."""
    lines, start = [], None
    for number, line in enumerate(source.splitlines(), start=1):
        stripped = line.strip()
        if stripped.startswith("//") or stripped.startswith("$CATEGORY"):
            continue
        if not stripped:
            if lines:
                yield start, "\n".join(lines)
            lines, start = [], None
            continue
        if start is None:
            start = number
        lines.append(line)
    if lines:
        yield start, "\n".join(lines)


def _decimal(text: str, line: int, what: str) -> Decimal:
    """A finite number (NaN and Infinity are not), or GiftSyntaxError naming the line."""
    try:
        number = Decimal(text.strip())
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite() or abs(number) >= Decimal("1e14"):
        raise GiftSyntaxError([GiftError(line, f"{what} {text.strip()!r} is not a number.")])
    return number


def _answers(block: str, line: int) -> list[tuple[str, Decimal | None, str]]:
    """(marker, weight percent or None, text) for each ``=``/``~`` answer in the block."""
    tokens = re.split(r"(?=[=~])", block.strip())
    if tokens and tokens[0].strip():
        raise GiftSyntaxError(
            [GiftError(line, f"Each answer must start with = or ~ (found {_restore(tokens[0])!r}).")]
        )
    answers = []
    for token in tokens[1:]:
        marker, body = token[0], token[1:]
        weight = None
        if match := re.match(r"\s*%(-?\d+(?:\.\d+)?)%", body):
            weight, body = Decimal(match.group(1)), body[match.end() :]
        text = body.split("#", 1)[0]  # what follows # is feedback for this answer
        if "->" in text:
            raise GiftSyntaxError([GiftError(line, "Matching questions (->) are not supported.")])
        if not text.strip():
            raise GiftSyntaxError([GiftError(line, f"An answer after {marker} is empty.")])
        answers.append((marker, weight, _restore(text)))
    return answers


def _parse_block(start: int, raw: str) -> ParsedQuestion:
    text = _protect(raw)
    title = ""
    if match := re.match(r"\s*::(.*?)::", text, re.S):
        title, text = _restore(match.group(1)), text[match.end() :]
    text = re.sub(r"^\s*\[(?:html|markdown|plain|moodle)\]", "", text)
    opening = text.find("{")
    if opening < 0:
        raise GiftSyntaxError([GiftError(start, "No answer block: add {…} after the question.")])
    brace_line = start + raw.count("\n", 0, len(raw)) - text[opening:].count("\n")
    closing = text.find("}", opening)
    if closing < 0:
        raise GiftSyntaxError([GiftError(brace_line, "The answer block opened here is never closed with }.")])
    if "{" in text[closing:]:
        raise GiftSyntaxError([GiftError(brace_line, "A question can have only one answer block.")])
    before, block, after = text[:opening], text[opening + 1 : closing], text[closing + 1 :]
    question_text = _restore(before.rstrip() + " _____ " + after.lstrip() if after.strip() else before)
    if not question_text:
        raise GiftSyntaxError([GiftError(start, "The question has no text.")])
    block, _, general = block.partition("####")
    parsed = ParsedQuestion(
        line=start, type="", text=question_text, title=title, explanation=_restore(general)
    )
    body = block.strip()
    if not body:
        parsed.type = "essay"
    elif body.startswith("#"):
        parsed.type = "numeric"
        spec = body[1:].strip()
        if spec.startswith("="):
            spec = _answers(spec, brace_line)[0][2]
        spec = spec.split("#", 1)[0].strip()
        if ".." in spec:
            low, high = (_decimal(part, brace_line, "The range end") for part in spec.split(".."))
            if high < low:
                raise GiftSyntaxError([GiftError(brace_line, "The range ends below its start.")])
            parsed.numeric_answer = (low + high) / 2
            parsed.numeric_tolerance = (high - low) / 2
        else:
            value, _, tolerance = spec.partition(":")
            parsed.numeric_answer = _decimal(value, brace_line, "The answer")
            parsed.numeric_tolerance = (
                _decimal(tolerance, brace_line, "The tolerance") if tolerance.strip() else Decimal("0")
            )
            if parsed.numeric_tolerance < 0:
                raise GiftSyntaxError([GiftError(brace_line, "The tolerance is negative.")])
    elif re.fullmatch(r"(T|TRUE|F|FALSE)\s*(#.*)?", body, re.S):
        parsed.type = "true_false"
        truth = body.split("#", 1)[0].strip() in ("T", "TRUE")
        parsed.choices = [ParsedChoice("True", truth), ParsedChoice("False", not truth)]
    else:
        answers = _answers(body, brace_line)
        right = [a for a in answers if a[0] == "="]
        weighted = [a for a in answers if a[1] is not None]
        if not any(a[0] == "~" for a in answers):
            parsed.type = "short_text"
            parsed.accepted_answers = [text for _, _, text in answers]
        elif weighted:
            parsed.type = "multiple"
            parsed.partial_credit = True
            parsed.choices = [
                ParsedChoice(text, marker == "=" or (weight is not None and weight > 0))
                for marker, weight, text in answers
            ]
        elif len(right) == 1:
            parsed.type = "single"
            parsed.choices = [ParsedChoice(text, marker == "=") for marker, _, text in answers]
        elif not right:
            raise GiftSyntaxError([GiftError(brace_line, "No answer is marked right (=).")])
        else:
            parsed.type = "multiple"
            parsed.choices = [ParsedChoice(text, marker == "=") for marker, _, text in answers]
        if parsed.type == "multiple" and not any(c.is_correct for c in parsed.choices):
            raise GiftSyntaxError([GiftError(brace_line, "No answer has a positive weight.")])
    return parsed


def parse_gift(source: str) -> list[ParsedQuestion]:
    """Every question of a GIFT file, or ``GiftSyntaxError`` listing each bad question's line."""
    questions, errors = [], []
    for start, raw in _blocks(source):
        try:
            questions.append(_parse_block(start, raw))
        except GiftSyntaxError as error:
            errors.extend(error.errors)
    if errors:
        raise GiftSyntaxError(errors)
    if not questions:
        raise GiftSyntaxError([GiftError(1, "The file holds no question.")])
    return questions
