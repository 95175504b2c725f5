"""Every write of quizzes: building quizzes, attempts, answers, grading."""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from lyceum.accounts.models import User
from lyceum.core.events import publish
from lyceum.core.exceptions import Conflict, Forbidden, NotFound
from lyceum.courses.models import Course, CourseEnrollment
from lyceum.courses.permissions import can_manage_course

from . import events
from .gift import GiftSyntaxError, parse_gift
from .grading import Key, grade_answer
from .models import Choice, Question, QuestionAnswer, Quiz, QuizAttempt

# Answers that reach the server this long after the deadline still count (network latency).
GRACE = timedelta(seconds=5)
HUNDRED = Decimal(100)


def _require_manager(actor: User, quiz_or_course: Quiz | Course) -> None:
    course = quiz_or_course.course if isinstance(quiz_or_course, Quiz) else quiz_or_course
    if not can_manage_course(actor, course):
        raise Forbidden("Only this course's instructor can change its quizzes.", code="not_course_owner")


# --- building quizzes ---------------------------------------------------------------------------

QUIZ_FIELDS = {
    "title",
    "description",
    "module",
    "passing_score_percent",
    "time_limit_minutes",
    "max_attempts",
    "grading_method",
    "navigation",
    "shuffle_questions",
    "shuffle_choices",
    "questions_per_attempt",
    "show_answers",
    "opens_at",
    "closes_at",
    "is_published",
}


def _apply_quiz_fields(quiz: Quiz, fields: dict[str, Any]) -> None:
    unknown = set(fields) - QUIZ_FIELDS
    if unknown:
        raise ValidationError({name: ["Unknown field."] for name in unknown})
    for name, value in fields.items():
        if name == "module":
            if value is not None and not quiz.course.modules.filter(pk=value).exists():
                raise ValidationError({"module": ["Choose a module of this course."]})
            quiz.module_id = value
        else:
            setattr(quiz, name, value)
    if quiz.opens_at and quiz.closes_at and quiz.closes_at <= quiz.opens_at:
        raise ValidationError({"closes_at": ["The quiz must close after it opens."]})
    quiz.full_clean(exclude=["course", "module"], validate_constraints=False)


@transaction.atomic
def quiz_create(*, course: Course, actor: User, title: str, **fields: Any) -> Quiz:
    _require_manager(actor, course)
    quiz = Quiz(course=course, title=title.strip())
    _apply_quiz_fields(quiz, fields)
    quiz.save()
    return quiz


@transaction.atomic
def quiz_update(*, quiz: Quiz, actor: User, **fields: Any) -> Quiz:
    _require_manager(actor, quiz)
    _apply_quiz_fields(quiz, fields)
    quiz.save()
    return quiz


def _validate_question(question: Question, choices: list[dict]) -> None:
    kind = question.type
    if kind in Question.CHOICE_TYPES:
        if len(choices) < 2:
            raise ValidationError({"choices": ["Give at least two choices."]})
        right = sum(1 for choice in choices if choice.get("is_correct"))
        if kind in (Question.Type.SINGLE, Question.Type.TRUE_FALSE) and right != 1:
            raise ValidationError({"choices": ["Mark exactly one choice correct."]})
        if kind == Question.Type.MULTIPLE and right < 1:
            raise ValidationError({"choices": ["Mark at least one choice correct."]})
    elif choices:
        raise ValidationError(
            {"choices": [f"A {question.get_type_display().lower()} question has no choices."]}
        )
    if kind == Question.Type.SHORT_TEXT and not [a for a in question.accepted_answers if str(a).strip()]:
        raise ValidationError({"accepted_answers": ["Give at least one accepted answer."]})
    if kind == Question.Type.NUMERIC and question.numeric_answer is None:
        raise ValidationError({"numeric_answer": ["Give the expected number."]})
    question.full_clean(exclude=["quiz"])


def _create_choices(question: Question, choices: list[dict]) -> None:
    Choice.objects.bulk_create(
        [
            Choice(
                question=question,
                text=str(choice["text"]).strip(),
                is_correct=bool(choice.get("is_correct")),
                order=index,
            )
            for index, choice in enumerate(choices)
        ]
    )


@transaction.atomic
def question_create(
    *,
    quiz: Quiz,
    actor: User,
    type: str,
    text: str,  # the field's name
    choices: list[dict] | None = None,
    **fields: Any,
) -> Question:
    """A question at the end of the quiz; ``choices`` is a list of ``{text, is_correct}``."""
    _require_manager(actor, quiz)
    Quiz.objects.select_for_update().filter(pk=quiz.pk).exists()
    last = quiz.questions.aggregate(last=Max("order"))["last"]
    question = Question(
        quiz=quiz, type=type, text=text.strip(), order=0 if last is None else last + 1, **fields
    )
    choices = list(choices or [])
    _validate_question(question, choices)
    question.save()
    _create_choices(question, choices)
    return question


