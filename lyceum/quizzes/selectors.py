"""Reads of quizzes: what a student may see of a quiz and an attempt, grades and leaderboards."""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import cachetools
from django.conf import settings
from django.db.models import Count, F, Q, QuerySet, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from lyceum.accounts.models import User
from lyceum.core.exceptions import Forbidden, NotFound
from lyceum.core.ranking import competition_ranks, period_start
from lyceum.courses.models import Course, CourseEnrollment
from lyceum.courses.permissions import can_manage_course, can_teach_course, is_admin, taught_course_ids

from .models import Choice, Question, QuestionAnswer, Quiz, QuizAttempt

if TYPE_CHECKING:
    from lyceum.coding.models import CodeSubmission


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


def taught_quiz(*, user: User, quiz_id: Any) -> Quiz:
    """A quiz of a course ``user`` teaches (as its instructor, co-instructor or TA, or an admin):
    its attempts and essays are theirs to see and grade. Else ``NotFound``."""
    quiz = Quiz.objects.select_related("course", "module").filter(pk=quiz_id).first()
    if quiz is None or not can_teach_course(user, quiz.course):
        raise NotFound("No such quiz among the courses you teach.")
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
    return quiz_statuses(user=user, quizzes=[quiz])[quiz.pk]


@dataclass(frozen=True)
class Review:
    """What the student may see of a submitted attempt now, by the quiz's review options."""

    correctness: bool = False
    points: bool = False
    right_answer: bool = False
    feedback: bool = False

    @property
    def anything_hidden(self) -> bool:
        return not (self.correctness and self.points and self.right_answer and self.feedback)


def attempt_review(attempt: QuizAttempt, *, attempts_used: int | None = None) -> Review:
    """Each review option (Moodle's "review options") opens at its moment: immediately after
    the attempt; later, once the student has no attempt left (or the quiz has closed); after the
    quiz closes; or never. Nothing is shown while the attempt is in progress."""
    if attempt.status == QuizAttempt.Status.IN_PROGRESS:
        return Review()
    quiz = attempt.quiz
    closed = quiz.closes_at is not None and timezone.now() >= quiz.closes_at
    exhausted = None

    def opened(moment: str) -> bool:
        nonlocal exhausted
        if moment == Quiz.Review.IMMEDIATELY:
            return True
        if moment == Quiz.Review.AFTER_CLOSE:
            return closed
        if moment == Quiz.Review.LATER:
            if closed:
                return True
            if exhausted is None:
                used = attempts_used
                if used is None:
                    used = QuizAttempt.objects.filter(user_id=attempt.user_id, quiz_id=quiz.pk).count()
                exhausted = bool(quiz.max_attempts) and used >= quiz.max_attempts
            return exhausted
        return False

    return Review(
        correctness=opened(quiz.review_correctness),
        points=opened(quiz.review_points),
        right_answer=opened(quiz.review_right_answer),
        feedback=opened(quiz.review_feedback),
    )


def answers_are_visible(attempt: QuizAttempt) -> bool:
    """Whether the right answers may be shown for this attempt now."""
    return attempt_review(attempt).right_answer


def matching_options(question: Question, choices: list, *, seed: str, shuffle: bool) -> list[str]:
    """The answers a matching question offers (each text once), in an order fixed per attempt."""
    options = sorted({choice.match_text for choice in choices if choice.match_text})
    if shuffle:
        # An order, not a secret: the same attempt shows the same order after a reload.
        random.Random(f"{seed}:{question.pk}").shuffle(options)  # noqa: S311
    return options


def attempt_get(*, user: User, attempt_id: Any) -> QuizAttempt:
    """The user's own attempt (closed and graded first if its time ran out), else NotFound."""
    from .services import attempt_close_if_expired

    attempt = (
        QuizAttempt.objects.select_related("quiz", "quiz__course").filter(pk=attempt_id, user=user).first()
    )
    if attempt is None:
        raise NotFound("No such attempt.")
    return attempt_close_if_expired(attempt=attempt)


@dataclass
class Material:
    """Everything an attempt's grading and its sheet read, loaded in four queries whatever the
    number of questions: its questions, their choices (in order), its answers, and the choices
    picked in each answer (``picks``, answer id → choice ids as strings)."""

    questions: dict[str, Question]
    choices: dict[str, list[Choice]]
    answers: dict[str, QuestionAnswer]
    picks: dict[Any, list[str]]

    def picked(self, question_id: str) -> list[str]:
        answer = self.answers.get(question_id)
        return sorted(self.picks.get(answer.pk, ())) if answer is not None else []


