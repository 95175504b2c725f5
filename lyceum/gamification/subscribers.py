"""Gamification listens to learning events; the work runs in Celery (eagerly on the embedded
default), so a submission's response never waits for points and badges."""

from __future__ import annotations

from django.db import transaction
from django.db.models.signals import post_delete

from lyceum.accounts.models import User
from lyceum.coding import events as code_events
from lyceum.courses import events as course_events
from lyceum.quizzes import events as quiz_events

from . import boards, tasks


def on_lesson_completed(sender, *, user_id, lesson_id, course_id, **kwargs) -> None:
    tasks.lesson_completed.delay(str(user_id), str(lesson_id), str(course_id))


def on_course_completed(sender, *, user_id, course_id, **kwargs) -> None:
    tasks.course_completed.delay(str(user_id), str(course_id))


def on_quiz_submitted(sender, *, user_id, quiz_id, course_id, percent, has_passed, **kwargs) -> None:
    tasks.quiz_submitted.delay(str(user_id), str(quiz_id), str(course_id), str(percent), bool(has_passed))


def on_code_exercise_passed(sender, *, user_id, exercise_id, course_id, points, **kwargs) -> None:
    tasks.code_exercise_passed.delay(str(user_id), str(exercise_id), str(course_id), int(points))


def on_user_deleted(sender, instance, **kwargs) -> None:
    """A deleted account's points go with it (the ledger cascades), and so does its place on
    the Redis boards."""
    user_id = instance.pk
    transaction.on_commit(lambda: boards.backend().forget_user(user_id))


def connect() -> None:
    post_delete.connect(on_user_deleted, sender=User, dispatch_uid="gamification.user_deleted")
    code_events.code_exercise_passed.connect(on_code_exercise_passed, dispatch_uid="gamification.code")
    course_events.lesson_completed.connect(on_lesson_completed, dispatch_uid="gamification.lesson")
    course_events.course_completed.connect(on_course_completed, dispatch_uid="gamification.course")
    quiz_events.quiz_submitted.connect(on_quiz_submitted, dispatch_uid="gamification.quiz")