QUESTION_FIELDS = {
    "text",
    "points",
    "explanation",
    "partial_credit",
    "accepted_answers",
    "numeric_answer",
    "numeric_tolerance",
}


def _in_use(question: Question) -> bool:
    """Whether an attempt may hold the question: then it must never change under that attempt."""
    return QuizAttempt.objects.filter(quiz_id=question.quiz_id).exists()


def _live(question: Question) -> Question:
    locked = Question.objects.select_for_update().filter(pk=question.pk, retired_at__isnull=True).first()
    if locked is None:
        raise NotFound("No such question (it was changed or deleted meanwhile).")
    return locked


@transaction.atomic
def question_update(
    *, question: Question, actor: User, choices: list[dict] | None = None, **fields: Any
) -> Question:
    """Changes a question; returns it. Once the quiz has attempts the change makes a new version
    (a new id, in the same place) and retires the old one, which the attempts keep."""
    _require_manager(actor, question.quiz)
    unknown = set(fields) - QUESTION_FIELDS
    if unknown:
        raise ValidationError({name: ["This field cannot be changed."] for name in unknown})
    question = _live(question)
    current = [{"text": c.text, "is_correct": c.is_correct} for c in question.choices.all()]
    in_use = _in_use(question)
    edited = question
    if in_use:
        edited = Question(
            **{
                field.attname: getattr(question, field.attname)
                for field in Question._meta.concrete_fields
                if field.attname not in {"id", "retired_at", "replaced_by_id"}
            }
        )
    for name, value in fields.items():
        setattr(edited, name, value.strip() if name == "text" else value)
    new_choices = current if choices is None else list(choices)
    _validate_question(edited, new_choices)
    if in_use:
        edited.save()
        _create_choices(edited, new_choices)
        question.retired_at, question.replaced_by = timezone.now(), edited
        question.save(update_fields=["retired_at", "replaced_by"])
        return edited
    edited.save()
    if choices is not None:
        question.choices.all().delete()
        _create_choices(edited, new_choices)
    return edited


@transaction.atomic
def question_delete(*, question: Question, actor: User) -> None:
    """Removes a question from the quiz; attempts that hold it keep it (it is retired, not
    deleted, once the quiz has attempts)."""
    _require_manager(actor, question.quiz)
    question = _live(question)
    if _in_use(question):
        question.retired_at = timezone.now()
        question.save(update_fields=["retired_at"])
    else:
        question.delete()


@transaction.atomic
def quiz_import_gift(*, quiz: Quiz, actor: User, source: str) -> list[Question]:
    """Adds every question of a GIFT file, or none: a malformed file is refused with the line
    number of each problem."""
    _require_manager(actor, quiz)
    try:
        parsed = parse_gift(source)
    except GiftSyntaxError as error:
        raise ValidationError({"gift": [str(problem) for problem in error.errors]}) from None
    created = []
    for item in parsed:
        try:
            created.append(
                question_create(
                    quiz=quiz,
                    actor=actor,
                    type=item.type,
                    text=item.text,
                    explanation=item.explanation,
                    partial_credit=item.partial_credit,
                    accepted_answers=item.accepted_answers,
                    numeric_answer=item.numeric_answer,
                    numeric_tolerance=item.numeric_tolerance,
                    choices=[{"text": c.text, "is_correct": c.is_correct} for c in item.choices],
                )
            )
        except ValidationError as error:
            messages = "; ".join(error.messages)
            raise ValidationError({"gift": [f"Line {item.line}: {messages}"]}) from None
    return created


# --- attempts -----------------------------------------------------------------------------------


def _now():
    return timezone.now()


def _require_taker(user: User, quiz: Quiz) -> None:
    if not quiz.is_published or not quiz.course.is_published:
        raise NotFound("No such quiz.")
    if not CourseEnrollment.objects.filter(user=user, course=quiz.course).exists():
        raise Forbidden("Enroll in this course to take its quizzes.", code="not_enrolled")


def _require_still_enrolled(user: User, attempt: QuizAttempt) -> None:
    """An attempt is answered and submitted only while its user is in the course."""
    if not CourseEnrollment.objects.filter(user=user, course_id=attempt.quiz.course_id).exists():
        raise Forbidden(
            "You are no longer enrolled in this course: its quiz attempts are closed to you.",
            code="not_enrolled",
        )