# Questions and choices kept in memory, per process, under (question id, the quiz's
# content_version): every change to a quiz's questions moves its version, so a changed question
# is read again and the old entry ages out. Exam day reads the same 30 questions for each of
# hundreds of students; from memory they cost no query and no model building.
_QUESTIONS: cachetools.LRUCache = cachetools.LRUCache(maxsize=settings.QUIZ_QUESTION_CACHE_SIZE)
_QUESTIONS_LOCK = threading.Lock()


def question_material(
    question_ids: list[str], *, version: int | None = None
) -> tuple[dict[str, Question], dict[str, list[Choice]]]:
    """Questions by id and each one's choices in order. With the quiz's ``version``, from memory
    where possible; what is missing costs two queries whatever its number. The objects returned
    are shared: read them, never change them."""
    questions: dict[str, Question] = {}
    choices: dict[str, list[Choice]] = {}
    missing = []
    with _QUESTIONS_LOCK:
        for question_id in question_ids:
            kept = _QUESTIONS.get((question_id, version)) if version is not None else None
            if kept is None:
                missing.append(question_id)
            else:
                questions[question_id], choices[question_id] = kept
    if missing:
        loaded = {str(q.pk): q for q in Question.objects.filter(pk__in=missing)}
        loaded_choices: dict[str, list[Choice]] = {question_id: [] for question_id in loaded}
        for choice in Choice.objects.filter(question_id__in=missing).order_by("order", "id"):
            loaded_choices[str(choice.question_id)].append(choice)
        questions.update(loaded)
        choices.update(loaded_choices)
        if version is not None:
            with _QUESTIONS_LOCK:
                for question_id, question in loaded.items():
                    _QUESTIONS[(question_id, version)] = (question, loaded_choices[question_id])
    return questions, choices


def forget_questions() -> None:
    """Empties this process's question cache (tests)."""
    with _QUESTIONS_LOCK:
        _QUESTIONS.clear()


def attempt_material(attempt: QuizAttempt) -> Material:
    """The attempt's ``Material``, read once per attempt object: the services that grade or save
    answers update it in place, so the sheet of their response costs no further query."""
    material = attempt.__dict__.get("_material")
    if material is None:
        questions, choices = question_material(attempt.question_order, version=attempt.quiz.content_version)
        answers = {str(a.question_id): a for a in QuestionAnswer.objects.filter(attempt=attempt)}
        picks: dict[Any, list[str]] = {}
        through = QuestionAnswer.selected_choices.through
        for answer_id, choice_id in through.objects.filter(questionanswer__attempt=attempt).values_list(
            "questionanswer_id", "choice_id"
        ):
            picks.setdefault(answer_id, []).append(str(choice_id))
        material = Material(questions, choices, answers, picks)
        attempt.__dict__["_material"] = material
    return material


def _code_parts(
    material: Material, *, submitted: bool
) -> tuple[dict[Any, dict[str, Any]], dict[Any, CodeSubmission]]:
    """For an attempt's code questions: what a student sees of each exercise (by its id), and,
    once submitted, the run that graded each answer (by its id). Three queries when the attempt
    has code questions, none otherwise."""
    from lyceum.coding import services as coding
    from lyceum.coding.models import CodeExercise, CodeSubmission

    exercise_ids = {
        q.code_exercise_id for q in material.questions.values() if q.type == Question.Type.CODE
    } - {None}
    if not exercise_ids:
        return {}, {}
    found = list(CodeExercise.objects.filter(pk__in=exercise_ids))
    views = coding.student_views(found)
    exercises = {
        exercise.pk: {
            **views[exercise.pk],
            "exercise": str(exercise.pk),
            "title": exercise.title,
            "languages": [
                {"id": lang.id, "name": lang.name, "version": lang.version}
                for lang in views[exercise.pk]["languages"]
            ],
        }
        for exercise in found
    }
    runs = {}
    run_ids = [a.code_submission_id for a in material.answers.values() if a.code_submission_id]
    if submitted and run_ids:
        runs = {run.pk: run for run in CodeSubmission.objects.filter(pk__in=run_ids)}
    return exercises, runs


CODE_RESULT_FIELDS = ("state", "verdict", "tests_passed", "tests_total", "score", "compile_output", "results")


def _code_result(run: CodeSubmission) -> dict[str, Any]:
    """What a student sees of the run that graded their program: the parts of the code API's
    submission that are about the run (hidden tests there show only their verdict and times)."""
    from lyceum.coding.services import submission_event

    event = submission_event(run)
    return {name: event[name] for name in CODE_RESULT_FIELDS}


