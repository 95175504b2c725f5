"""Celery tasks of quizzes: thin wrappers over services."""

from celery import shared_task

from . import services


@shared_task
def close_expired_attempts() -> int:
    return services.attempts_close_expired()