def _is_expired(attempt: QuizAttempt, now) -> bool:
    return attempt.deadline is not None and now > attempt.deadline + GRACE


@transaction.atomic
def attempt_start(*, user: User, quiz: Quiz) -> tuple[QuizAttempt, bool]:
    """Starts an attempt, or resumes the one in progress; returns (attempt, created).

    The attempt's questions (a random subset if the quiz draws one), their order and the order
    of their choices are fixed now, so a reload shows the same quiz. The attempt number is unique
    per user and quiz, so starts fired at once cannot exceed the maximum.
    """
    _require_taker(user, quiz)
    now = _now()
    if quiz.opens_at and now < quiz.opens_at:
        raise Conflict("This quiz has not opened yet.", code="quiz_not_open")
    if quiz.closes_at and now >= quiz.closes_at:
        raise Conflict("This quiz is closed.", code="quiz_closed")
    # One start at a time for this user and course (PostgreSQL row lock; SQLite serializes writers).
    CourseEnrollment.objects.select_for_update().filter(user=user, course=quiz.course).exists()
    current = (
        QuizAttempt.objects.filter(user=user, quiz=quiz, status=QuizAttempt.Status.IN_PROGRESS)
        .order_by("-number")
        .first()
    )
    if current is not None:
        if not _is_expired(current, now):
            return current, False
        _grade(current, submitted_at=current.deadline)
    taken = QuizAttempt.objects.filter(user=user, quiz=quiz).count()
    if quiz.max_attempts and taken >= quiz.max_attempts:
        raise Conflict(
            f"You have used all {quiz.max_attempts} attempts of this quiz.", code="no_attempts_left"
        )
    questions = list(quiz.questions.current().prefetch_related("choices").order_by("order", "id"))
    if not questions:
        raise Conflict("This quiz has no questions yet.", code="quiz_empty")
    chance = random.SystemRandom()
    if quiz.questions_per_attempt and quiz.questions_per_attempt < len(questions):
        drawn = set(chance.sample(range(len(questions)), quiz.questions_per_attempt))
        questions = [q for index, q in enumerate(questions) if index in drawn]
    if quiz.shuffle_questions:
        chance.shuffle(questions)
    choice_order = {}
    for question in questions:
        ids = [str(choice.id) for choice in question.choices.all()]
        if quiz.shuffle_choices and question.type != Question.Type.TRUE_FALSE:
            chance.shuffle(ids)
        choice_order[str(question.id)] = ids
    deadline = None
    if quiz.time_limit_minutes:
        deadline = now + timedelta(minutes=quiz.time_limit_minutes)
    if quiz.closes_at:
        deadline = min(deadline, quiz.closes_at) if deadline else quiz.closes_at
    try:
        with transaction.atomic():
            attempt = QuizAttempt.objects.create(
                user=user,
                quiz=quiz,
                number=taken + 1,
                started_at=now,
                deadline=deadline,
                question_order=[str(q.id) for q in questions],
                choice_order=choice_order,
                max_score=sum((q.points for q in questions), Decimal(0)),
            )
    except IntegrityError:
        raise Conflict("Another attempt was started at the same moment.", code="attempt_conflict") from None
    return attempt, True


def _attempt_for(user: User, attempt_id: Any, *, lock: bool = False) -> QuizAttempt:
    attempts = QuizAttempt.objects.select_related("quiz", "quiz__course")
    if lock:
        attempts = attempts.select_for_update(of=("self",))
    attempt = attempts.filter(pk=attempt_id, user=user).first()
    if attempt is None:
        raise NotFound("No such attempt.")
    return attempt


def _clean_answer(question: Question, attempt: QuizAttempt, value: dict) -> dict:
    """The stored form of one answer, or ValidationError."""
    kind = question.type
    if kind in Question.CHOICE_TYPES:
        chosen = [str(choice_id) for choice_id in value.get("choices") or []]
        allowed = set(attempt.choice_order.get(str(question.id), []))
        if not set(chosen) <= allowed:
            raise ValidationError({"choices": ["Choose among this question's choices."]})
        if kind != Question.Type.MULTIPLE and len(chosen) > 1:
            raise ValidationError({"choices": ["Choose one answer."]})
        return {"choices": sorted(set(chosen))}
    if kind == Question.Type.NUMERIC:
        raw = value.get("number")
        if raw in (None, ""):
            return {"number": None}
        try:
            number = Decimal(str(raw))
        except InvalidOperation:
            raise ValidationError({"number": ["Enter a number."]}) from None
        if not number.is_finite() or abs(number) >= Decimal("1e13"):
            raise ValidationError({"number": ["Enter a finite number."]})
        return {"number": number.quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP)}
    text = str(value.get("text") or "")
    if len(text) > 20_000:
        raise ValidationError({"text": ["The answer is longer than 20,000 characters."]})
    return {"text": text}


