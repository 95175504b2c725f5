"""Celery tasks: grading submissions (eager on the embedded default)."""

from __future__ import annotations

from celery import shared_task


@shared_task(ignore_result=True)
def grade_submission(submission_id: str) -> None:
    from . import services

    services.submission_grade(submission_id=submission_id)
