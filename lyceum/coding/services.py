"""Running code for a user: input checks, the per-user rate limit, the machine's run slots."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Count, QuerySet
from django.utils import timezone

from lyceum.accounts.consumers import push_to_user
from lyceum.accounts.models import User
from lyceum.core import ratelimit
from lyceum.core.events import publish
from lyceum.core.exceptions import (
    ApplicationError,
    Conflict,
    NotFound,
    ServiceUnavailable,
    TooManyRequests,
    Unprocessable,
)
from lyceum.courses.markdown import render_markdown
from lyceum.courses.models import CourseEnrollment
from lyceum.courses.permissions import can_teach_course

from . import events, sandbox, tasks
from .grading import matches
from .languages import LANGUAGES, Language, find
from .models import CodeExercise, CodeSubmission, CodeTest

MAX_SOURCE_BYTES = 64 * 1024
MAX_STDIN_BYTES = 1024 * 1024
# How long a request waits for a free run slot before it is told to come back (429).
SLOT_WAIT_SECONDS = 10.0
QUIZ_SLOT_WAIT_SECONDS = 300.0


class LanguageUnavailable(Unprocessable):
    code = "language_unavailable"
    default_message = "This language is not installed on this server."


def language_for(name: Any) -> Language:
    """The language a request names (an id, a Piston name or an alias): 400 when unknown, 422
    when known but not installed here (Dart on a machine without it)."""
    language = find(str(name)) if isinstance(name, str) else None
    if language is None:
        raise ApplicationError(
            f"Unknown language {str(name)[:40]!r}.",
            code="unknown_language",
            fields={"language": ["Choose one of GET /api/code/languages/."]},
        )
    if not language.available:
        raise LanguageUnavailable(
            f"{language.name} is not installed on this server.", extra={"language": language.id}
        )
    return language


def _check_sizes(source: str, stdin: str) -> None:
    fields = {}
    if not source.strip():
        fields["source"] = ["The program is empty."]
    elif len(source.encode("utf-8")) > MAX_SOURCE_BYTES:
        fields["source"] = [f"At most {MAX_SOURCE_BYTES // 1024} KiB."]
    if len(stdin.encode("utf-8")) > MAX_STDIN_BYTES:
        fields["stdin"] = [f"At most {MAX_STDIN_BYTES // 1024} KiB."]
    if fields:
        raise ApplicationError("The program or its input is not acceptable.", fields=fields)


def _count_run(user: User) -> None:
    """One run (or graded submission) against the user's ``code_run`` rate (429 past it)."""
    ratelimit.hit("code_run", f"user:{user.pk}", message="Too many runs. Try again in a moment.")


def run_code(
    *, user: User, language: Language, source: str, stdin: str = "", args: tuple[str, ...] = ()
) -> sandbox.RunResult:
    """Compiles and runs ``source`` for ``user`` in the sandbox, synchronously (the editor's
    Run button). 429 when the user's rate is used up or every slot stays busy; 503 when this
    server cannot sandbox at all."""
    _check_sizes(source, stdin)
    _count_run(user)
    try:
        return sandbox.execute(
            language=language, source=source, stdin=stdin, args=args, wait_seconds=SLOT_WAIT_SECONDS
        )
    except sandbox.Busy:
        raise TooManyRequests(
            "Every runner is busy. Try again in a moment.", code="runner_busy", retry_after=2
        ) from None
    except sandbox.Unavailable as error:
        raise ServiceUnavailable(
            f"Code cannot run on this server: {error}", code="runner_unavailable"
        ) from None


def languages() -> list[Language]:
    """Every language the runner knows, installed here or not."""
    return list(LANGUAGES.values())


def exercise_languages(exercise: CodeExercise) -> list[Language]:
    """The languages a submission to ``exercise`` may use: the ones it takes, installed here."""
    return [
        language
        for language in LANGUAGES.values()
        if language.available and (not exercise.languages or language.id in exercise.languages)
    ]


# --- exercises and submissions --------------------------------------------------------------------


