from __future__ import annotations

from decimal import Decimal

from lyceum.courses.models import CourseEnrollment
from lyceum.courses.tests.factories import course_with_outline
from lyceum.quizzes.models import Choice, Question, Quiz


def quiz_of_every_type(*, instructor, **quiz_fields) -> Quiz:
    """A published quiz in a published course: one question of each type, 1 point each (2 for
    the multiple choice), in this order: single, multiple, true/false, short text, numeric, essay.
    Review options open immediately unless ``quiz_fields`` says otherwise."""
    for part in Quiz.REVIEW_PARTS:
        quiz_fields.setdefault(part, Quiz.Review.IMMEDIATELY)
    course = course_with_outline(modules=1, lessons=1, instructor=instructor)
    quiz = Quiz.objects.create(course=course, title="Every type", is_published=True, **quiz_fields)
    specs = [
        ("single", "Capital of France?", [("Paris", True), ("Lyon", False), ("Nice", False)], {}),
        (
            "multiple",
            "Prime numbers?",
            [("2", True), ("3", True), ("4", False)],
            {"points": Decimal("2"), "partial_credit": True},
        ),
        ("true_false", "The Earth is round.", [("True", True), ("False", False)], {}),
        (
            "short_text",
            "Author of Hamlet?",
            [],
            {"accepted_answers": [{"text": "Shakespeare", "fraction": "1", "feedback": ""}]},
        ),
        (
            "numeric",
            "Pi to two decimals?",
            [],
            {"numeric_answers": [{"value": "3.14", "tolerance": "0.005", "fraction": "1", "feedback": ""}]},
        ),
        ("essay", "Why learn history?", [], {}),
    ]
    for order, (kind, text, choices, extra) in enumerate(specs):
        question = Question.objects.create(
            quiz=quiz, type=kind, text=text, order=order, explanation=f"Because of {text}", **extra
        )
        right = sum(1 for _, c in choices if c)
        wrong = len(choices) - right

        def weight(correct: bool, kind: str = kind, right: int = right, wrong: int = wrong) -> Decimal:
            if kind != "multiple":
                return Decimal(1 if correct else 0)
            return Decimal(1) / right if correct else -Decimal(1) / wrong

        Choice.objects.bulk_create(
            [
                Choice(question=question, text=t, fraction=weight(c).quantize(Decimal("0.0000001")), order=i)
                for i, (t, c) in enumerate(choices)
            ]
        )
    return quiz


def enroll(user, quiz) -> None:
    CourseEnrollment.objects.bulk_create(
        [CourseEnrollment(user=user, course=quiz.course)], ignore_conflicts=True
    )
