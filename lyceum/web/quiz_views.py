"""Quiz pages: intro, the quiz screen (server deadline, answers saved as you go), results, and the
instructor's quiz builder, GIFT import and grading view. They call the quizzes services."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from lyceum.core.exceptions import ApplicationError
from lyceum.courses import selectors as course_selectors
from lyceum.courses.permissions import can_manage_course
from lyceum.quizzes import selectors, services
from lyceum.quizzes.models import Question, Quiz, QuizAttempt


@login_required
def quiz_intro(request: HttpRequest, quiz_id) -> HttpResponse:
    quiz = selectors.quiz_get(viewer=request.user, quiz_id=quiz_id)
    try:
        leaders, mine, ranked = selectors.quiz_leaderboard(quiz=quiz, viewer=request.user, limit=10)
    except ApplicationError:  # not in the course: the page shows no leaderboard
        leaders, mine, ranked = [], None, 0
    return render(
        request,
        "web/quizzes/intro.html",
        {
            "leaders": leaders,
            "my_rank": mine,
            "ranked": ranked,
            "quiz": quiz,
            "status": selectors.quiz_status(user=request.user, quiz=quiz),
            "grade": selectors.quiz_grade(user=request.user, quiz=quiz),
            "attempts": selectors.my_attempts(user=request.user, quiz=quiz),
        },
    )


@login_required
@require_POST
def quiz_start(request: HttpRequest, quiz_id) -> HttpResponse:
    quiz = selectors.quiz_get(viewer=request.user, quiz_id=quiz_id)
    try:
        attempt, _ = services.attempt_start(user=request.user, quiz=quiz)
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("web:quiz", quiz_id=quiz.pk)
    return redirect("web:attempt", attempt_id=attempt.pk)


def _answers_from_form(request: HttpRequest, attempt: QuizAttempt) -> dict[str, dict]:
    answers = {}
    for question_id in attempt.question_order:
        prefix = f"q-{question_id}"
        if f"{prefix}-present" not in request.POST:
            continue
        kind = request.POST.get(f"{prefix}-type")
        if kind in ("single", "multiple", "true_false"):
            answers[question_id] = {"choices": request.POST.getlist(prefix)}
        elif kind == "numeric":
            answers[question_id] = {"number": request.POST.get(prefix, "").strip() or None}
        elif kind == "matching":
            stems = attempt.choice_order.get(question_id, [])
            answers[question_id] = {
                "matches": {stem: request.POST.get(f"{prefix}-m-{stem}", "") for stem in stems}
            }
        elif kind == "code":
            answers[question_id] = {
                "text": request.POST.get(prefix, ""),
                "language": request.POST.get(f"{prefix}-language", ""),
            }
        else:
            answers[question_id] = {"text": request.POST.get(prefix, "")}
    return answers


@login_required
def attempt_page(request: HttpRequest, attempt_id) -> HttpResponse:
    attempt = selectors.attempt_get(user=request.user, attempt_id=attempt_id)
    review = selectors.attempt_review(attempt)
    sheet = selectors.attempt_sheet(attempt=attempt, review=review)
    template = (
        "web/quizzes/attempt.html"
        if attempt.status == QuizAttempt.Status.IN_PROGRESS
        else "web/quizzes/result.html"
    )
    return render(
        request,
        template,
        {
            "attempt": attempt,
            "quiz": attempt.quiz,
            "sheet": sheet,
            "review": review,
            "has_code": any(entry["type"] == Question.Type.CODE for entry in sheet),
            "code_running": any(entry.get("code_status") in ("queued", "running") for entry in sheet),
        },
    )


@login_required
@require_POST
def attempt_submit(request: HttpRequest, attempt_id) -> HttpResponse:
    attempt = selectors.attempt_get(user=request.user, attempt_id=attempt_id)
    try:
        services.attempt_submit(
            user=request.user, attempt_id=attempt.pk, answers=_answers_from_form(request, attempt)
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("web:attempt", attempt_id=attempt.pk)
    except ApplicationError as error:
        messages.warning(request, error.message)
    return redirect("web:attempt", attempt_id=attempt.pk)


# --- instructor ---------------------------------------------------------------------------------


@login_required
@require_POST
def teach_quiz_new(request: HttpRequest, course_id) -> HttpResponse:
    course = course_selectors.managed_course(user=request.user, course_id=course_id)
    try:
        quiz = services.quiz_create(
            course=course, actor=request.user, title=request.POST.get("title", "").strip() or "New quiz"
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("web:teach_course", course_id=course.pk)
    return redirect("web:teach_quiz", quiz_id=quiz.pk)


_WEIGHT_PREFIX = re.compile(r"^%\s*(-?\d+(?:\.\d+)?)\s*%\s*")


def _choices_from_lines(text: str) -> list[dict]:
    """One choice a line: a leading * marks a right one; a leading %50% (or %-100%) gives a
    weight instead, as in GIFT."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if any(_WEIGHT_PREFIX.match(line) for line in lines):
        choices = []
        for line in lines:
            match = _WEIGHT_PREFIX.match(line)
            percent = Decimal(match.group(1)) if match else Decimal(100 if line.startswith("*") else 0)
            text = line[match.end() :] if match else line.lstrip("*").strip()
            choices.append({"text": text, "fraction": percent / 100})
        return choices
    return [{"text": line.lstrip("*").strip(), "is_correct": line.startswith("*")} for line in lines]