def _code_status(answer: QuestionAnswer | None, run: CodeSubmission | None) -> str:
    """Where a submitted program's grading is: ``queued`` or ``running`` (come back),
    ``graded``, ``by_hand`` (the runner failed: the course's staff grade it), or ``not_run``
    (no program). Says nothing of the program's worth."""
    if answer is None or not answer.text_answer.strip():
        return "not_run"
    if answer.points_awarded is not None:
        return "graded"
    if run is None:
        return "queued"
    return "running" if run.state != run.State.DONE else "by_hand"


def _state(points_awarded: Decimal | None, points: Decimal, answered: bool) -> str:
    if points_awarded is None:
        return "pending" if answered else "unanswered"
    if points_awarded >= points:
        return "correct"
    return "partial" if points_awarded > 0 else "incorrect"


def attempt_sheet(*, attempt: QuizAttempt, review: Review | None = None) -> list[dict[str, Any]]:
    """The attempt's questions in its own order, each with its choices in the attempt's order and
    the answer saved. After submission, each part of the review (right or wrong, points, right
    answers, feedback) only when ``attempt_review`` opens it; the instructor's comment on an
    essay always."""
    from .grading import Key, evaluate
    from .text import render

    review = review or attempt_review(attempt)
    submitted = attempt.status != QuizAttempt.Status.IN_PROGRESS
    material = attempt_material(attempt)
    exercises, runs = _code_parts(material, submitted=submitted)
    sheet, number = [], 0
    for question_id in attempt.question_order:
        question = material.questions[question_id]
        number += question.type != Question.Type.DESCRIPTION
        all_choices = material.choices[question_id]
        choices = {str(c.id): c for c in all_choices}
        fmt = question.text_format
        answer = material.answers.get(question_id)
        picked = material.picked(question_id)
        answered = bool(
            answer
            and (picked or answer.text_answer.strip() or answer.numeric_answer is not None or answer.matches)
        )
        entry: dict[str, Any] = {
            "id": question_id,
            "number": None if question.type == Question.Type.DESCRIPTION else number,
            "type": question.type,
            "title": question.title,
            "text": question.text,
            "text_format": fmt,
            "text_html": render(question.text, fmt),
            "points": question.points,
            "choices": [
                {
                    "id": choice_id,
                    "text": choices[choice_id].text,
                    "text_html": render(choices[choice_id].text, fmt, inline=True),
                }
                for choice_id in attempt.choice_order.get(question_id, [])
                if choice_id in choices
            ],
            "answer": {
                "choices": picked,
                "text": answer.text_answer,
                "number": answer.numeric_answer,
                "matches": answer.matches,
                "language": answer.code_language,
            }
            if answer
            else None,
            "points_awarded": answer.points_awarded if answer and submitted and review.points else None,
            "feedback": answer.feedback if answer and submitted else "",
        }
        if question.type == Question.Type.CODE:
            if question.code_exercise_id in exercises:
                entry["code"] = exercises[question.code_exercise_id]
            run = runs.get(answer.code_submission_id) if answer else None
            if submitted:
                entry["code_status"] = _code_status(answer, run)
            if run is not None and review.correctness:
                entry["code_result"] = _code_result(run)
        if question.type == Question.Type.MATCHING:
            entry["options"] = matching_options(
                question, all_choices, seed=str(attempt.pk), shuffle=attempt.quiz.shuffle_choices
            )
        if submitted and review.correctness and question.type != Question.Type.DESCRIPTION:
            entry["state"] = _state(answer.points_awarded if answer else None, question.points, answered)
            if question.type in Question.CHOICE_TYPES:
                entry["marks"] = {cid: choices[cid].fraction > 0 for cid in picked if cid in choices}
            if question.type == Question.Type.MATCHING and answer:
                entry["marks"] = {
                    stem: choices[stem].match_text == given
                    for stem, given in answer.matches.items()
                    if stem in choices
                }
        if submitted and review.right_answer and question.type != Question.Type.DESCRIPTION:
            entry["correct"] = {
                "choices": sorted(cid for cid, c in choices.items() if c.fraction > 0)
                if question.type in Question.CHOICE_TYPES
                else [],
                "accepted_answers": [
                    a["text"] for a in question.accepted_answers if Decimal(a["fraction"]) == 1
                ],
                "numbers": [
                    {"value": a["value"], "tolerance": a["tolerance"]}
                    for a in question.numeric_answers
                    if Decimal(a["fraction"]) == 1
                ],
                "matches": {cid: c.match_text for cid, c in choices.items() if c.text.strip()}
                if question.type == Question.Type.MATCHING
                else {},
            }
        if submitted and review.feedback:
            outcome = evaluate(
                Key.of(question, all_choices),
                selected_choice_ids=picked,
                text=answer.text_answer if answer else "",
                number=answer.numeric_answer if answer else None,
                matches=answer.matches if answer else {},
            )
            entry["answer_feedback"] = [render(text, fmt) for text in outcome.feedback if text]
            entry["explanation"] = question.explanation
            entry["explanation_html"] = render(question.explanation, fmt) if question.explanation else ""
        sheet.append(entry)
    return sheet


