from decimal import Decimal

import pytest

from lyceum.quizzes.gift import GiftSyntaxError, parse_gift

BANK = """// A bank of questions, as Moodle exports them.
$CATEGORY: $course$/Geography

::Capital:: What is the capital of France? {
  =Paris #Yes
  ~London #No
  ~Berlin
}

::Primes:: Which are prime numbers? {~%50%2 ~%50%3 ~%-100%4 ####Primes have two divisors.}

The Earth is flat. {F}

Who wrote "Hamlet"? {=Shakespeare =William Shakespeare}

What is pi to two decimals? {#3.14:0.005}

Name a number between 1 and 5. {#1..5}

Explain photosynthesis in your own words. {}

Mount Everest is the {=highest ~lowest} mountain on Earth.

Escapes \\{work\\} too: 1 \\= 1? {T}
"""


def test_a_moodle_bank_is_parsed_into_every_question_type():
    questions = parse_gift(BANK)

    assert [q.type for q in questions] == [
        "single",
        "multiple",
        "true_false",
        "short_text",
        "numeric",
        "numeric",
        "essay",
        "single",
        "true_false",
    ]
    capital, primes, flat, hamlet, pi, between, essay, everest, escapes = questions
    assert capital.title == "Capital"
    assert capital.line == 4
    assert [(c.text, c.is_correct) for c in capital.choices] == [
        ("Paris", True),
        ("London", False),
        ("Berlin", False),
    ]
    assert primes.partial_credit is True
    assert [c.is_correct for c in primes.choices] == [True, True, False]
    assert primes.explanation == "Primes have two divisors."
    assert [(c.text, c.is_correct) for c in flat.choices] == [("True", False), ("False", True)]
    assert hamlet.accepted_answers == ["Shakespeare", "William Shakespeare"]
    assert (pi.numeric_answer, pi.numeric_tolerance) == (Decimal("3.14"), Decimal("0.005"))
    assert (between.numeric_answer, between.numeric_tolerance) == (Decimal("3"), Decimal("2"))
    assert essay.text == "Explain photosynthesis in your own words."
    assert everest.text == "Mount Everest is the _____ mountain on Earth."
    assert escapes.text == "Escapes {work} too: 1 = 1?"


@pytest.mark.parametrize(
    ("source", "line", "message"),
    [
        ("\n\nWhat is 2+2?\n", 3, "No answer block"),
        ("Q1 {=a ~b}\n\nWhat is 2+2? {=4 ~5\n", 3, "never closed"),
        ("Pick one {~a ~b ~c}", 1, "No answer is marked right"),
        ("Match {=a -> 1 =b -> 2}", 1, "Matching questions"),
        ("Pi {#three}", 1, "is not a number"),
        ("Pi {#3.14:NaN}", 1, "is not a number"),
        ("Pi {#Infinity}", 1, "is not a number"),
        ("Pi {#1e400:1}", 1, "is not a number"),
        ("Range {#5..1}", 1, "ends below its start"),
        ("Empty {= ~b}", 1, "is empty"),
        ("// only a comment\n", 1, "holds no question"),
        ("Two {=a ~b} blocks {=c ~d}", 1, "only one answer block"),
    ],
)
def test_malformed_gift_is_refused_with_the_line_of_the_problem(source, line, message):
    with pytest.raises(GiftSyntaxError) as raised:
        parse_gift(source)

    first = raised.value.errors[0]
    assert first.line == line
    assert message in first.message
    assert str(first).startswith(f"Line {line}: ")


def test_every_bad_question_is_reported_not_only_the_first():
    source = "Good {=a ~b}\n\nBad {~a ~b}\n\nAlso good {T}\n\nWorse {#x}\n"

    with pytest.raises(GiftSyntaxError) as raised:
        parse_gift(source)

    assert [error.line for error in raised.value.errors] == [3, 7]
