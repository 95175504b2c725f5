from __future__ import annotations

from decimal import Decimal

from lyceum.courses.models import CourseEnrollment
from lyceum.courses.tests.factories import course_with_outline
from lyceum.quizzes.models import Choice, Question, Quiz


def quiz_of_every_type(*, instructor, **quiz_fields) -> Quiz:
    """A published quiz in a published course: one question of each type, 1 point each (2 for
    the multiple choice), in this order: single, multiple, true/false, short text, numeric, essay."""
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
        ("short_text", "Author of Hamlet?", [], {"accepted_answers": ["Shakespeare"]}),
        (
            "numeric",
            "Pi to two decimals?",
            [],
            {"numeric_answer": Decimal("3.14"), "numeric_tolerance": Decimal("0.005")},
        ),
        ("essay", "Why learn history?", [], {}),
    ]
    for order, (kind, text, choices, extra) in enumerate(specs):
        question = Question.objects.create(
            quiz=quiz, type=kind, text=text, order=order, explanation=f"Because of {text}", **extra
        )
        Choice.objects.bulk_create(
            [Choice(question=question, text=t, is_correct=c, order=i) for i, (t, c) in enumerate(choices)]
        )
    return quiz


def enroll(user, quiz) -> None:
    CourseEnrollment.objects.bulk_create(
        [CourseEnrollment(user=user, course=quiz.course)], ignore_conflicts=True
    )