def _store_answers(attempt: QuizAttempt, answers: dict[str, dict]) -> None:
    order = attempt.question_order
    unknown = set(answers) - set(order)
    if unknown:
        raise ValidationError({"question": ["Answer only this attempt's questions."]})
    if attempt.quiz.navigation == Quiz.Navigation.SEQUENTIAL and answers:
        indexes = [order.index(question_id) for question_id in answers]
        if min(indexes) < attempt.position:
            raise Conflict(
                "This quiz goes forward only: earlier answers cannot change.", code="no_going_back"
            )
        attempt.position = max(indexes)
    questions = {str(pk): q for pk, q in Question.objects.in_bulk(list(answers)).items()}
    existing = {str(a.question_id): a for a in attempt.answers.filter(question_id__in=answers)}
    now = _now()
    new, changed, chosen = [], [], {}
    for question_id, value in answers.items():
        cleaned = _clean_answer(questions[question_id], attempt, value)
        answer = existing.get(question_id)
        if answer is None:
            answer = QuestionAnswer(attempt=attempt, question_id=question_id)
            new.append(answer)
        else:
            changed.append(answer)
        answer.text_answer = cleaned.get("text", "")
        answer.numeric_answer = cleaned.get("number")
        answer.saved_at = now
        if "choices" in cleaned:
            chosen[answer.pk] = cleaned["choices"]
    # A few statements for any number of answers: exam day saves many at once.
    QuestionAnswer.objects.bulk_create(new)
    QuestionAnswer.objects.bulk_update(changed, ["text_answer", "numeric_answer", "saved_at"])
    through = QuestionAnswer.selected_choices.through
    through.objects.filter(questionanswer_id__in=list(chosen)).delete()
    through.objects.bulk_create(
        [
            through(questionanswer_id=answer_id, choice_id=choice_id)
            for answer_id, choice_ids in chosen.items()
            for choice_id in choice_ids
        ]
    )
    attempt.save(update_fields=["position"])


def answers_save(*, user: User, attempt_id: Any, answers: dict[str, dict]) -> QuizAttempt:
    """Saves answers during an attempt. Past the deadline (and a short grace) the attempt is
    closed and graded with what was saved in time, and the answers are refused (409)."""
    with transaction.atomic():
        attempt = _attempt_for(user, attempt_id, lock=True)
        if attempt.status != QuizAttempt.Status.IN_PROGRESS:
            raise Conflict("This attempt is already submitted.", code="attempt_submitted")
        _require_still_enrolled(user, attempt)
        expired = _is_expired(attempt, _now())
        if expired:
            _grade(attempt, submitted_at=attempt.deadline)
        else:
            _store_answers(attempt, answers)
    if expired:
        raise Conflict(
            "Time is up: the attempt was submitted with the answers saved in time.",
            code="time_up",
            extra={"attempt": str(attempt.pk)},
        )
    return attempt


def attempt_submit(*, user: User, attempt_id: Any, answers: dict[str, dict] | None = None) -> QuizAttempt:
    """Saves the last answers and grades the attempt. Submitting again returns the same result;
    after the deadline the attempt is graded on what was saved in time and the late answers are
    refused (409)."""
    with transaction.atomic():
        attempt = _attempt_for(user, attempt_id, lock=True)
        if attempt.status != QuizAttempt.Status.IN_PROGRESS:
            return attempt
        _require_still_enrolled(user, attempt)
        expired = _is_expired(attempt, _now())
        if not expired and answers:
            _store_answers(attempt, answers)
        _grade(attempt, submitted_at=attempt.deadline if expired else _now())
    if expired and answers:
        raise Conflict(
            "Time is up: the attempt was graded on the answers saved in time.",
            code="time_up",
            extra={"attempt": str(attempt.pk)},
        )
    return attempt


def attempt_close_if_expired(*, attempt: QuizAttempt) -> QuizAttempt:
    """Grades an attempt whose time ran out (called when it is read, and by a periodic task)."""
    if attempt.status == QuizAttempt.Status.IN_PROGRESS and _is_expired(attempt, _now()):
        with transaction.atomic():
            locked = (
                QuizAttempt.objects.select_for_update(of=("self",))
                .select_related("quiz", "quiz__course")
                .get(pk=attempt.pk)
            )
            if locked.status == QuizAttempt.Status.IN_PROGRESS:
                _grade(locked, submitted_at=locked.deadline)
            return locked
    return attempt


