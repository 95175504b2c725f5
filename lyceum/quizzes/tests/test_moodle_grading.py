"""A Moodle question bank, imported, gives each student the grade Moodle would give.

Each test imports GIFT through the instructor's API, lets a student answer through the student's
API and reads the points the student gets (every question is worth 1 point).
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from lyceum.courses.tests.factories import course_with_outline
from lyceum.quizzes.models import Question, Quiz
from lyceum.quizzes.tests.factories import enroll

pytestmark = pytest.mark.django_db


@pytest.fixture
def bank(login_api, ines, alice):
    """``bank(gift)`` imports a GIFT file into a new published quiz, and returns a function that
    has Alice answer its questions and returns her points and her result sheet."""

    def make(gift: str, **quiz_fields):
        course = course_with_outline(modules=1, lessons=1, instructor=ines)
        for part in Quiz.REVIEW_PARTS:
            quiz_fields.setdefault(part, Quiz.Review.IMMEDIATELY)
        quiz = Quiz.objects.create(course=course, title="Bank", is_published=True, **quiz_fields)
        teacher = login_api(ines)
        response = teacher.post(
            f"/api/instructor/quizzes/{quiz.pk}/import-gift/", {"gift": gift}, format="json"
        )
        assert response.status_code == 201, response.json()
        enroll(alice, quiz)
        student = login_api(alice)

        def answer(*answers):
            """One answer per question: a list of choice texts, a string, a number or a dict of
            stem text to answer; returns (points per question, the result's sheet)."""
            started = student.post("/api/quiz-attempts/", {"quiz": str(quiz.pk)}, format="json").json()
            sheet = started["questions"]
            payload = {}
            for entry, given in zip(sheet, answers, strict=False):
                by_text = {c["text"]: c["id"] for c in entry["choices"]}
                if isinstance(given, list):
                    payload[entry["id"]] = {"choices": [by_text[text] for text in given]}
                elif isinstance(given, dict):
                    payload[entry["id"]] = {"matches": {by_text[stem]: a for stem, a in given.items()}}
                elif isinstance(given, (int, float, Decimal)):
                    payload[entry["id"]] = {"number": str(given)}
                elif given is not None:
                    payload[entry["id"]] = {"text": given}
            result = student.post(
                f"/api/quiz-attempts/{started['id']}/submit/", {"answers": payload}, format="json"
            )
            assert result.status_code == 200, result.json()
            body = result.json()
            return [
                None if q["points_awarded"] is None else Decimal(str(q["points_awarded"]))
                for q in body["questions"]
            ], body

        answer.quiz = quiz
        return answer

    return make


def points(bank_answer, *answers):
    return bank_answer(*answers)[0][0]


# 1. Weights are kept and graded as weights ------------------------------------------------------


@pytest.mark.parametrize(
    ("ticked", "expected"),
    [
        (["a"], "0.25"),  # was 0.50 when weights were dropped
        (["b"], "0.75"),
        (["a", "b"], "1.00"),
        (["a", "b", "c"], "0.00"),  # 1.00 - 1.00: the wrong one takes everything back
        (["c"], "0.00"),  # never below zero
        ([], "0.00"),
    ],
)
def test_multiple_answer_weights_are_graded_as_weights(bank, ticked, expected):
    quiz = bank("Pick {~%25%a ~%75%b ~%-100%c}")

    assert points(quiz, ticked) == Decimal(expected)


def test_a_weighted_short_answer_earns_its_weight(bank):
    quiz = bank("Name a pet that purrs. {=%50%Cat =Lion}")

    assert points(quiz, "cat") == Decimal("0.50")  # was 1.00
    assert points(quiz, "lion") == Decimal("1.00")


def test_negative_weights_of_a_single_choice_are_floored_at_zero(bank):
    quiz = bank("Pick {=right ~%-50%wrong ~%50%close}")

    assert points(quiz, ["wrong"]) == Decimal("0.00")
    assert points(quiz, ["close"]) == Decimal("0.50")


def test_what_moodles_editor_refuses_is_refused_with_its_line(login_api, ines):
    course = course_with_outline(modules=1, lessons=1, instructor=ines)
    quiz = Quiz.objects.create(course=course, title="Bank")
    source = "Fine {T}\n\nPick {~%50%a ~%25%b ~c}\n\nOne {=%50%a ~b}\n"

    response = login_api(ines).post(
        f"/api/instructor/quizzes/{quiz.pk}/import-gift/", {"gift": source}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["error"]["fields"]["gift"] == [
        "Line 3: The positive weights add up to 75%, not 100%. "
        "(A single-choice question marks its right answer with =.)",
        "Line 5: One of the choices should be worth 100% (the best is 50%).",
    ]
    assert not Question.objects.filter(quiz=quiz).exists()  # nothing half-imported


# 2. Several right answers of a single-choice question --------------------------------------------


def test_either_right_answer_of_a_single_choice_earns_full_marks(bank):
    quiz = bank("Which is a prime? {=2 =3 ~4}")

    assert points(quiz, ["2"]) == Decimal("1.00")
    assert points(quiz, ["3"]) == Decimal("1.00")
    assert points(quiz, ["4"]) == Decimal("0.00")
    assert Question.objects.get(quiz=quiz.quiz).type == "single"


# 3. The catch-all of a short answer ---------------------------------------------------------------


def test_the_catch_all_earns_its_weight_and_gives_its_feedback(bank):
    quiz = bank("Capital of France? {=Paris =%0%*#Any other city is wrong.}")

    assert points(quiz, "*") == Decimal("0.00")  # was 1.00
    got, sheet = quiz("London")
    assert got == [Decimal("0.00")]
    assert [str(f) for f in sheet["questions"][0]["answer_feedback"]] == ["Any other city is wrong."]
    assert points(quiz, "paris") == Decimal("1.00")


def test_a_wildcard_inside_an_answer_matches_any_characters(bank):
    quiz = bank("The author of Hamlet? {=*Shakespeare =%50%Marlowe}")

    assert points(quiz, "William Shakespeare") == Decimal("1.00")
    assert points(quiz, "shakespeare") == Decimal("1.00")
    assert points(quiz, "Shakespear") == Decimal("0.00")


# 4. Numeric answers --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "expected"), [(1822, "1.00"), (1823, "0.50"), (1820, "0.50"), (1830, "0.00")]
)
def test_several_weighted_numeric_answers(bank, given, expected):
    quiz = bank("When was Grant born? {#=1822:0 =%50%1822:2}")

    assert points(quiz, given) == Decimal(expected)


def test_feedback_for_any_other_number(bank):
    quiz = bank("Pick a number near 3. {#3:2~#Completely wrong}")

    assert points(quiz, 4) == Decimal("1.00")
    got, sheet = quiz(10)
    assert got == [Decimal("0.00")]
    assert [str(f) for f in sheet["questions"][0]["answer_feedback"]] == ["Completely wrong"]


# 5. Text formats, backslashes and the byte-order mark ------------------------------------------------


def test_format_markers_are_stripped_and_rendered(bank):
    quiz = bank(
        "\ufeff[markdown]What is **2 + 2**? {=[markdown]*four*#[html]<b>Yes</b><script>x()</script>\n"
        "~five}\n\n"
        "[html]<p onclick='steal()'>Safe?</p><script>alert(1)</script> {T}\n\n"
        "[plain]Is <b> a tag? {T####[plain]It is.}\n\n"
        "A path: C\\:\\\\temp. {T}\n"
    )

    got, sheet = quiz(["*four*"], ["True"], ["True"], ["True"])
    markdown, html, plain, path = sheet["questions"]
    assert got == [Decimal("1.00")] * 4
    assert markdown["text"] == "What is **2 + 2**?"  # the BOM is not part of the first question
    assert markdown["text_format"] == "markdown"
    assert "<strong>2 + 2</strong>" in markdown["text_html"]
    assert markdown["choices"][0]["text_html"] == "<em>four</em>"
    assert "<b>Yes</b>" in str(markdown["answer_feedback"][0])
    assert "script" not in str(markdown["answer_feedback"][0])
    assert html["text_html"] == "<p>Safe?</p>"
    assert plain["text_html"] == "Is &lt;b&gt; a tag?"
    assert plain["explanation"] == "It is."
    assert path["text"] == "A path: C:\\temp."


# 6. Titles, feedback, categories and descriptions are kept ----------------------------------------


def test_titles_feedback_categories_and_descriptions_are_kept(bank):
    quiz = bank(
        "$CATEGORY: $course$/Geography/Europe\n\n"
        "::Intro:: Read the map before you answer.\n\n"
        "::Capital:: Capital of France? {=Paris#Right, Paris.\n"
        "~Lyon#Lyon is the second city. ####Paris since 987.}\n\n"
        "::Round:: The Earth is round. {T#It is not flat.#Yes, round.}\n"
    )

    got, sheet = quiz(None, ["Lyon"], ["False"])
    intro, capital, round_ = sheet["questions"]
    assert got == [Decimal("0.00"), Decimal("0.00"), Decimal("0.00")]
    assert (intro["type"], intro["title"], intro["points"]) == ("description", "Intro", "0.00")
    assert "state" not in intro  # a description is not answered
    assert capital["title"] == "Capital"
    assert [str(f) for f in capital["answer_feedback"]] == ["Lyon is the second city."]
    assert capital["explanation"] == "Paris since 987."
    assert [str(f) for f in round_["answer_feedback"]] == ["It is not flat."]
    assert {q.category for q in Question.objects.filter(quiz=quiz.quiz)} == {"$course$/Geography/Europe"}
    assert sheet["max_score"] == "2.00"  # the description is worth nothing


# 7. Matching questions ----------------------------------------------------------------------------


def test_matching_earns_partial_credit_per_pair(bank):
    quiz = bank("Match the capitals. {=Canada -> Ottawa =Italy -> Rome =Japan -> Tokyo = -> Paris}")

    got, sheet = quiz({"Canada": "Ottawa", "Italy": "Rome", "Japan": "Paris"})
    question = sheet["questions"][0]
    assert got == [Decimal("0.67")]
    assert sorted(question["options"]) == ["Ottawa", "Paris", "Rome", "Tokyo"]
    assert [c["text"] for c in question["choices"]] == ["Canada", "Italy", "Japan"]  # no blank stem
    assert question["state"] == "partial"
    assert sorted(question["marks"].values()) == [False, True, True]
    assert sorted(question["correct"]["matches"].values()) == ["Ottawa", "Rome", "Tokyo"]
    assert points(quiz, {"Canada": "Ottawa", "Italy": "Rome", "Japan": "Tokyo"}) == Decimal("1.00")


def test_a_matching_answer_outside_the_options_is_refused(bank, login_api, alice):
    quiz = bank("Match. {=a -> 1 =b -> 2}")
    client = login_api(alice)
    started = client.post("/api/quiz-attempts/", {"quiz": str(quiz.quiz.pk)}, format="json").json()
    question = started["questions"][0]

    response = client.put(
        f"/api/quiz-attempts/{started['id']}/answers/",
        {"answers": {question["id"]: {"matches": {question["choices"][0]["id"]: "3"}}}},
        format="json",
    )

    assert response.status_code == 400
    assert "options" in str(response.json()["error"])


# 8. Export, then import, gives the same bank -------------------------------------------------------

ROUND_TRIP = """$CATEGORY: $course$/Everything

::Intro:: A [description] with \\{braces\\}.

::Single::[markdown]Pick **one**: {=a#Yes ~b#No ~%50%c ####Because.}

::Multiple:: Pick some. {~%25%a ~%75%b ~%-100%c#Never c.}

::Two right:: Pick one. {=a =b ~c}

::TF:: True? {F#Wrong.#Right.}

::Short:: Name it. {=Cat#Cat! =%50%Kitten =%0%*#No.}

::Number:: Year? {#=1822:0#Exact =%50%1822:2 ~#Way off}

::Range:: Between. {#1..5}

::Match:: Pair them. {=a -> 1 =b -> 2 = -> 3}

::Essay:: Explain, with a colon\\: here. {####Look at the notes.}
"""


def _snapshot(quiz):
    rows = []
    for q in Question.objects.current().filter(quiz=quiz).prefetch_related("choices").order_by("order"):
        rows.append(
            (
                q.type,
                q.title,
                q.category,
                q.text,
                q.text_format,
                q.points,
                q.explanation,
                q.partial_credit,
                q.accepted_answers,
                q.numeric_answers,
                [(c.text, c.fraction, c.feedback, c.match_text) for c in q.choices.all()],
            )
        )
    return rows


def test_export_then_import_gives_the_same_questions(login_api, ines):
    course = course_with_outline(modules=1, lessons=1, instructor=ines)
    first, second = (Quiz.objects.create(course=course, title=f"Bank {n}") for n in (1, 2))
    teacher = login_api(ines)
    assert (
        teacher.post(
            f"/api/instructor/quizzes/{first.pk}/import-gift/", {"gift": ROUND_TRIP}, format="json"
        ).status_code
        == 201
    )

    exported = teacher.get(f"/api/instructor/quizzes/{first.pk}/export-gift/")
    assert exported.status_code == 200
    assert exported["Content-Type"] == "text/plain; charset=utf-8"
    imported = teacher.post(
        f"/api/instructor/quizzes/{second.pk}/import-gift/",
        {"gift": exported.content.decode()},
        format="json",
    )

    assert imported.status_code == 201, imported.json()
    assert _snapshot(second) == _snapshot(first)
    # Every type GIFT can write (it has no code questions: tests/test_code_questions.py).
    assert {row[0] for row in _snapshot(first)} == {t.value for t in Question.Type} - {Question.Type.CODE}
    again = teacher.get(f"/api/instructor/quizzes/{second.pk}/export-gift/").content.decode()
    assert [line for line in again.splitlines() if not line.startswith("// question:")] == [
        line for line in exported.content.decode().splitlines() if not line.startswith("// question:")
    ]


def test_a_builder_question_round_trips_too(login_api, ines):
    """Questions written in the builder (plain text, all-or-nothing multiple choice) survive."""
    course = course_with_outline(modules=1, lessons=1, instructor=ines)
    first, second = (Quiz.objects.create(course=course, title=f"Quiz {n}") for n in (1, 2))
    teacher = login_api(ines)
    response = teacher.post(
        f"/api/instructor/quizzes/{first.pk}/questions/",
        {
            "type": "multiple",
            "text": "Pick #2 and 3: {all} of them = fine ~ ok",
            "choices": [{"text": "2", "is_correct": True}, {"text": "3", "is_correct": True}, {"text": "4"}],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()

    gift = teacher.get(f"/api/instructor/quizzes/{first.pk}/export-gift/").content.decode()
    teacher.post(f"/api/instructor/quizzes/{second.pk}/import-gift/", {"gift": gift}, format="json")

    assert _snapshot(second) == _snapshot(first)


# 9. Review options: the answer key does not leak across attempts ----------------------------------


def test_a_blank_first_attempt_does_not_hand_over_the_key(login_api, alice, ines):
    course = course_with_outline(modules=1, lessons=1, instructor=ines)
    quiz = Quiz.objects.create(course=course, title="Three tries", is_published=True, max_attempts=2)
    teacher = login_api(ines)
    teacher.post(
        f"/api/instructor/quizzes/{quiz.pk}/import-gift/",
        {"gift": "Pick {=a ~b}\n\nName {=x}"},
        format="json",
    )
    enroll(alice, quiz)
    client = login_api(alice)

    def attempt(answers):
        started = client.post("/api/quiz-attempts/", {"quiz": str(quiz.pk)}, format="json").json()
        by_text = {c["text"]: c["id"] for q in started["questions"] for c in q["choices"]}
        payload = {
            q["id"]: {"choices": [by_text[answers[0]]]} if q["choices"] else {"text": answers[1]}
            for q in started["questions"]
        }
        return client.post(f"/api/quiz-attempts/{started['id']}/submit/", {"answers": payload}, format="json")

    first = attempt(["b", "y"]).json()

    assert first["review"] == {
        "correctness": False,
        "points": False,
        "right_answer": False,
        "feedback": False,
    }
    assert first["score"] == "0.00"  # the total is always shown
    for question in first["questions"]:
        assert question["points_awarded"] is None
        assert not {"correct", "state", "marks", "answer_feedback"} & set(question)
    last = attempt(["a", "y"]).json()  # no attempt left now: the review opens
    assert last["review"]["right_answer"] is True
    assert [q["state"] for q in last["questions"]] == ["correct", "incorrect"]
    assert last["questions"][1]["correct"]["accepted_answers"] == ["x"]
    # and the first attempt's review opens with it
    assert client.get(f"/api/quiz-attempts/{first['id']}/").json()["review"]["points"] is True


def test_each_review_option_has_its_own_moment(login_api, alice, ines):
    course = course_with_outline(modules=1, lessons=1, instructor=ines)
    quiz = Quiz.objects.create(
        course=course,
        title="Review",
        is_published=True,
        closes_at=timezone.now() + datetime.timedelta(days=1),
        review_correctness="immediately",
        review_points="immediately",
        review_right_answer="after_close",
        review_feedback="never",
    )
    login_api(ines).post(
        f"/api/instructor/quizzes/{quiz.pk}/import-gift/",
        {"gift": "Pick {=a ~b#No. ####Why.}"},
        format="json",
    )
    enroll(alice, quiz)
    client = login_api(alice)
    started = client.post("/api/quiz-attempts/", {"quiz": str(quiz.pk)}, format="json").json()
    question = started["questions"][0]
    wrong = next(c["id"] for c in question["choices"] if c["text"] == "b")

    result = client.post(
        f"/api/quiz-attempts/{started['id']}/submit/",
        {"answers": {question["id"]: {"choices": [wrong]}}},
        format="json",
    ).json()["questions"][0]

    assert (result["state"], result["points_awarded"], result["marks"]) == (
        "incorrect",
        "0.00",
        {wrong: False},
    )
    assert "correct" not in result and "answer_feedback" not in result and "explanation" not in result
    Quiz.objects.filter(pk=quiz.pk).update(closes_at=timezone.now() - datetime.timedelta(seconds=1))
    later = client.get(f"/api/quiz-attempts/{started['id']}/").json()["questions"][0]
    assert later["correct"]["choices"] == [next(c["id"] for c in question["choices"] if c["text"] == "a")]
    assert "answer_feedback" not in later  # never
