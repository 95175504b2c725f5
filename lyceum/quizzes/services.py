"""Every write of quizzes: building quizzes, attempts, answers, grading."""

from __future__ import annotations

import random
import time
import uuid
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from lyceum.accounts.models import User
from lyceum.coding import services as coding
from lyceum.coding.models import CodeExercise, CodeSubmission
from lyceum.core.db import insert_rows, update_column
from lyceum.core.events import publish
from lyceum.core.exceptions import Conflict, Forbidden, NotFound
from lyceum.courses.models import Course, CourseEnrollment
from lyceum.courses.permissions import can_manage_course, can_teach_course

from . import events, selectors
from .gift import GiftSyntaxError, parse_gift
from .grading import CENTS, Key, grade_answer
from .models import Choice, Question, QuestionAnswer, Quiz, QuizAttempt

# Answers that reach the server this long after the deadline still count (network latency).
GRACE = timedelta(seconds=5)
HUNDRED = Decimal(100)
# Every column of an answer, as a raw insert writes them (model defaults are not the database's).
ANSWER_FIELDS = list(QuestionAnswer._meta.concrete_fields)
ANSWER_COLUMNS = [field.name for field in ANSWER_FIELDS]


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
    "review_correctness",
    "review_points",
    "review_right_answer",
    "review_feedback",
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


SEVEN_PLACES = Decimal("0.0000001")


def _fraction(value: Any, field: str) -> Decimal:
    try:
        fraction = Decimal(str(value))
    except InvalidOperation:
        raise ValidationError({field: ["A weight is a number between -1 and 1."]}) from None
    if not fraction.is_finite() or not Decimal(-1) <= fraction <= Decimal(1):
        raise ValidationError({field: ["A weight is a number between -1 and 1."]})
    return fraction.quantize(SEVEN_PLACES, rounding=ROUND_HALF_UP)


def _weighted_choices(kind: str, choices: list[dict]) -> list[dict]:
    """Each choice with its ``fraction``. A client that sends only ``is_correct`` gets Lyceum's
    weights: a right choice of a single-choice question is worth 100%; in a multiple-choice
    question the right ones share 100% and the wrong ones share -100%."""
    if kind == Question.Type.MATCHING:
        return [{**choice, "fraction": Decimal(0)} for choice in choices]
    if all("fraction" in choice for choice in choices):
        return [{**choice, "fraction": _fraction(choice["fraction"], "choices")} for choice in choices]
    if any("fraction" in choice for choice in choices):
        raise ValidationError({"choices": ["Give every choice a fraction, or none (then is_correct)."]})
    right = sum(1 for choice in choices if choice.get("is_correct"))
    wrong = len(choices) - right
    weighted = []
    for choice in choices:
        if kind != Question.Type.MULTIPLE:
            fraction = Decimal(1 if choice.get("is_correct") else 0)
        elif choice.get("is_correct"):
            fraction = Decimal(1) / right
        else:
            fraction = -Decimal(1) / wrong
        weighted.append({**choice, "fraction": fraction.quantize(SEVEN_PLACES, rounding=ROUND_HALF_UP)})
    return weighted


def _answer_list(entries: list, *, numeric: bool) -> list[dict]:
    """Short or numeric answers in their stored form, checked."""
    field = "numeric_answers" if numeric else "accepted_answers"
    cleaned = []
    for entry in entries or []:
        entry = {"text": entry} if isinstance(entry, str) else dict(entry)
        fraction = _fraction(entry.get("fraction", 1), field)
        if fraction < 0:
            raise ValidationError({field: ["An answer's weight is between 0 and 1."]})
        feedback = str(entry.get("feedback") or "")
        if numeric:
            value = str(entry.get("value", "")).strip()
            if value != "*":
                number = _fraction_free_decimal(value, field)
                value = f"{number.normalize():f}"
            tolerance = _fraction_free_decimal(str(entry.get("tolerance") or 0), field)
            if tolerance < 0:
                raise ValidationError({field: ["A tolerance cannot be negative."]})
            cleaned.append(
                {
                    "value": value,
                    "tolerance": f"{tolerance.normalize():f}",
                    "fraction": f"{fraction.normalize():f}",
                    "feedback": feedback,
                }
            )
        else:
            text = str(entry.get("text", "")).strip()
            if not text:
                continue
            cleaned.append({"text": text, "fraction": f"{fraction.normalize():f}", "feedback": feedback})
    return cleaned