def student_views(exercises: list[CodeExercise]) -> dict[Any, dict[str, Any]]:
    """What a student sees of each exercise, by its id, and never a hidden test: the statement,
    the languages it takes that are installed here with their starter code, its sample tests,
    and how many tests there are in all. Two queries whatever the number of exercises."""
    ids = [exercise.pk for exercise in exercises]
    counts = dict(
        CodeTest.objects.filter(exercise_id__in=ids)
        .values("exercise_id")
        .annotate(n=Count("id"))
        .values_list("exercise_id", "n")
    )
    samples: dict[Any, list[dict[str, str]]] = {pk: [] for pk in ids}
    for test in CodeTest.objects.filter(exercise_id__in=ids, is_sample=True).order_by("order", "id"):
        samples[test.exercise_id].append({"stdin": test.stdin, "expected_stdout": test.expected_stdout})
    views = {}
    for exercise in exercises:
        allowed = exercise_languages(exercise)
        views[exercise.pk] = {
            "statement_html": render_markdown(exercise.statement),
            "languages": allowed,
            "starter_code": {
                lang.id: exercise.starter_code[lang.id]
                for lang in allowed
                if lang.id in exercise.starter_code
            },
            "sample_tests": samples[exercise.pk],
            "tests_total": counts.get(exercise.pk, 0),
        }
    return views


MAX_BATCH = 10
SAMPLE_TEXT_LIMIT = 4096


def exercise_for_learner(*, user: User, exercise_id: Any) -> CodeExercise:
    """A published exercise of a course the user is enrolled in (or teaches), or 404."""
    exercise = CodeExercise.objects.select_related("course").filter(pk=exercise_id).first()
    if exercise is None:
        raise NotFound("No such exercise.")
    teaches = can_teach_course(user, exercise.course)
    enrolled = CourseEnrollment.objects.filter(user=user, course_id=exercise.course_id).exists()
    if not (teaches or (exercise.is_published and enrolled)):
        raise NotFound("No such exercise.")
    return exercise


def language_of(exercise: CodeExercise, name: Any) -> Language:
    """The language a submission to ``exercise`` names: 400 when unknown or not one the exercise
    takes, 422 when not installed here."""
    language = language_for(name)
    if exercise.languages and language.id not in exercise.languages:
        raise ApplicationError(
            f"This exercise takes {', '.join(exercise.languages)}.",
            code="language_not_allowed",
            fields={"language": [f"Choose one of {', '.join(exercise.languages)}."]},
        )
    return language


def submissions_create(*, user: User, items: list[dict]) -> list[CodeSubmission]:
    """Queues one submission per item (``exercise``, ``language``, ``source``), all or none:
    every item is checked before any is written. Each is graded by a Celery task (at once on the
    embedded default) and its result pushed to the user's sockets."""
    if not 1 <= len(items) <= MAX_BATCH:
        raise ApplicationError(f"Send 1 to {MAX_BATCH} submissions.", fields={"submissions": ["1 to 10."]})
    checked = []
    for item in items:
        exercise = exercise_for_learner(user=user, exercise_id=item["exercise"])
        language = language_of(exercise, item["language"])
        _check_sizes(item["source"], "")
        checked.append((exercise, language, item["source"]))
    for _ in checked:
        _count_run(user)
    with transaction.atomic():
        made = CodeSubmission.objects.bulk_create(
            [
                CodeSubmission(exercise=exercise, user=user, language=language.id, source=source)
                for exercise, language, source in checked
            ]
        )
        ids = [str(submission.pk) for submission in made]
        transaction.on_commit(lambda: [tasks.grade_submission.delay(pk) for pk in ids])
    return made


def _test_result(test: CodeTest, step: sandbox.Step, verdict: str) -> dict:
    row: dict[str, Any] = {
        "test": test.order,
        "sample": test.is_sample,
        "verdict": verdict,
        "cpu_seconds": step.cpu_seconds,
        "wall_seconds": step.wall_seconds,
        "memory_bytes": step.memory_bytes,
    }
    if test.is_sample:  # hidden tests never show their input, output or anything the program printed
        row |= {
            "stdin": test.stdin[:SAMPLE_TEXT_LIMIT],
            "expected": test.expected_stdout[:SAMPLE_TEXT_LIMIT],
            "stdout": step.stdout[:SAMPLE_TEXT_LIMIT],
            "stderr": step.stderr[:SAMPLE_TEXT_LIMIT],
        }
    return row


def practice_submissions(*, user: User, exercise: CodeExercise) -> QuerySet[CodeSubmission]:
    """The user's own submissions to the exercise, newest first; a quiz's runs are not among
    them (they belong to the quiz's review)."""
    return exercise.submissions.filter(user=user, purpose=CodeSubmission.Purpose.PRACTICE)