def course_quizzes(*, viewer: User | None, course: Course, drafts: bool = False) -> QuerySet[Quiz]:
    """A course's quizzes in the order they were made: the published ones, or every one for its
    staff with ``drafts``. The caller has checked that ``viewer`` may see the course."""
    quizzes = Quiz.objects.filter(course=course).select_related("course", "module").order_by("created_at")
    if drafts and viewer is not None and can_manage_course(viewer, course):
        return quizzes
    return quizzes.filter(is_published=True)


def quiz_statuses(*, user: User | None, quizzes: list[Quiz]) -> dict[Any, QuizStatus]:
    """The user's standing in each quiz (questions asked, attempts used and left, the attempt in
    progress, enrolled, open now), in three queries whatever the number of quizzes."""
    now = timezone.now()
    ids = [quiz.pk for quiz in quizzes]
    counts = dict(
        Question.objects.current()
        .filter(quiz_id__in=ids)
        .values("quiz_id")
        .annotate(n=Count("id"))
        .values_list("quiz_id", "n")
    )
    attempts: dict[Any, list[dict]] = {}
    enrolled: set[Any] = set()
    if user is not None and user.is_authenticated:
        for row in QuizAttempt.objects.filter(user=user, quiz_id__in=ids).values("id", "quiz_id", "status"):
            attempts.setdefault(row["quiz_id"], []).append(row)
        enrolled = set(
            CourseEnrollment.objects.filter(
                user=user, course_id__in={q.course_id for q in quizzes}
            ).values_list("course_id", flat=True)
        )
    statuses = {}
    for quiz in quizzes:
        mine = attempts.get(quiz.pk, [])
        used = len(mine)
        statuses[quiz.pk] = QuizStatus(
            question_count=quiz.questions_per_attempt or counts.get(quiz.pk, 0),
            attempts_used=used,
            attempts_left=None if not quiz.max_attempts else max(0, quiz.max_attempts - used),
            in_progress_attempt_id=next((a["id"] for a in mine if a["status"] == "in_progress"), None),
            is_enrolled=quiz.course_id in enrolled,
            is_open=(quiz.opens_at is None or quiz.opens_at <= now)
            and (quiz.closes_at is None or now < quiz.closes_at),
        )
    return statuses


def open_quizzes(*, user: User, limit: int = 20) -> list[Quiz]:
    """Published quizzes of the user's courses that are open now and still have an attempt for
    the user, the ones closing soonest first (those with no deadline last)."""
    now = timezone.now()
    quizzes = (
        Quiz.objects.filter(
            is_published=True,
            course__is_published=True,
            course__enrollments__user=user,
        )
        .filter(Q(opens_at__isnull=True) | Q(opens_at__lte=now))
        .filter(Q(closes_at__isnull=True) | Q(closes_at__gt=now))
        .annotate(used=Count("attempts", filter=Q(attempts__user=user), distinct=True))
        .filter(Q(max_attempts__isnull=True) | Q(used__lt=F("max_attempts")))
        .select_related("course", "module")
        .order_by(F("closes_at").asc(nulls_last=True), "created_at")
    )
    return list(quizzes[:limit])


def my_attempts(*, user: User, quiz: Quiz) -> QuerySet[QuizAttempt]:
    """The user's attempts at the quiz, first to last."""
    return QuizAttempt.objects.filter(user=user, quiz=quiz).select_related("quiz").order_by("number")


def quiz_questions(*, quiz: Quiz) -> QuerySet[Question]:
    """The questions a quiz asks now, in order, with their choices (the instructor's view)."""
    return (
        quiz.questions.current()
        .select_related("code_exercise")
        .prefetch_related("choices")
        .order_by("order", "id")
    )