def _grade(attempt: QuizAttempt, *, submitted_at) -> None:
    """Grades every answer of the attempt and totals it. Runs inside the caller's transaction."""
    questions = {
        str(q.id): q
        for q in Question.objects.filter(pk__in=attempt.question_order).prefetch_related("choices")
    }
    answers = {str(a.question_id): a for a in attempt.answers.prefetch_related("selected_choices")}
    pending = False
    created, updated = [], []
    for question_id in attempt.question_order:
        question = questions[question_id]
        answer = answers.get(question_id)
        if answer is None:
            answer = QuestionAnswer(attempt=attempt, question=question)
            created.append(answer)
        else:
            updated.append(answer)
        points = grade_answer(
            Key.of(question, question.choices.all()),
            selected_choice_ids=()
            if answer._state.adding
            else [str(c.id) for c in answer.selected_choices.all()],
            text=answer.text_answer,
            number=answer.numeric_answer,
        )
        if points is None and not answer.text_answer.strip():
            points = Decimal("0.00")  # an essay left empty needs no reader
        if points is None:
            pending = pending or answer.points_awarded is None
        else:
            answer.points_awarded = points
    QuestionAnswer.objects.bulk_create(created)
    QuestionAnswer.objects.bulk_update(updated, ["points_awarded"])
    attempt.submitted_at = submitted_at
    _total(attempt, pending=pending)


def _total(attempt: QuizAttempt, *, pending: bool) -> None:
    scores = [a.points_awarded or Decimal(0) for a in attempt.answers.all()]
    attempt.score = sum(scores, Decimal(0))
    attempt.percent = (
        (attempt.score / attempt.max_score * HUNDRED).quantize(Decimal("0.01"))
        if attempt.max_score
        else Decimal(0)
    )
    attempt.status = QuizAttempt.Status.NEEDS_GRADING if pending else QuizAttempt.Status.GRADED
    attempt.has_passed = None if pending else attempt.percent >= attempt.quiz.passing_score_percent
    attempt.save(update_fields=["submitted_at", "score", "percent", "status", "has_passed"])
    if not pending:
        publish(
            events.quiz_submitted,
            user_id=attempt.user_id,
            quiz_id=attempt.quiz_id,
            course_id=attempt.quiz.course_id,
            attempt_id=attempt.pk,
            percent=str(attempt.percent),
            has_passed=attempt.has_passed,
        )


@transaction.atomic
def essay_grade(*, answer_id: Any, grader: User, points: Decimal, feedback: str = "") -> QuizAttempt:
    """An instructor's points for an essay; the attempt is graded once no essay is left."""
    answer = (
        QuestionAnswer.objects.select_for_update(of=("self",))
        .select_related("question", "attempt", "attempt__quiz", "attempt__quiz__course")
        .filter(pk=answer_id)
        .first()
    )
    if answer is None or not can_manage_course(grader, answer.attempt.quiz.course):
        raise NotFound("No such answer among your quizzes.")
    if answer.question.type != Question.Type.ESSAY:
        raise Conflict("Only essays are graded by hand.", code="not_an_essay")
    if answer.attempt.status == QuizAttempt.Status.IN_PROGRESS:
        raise Conflict("The attempt is still in progress.", code="attempt_in_progress")
    if not Decimal(0) <= points <= answer.question.points:
        raise ValidationError({"points": [f"Give between 0 and {answer.question.points} points."]})
    answer.points_awarded = points.quantize(Decimal("0.01"))
    answer.feedback = feedback
    answer.graded_by = grader
    answer.save(update_fields=["points_awarded", "feedback", "graded_by"])
    attempt = answer.attempt
    pending = attempt.answers.filter(question__type=Question.Type.ESSAY, points_awarded__isnull=True).exists()
    _total(attempt, pending=pending)
    return attempt


def attempts_close_expired() -> int:
    """Grades every attempt whose time ran out; returns how many. Run each minute by Celery beat."""
    cutoff = _now() - GRACE
    closed = 0
    expired = QuizAttempt.objects.filter(
        status=QuizAttempt.Status.IN_PROGRESS, deadline__lt=cutoff
    ).values_list("pk", flat=True)
    for attempt_id in list(expired[:1000]):
        with transaction.atomic():
            attempt = (
                QuizAttempt.objects.select_for_update(of=("self",), skip_locked=True)
                .select_related("quiz", "quiz__course")
                .filter(pk=attempt_id, status=QuizAttempt.Status.IN_PROGRESS)
                .first()
            )
            if attempt is not None:
                _grade(attempt, submitted_at=attempt.deadline)
                closed += 1
    return closed
