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
    assert capital.category == "$course$/Geography"
    assert capital.line == 4
    assert [(c.text, c.fraction, c.feedback) for c in capital.choices] == [
        ("Paris", 1, "Yes"),
        ("London", 0, "No"),
        ("Berlin", 0, ""),
    ]
    assert primes.partial_credit is True
    assert [c.fraction for c in primes.choices] == [Decimal("0.5"), Decimal("0.5"), Decimal("-1")]
    assert primes.explanation == "Primes have two divisors."
    assert [(c.text, c.fraction) for c in flat.choices] == [("True", 0), ("False", 1)]
    assert [a["text"] for a in hamlet.accepted_answers] == ["Shakespeare", "William Shakespeare"]
    assert pi.numeric_answers == [{"value": "3.14", "tolerance": "0.005", "fraction": "1", "feedback": ""}]
    assert (between.numeric_answers[0]["value"], between.numeric_answers[0]["tolerance"]) == ("3", "2")
    assert essay.text == "Explain photosynthesis in your own words."
    assert everest.text == "Mount Everest is the _____ mountain on Earth."
    assert escapes.text == "Escapes {work} too: 1 = 1?"
    assert all(q.text_format == "moodle" for q in questions)


@pytest.mark.parametrize(
    ("source", "line", "message"),
    [
        ("Q1 {=a ~b}\n\nWhat is 2+2? {=4 ~5\n", 3, "must open with { and close with }"),
        ("What is 2+2? =4 }", 1, "must open with { and close with }"),
        ("Pick some {~a ~b ~c}", 1, "add up to 0%, not 100%"),
        ("Pick some {~%50%a ~%25%b ~c}", 1, "add up to 75%, not 100%"),
        ("Pick one {=%50%a ~b}", 1, "should be worth 100%"),
        ("Pick {~%100%a}", 1, "at least two answers"),
        ("Weight {~%150%a ~b}", 1, "beyond ±100%"),
        ("Name it {=%50%half}", 1, "should be worth 100%"),
        ("Number {#=%50%3}", 1, "should be worth 100%"),
        ("Match {=a -> 1 =b}", 1, "stem -> answer"),
        ("Match {=a -> 1 = -> 2}", 1, "at least two pairs"),
        ("Match {=a -> 1 =b -> }", 1, "has no answer"),
        ("Pi {#three}", 1, "is not a number"),
        ("Pi {#3.14:NaN}", 1, "is not a number"),
        ("Pi {#Infinity}", 1, "is not a number"),
        ("Pi {#1e400:1}", 1, "is not a number"),
        ("Range {#5..1}", 1, "ends below its start"),
        ("Empty {= ~b}", 1, "is empty"),
        ("Line one\nline two {~a\n~b}", 2, "add up to 0%"),
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