def _fraction_free_decimal(value: str, field: str) -> Decimal:
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise ValidationError({field: [f"{value!r} is not a number."]}) from None
    if not number.is_finite() or abs(number) >= Decimal("1e13"):
        raise ValidationError({field: [f"{value!r} is not a finite number."]})
    return number


def _validate_question(question: Question, choices: list[dict]) -> list[dict]:
    """Checks a question as Moodle's question editor does; returns its choices with weights."""
    kind = question.type
    if kind in Question.CHOICE_TYPES:
        if len(choices) < 2:
            raise ValidationError({"choices": ["Give at least two choices."]})
        if any(not str(choice.get("text", "")).strip() for choice in choices):
            raise ValidationError({"choices": ["A choice has no text."]})
        choices = _weighted_choices(kind, choices)
        fractions = [choice["fraction"] for choice in choices]
        if kind == Question.Type.TRUE_FALSE and sorted(fractions) != [0, 1]:
            raise ValidationError({"choices": ["Mark exactly one choice correct."]})
        if kind == Question.Type.SINGLE and max(fractions) != 1:
            raise ValidationError(
                {"choices": ["One of the choices should be worth 100%, so full marks can be earned."]}
            )
        if kind == Question.Type.MULTIPLE:
            total = sum((f for f in fractions if f > 0), Decimal(0))
            if not any(f > 0 for f in fractions):
                raise ValidationError({"choices": ["Mark at least one choice correct."]})
            if question.partial_credit and round(total, 2) != 1:
                raise ValidationError(
                    {"choices": [f"The positive weights add up to {(total * 100).normalize():f}%, not 100%."]}
                )
    elif kind == Question.Type.MATCHING:
        choices = _weighted_choices(kind, choices)
        stems = [c for c in choices if str(c.get("text", "")).strip()]
        if len(stems) < 2:
            raise ValidationError({"choices": ["A matching question needs at least two pairs."]})
        if any(not str(c.get("match_text", "")).strip() for c in choices):
            raise ValidationError({"choices": ["Every stem needs its answer (match_text)."]})
    elif choices:
        raise ValidationError(
            {"choices": [f"A {question.get_type_display().lower()} question has no choices."]}
        )
    question.accepted_answers = _answer_list(question.accepted_answers, numeric=False)
    question.numeric_answers = _answer_list(question.numeric_answers, numeric=True)
    if kind != Question.Type.SHORT_TEXT:
        question.accepted_answers = []
    if kind != Question.Type.NUMERIC:
        question.numeric_answers = []
    if kind == Question.Type.SHORT_TEXT:
        if not question.accepted_answers:
            raise ValidationError({"accepted_answers": ["Give at least one accepted answer."]})
        if not any(Decimal(a["fraction"]) == 1 for a in question.accepted_answers):
            raise ValidationError({"accepted_answers": ["One of the answers should be worth 100%."]})
    if kind == Question.Type.NUMERIC:
        if not question.numeric_answers:
            raise ValidationError({"numeric_answers": ["Give the expected number."]})
        if not any(Decimal(a["fraction"]) == 1 for a in question.numeric_answers):
            raise ValidationError({"numeric_answers": ["One of the answers should be worth 100%."]})
    if kind == Question.Type.CODE:
        _check_code_exercise(question)
    else:
        question.code_exercise_id = None
    if kind == Question.Type.DESCRIPTION:
        question.points = Decimal(0)
    elif question.points is None or question.points < Decimal("0.01"):
        raise ValidationError({"points": ["Give at least 0.01 points."]})
    if kind != Question.Type.MULTIPLE:
        question.partial_credit = False
    question.full_clean(exclude=["quiz"])
    return choices