def _pairs_from_lines(text: str) -> list[dict]:
    """Matching: one ``item -> answer`` a line; ``-> answer`` alone is an extra wrong answer."""
    pairs = []
    for line in text.splitlines():
        if not line.strip():
            continue
        if "->" not in line:
            raise ValidationError({"pairs": [f"Write each pair as item -> answer ({line.strip()!r})."]})
        stem, _, answer = line.partition("->")
        pairs.append({"text": stem.strip(), "match_text": answer.strip()})
    return pairs


def _short_answers_from_lines(text: str) -> list[dict]:
    """One accepted answer a line; %50% in front gives it a weight; * matches anything."""
    answers = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        match = _WEIGHT_PREFIX.match(line)
        fraction = Decimal(match.group(1)) / 100 if match else Decimal(1)
        answers.append({"text": line[match.end() :] if match else line, "fraction": str(fraction)})
    return answers


@login_required
@require_http_methods(["GET", "POST"])
def teach_quiz(request: HttpRequest, quiz_id) -> HttpResponse:
    """The quiz's builder and its essays to grade; a teaching assistant sees only the grading
    (the services refuse anything else they might post)."""
    quiz = selectors.taught_quiz(user=request.user, quiz_id=quiz_id)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "settings":
                services.quiz_update(quiz=quiz, actor=request.user, **_quiz_settings(request))
                messages.success(request, "Quiz settings saved.")
            elif action == "question":
                _add_question(request, quiz)
                messages.success(request, "Question added.")
            elif action == "gift":
                created = services.quiz_import_gift(
                    quiz=quiz, actor=request.user, source=request.POST.get("gift", "")
                )
                count = len(created)
                messages.success(request, f"Imported {count} question{'s' if count != 1 else ''}.")
            elif action == "grade":
                services.essay_grade(
                    answer_id=request.POST.get("answer"),
                    grader=request.user,
                    points=_decimal(request.POST.get("points"), "points"),
                    feedback=request.POST.get("feedback", ""),
                )
                messages.success(request, "Answer graded.")
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        except ApplicationError as error:
            messages.error(request, error.message)
        return redirect("web:teach_quiz", quiz_id=quiz.pk)
    questions = selectors.quiz_questions(quiz=quiz)
    to_grade = selectors.essays_to_grade(grader=request.user, quiz=quiz)
    return render(
        request,
        "web/teach/quiz.html",
        {
            "quiz": quiz,
            "can_edit": can_manage_course(request.user, quiz.course),
            "questions": questions,
            "to_grade": to_grade,
            "types": Question.Type.choices,
            "formats": Question.TextFormat.choices,
            "exercises": list(quiz.course.code_exercises.only("id", "title", "is_published")),
            "review_parts": [
                (part, Quiz._meta.get_field(part).help_text, getattr(quiz, part))
                for part in Quiz.REVIEW_PARTS
            ],
        },
    )


def _decimal(value, field: str) -> Decimal:
    try:
        return Decimal(str(value).strip())
    except (InvalidOperation, AttributeError):
        raise ValidationError({field: ["Enter a number."]}) from None


def _quiz_settings(request: HttpRequest) -> dict:
    post = request.POST

    def optional_int(name):
        value = post.get(name, "").strip()
        if not value:
            return None
        if not value.isdigit():
            raise ValidationError({name: ["Enter a whole number."]})
        return int(value)

    return {
        "title": post.get("title", "").strip(),
        "passing_score_percent": optional_int("passing_score_percent") or 0,
        "time_limit_minutes": optional_int("time_limit_minutes"),
        "max_attempts": optional_int("max_attempts"),
        "shuffle_questions": bool(post.get("shuffle_questions")),
        "shuffle_choices": bool(post.get("shuffle_choices")),
        "navigation": post.get("navigation", "free"),
        **{part: post.get(part, Quiz.Review.LATER) for part in Quiz.REVIEW_PARTS},
        "is_published": bool(post.get("is_published")),
    }


def _add_question(request: HttpRequest, quiz) -> None:
    post = request.POST
    kind = post.get("type", "")
    fields: dict = {"points": _decimal(post.get("points") or "1", "points")}
    choices = _choices_from_lines(post.get("choices", ""))
    if kind == "true_false":
        truth = post.get("truth") == "true"
        choices = [{"text": "True", "is_correct": truth}, {"text": "False", "is_correct": not truth}]
    if kind == "multiple":
        fields["partial_credit"] = bool(post.get("partial_credit"))
    if kind == "short_text":
        fields["accepted_answers"] = _short_answers_from_lines(post.get("accepted", ""))
    if kind == "numeric":
        fields["numeric_answers"] = [
            {
                "value": str(_decimal(post.get("number"), "numeric_answers")),
                "tolerance": str(_decimal(post.get("tolerance") or "0", "numeric_answers")),
                "fraction": "1",
            }
        ]
    if kind == "code":
        fields["code_exercise"] = post.get("code_exercise") or None
    if kind == "matching":
        choices = _pairs_from_lines(post.get("pairs", ""))
    elif kind not in ("single", "multiple", "true_false"):
        choices = []
    if post.get("text_format") in Question.TextFormat.values:
        fields["text_format"] = post["text_format"]
    services.question_create(
        quiz=quiz,
        actor=request.user,
        type=kind,
        text=post.get("text", ""),
        choices=choices,
        explanation=post.get("explanation", ""),
        **fields,
    )