def essays_to_grade(*, grader: User, quiz: Quiz | None = None) -> QuerySet[QuestionAnswer]:
    """Essay answers of submitted attempts that wait for ``grader``'s points, and programs the
    runner could not run (graded by hand in the same way): in the quiz, or in
    every course ``grader`` teaches, as its instructor or staff (an admin: every course); oldest
    submission first."""
    from lyceum.coding.models import CodeSubmission

    waiting = Q(question__type=Question.Type.ESSAY) | Q(
        question__type=Question.Type.CODE, code_submission__verdict=CodeSubmission.Verdict.INTERNAL_ERROR
    )
    answers = (
        QuestionAnswer.objects.filter(waiting, points_awarded__isnull=True)
        .exclude(attempt__status=QuizAttempt.Status.IN_PROGRESS)
        .select_related("question", "attempt", "attempt__user", "attempt__quiz", "attempt__quiz__course")
        .order_by("attempt__submitted_at", "id")
    )
    if quiz is not None:
        return answers.filter(attempt__quiz=quiz)
    if is_admin(grader):
        return answers
    return answers.filter(
        Q(attempt__quiz__course__instructor=grader) | Q(attempt__quiz__course__in=taught_course_ids(grader))
    )


def quiz_gift(*, quiz: Quiz) -> str:
    """The quiz's current questions, in order, as a GIFT file."""
    from .gift import write_gift

    return write_gift(quiz_questions(quiz=quiz))


def _grade_by_method(method: str, percents: list[Decimal]) -> Decimal | None:
    if not percents:
        return None
    if method == Quiz.GradingMethod.HIGHEST:
        return max(percents)
    if method == Quiz.GradingMethod.FIRST:
        return percents[0]
    if method == Quiz.GradingMethod.LAST:
        return percents[-1]
    return (sum(percents) / len(percents)).quantize(Decimal("0.01"))


def quiz_grade(*, user: User, quiz: Quiz) -> Decimal | None:
    """The user's grade for the quiz in percent, by its grading method (None before any graded
    attempt)."""
    return quiz_grades(user=user, quizzes=[quiz]).get(quiz.pk)


def quiz_grades(*, user: User | None, quizzes: list[Quiz]) -> dict[Any, Decimal | None]:
    """``quiz_grade`` of many quizzes in one query."""
    if user is None or not user.is_authenticated or not quizzes:
        return {}
    percents: dict[Any, list[Decimal]] = {}
    rows = (
        QuizAttempt.objects.filter(
            user=user, quiz_id__in=[q.pk for q in quizzes], status=QuizAttempt.Status.GRADED
        )
        .order_by("number")
        .values_list("quiz_id", "percent")
    )
    for quiz_id, percent in rows:
        percents.setdefault(quiz_id, []).append(percent)
    return {quiz.pk: _grade_by_method(quiz.grading_method, percents.get(quiz.pk, [])) for quiz in quizzes}


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
    provisional: bool = False


def quiz_leaderboard(
    *, quiz: Quiz, viewer: User | None = None, limit: int = 20, period: str = "all"
) -> tuple[list[LeaderboardRow], LeaderboardRow | None, int]:
    """The best submitted attempt of each member of the course (submitted this week or month
    for those ``period``s), ranked by score then by time taken; ties (same score and time) share
    a rank (``lyceum.core.ranking``, as on the points boards). An attempt whose essays await grading ranks by
    the points it has so far and is marked provisional. Returns (top rows, the viewer's row wherever it is,
    users ranked). Only members of the course and its staff may read it (Forbidden otherwise);
    someone who left the course is no longer on it."""
    if viewer is not None and not (
        can_manage_course(viewer, quiz.course)
        or CourseEnrollment.objects.filter(user=viewer, course_id=quiz.course_id).exists()
    ):
        raise Forbidden("Only the course's students and staff see this leaderboard.", code="not_enrolled")
    attempts = QuizAttempt.objects.filter(
        quiz=quiz,
        status__in=[QuizAttempt.Status.GRADED, QuizAttempt.Status.NEEDS_GRADING],
        user__enrollments__course_id=quiz.course_id,
    )
    if (since := period_start(period)) is not None:
        attempts = attempts.filter(submitted_at__gte=since)
    best = (
        attempts.annotate(
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
    ranks = competition_ranks([(attempt.percent, attempt.taken) for attempt in entries])
    rows = []
    for attempt, rank in zip(entries, ranks, strict=True):
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
                provisional=attempt.status == QuizAttempt.Status.NEEDS_GRADING,
            )
        )
    mine = next((row for row in rows if viewer is not None and row.user_id == viewer.pk), None)
    return rows[:limit], mine, len(rows)
