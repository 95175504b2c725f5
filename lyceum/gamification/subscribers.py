"""Gamification listens to learning events; the work runs in Celery (eagerly on the embedded
default), so a submission's response never waits for points and badges."""

from __future__ import annotations

from lyceum.courses import events as course_events
from lyceum.quizzes import events as quiz_events

from . import tasks


def on_lesson_completed(sender, *, user_id, lesson_id, course_id, **kwargs) -> None:
    tasks.lesson_completed.delay(str(user_id), str(lesson_id), str(course_id))


def on_course_completed(sender, *, user_id, course_id, **kwargs) -> None:
    tasks.course_completed.delay(str(user_id), str(course_id))


def on_quiz_submitted(sender, *, user_id, quiz_id, course_id, percent, has_passed, **kwargs) -> None:
    tasks.quiz_submitted.delay(str(user_id), str(quiz_id), str(course_id), str(percent), bool(has_passed))


def connect() -> None:
    course_events.lesson_completed.connect(on_lesson_completed, dispatch_uid="gamification.lesson")
    course_events.course_completed.connect(on_course_completed, dispatch_uid="gamification.course")
    quiz_events.quiz_submitted.connect(on_quiz_submitted, dispatch_uid="gamification.quiz")
