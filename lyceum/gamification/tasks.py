"""Celery tasks: thin wrappers over the services (eager on the embedded default)."""

from __future__ import annotations

from celery import shared_task

from lyceum.accounts.models import User

from . import services
from .models import PointsEntry


def _user(user_id) -> User | None:
    return User.objects.select_related("profile").filter(pk=user_id).first()


@shared_task(ignore_result=True)
def lesson_completed(user_id, lesson_id, course_id) -> None:
    user = _user(user_id)
    if user is None:
        return
    services.award(
        user_id=user.pk,
        amount=services.LESSON_POINTS,
        reason=PointsEntry.Reason.LESSON,
        source=f"lesson:{lesson_id}",
        course_id=course_id,
    )
    services.streak_record_activity(user=user, course_id=course_id)
    services.achievements_evaluate(user=user, course_id=course_id)


@shared_task(ignore_result=True)
def course_completed(user_id, course_id) -> None:
    user = _user(user_id)
    if user is None:
        return
    services.award(
        user_id=user.pk,
        amount=services.COURSE_POINTS,
        reason=PointsEntry.Reason.COURSE,
        source=f"course:{course_id}",
        course_id=course_id,
    )
    services.achievements_evaluate(user=user, course_id=course_id)


@shared_task(ignore_result=True)
def quiz_submitted(user_id, quiz_id, course_id, percent, has_passed) -> None:
    user = _user(user_id)
    if user is None:
        return
    if has_passed:
        common = {"user_id": user.pk, "course_id": course_id, "quiz_id": quiz_id}
        services.award(
            amount=services.QUIZ_PASSED_POINTS,
            reason=PointsEntry.Reason.QUIZ_PASSED,
            source=f"quiz_passed:{quiz_id}",
            **common,
        )
        if float(percent) >= 100:
            services.award(
                amount=services.QUIZ_PERFECT_POINTS,
                reason=PointsEntry.Reason.QUIZ_PERFECT,
                source=f"quiz_perfect:{quiz_id}",
                **common,
            )
    services.streak_record_activity(user=user, course_id=course_id)
    services.achievements_evaluate(user=user, course_id=course_id)


@shared_task(ignore_result=True)
def code_exercise_passed(user_id, exercise_id, course_id, points) -> None:
    user = _user(user_id)
    if user is None:
        return
    services.award(
        user_id=user.pk,
        amount=int(points),
        reason=PointsEntry.Reason.CODE,
        source=f"code:{exercise_id}",
        course_id=course_id,
    )
    services.streak_record_activity(user=user, course_id=course_id)
    services.achievements_evaluate(user=user, course_id=course_id)
