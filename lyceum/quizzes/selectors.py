"""Reads of quizzes: what a student may see of a quiz and an attempt, grades and leaderboards."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import F, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from lyceum.accounts.models import User
from lyceum.core.exceptions import Forbidden, NotFound
from lyceum.courses.models import CourseEnrollment
from lyceum.courses.permissions import can_manage_course

from .models import Question, QuestionAnswer, Quiz, QuizAttempt


def quiz_get(*, viewer: User | None, quiz_id: Any) -> Quiz:
    """A published quiz of a published course (any quiz of theirs for its instructor)."""
    quiz = Quiz.objects.select_related("course", "module").filter(pk=quiz_id).first()
    if quiz is None:
        raise NotFound("No such quiz.")
    manager = viewer is not None and can_manage_course(viewer, quiz.course)
    if not manager and not (quiz.is_published and quiz.course.is_published):
        raise NotFound("No such quiz.")
    return quiz


def managed_quiz(*, user: User, quiz_id: Any) -> Quiz:
    """A quiz of a course ``user`` may change, or ``NotFound``."""
    from lyceum.courses.selectors import managed_course

    quiz = quiz_get(viewer=user, quiz_id=quiz_id)
    managed_course(user=user, course_id=quiz.course_id)
    return quiz


@dataclass
class QuizStatus:
    question_count: int
    attempts_used: int
    attempts_left: int | None
    in_progress_attempt_id: Any
    is_enrolled: bool
    is_open: bool


def quiz_status(*, user: User | None, quiz: Quiz) -> QuizStatus:
    now = timezone.now()
    attempts = (
        list(QuizAttempt.objects.filter(user=user, quiz=quiz).values("id", "status"))
        if user is not None and user.is_authenticated
        else []
    )
    current = next((a["id"] for a in attempts if a["status"] == "in_progress"), None)
    used = len(attempts)
    return QuizStatus(
        question_count=quiz.questions_per_attempt or quiz.questions.current().count(),
        attempts_used=used,
        attempts_left=None if not quiz.max_attempts else max(0, quiz.max_attempts - used),
        in_progress_attempt_id=current,
        is_enrolled=bool(
            user
            and user.is_authenticated
            and CourseEnrollment.objects.filter(user=user, course=quiz.course).exists()
        ),
        is_open=(quiz.opens_at is None or quiz.opens_at <= now)
        and (quiz.closes_at is None or now < quiz.closes_at),
    )


def answers_are_visible(attempt: QuizAttempt) -> bool:
    """Whether the correct answers may be shown for this attempt, as the quiz settings say."""
    if attempt.status == QuizAttempt.Status.IN_PROGRESS:
        return False
    rule = attempt.quiz.show_answers
    if rule == Quiz.ShowAnswers.AFTER_SUBMISSION:
        return True
    if rule == Quiz.ShowAnswers.AFTER_CLOSE:
        return attempt.quiz.closes_at is not None and timezone.now() >= attempt.quiz.closes_at
    return False


def attempt_get(*, user: User, attempt_id: Any) -> QuizAttempt:
    """The user's own attempt (closed and graded first if its time ran out), else NotFound."""
    from .services import attempt_close_if_expired

    attempt = (
        QuizAttempt.objects.select_related("quiz", "quiz__course").filter(pk=attempt_id, user=user).first()
    )
    if attempt is None:
        raise NotFound("No such attempt.")
    return attempt_close_if_expired(attempt=attempt)


