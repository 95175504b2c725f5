"""Moodle's GIFT question format: parsing into plain question data, and writing it back.

Written here because the one GIFT parser on PyPI (pygiftparser) has not been released since 2017
and reports no line numbers; instructors need to be told where their file is wrong.

The reading follows Moodle's own importer (``question/format/gift/format.php``) so that a bank
means here what it means in Moodle:

- the type is decided as Moodle decides it: no answer block is a description; an empty block an
  essay; ``{#…}`` numeric; any ``~`` multiple choice (single choice when some answer starts with
  ``=``, several answers allowed otherwise); ``=`` with ``->`` matching; ``T``/``F`` true/false;
  anything else short answer;
- weights (``~%25%a``, ``=%50%Cat``, ``~%-100%c``) are kept as each answer's fraction; ``=`` is
  100 %, ``~`` without a weight 0 %, a short or numeric answer without a weight 100 %;
- ``#`` after an answer is its feedback (true/false: ``{T#wrong#right}``); ``####`` the general
  feedback; ``::title::`` the name; ``$CATEGORY:`` the category of the questions that follow;
- ``[plain]``, ``[markdown]``, ``[html]``, ``[moodle]`` are stripped wherever they stand and decide
  how the text renders (Moodle's auto-format is the default);
- ``\\\\`` is one backslash, ``\\~ \\= \\# \\{ \\} \\:`` the characters themselves, ``\\n`` a line
  break; a byte-order mark at the start of the file is ignored;
- numeric answers: ``{#3.14:0.01}``, ``{#1..5}``, several weighted answers
  (``{#=1822:0 =%50%1822:2}``) and feedback for any other number (``{#3:2~#Completely wrong}``).

What Moodle's question editor refuses is refused, with the line number: a single-choice question
with no choice worth 100 %, a multiple-answer question whose positive weights do not add up to
100 %, a short or numeric question with no answer worth 100 %, weights beyond ±100 %, a
choice question with fewer than two choices, a matching question with fewer than two pairs.
Two differences, both kinder than a silent wrong grade: ``{#three}`` is refused (Moodle turns a
non-number into the catch-all ``*``, worth full marks), and ``=%50%x`` in a choice question is a
50 % choice (Moodle keeps the weight as part of the text).

Lyceum's all-or-nothing multiple choice has no GIFT syntax: the export marks it with the comment
``// lyceum: all-or-nothing``, which Moodle ignores and this reader honours.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from .text import convert, split_marker

_ESCAPES = {"\\:": ":", "\\#": "#", "\\=": "=", "\\{": "{", "\\}": "}", "\\~": "~", "\\n": "\n"}
_BACKSLASH = "\x00bs\x00"
_PLACEHOLDER = "\x00{}\x00"
_WEIGHT = re.compile(r"^%\s*(-?\d+(?:\.\d+)?)\s*%")
ALL_OR_NOTHING = "lyceum: all-or-nothing"
HUNDRED = Decimal(100)


@dataclass
class ParsedChoice:
    text: str
    fraction: Decimal
    feedback: str = ""
    match_text: str = ""

    @property
    def is_correct(self) -> bool:
        return self.fraction > 0


@dataclass
class ParsedQuestion:
    line: int
    type: str
    text: str
    text_format: str = "moodle"
    title: str = ""
    category: str = ""
    explanation: str = ""
    choices: list[ParsedChoice] = field(default_factory=list)
    partial_credit: bool = False
    accepted_answers: list[dict] = field(default_factory=list)
    numeric_answers: list[dict] = field(default_factory=list)


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


def _fail(line: int, message: str) -> GiftSyntaxError:
    return GiftSyntaxError([GiftError(line, message)])


def _protect(text: str) -> str:
    """Hides escaped characters so that splitting on the special ones ignores them."""
    text = text.replace("\\\\", _BACKSLASH)
    for index, escape in enumerate(_ESCAPES):
        text = text.replace(escape, _PLACEHOLDER.format(index))
    return text


def _restore(text: str) -> str:
    for index, plain in enumerate(_ESCAPES.values()):
        text = text.replace(_PLACEHOLDER.format(index), plain)
    return text.replace(_BACKSLASH, "\\").strip()


@dataclass
class _Block:
    line: int
    text: str
    category: str
    all_or_nothing: bool


def _blocks(source: str) -> Iterable[_Block]:
    """Each question's first line number and text: blank lines separate them; ``//`` comment
    lines are dropped (noting Lyceum's marker); ``$CATEGORY:`` sets the category that follows."""
    lines: list[str] = []
    start, category, flag = None, "", False
    for number, line in enumerate(source.splitlines(), start=1):
        stripped = line.strip()
        if stripped.startswith("//"):
            flag = flag or stripped[2:].strip() == ALL_OR_NOTHING
            continue
        if stripped.startswith("$CATEGORY:"):
            category = _restore(_protect(stripped[len("$CATEGORY:") :]))
            continue
        if not stripped:
            if lines:
                yield _Block(start, "\n".join(lines), category, flag)
            lines, start, flag = [], None, False
            continue
        if start is None:
            start = number
        lines.append(line)
    if lines:
        yield _Block(start, "\n".join(lines), category, flag)


def _decimal(text: str, line: int, what: str) -> Decimal:
    """A finite number (NaN and Infinity are not), or GiftSyntaxError naming the line."""
    try:
        number = Decimal(text.strip())
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite() or abs(number) >= Decimal("1e13"):
        raise _fail(line, f"{what} {_restore(text)!r} is not a number.")
    return number


def _weight(answer: str, line: int, default: Decimal) -> tuple[Decimal, str]:
    """(fraction, the answer without its ``%weight%``)."""
    match = _WEIGHT.match(answer)
    if not match:
        return default, answer
    percent = Decimal(match.group(1))
    if not -HUNDRED <= percent <= HUNDRED:
        raise _fail(line, f"The weight {percent}% is beyond ±100%.")
    return percent / HUNDRED, answer[match.end() :]


def _split(body: str, separator: str) -> list[str]:
    parts = body.split(separator)
    if parts and not parts[0].strip():
        parts = parts[1:]
    return [part.strip() for part in parts]


class _Reader:
    """Reads one question's block, the way Moodle's ``readquestion`` does."""

    def __init__(self, block: _Block) -> None:
        self.block = block
        self.line = block.line

    def formatted(self, raw: str, question_format: str) -> str:
        """An answer's or feedback's text, its own format marker stripped and its text rewritten
        for the question's format."""
        text, text_format = split_marker(_restore(raw), question_format)
        return convert(text, text_format, question_format)

    def plain(self, raw: str) -> str:
        """A text compared with what students type (short answers, matching answers)."""
        return split_marker(_restore(raw), "plain")[0]

    def comment(self, raw: str, question_format: str) -> tuple[str, str]:
        """(answer, feedback) of ``answer#feedback``."""
        answer, _, feedback = raw.partition("#")
        return answer, self.formatted(feedback, question_format) if feedback.strip() else ""

    def read(self) -> ParsedQuestion:
        raw = self.block.text
        text = _protect(raw).strip()
        title = ""
        if text.startswith("::"):
            end = text.find("::", 2)
            if end >= 0:
                title, text = _restore(text[2:end]), text[end + 2 :].strip()
        opening, closing = text.find("{"), text.find("}")
        brace_line = self.line + raw.count("\n") - (text[opening:].count("\n") if opening >= 0 else 0)
        description = opening < 0 and closing < 0
        if not description and (opening < 0 or closing < opening):
            raise _fail(brace_line, "An answer block must open with { and close with }.")
        if description:
            question_text, answers = text, ""
        else:
            if "{" in text[closing:] or "}" in text[closing + 1 :]:
                raise _fail(brace_line, "A question can have only one answer block.")
            answers = text[opening + 1 : closing].strip()
            before, after = text[:opening], text[closing + 1 :]
            question_text = before.rstrip() + " _____ " + after.lstrip() if after.strip() else before
        general = ""
        if "####" in answers:
            cut = answers.rfind("####")
            answers, general = answers[:cut].strip(), answers[cut + 4 :]
        question_text, text_format = split_marker(_restore(question_text), "moodle")
        if not question_text:
            raise _fail(self.line, "The question has no text.")
        parsed = ParsedQuestion(
            line=self.line,
            type="",
            text=question_text,
            text_format=text_format,
            title=title,
            category=self.block.category,
            explanation=self.formatted(general, text_format) if general.strip() else "",
        )
        self.line = brace_line
        if description:
            parsed.type = "description"
        elif not answers:
            parsed.type = "essay"
        elif answers.startswith("#"):
            self.numeric(parsed, answers[1:])
        elif "~" in answers:
            self.choices(parsed, answers)
        elif "=" in answers and "->" in answers:
            self.matching(parsed, answers)
        elif answers.split("#", 1)[0].strip() in ("T", "TRUE", "F", "FALSE"):
            self.true_false(parsed, answers)
        else:
            self.short_text(parsed, answers)
        return parsed

    def choices(self, parsed: ParsedQuestion, answers: str) -> None:
        single = "=" in answers
        parsed.type = "single" if single else "multiple"
        parsed.partial_credit = not single and not self.block.all_or_nothing
        for part in _split(answers.replace("=", "~="), "~"):
            if part.startswith("="):
                fraction, part = _weight(part[1:].lstrip(), self.line, Decimal(1))
            else:
                fraction, part = _weight(part, self.line, Decimal(0))
            answer, feedback = self.comment(part, parsed.text_format)
            text = self.formatted(answer, parsed.text_format)
            if not text:
                raise _fail(self.line, "An answer is empty.")
            parsed.choices.append(ParsedChoice(text=text, fraction=fraction, feedback=feedback))
        if len(parsed.choices) < 2:
            raise _fail(self.line, "A choice question needs at least two answers.")
        fractions = [choice.fraction for choice in parsed.choices]
        if single and max(fractions) != 1:
            best = (max(fractions) * 100).normalize()
            raise _fail(self.line, f"One of the choices should be worth 100% (the best is {best:f}%).")
        if not single:
            total = sum((f for f in fractions if f > 0), Decimal(0))
            if round(total, 2) != 1:
                raise _fail(
                    self.line,
                    f"The positive weights add up to {(total * 100).normalize():f}%, not 100%. "
                    "(A single-choice question marks its right answer with =.)",
                )

    def matching(self, parsed: ParsedQuestion, answers: str) -> None:
        parsed.type = "matching"
        for part in _split(answers, "="):
            if "->" not in part:
                raise _fail(
                    self.line, f"Each pair of a matching question is written stem -> answer ({part!r})."
                )
            stem, _, answer = part.partition("->")
            stem, answer = self.formatted(stem, parsed.text_format), self.plain(answer)
            if not answer:
                raise _fail(self.line, f"The stem {stem!r} has no answer after ->.")
            parsed.choices.append(ParsedChoice(text=stem, fraction=Decimal(0), match_text=answer))
        if sum(1 for choice in parsed.choices if choice.text) < 2:
            raise _fail(self.line, "A matching question needs at least two pairs.")

    def true_false(self, parsed: ParsedQuestion, answers: str) -> None:
        parsed.type = "true_false"
        answer, wrong, right = ([*answers.split("#", 2), "", ""])[:3]
        truth = answer.strip() in ("T", "TRUE")
        wrong, right = (
            self.formatted(text, parsed.text_format) if text.strip() else "" for text in (wrong, right)
        )
        parsed.choices = [
            ParsedChoice("True", Decimal(1 if truth else 0), right if truth else wrong),
            ParsedChoice("False", Decimal(0 if truth else 1), wrong if truth else right),
        ]

    def short_text(self, parsed: ParsedQuestion, answers: str) -> None:
        parsed.type = "short_text"
        for part in _split(answers, "="):
            fraction, part = _weight(part, self.line, Decimal(1))
            answer, feedback = self.comment(part, parsed.text_format)
            text = self.plain(answer)
            if not text:
                raise _fail(self.line, "An answer is empty.")
            parsed.accepted_answers.append({"text": text, "fraction": str(fraction), "feedback": feedback})
        self._require_full_marks(parsed.accepted_answers)

    def numeric(self, parsed: ParsedQuestion, answers: str) -> None:
        parsed.type = "numeric"
        other = ""
        if "~" in answers:
            cut = answers.find("~")
            answers, other = answers[:cut], answers[cut:]
        parts = _split(answers, "=")
        if not parts:
            raise _fail(self.line, "A numeric question needs an answer.")
        for part in parts:
            fraction, part = _weight(part, self.line, Decimal(1))
            answer, feedback = self.comment(part, parsed.text_format)
            answer = _restore(answer)
            if answer.split(":", 1)[0].strip() == "*":
                value, tolerance = "*", Decimal(0)
            elif ".." in answer:
                low, high = (_decimal(end, self.line, "The range end") for end in answer.split("..", 1))
                if high < low:
                    raise _fail(self.line, "The range ends below its start.")
                value, tolerance = (low + high) / 2, (high - low) / 2
            else:
                number, _, margin = answer.partition(":")
                value = _decimal(number, self.line, "The answer")
                tolerance = _decimal(margin, self.line, "The tolerance") if margin.strip() else Decimal(0)
                if tolerance < 0:
                    raise _fail(self.line, "The tolerance is negative.")
            parsed.numeric_answers.append(
                {
                    "value": str(value),
                    "tolerance": str(tolerance),
                    "fraction": str(fraction),
                    "feedback": feedback,
                }
            )
        if other:
            _, feedback = self.comment(other[1:], parsed.text_format)
            parsed.numeric_answers.append(
                {"value": "*", "tolerance": "0", "fraction": "0", "feedback": feedback}
            )
        self._require_full_marks(parsed.numeric_answers)

    def _require_full_marks(self, answers: list[dict]) -> None:
        if not any(Decimal(answer["fraction"]) == 1 for answer in answers):
            raise _fail(self.line, "One of the answers should be worth 100%, so full marks can be earned.")


def parse_gift(source: str) -> list[ParsedQuestion]:
    """Every question of a GIFT file, or ``GiftSyntaxError`` listing each bad question's line."""
    questions, errors = [], []
    for block in _blocks(source.removeprefix("\ufeff")):
        try:
            questions.append(_Reader(block).read())
        except GiftSyntaxError as error:
            errors.extend(error.errors)
    if errors:
        raise GiftSyntaxError(errors)
    if not questions:
        raise GiftSyntaxError([GiftError(1, "The file holds no question.")])
    return questions


# --- writing ------------------------------------------------------------------------------------

_RESERVED = {
    "\\": "\\\\",
    "#": "\\#",
    "=": "\\=",
    "~": "\\~",
    "{": "\\{",
    "}": "\\}",
    ":": "\\:",
    "\n": "\\n",
}


def escape(text: str) -> str:
    """Moodle's ``repchar``: the reserved characters escaped, line breaks as ``\\n``."""
    return "".join(_RESERVED.get(char, char) for char in text.replace("\r", ""))


def _percent(fraction: Decimal) -> str:
    return f"{(Decimal(fraction) * HUNDRED).normalize():f}"


def write_gift(questions: Iterable) -> str:
    """A GIFT file of ``questions`` (``Question``s with their choices) that ``parse_gift`` and
    Moodle read back as the same questions, weights and feedback."""
    out, category = [], ""
    for question in questions:
        if question.category != category:
            category = question.category
            out.append(f"$CATEGORY: {category}\n")
        lines = [f"// question: {question.id}"]
        if question.type == "multiple" and not question.partial_credit:
            lines.append(f"// {ALL_OR_NOTHING}")
        head = f"::{escape(question.title)}::" if question.title else ""
        fmt = question.text_format
        marker = f"[{fmt}]" if fmt != "moodle" else ""
        text = head + marker + escape(question.text)

        def feedback(value: str) -> str:
            return f"#{escape(value)}" if value else ""

        general = f"####{escape(question.explanation)}" if question.explanation else ""
        choices = list(question.choices.all())
        kind = question.type
        if kind == "code":  # GIFT has no code questions: a comment says what was left out
            name = question.title or "untitled"
            out.append(f"// question: {question.id}\n// A code question ({name}): not in GIFT.\n")
            continue
        if kind == "description":
            lines.append(text)
        elif kind == "essay":
            lines.append(f"{text} {{{general}}}")
        elif kind == "true_false":
            right = next(c for c in choices if c.fraction > 0)
            wrong = next(c for c in choices if c is not right)
            word = "TRUE" if right.text == "True" else "FALSE"
            tail = ""
            if wrong.feedback or right.feedback:
                tail = f"#{escape(wrong.feedback)}" + (f"#{escape(right.feedback)}" if right.feedback else "")
            lines.append(f"{text} {{{word}{tail}{general}}}")
        elif kind in ("single", "multiple"):
            lines.append(text + " {")
            for choice in choices:
                if choice.fraction == 1 and kind == "single":
                    sign = "="
                elif choice.fraction == 0:
                    sign = "~"
                else:
                    sign = f"~%{_percent(choice.fraction)}%"
                lines.append(f"\t{sign}{escape(choice.text)}{feedback(choice.feedback)}")
            lines.append(f"\t{general}}}" if general else "}")
        elif kind == "short_text":
            lines.append(text + " {")
            for answer in question.accepted_answers:
                answer = {"text": answer} if isinstance(answer, str) else answer
                percent = _percent(Decimal(str(answer.get("fraction", 1))))
                lines.append(f"\t=%{percent}%{escape(answer['text'])}{feedback(answer.get('feedback', ''))}")
            lines.append(f"\t{general}}}" if general else "}")
        elif kind == "numeric":
            lines.append(text + " {#")
            for answer in question.numeric_answers:
                note = feedback(answer.get("feedback", ""))
                if answer["value"] == "*" and Decimal(str(answer["fraction"])) == 0:
                    lines.append(f"\t~{note or '#'}")
                    continue
                percent = _percent(Decimal(str(answer["fraction"])))
                value = (
                    answer["value"] if answer["value"] == "*" else f"{Decimal(answer['value']).normalize():f}"
                )
                tolerance = f"{Decimal(str(answer.get('tolerance') or 0)).normalize():f}"
                lines.append(f"\t=%{percent}%{value}:{tolerance}{note}")
            lines.append(f"\t{general}}}" if general else "}")
        elif kind == "matching":
            lines.append(text + " {")
            for choice in choices:
                lines.append(f"\t={escape(choice.text)} -> {escape(choice.match_text)}")
            lines.append(f"\t{general}}}" if general else "}")
        out.append("\n".join(lines) + "\n")
    return "\n".join(out)
