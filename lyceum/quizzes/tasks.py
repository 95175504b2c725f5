"""Celery tasks of quizzes: thin wrappers over services."""

from celery import shared_task

from . import services


@shared_task
def close_expired_attempts() -> int:
    closed = services.attempts_close_expired()
    services.code_answers_resume()
    return closed


@shared_task(ignore_result=True)
def grade_code_answers(attempt_id: str) -> None:
    services.code_answers_grade(attempt_id=attempt_id)