def attempt_sheet(*, attempt: QuizAttempt) -> list[dict[str, Any]]:
    """The attempt's questions in its own order, each with its choices in the attempt's order and
    the answer saved. Correct answers and explanations only when ``answers_are_visible``."""
    reveal = answers_are_visible(attempt)
    submitted = attempt.status != QuizAttempt.Status.IN_PROGRESS
    questions = Question.objects.filter(pk__in=attempt.question_order).prefetch_related("choices")
    by_id = {str(q.id): q for q in questions}
    answers = {
        str(a.question_id): a
        for a in QuestionAnswer.objects.filter(attempt=attempt).prefetch_related("selected_choices")
    }
    sheet = []
    for index, question_id in enumerate(attempt.question_order):
        question = by_id[question_id]
        choices = {str(c.id): c for c in question.choices.all()}
        answer = answers.get(question_id)
        entry: dict[str, Any] = {
            "id": question_id,
            "number": index + 1,
            "type": question.type,
            "text": question.text,
            "points": question.points,
            "choices": [
                {"id": choice_id, "text": choices[choice_id].text}
                for choice_id in attempt.choice_order.get(question_id, [])
                if choice_id in choices
            ],
            "answer": {
                "choices": sorted(str(c.id) for c in answer.selected_choices.all()),
                "text": answer.text_answer,
                "number": answer.numeric_answer,
            }
            if answer
            else None,
            "points_awarded": answer.points_awarded if answer and submitted else None,
            "feedback": answer.feedback if answer and submitted else "",
        }
        if reveal:
            entry["correct"] = {
                "choices": sorted(cid for cid, c in choices.items() if c.is_correct),
                "accepted_answers": question.accepted_answers,
                "number": question.numeric_answer,
                "tolerance": question.numeric_tolerance,
            }
            entry["explanation"] = question.explanation
        sheet.append(entry)
    return sheet


def quiz_grade(*, user: User, quiz: Quiz) -> Decimal | None:
    """The user's grade for the quiz in percent, by its grading method (None before any graded
    attempt)."""
    percents = list(
        QuizAttempt.objects.filter(user=user, quiz=quiz, status=QuizAttempt.Status.GRADED)
        .order_by("number")
        .values_list("percent", flat=True)
    )
    if not percents:
        return None
    method = quiz.grading_method
    if method == Quiz.GradingMethod.HIGHEST:
        return max(percents)
    if method == Quiz.GradingMethod.FIRST:
        return percents[0]
    if method == Quiz.GradingMethod.LAST:
        return percents[-1]
    return (sum(percents) / len(percents)).quantize(Decimal("0.01"))


@dataclass
class LeaderboardRow:
    rank: int
    user_id: Any
    username: str
    display_name: str
    percent: Decimal
    score: Decimal
    seconds: int
    attempt_id: Any


def quiz_leaderboard(
    *, quiz: Quiz, viewer: User | None = None, limit: int = 20
) -> tuple[list[LeaderboardRow], LeaderboardRow | None, int]:
    """The best graded attempt of each member of the course, ranked by score then by time taken;
    ties (same score and time) share a rank. Returns (top rows, the viewer's row wherever it is,
    users ranked). Only members of the course and its staff may read it (Forbidden otherwise);
    someone who left the course is no longer on it."""
    if viewer is not None and not (
        can_manage_course(viewer, quiz.course)
        or CourseEnrollment.objects.filter(user=viewer, course_id=quiz.course_id).exists()
    ):
        raise Forbidden("Only the course's students and staff see this leaderboard.", code="not_enrolled")
    best = (
        QuizAttempt.objects.filter(
            quiz=quiz,
            status=QuizAttempt.Status.GRADED,
            user__enrollments__course_id=quiz.course_id,
        )
        .annotate(
            taken=F("submitted_at") - F("started_at"),
            best=Window(
                RowNumber(),
                partition_by=[F("user_id")],
                order_by=[
                    F("percent").desc(),
                    (F("submitted_at") - F("started_at")).asc(),
                    F("submitted_at").asc(),
                ],
            ),
        )
        .filter(best=1)
        .select_related("user")
    )
    entries = sorted(best, key=lambda a: (-a.percent, a.taken, a.submitted_at))
    rows, previous, rank = [], None, 0
    for position, attempt in enumerate(entries, start=1):
        key = (attempt.percent, attempt.taken)
        if key != previous:
            rank, previous = position, key
        rows.append(
            LeaderboardRow(
                rank=rank,
                user_id=attempt.user_id,
                username=attempt.user.username,
                display_name=attempt.user.display_name,
                percent=attempt.percent,
                score=attempt.score,
                seconds=int(attempt.taken.total_seconds()),
                attempt_id=attempt.pk,
            )
        )
    mine = next((row for row in rows if viewer is not None and row.user_id == viewer.pk), None)
    return rows[:limit], mine, len(rows)
