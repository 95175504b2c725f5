"""How each question type is graded: pure functions over what was answered, exact with Decimal.

``grade_answer`` returns the points awarded, or ``None`` for an essay, which an instructor grades.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from .models import Question

CENTS = Decimal("0.01")


@dataclass(frozen=True)
class Key:
    """What a question accepts, detached from the database."""

    type: str
    points: Decimal
    correct_choice_ids: frozenset = frozenset()
    wrong_choice_ids: frozenset = frozenset()
    partial_credit: bool = False
    accepted_answers: tuple[str, ...] = ()
    numeric_answer: Decimal | None = None
    numeric_tolerance: Decimal = Decimal("0")

    @classmethod
    def of(cls, question: Question, choices: Iterable) -> Key:
        choices = list(choices)
        return cls(
            type=question.type,
            points=question.points,
            correct_choice_ids=frozenset(str(c.id) for c in choices if c.is_correct),
            wrong_choice_ids=frozenset(str(c.id) for c in choices if not c.is_correct),
            partial_credit=question.partial_credit,
            accepted_answers=tuple(question.accepted_answers or ()),
            numeric_answer=question.numeric_answer,
            numeric_tolerance=question.numeric_tolerance or Decimal("0"),
        )


def normalise_text(text: str) -> str:
    """Case, accents' composed or decomposed forms, and runs of spaces do not matter."""
    text = unicodedata.normalize("NFKC", text or "")
    return re.sub(r"\s+", " ", text).strip().casefold()


def _points(key: Key, fraction: Decimal) -> Decimal:
    fraction = min(Decimal(1), max(Decimal(0), fraction))
    return (key.points * fraction).quantize(CENTS, rounding=ROUND_HALF_UP)


def grade_answer(
    key: Key,
    *,
    selected_choice_ids: Collection[str] = (),
    text: str = "",
    number: Decimal | None = None,
) -> Decimal | None:
    selected = frozenset(str(choice_id) for choice_id in selected_choice_ids)
    if key.type in (Question.Type.SINGLE, Question.Type.TRUE_FALSE):
        right = len(selected) == 1 and selected <= key.correct_choice_ids
        return _points(key, Decimal(1 if right else 0))
    if key.type == Question.Type.MULTIPLE:
        if not key.partial_credit:
            return _points(key, Decimal(1 if selected == key.correct_choice_ids else 0))
        # Each right choice earns its share; each wrong choice takes back a share of the wrong
        # ones, so ticking everything earns nothing. Never below zero.
        right = Decimal(len(selected & key.correct_choice_ids))
        wrong = Decimal(len(selected & key.wrong_choice_ids))
        earned = right / len(key.correct_choice_ids) if key.correct_choice_ids else Decimal(0)
        lost = wrong / len(key.wrong_choice_ids) if key.wrong_choice_ids else Decimal(0)
        return _points(key, earned - lost)
    if key.type == Question.Type.SHORT_TEXT:
        given = normalise_text(text)
        accepted = {normalise_text(answer) for answer in key.accepted_answers}
        return _points(key, Decimal(1 if given and given in accepted else 0))
    if key.type == Question.Type.NUMERIC:
        if number is None or key.numeric_answer is None:
            return _points(key, Decimal(0))
        within = abs(Decimal(number) - key.numeric_answer) <= key.numeric_tolerance
        return _points(key, Decimal(1 if within else 0))
    if key.type == Question.Type.ESSAY:
        return None
    raise ValueError(f"Unknown question type {key.type!r}")
