"""How each question type is graded: pure functions over what was answered, exact with Decimal.

The rules are Moodle's, so a question bank imported from Moodle gives every student the grade
Moodle would have given:

- single choice and true/false: the weight (``fraction``) of the one choice picked; a question
  may have several choices worth full marks (``{=a =b ~c}``);
- multiple choice with partial credit: the sum of the weights of the choices ticked (negative
  weights take marks away); without partial credit, all or nothing;
- short text: the weight of the first accepted answer the response matches, in order; ``*`` in
  an accepted answer matches any run of characters (``\\*`` is a star), so ``*`` alone is the
  catch-all for "any other answer";
- numeric: the weight of the first answer whose range holds the number, in order; ``*`` matches
  any number;
- matching: the share of stems given their right answer.

Every question's fraction is kept between 0 and 1: negative weights never take away more than
the question is worth. ``evaluate`` returns the points and the feedback of what was answered;
``None`` points for an essay, which an instructor grades, and for code, which the runner grades
against its exercise's tests after submission (``services.code_answers_grade``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from .models import Question

CENTS = Decimal("0.01")
ZERO = Decimal(0)
ONE = Decimal(1)


@dataclass(frozen=True)
class ShortAnswer:
    text: str
    fraction: Decimal
    feedback: str = ""


@dataclass(frozen=True)
class NumericAnswer:
    value: Decimal | None  # None: "*", any number
    tolerance: Decimal
    fraction: Decimal
    feedback: str = ""

    def holds(self, number: Decimal) -> bool:
        return self.value is None or abs(number - self.value) <= self.tolerance


def short_answers(entries: Iterable) -> tuple[ShortAnswer, ...]:
    """The stored accepted answers (``{"text", "fraction", "feedback"}``; a bare string is worth
    full marks) as ``ShortAnswer``s."""
    answers = []
    for entry in entries or ():
        if isinstance(entry, str):
            entry = {"text": entry}
        answers.append(
            ShortAnswer(
                text=str(entry.get("text", "")),
                fraction=Decimal(str(entry.get("fraction", 1))),
                feedback=str(entry.get("feedback") or ""),
            )
        )
    return tuple(answers)


def numeric_answers(entries: Iterable) -> tuple[NumericAnswer, ...]:
    answers = []
    for entry in entries or ():
        value = str(entry.get("value", "*")).strip()
        answers.append(
            NumericAnswer(
                value=None if value == "*" else Decimal(value),
                tolerance=Decimal(str(entry.get("tolerance") or 0)),
                fraction=Decimal(str(entry.get("fraction", 1))),
                feedback=str(entry.get("feedback") or ""),
            )
        )
    return tuple(answers)


@dataclass(frozen=True)
class Key:
    """What a question accepts and what each answer is worth, detached from the database."""

    type: str
    points: Decimal
    fractions: Mapping[str, Decimal] = field(default_factory=dict)
    feedback: Mapping[str, str] = field(default_factory=dict)
    partial_credit: bool = False
    accepted_answers: tuple[ShortAnswer, ...] = ()
    numeric_answers: tuple[NumericAnswer, ...] = ()
    stems: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, question: Question, choices: Iterable) -> Key:
        choices = list(choices)
        matching = question.type == Question.Type.MATCHING
        return cls(
            type=question.type,
            points=question.points,
            fractions={} if matching else {str(c.id): Decimal(c.fraction) for c in choices},
            feedback={} if matching else {str(c.id): c.feedback for c in choices if c.feedback},
            partial_credit=question.partial_credit,
            accepted_answers=short_answers(question.accepted_answers),
            numeric_answers=numeric_answers(question.numeric_answers),
            stems={str(c.id): c.match_text for c in choices if c.text.strip()} if matching else {},
        )

    @property
    def right_choice_ids(self) -> frozenset[str]:
        return frozenset(choice_id for choice_id, fraction in self.fractions.items() if fraction > 0)


@dataclass(frozen=True)
class Outcome:
    points: Decimal | None
    feedback: tuple[str, ...] = ()


def normalise_text(text: str) -> str:
    """Case, accents' composed or decomposed forms, and runs of spaces do not matter."""
    text = unicodedata.normalize("NFKC", text or "")
    return re.sub(r"\s+", " ", text).strip().casefold()


def wildcard_match(response: str, pattern: str) -> bool:
    """Moodle's short-answer comparison: ``*`` is any run of characters, ``\\*`` a star; case
    and runs of spaces do not matter."""
    given, pattern = normalise_text(response), normalise_text(pattern)
    if pattern == "*":
        return True
    parts = re.split(r"(?<!\\)\*+", pattern)
    regex = ".*".join(re.escape(part.replace("\\*", "*")) for part in parts)
    return re.fullmatch(regex, given, re.S) is not None


def _points(key: Key, fraction: Decimal) -> Decimal:
    fraction = min(ONE, max(ZERO, fraction))
    return (key.points * fraction).quantize(CENTS, rounding=ROUND_HALF_UP)


def evaluate(
    key: Key,
    *,
    selected_choice_ids: Collection[str] = (),
    text: str = "",
    number: Decimal | None = None,
    matches: Mapping[str, str] | None = None,
) -> Outcome:
    selected = frozenset(str(choice_id) for choice_id in selected_choice_ids) & set(key.fractions)
    picked_feedback = tuple(key.feedback[c] for c in sorted(selected) if c in key.feedback)
    if key.type in (Question.Type.SINGLE, Question.Type.TRUE_FALSE):
        if len(selected) != 1:
            return Outcome(_points(key, ZERO))
        (choice_id,) = selected
        return Outcome(_points(key, key.fractions[choice_id]), picked_feedback)
    if key.type == Question.Type.MULTIPLE:
        if not key.partial_credit:
            right = selected == key.right_choice_ids
            return Outcome(_points(key, ONE if right else ZERO), picked_feedback)
        return Outcome(_points(key, sum((key.fractions[c] for c in selected), ZERO)), picked_feedback)
    if key.type == Question.Type.SHORT_TEXT:
        if not normalise_text(text):
            return Outcome(_points(key, ZERO))
        for answer in key.accepted_answers:
            if wildcard_match(text, answer.text):
                return Outcome(_points(key, answer.fraction), (answer.feedback,) if answer.feedback else ())
        return Outcome(_points(key, ZERO))
    if key.type == Question.Type.NUMERIC:
        if number is None:
            return Outcome(_points(key, ZERO))
        for answer in key.numeric_answers:
            if answer.holds(Decimal(number)):
                return Outcome(_points(key, answer.fraction), (answer.feedback,) if answer.feedback else ())
        return Outcome(_points(key, ZERO))
    if key.type == Question.Type.MATCHING:
        if not key.stems:
            return Outcome(_points(key, ZERO))
        given = matches or {}
        right = sum(1 for stem, answer in key.stems.items() if given.get(stem) == answer)
        return Outcome(_points(key, Decimal(right) / Decimal(len(key.stems))))
    if key.type == Question.Type.DESCRIPTION:
        return Outcome(ZERO)
    if key.type in (Question.Type.ESSAY, Question.Type.CODE):
        return Outcome(None)
    raise ValueError(f"Unknown question type {key.type!r}")


def grade_answer(
    key: Key,
    *,
    selected_choice_ids: Collection[str] = (),
    text: str = "",
    number: Decimal | None = None,
    matches: Mapping[str, str] | None = None,
) -> Decimal | None:
    """The points awarded (``None`` for an essay or code: graded later)."""
    return evaluate(
        key, selected_choice_ids=selected_choice_ids, text=text, number=number, matches=matches
    ).points
