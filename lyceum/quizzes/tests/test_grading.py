"""Grading of every question type, with the edges that decide points."""

from decimal import Decimal

import pytest

from lyceum.quizzes.grading import Key, grade_answer, normalise_text, numeric_answers, short_answers
from lyceum.quizzes.models import Question

T = Question.Type


def key(**fields):
    return Key(points=Decimal("2.00"), **fields)


def weights(**fractions):
    return {name: Decimal(str(value)) for name, value in fractions.items()}


THIRD = Decimal("0.3333333")


@pytest.mark.parametrize(
    ("selected", "points"),
    [({"a"}, "2.00"), ({"b"}, "0.00"), ({"a", "b"}, "0.00"), (set(), "0.00")],
)
def test_single_choice_needs_exactly_the_right_choice(selected, points):
    question = key(type=T.SINGLE, fractions=weights(a=1, b=0, c=0))

    assert grade_answer(question, selected_choice_ids=selected) == Decimal(points)


def test_true_false_is_graded_like_single_choice():
    question = key(type=T.TRUE_FALSE, fractions=weights(t=1, f=0))

    assert grade_answer(question, selected_choice_ids=["t"]) == Decimal("2.00")
    assert grade_answer(question, selected_choice_ids=["f"]) == Decimal("0.00")


@pytest.mark.parametrize(
    ("selected", "points"),
    [({"a", "b"}, "2.00"), ({"a"}, "0.00"), ({"a", "b", "c"}, "0.00"), (set(), "0.00")],
)
def test_multiple_choice_all_or_nothing(selected, points):
    question = key(type=T.MULTIPLE, fractions=weights(a=0.5, b=0.5, c=-0.5, d=-0.5))

    assert grade_answer(question, selected_choice_ids=selected) == Decimal(points)


@pytest.mark.parametrize(
    ("selected", "points"),
    [
        ({"a", "b", "c"}, "2.00"),  # every right choice
        ({"a"}, "0.67"),  # one of three right: 2 * 1/3, rounded half up
        ({"a", "b"}, "1.33"),
        ({"a", "b", "d"}, "0.33"),  # two right, one of two wrong: 2 * (2/3 - 1/2)
        ({"a", "d", "e"}, "0.00"),  # 1/3 - 1: never below zero
        ({"a", "b", "c", "d", "e"}, "0.00"),  # ticking everything earns nothing
        (set(), "0.00"),
    ],
)
def test_multiple_choice_with_partial_credit(selected, points):
    question = key(
        type=T.MULTIPLE,
        partial_credit=True,
        fractions={"a": THIRD, "b": THIRD, "c": THIRD, "d": Decimal("-0.5"), "e": Decimal("-0.5")},
    )

    assert grade_answer(question, selected_choice_ids=selected) == Decimal(points)


@pytest.mark.parametrize(
    ("given", "right"),
    [
        ("Paris", True),
        ("  paris ", True),
        ("PARIS", True),
        ("Ville  de\tParis", True),
        ("Pari", False),
        ("", False),
        ("   ", False),
        ("\uff30\uff41\uff52\uff49\uff53", True),  # full-width letters
    ],
)
def test_short_text_ignores_case_and_spaces(given, right):
    question = key(type=T.SHORT_TEXT, accepted_answers=short_answers(["Paris", "ville de paris"]))

    assert grade_answer(question, text=given) == (Decimal("2.00") if right else Decimal("0.00"))


@pytest.mark.parametrize(
    ("number", "right"),
    [
        ("3.14", True),
        ("3.13", True),
        ("3.15", True),
        ("3.1299", False),
        ("3.1501", False),
        ("-3.14", False),
        (None, False),
    ],
)
def test_numeric_tolerance_includes_its_edges(number, right):
    question = key(type=T.NUMERIC, numeric_answers=numeric_answers([{"value": "3.14", "tolerance": "0.01"}]))

    points = grade_answer(question, number=None if number is None else Decimal(number))

    assert points == (Decimal("2.00") if right else Decimal("0.00"))


def test_numeric_without_tolerance_needs_the_exact_value():
    question = key(type=T.NUMERIC, numeric_answers=numeric_answers([{"value": "42"}]))

    assert grade_answer(question, number=Decimal("42.000")) == Decimal("2.00")
    assert grade_answer(question, number=Decimal("42.000001")) == Decimal("0.00")


def test_an_essay_waits_for_the_instructor():
    assert grade_answer(key(type=T.ESSAY), text="My essay") is None


def test_normalise_text():
    assert normalise_text("  Hello \n World ") == "hello world"