def quiz_submission_create(*, user: User, exercise_id: Any, language: str, source: str) -> CodeSubmission:
    """A queued run of a quiz's code answer (``submission_grade`` runs it). Not counted
    against the user's run rate: the quiz asked for it, once per answer."""
    return CodeSubmission.objects.create(
        exercise_id=exercise_id,
        user=user,
        language=language,
        source=source,
        purpose=CodeSubmission.Purpose.QUIZ,
    )


def submission_grade(*, submission_id: Any) -> CodeSubmission | None:
    """Runs a queued submission against every test of its exercise and records the verdicts;
    the first failing test (in order) gives the submission's verdict. A practice submission
    that passes every test emits ``code_exercise_passed``, and its result is pushed to its
    owner; a quiz's run does neither (the quiz grades it and opens its review as its options
    allow). Safe to call twice: a submission is graded once."""
    with transaction.atomic():
        submission = (
            CodeSubmission.objects.select_for_update(skip_locked=True)
            .filter(pk=submission_id, state=CodeSubmission.State.QUEUED)
            .first()
        )
        if submission is None:
            return None
        submission.state = CodeSubmission.State.RUNNING
        submission.save(update_fields=["state"])
    exercise = CodeExercise.objects.get(pk=submission.exercise_id)
    tests = list(exercise.tests.all())
    language = find(submission.language)
    limits = sandbox.limits_from(exercise.limits)
    try:
        batch = sandbox.execute_many(
            language=language,
            source=submission.source,
            stdins=[t.stdin for t in tests],
            limits=limits,
            # A quiz's runs come all at once when an exam ends: they wait their turn rather than
            # go to hand grading.
            wait_seconds=QUIZ_SLOT_WAIT_SECONDS
            if submission.purpose == CodeSubmission.Purpose.QUIZ
            else SLOT_WAIT_SECONDS,
        )
    except (sandbox.Unavailable, sandbox.Busy) as error:
        submission.verdict = CodeSubmission.Verdict.INTERNAL_ERROR
        submission.compile_output = str(error)
        batch = None
    if batch is not None and batch.compile is not None:
        compiler_said = batch.compile.stderr + batch.compile.stdout
        # All of a failed compile's messages that fit; a warning's first lines.
        submission.compile_output = compiler_said[: SAMPLE_TEXT_LIMIT * (1 if batch.compiled else 4)]
    if batch is not None and not batch.compiled:
        submission.verdict = CodeSubmission.Verdict.COMPILE_ERROR
    elif batch is not None:
        results, passed_weight, verdict = [], 0, CodeSubmission.Verdict.ACCEPTED
        for test, step in zip(tests, batch.runs, strict=True):
            if step.status != sandbox.Status.ACCEPTED:
                outcome = str(step.status)
            elif matches(
                step.stdout, test.expected_stdout, mode=exercise.comparison, tolerance=exercise.tolerance
            ):
                outcome = CodeSubmission.Verdict.ACCEPTED
            else:
                outcome = CodeSubmission.Verdict.WRONG_ANSWER
            if outcome == CodeSubmission.Verdict.ACCEPTED:
                passed_weight += test.weight
                submission.tests_passed += 1
            elif verdict == CodeSubmission.Verdict.ACCEPTED:
                verdict = outcome
            results.append(_test_result(test, step, str(outcome)))
        total = sum(test.weight for test in tests)
        submission.results = results
        submission.verdict = verdict
        submission.score = (
            Decimal(100 * passed_weight / total).quantize(Decimal("0.01")) if total else Decimal(0)
        )
    submission.tests_total = len(tests)
    submission.state = CodeSubmission.State.DONE
    submission.finished_at = timezone.now()
    with transaction.atomic():
        submission.save()
        if submission.purpose == CodeSubmission.Purpose.QUIZ:
            return submission
        if submission.verdict == CodeSubmission.Verdict.ACCEPTED and tests:
            publish(
                events.code_exercise_passed,
                user_id=submission.user_id,
                exercise_id=exercise.pk,
                course_id=exercise.course_id,
                submission_id=submission.pk,
                points=exercise.points,
            )
        frame = {"type": "code.submission", "submission": submission_event(submission)}
        transaction.on_commit(lambda: push_to_user(submission.user_id, frame))
    return submission