def _check_code_exercise(question: Question) -> None:
    """A code question asks an exercise of its own course, whose tests grade the answers."""
    try:
        exercise_id = uuid.UUID(str(question.code_exercise_id)) if question.code_exercise_id else None
    except ValueError:
        exercise_id = None
    if exercise_id is None:
        raise ValidationError({"code_exercise": ["Choose the exercise whose tests grade the answers."]})
    if not CodeExercise.objects.filter(pk=exercise_id, course_id=question.quiz.course_id).exists():
        raise ValidationError({"code_exercise": ["Choose an exercise of this quiz's course."]})
    question.code_exercise_id = exercise_id


def _create_choices(question: Question, choices: list[dict]) -> None:
    Quiz.bump_content(question.quiz_id)  # a bulk insert sends no signal
    Choice.objects.bulk_create(
        [
            Choice(
                question=question,
                text=str(choice.get("text", "")).strip(),
                fraction=choice["fraction"],
                feedback=str(choice.get("feedback") or ""),
                match_text=str(choice.get("match_text") or "").strip(),
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
    exercise_id = fields.pop("code_exercise", None)
    question = Question(
        quiz=quiz, type=type, text=text.strip(), order=0 if last is None else last + 1, **fields
    )
    question.code_exercise_id = exercise_id
    choices = _validate_question(question, list(choices or []))
    question.save()
    _create_choices(question, choices)
    return question


QUESTION_FIELDS = {
    "text",
    "text_format",
    "title",
    "category",
    "points",
    "explanation",
    "partial_credit",
    "accepted_answers",
    "numeric_answers",
    "code_exercise",
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
    current = [
        {"text": c.text, "fraction": c.fraction, "feedback": c.feedback, "match_text": c.match_text}
        for c in question.choices.all()
    ]
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
        if name == "code_exercise":
            edited.code_exercise_id = value
        else:
            setattr(edited, name, value.strip() if name == "text" else value)
    new_choices = _validate_question(edited, current if choices is None else list(choices))
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
                    text_format=item.text_format,
                    title=item.title[:255],
                    category=item.category[:255],
                    explanation=item.explanation,
                    partial_credit=item.partial_credit,
                    accepted_answers=item.accepted_answers,
                    numeric_answers=item.numeric_answers,
                    choices=[
                        {
                            "text": c.text,
                            "fraction": c.fraction,
                            "feedback": c.feedback,
                            "match_text": c.match_text,
                        }
                        for c in item.choices
                    ],
                )
            )
        except ValidationError as error:
            messages = "; ".join(error.messages)
            raise ValidationError({"gift": [f"Line {item.line}: {messages}"]}) from None
    return created


# --- attempts -----------------------------------------------------------------------------------


def _now():
    return timezone.now()


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
    if not quiz.is_published or not quiz.course.is_published:
        raise NotFound("No such quiz.")
    # The enrollment, locked: one start at a time for this user and course (PostgreSQL row lock;
    # SQLite serializes writers).
    if not CourseEnrollment.objects.select_for_update().filter(user=user, course=quiz.course).exists():
        raise Forbidden("Enroll in this course to take its quizzes.", code="not_enrolled")
    now = _now()
    if quiz.opens_at and now < quiz.opens_at:
        raise Conflict("This quiz has not opened yet.", code="quiz_not_open")
    if quiz.closes_at and now >= quiz.closes_at:
        raise Conflict("This quiz is closed.", code="quiz_closed")
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
    ids = [str(pk) for pk in quiz.questions.current().order_by("order", "id").values_list("pk", flat=True)]
    by_id, choices = selectors.question_material(ids, version=quiz.content_version)
    questions = [by_id[question_id] for question_id in ids]
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
        ids = [
            str(choice.id)
            for choice in choices[str(question.pk)]
            if question.type != Question.Type.MATCHING or choice.text.strip()  # a matching's stems
        ]
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
    attempt.__dict__["_material"] = selectors.Material(
        questions={str(q.pk): q for q in questions},
        choices={str(q.pk): choices[str(q.pk)] for q in questions},
        answers={},
        picks={},
    )
    return attempt, True


def _attempt_for(user: User, attempt_id: Any, *, lock: bool = False) -> QuizAttempt:
    attempts = QuizAttempt.objects.select_related("quiz", "quiz__course")
    if lock:
        attempts = attempts.select_for_update(of=("self",))
    attempt = attempts.filter(pk=attempt_id, user=user).first()
    if attempt is None:
        raise NotFound("No such attempt.")
    return attempt


def _clean_answer(question: Question, choices: list[Choice], attempt: QuizAttempt, value: dict) -> dict:
    """The stored form of one answer, or ValidationError."""
    kind = question.type
    if kind == Question.Type.MATCHING:
        given = value.get("matches") or {}
        stems = set(attempt.choice_order.get(str(question.id), []))
        options = {choice.match_text for choice in choices}
        if not set(given) <= stems:
            raise ValidationError({"matches": ["Match only this question's stems."]})
        if any(answer and answer not in options for answer in given.values()):
            raise ValidationError({"matches": ["Choose each answer among this question's options."]})
        return {"matches": {stem: answer for stem, answer in given.items() if answer}}
    if kind == Question.Type.DESCRIPTION:
        return {}
    if kind == Question.Type.CODE:
        return _clean_code(question, value)
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


def _clean_code(question: Question, value: dict) -> dict:
    """A code answer: the program and its language, one the exercise takes and this server runs
    (400 for one it does not take, 422 for one not installed here)."""
    source = str(value.get("text") or "")
    if len(source.encode("utf-8")) > coding.MAX_SOURCE_BYTES:
        raise ValidationError(
            {"text": [f"The program is longer than {coding.MAX_SOURCE_BYTES // 1024} KiB."]}
        )
    name = value.get("language") or ""
    if not name:
        if source.strip():
            raise ValidationError({"language": ["Choose the program's language."]})
        return {"text": source, "language": ""}
    exercise = CodeExercise.objects.only("languages").get(pk=question.code_exercise_id)
    return {"text": source, "language": coding.language_of(exercise, name).id}


def _store_answers(attempt: QuizAttempt, answers: dict[str, dict]) -> None:
    """Validates and saves answers: one upsert of the answers and one rewrite of the choices
    picked in them, whatever their number."""
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
        if max(indexes) != attempt.position:
            attempt.position = max(indexes)
            attempt.save(update_fields=["position"])
    if not answers:
        return
    material = selectors.attempt_material(attempt)
    now = _now()
    rows, chosen = [], {}
    for question_id, value in answers.items():
        cleaned = _clean_answer(
            material.questions[question_id], material.choices[question_id], attempt, value
        )
        saved = material.answers.get(question_id)
        rows.append(
            QuestionAnswer(
                # An answer saved before keeps its id: essay grading and the picks refer to it.
                id=saved.pk if saved is not None else uuid.uuid4(),
                attempt=attempt,
                question_id=question_id,
                text_answer=cleaned.get("text", ""),
                numeric_answer=cleaned.get("number"),
                matches=cleaned.get("matches", {}),
                code_language=cleaned.get("language", ""),
                saved_at=now,
            )
        )
        if "choices" in cleaned:
            chosen[question_id] = cleaned["choices"]
    # One statement for any number of answers, new or saved before (the attempt's row lock keeps
    # the material's answers current: no other save of this attempt runs meanwhile).
    insert_rows(
        QuestionAnswer,
        ANSWER_COLUMNS,
        [tuple(getattr(answer, field.attname) for field in ANSWER_FIELDS) for answer in rows],
        conflict_fields=["attempt", "question"],
        update_fields=["text_answer", "numeric_answer", "matches", "code_language", "saved_at"],
    )
    through = QuestionAnswer.selected_choices.through
    by_question = {str(row.question_id): row for row in rows}
    # Picks saved before (the material read them under the attempt's lock) are replaced.
    replaced = [by_question[q].pk for q in chosen if material.picks.get(by_question[q].pk)]
    if replaced:
        through.objects.filter(questionanswer_id__in=replaced).delete()
    insert_rows(
        through,
        ["questionanswer", "choice"],
        [
            (by_question[question_id].pk, choice_id)
            for question_id, choice_ids in chosen.items()
            for choice_id in choice_ids
        ],
    )
    for question_id, row in by_question.items():
        row._state.adding = False  # stored
        material.answers[question_id] = row
        if question_id in chosen:
            material.picks[row.pk] = list(chosen[question_id])


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
    return _reread_if_run(attempt)


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
        return _reread_if_run(locked)
    return attempt


def _grade(attempt: QuizAttempt, *, submitted_at) -> None:
    """Grades every answer of the attempt and totals it, inside the caller's transaction: the
    questions, choices and answers are read in bulk (four queries), each answer is graded in
    memory, and the points are written in one statement. Its CPU time is left on the attempt
    (``grading_cpu_ms``), which the API reports in a Server-Timing header."""
    started = time.thread_time()
    material = selectors.attempt_material(attempt)
    pending = to_run = False
    created, points_by_answer = [], {}
    for question_id in attempt.question_order:
        question = material.questions[question_id]
        answer = material.answers.get(question_id)
        if answer is None:
            answer = QuestionAnswer(attempt=attempt, question=question)
            material.answers[question_id] = answer
            created.append(answer)
        points = grade_answer(
            Key.of(question, material.choices[question_id]),
            selected_choice_ids=material.picks.get(answer.pk, ()),
            text=answer.text_answer,
            number=answer.numeric_answer,
            matches=answer.matches,
        )
        if points is None and not answer.text_answer.strip():
            points = Decimal("0.00")  # an essay or a program left empty needs no reader or run
        if points is None:
            pending = pending or answer.points_awarded is None
            to_run = to_run or question.type == Question.Type.CODE
            continue
        answer.points_awarded = points
        if not answer._state.adding:
            points_by_answer[answer.pk] = points
    QuestionAnswer.objects.bulk_create(created)
    update_column(QuestionAnswer, "points_awarded", points_by_answer)
    attempt.submitted_at = submitted_at
    _total(attempt, pending=pending)  # its event is sent after commit: no cost counted here
    if to_run:
        from . import tasks

        attempt_id = str(attempt.pk)
        transaction.on_commit(lambda: tasks.grade_code_answers.delay(attempt_id))
        attempt.runs_code = True
    attempt.grading_cpu_ms = (time.thread_time() - started) * 1000


def _reread_if_run(attempt: QuizAttempt) -> QuizAttempt:
    """The attempt as it is now when its grading queued code runs: without a worker (the
    embedded default) they ran as the grading committed, so its score moved meanwhile."""
    if getattr(attempt, "runs_code", False):
        attempt.refresh_from_db(fields=["score", "percent", "status", "has_passed"])
        attempt.__dict__.pop("_material", None)
        attempt.runs_code = False
    return attempt


def _total(attempt: QuizAttempt, *, pending: bool) -> None:
    scores = [a.points_awarded or Decimal(0) for a in selectors.attempt_material(attempt).answers.values()]
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
            quiz_title=attempt.quiz.title,
            course_id=attempt.quiz.course_id,
            attempt_id=attempt.pk,
            percent=str(attempt.percent),
            has_passed=attempt.has_passed,
        )


HAND_GRADED = (Question.Type.ESSAY, Question.Type.CODE)


def _still_pending(attempt: QuizAttempt) -> bool:
    """Whether an essay or a program of the attempt still waits for its points."""
    return attempt.answers.filter(question__type__in=HAND_GRADED, points_awarded__isnull=True).exists()


def code_answers_grade(*, attempt_id: Any) -> QuizAttempt | None:
    """Runs each code answer of a submitted attempt against its exercise's tests, in the sandbox,
    and gives it the question's points times the share of the tests' weight it passed; the
    attempt is graded once nothing else waits (an essay still may). A run the runner could not
    make (no sandbox, every slot busy) leaves the answer for the course's staff to grade by hand,
    as an essay. Safe to run twice: each answer is claimed, under the attempt's lock, by one run."""
    with transaction.atomic():
        attempt = (
            QuizAttempt.objects.select_for_update(of=("self",))
            .filter(pk=attempt_id)
            .exclude(status=QuizAttempt.Status.IN_PROGRESS)
            .first()
        )
        if attempt is None:
            return None
        claimed = list(
            QuestionAnswer.objects.filter(
                attempt=attempt,
                question__type=Question.Type.CODE,
                points_awarded__isnull=True,
                code_submission__isnull=True,
            )
            .exclude(text_answer="")
            .select_related("question")
        )
        for answer in claimed:
            answer.code_submission = coding.quiz_submission_create(
                user=attempt.user,
                exercise_id=answer.question.code_exercise_id,
                language=answer.code_language,
                source=answer.text_answer,
            )
        update_column(QuestionAnswer, "code_submission", {a.pk: a.code_submission_id for a in claimed})
    if not claimed:
        return attempt
    runs = {}
    for answer in claimed:  # the sandbox's seconds, outside any transaction
        runs[answer.pk] = coding.submission_grade(submission_id=answer.code_submission_id)
    with transaction.atomic():
        attempt = (
            QuizAttempt.objects.select_for_update(of=("self",))
            .select_related("quiz", "quiz__course")
            .get(pk=attempt.pk)
        )
        points = {}
        for answer in claimed:
            run = runs[answer.pk]
            if run is not None and run.verdict and run.verdict != CodeSubmission.Verdict.INTERNAL_ERROR:
                points[answer.pk] = (answer.question.points * run.score / HUNDRED).quantize(
                    CENTS, rounding=ROUND_HALF_UP
                )
        # An answer graded by hand meanwhile keeps the instructor's points.
        for answer_id, value in points.items():
            QuestionAnswer.objects.filter(pk=answer_id, points_awarded__isnull=True).update(
                points_awarded=value
            )
        if attempt.status == QuizAttempt.Status.NEEDS_GRADING:
            _total(attempt, pending=_still_pending(attempt))
    return attempt


# Code answers whose run was queued but never made (a worker lost) are run again after this.
CODE_RUN_STALE = timedelta(minutes=2)


def code_answers_resume() -> int:
    """Queues the runs of code answers in submitted attempts that were never run (their task was
    lost); returns how many attempts. Run each minute by Celery beat, with the expired attempts."""
    from . import tasks

    stale = (
        QuestionAnswer.objects.filter(
            question__type=Question.Type.CODE,
            points_awarded__isnull=True,
            code_submission__isnull=True,
            attempt__status=QuizAttempt.Status.NEEDS_GRADING,
            attempt__submitted_at__lt=_now() - CODE_RUN_STALE,
        )
        .exclude(text_answer="")
        .values_list("attempt_id", flat=True)
        .distinct()
    )
    attempt_ids = [str(pk) for pk in stale[:1000]]
    for attempt_id in attempt_ids:
        tasks.grade_code_answers.delay(attempt_id)
    return len(attempt_ids)


@transaction.atomic
def essay_grade(*, answer_id: Any, grader: User, points: Decimal, feedback: str = "") -> QuizAttempt:
    """An instructor's points for an essay, or for a program (whose run failed, or whose points
    they change); the attempt is graded once nothing waits."""
    answer = (
        QuestionAnswer.objects.select_for_update(of=("self",))
        .select_related("question", "attempt", "attempt__quiz", "attempt__quiz__course")
        .filter(pk=answer_id)
        .first()
    )
    if answer is None or not can_teach_course(grader, answer.attempt.quiz.course):
        raise NotFound("No such answer among your quizzes.")
    if answer.question.type not in HAND_GRADED:
        raise Conflict("Only essays and programs are graded by hand.", code="not_an_essay")
    if answer.attempt.status == QuizAttempt.Status.IN_PROGRESS:
        raise Conflict("The attempt is still in progress.", code="attempt_in_progress")
    if not Decimal(0) <= points <= answer.question.points:
        raise ValidationError({"points": [f"Give between 0 and {answer.question.points} points."]})
    answer.points_awarded = points.quantize(Decimal("0.01"))
    answer.feedback = feedback
    answer.graded_by = grader
    answer.save(update_fields=["points_awarded", "feedback", "graded_by"])
    attempt = answer.attempt
    _total(attempt, pending=_still_pending(attempt))
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