def submission_event(submission: CodeSubmission) -> dict[str, Any]:
    """What a submission's owner is told when it is graded (the API's shape)."""
    return {
        "id": str(submission.pk),
        "exercise": str(submission.exercise_id),
        "language": submission.language,
        "source": submission.source,
        "state": submission.state,
        "verdict": submission.verdict,
        "tests_passed": submission.tests_passed,
        "tests_total": submission.tests_total,
        "score": str(submission.score),
        "compile_output": submission.compile_output,
        "results": submission.results,
        "created_at": submission.created_at.isoformat(),
        "finished_at": submission.finished_at.isoformat() if submission.finished_at else None,
    }


def submission_for(*, user: User, submission_id: Any) -> CodeSubmission:
    """The user's own practice submission, or any of a course they teach; else 404. A quiz's
    run is read through the attempt's review, which the quiz's options open."""
    submission = CodeSubmission.objects.select_related("exercise__course").filter(pk=submission_id).first()
    if submission is None:
        raise NotFound("No such submission.")
    own = submission.user_id == user.pk and submission.purpose == CodeSubmission.Purpose.PRACTICE
    if not (own or can_teach_course(user, submission.exercise.course)):
        raise NotFound("No such submission.")
    return submission


# --- exercises, for a course's staff ----------------------------------------------------------------

EXERCISE_FIELDS = (
    "title",
    "statement",
    "languages",
    "starter_code",
    "limits",
    "comparison",
    "tolerance",
    "points",
    "is_published",
    "lesson",
)


def _check_exercise(exercise: CodeExercise, tests: list[dict] | None) -> None:
    fields: dict[str, list[str]] = {}
    unknown = [name for name in exercise.languages if name not in LANGUAGES]
    if unknown:
        fields["languages"] = [f"Unknown: {', '.join(map(str, unknown))}."]
    if set(exercise.starter_code) - set(LANGUAGES):
        fields["starter_code"] = ["Keys are language ids."]
    bad_limits = set(exercise.limits) - set(sandbox.Limits.__dataclass_fields__)
    if bad_limits or not all(isinstance(v, int | float) and v > 0 for v in exercise.limits.values()):
        fields["limits"] = [f"Positive numbers for {', '.join(sandbox.Limits.__dataclass_fields__)}."]
    if exercise.lesson_id and exercise.lesson.module.course_id != exercise.course_id:
        fields["lesson"] = ["Choose a lesson of this course."]
    if tests is not None and not 1 <= len(tests) <= 100:
        fields["tests"] = ["Give 1 to 100 tests."]
    if fields:
        raise ApplicationError("The exercise is not valid.", fields=fields)


def exercise_delete(*, exercise: CodeExercise) -> None:
    """Deletes an exercise and its submissions (the caller is its course's staff: the view
    checked); 409 while a quiz question asks it, since that quiz's attempts are graded by it."""
    with transaction.atomic():
        CodeExercise.objects.select_for_update().filter(pk=exercise.pk).exists()
        if exercise.questions.exists():
            raise Conflict(
                "A quiz question asks this exercise: unpublish it instead, or delete the quiz.",
                code="exercise_in_quiz",
            )
        exercise.delete()


def exercise_save(
    *, actor: User, course, exercise: CodeExercise | None = None, tests: list[dict] | None = None, **data: Any
) -> CodeExercise:
    """Creates (``exercise`` None) or changes an exercise of ``course`` (whose staff the caller
    is: the view checked), replacing its tests when ``tests`` is given. All or nothing."""
    unknown = set(data) - set(EXERCISE_FIELDS)
    if unknown:
        raise ApplicationError(f"Cannot set {', '.join(sorted(unknown))}.")
    exercise = exercise or CodeExercise(course=course, created_by=actor)
    if exercise.pk is None and tests is None:
        raise ApplicationError("An exercise needs tests.", fields={"tests": ["Give 1 to 100 tests."]})
    for name, value in data.items():
        setattr(exercise, name, value)
    _check_exercise(exercise, tests)
    with transaction.atomic():
        exercise.save()
        if tests is not None:
            exercise.tests.all().delete()
            CodeTest.objects.bulk_create(
                [CodeTest(exercise=exercise, order=n, **test) for n, test in enumerate(tests, start=1)]
            )
    return exercise
