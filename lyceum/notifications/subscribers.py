"""Notifications for other apps' events."""

from __future__ import annotations

from django.urls import reverse

from lyceum.accounts.models import User
from lyceum.chat import events as chat_events
from lyceum.chat import presence
from lyceum.chat.models import Participant
from lyceum.courses import events as course_events
from lyceum.courses.models import Course
from lyceum.gamification import events as gamification_events
from lyceum.quizzes import events as quiz_events

from .models import Notification
from .services import notify, notify_many


def on_message(sender, *, room_id, room_name, sender_id, sender_name, **kwargs) -> None:
    """Members who are not in the room right now hear of a new message."""
    online = set(presence.online_user_ids(room_id=room_id))
    members = Participant.objects.filter(room_id=room_id).exclude(user_id=sender_id)
    offline = [user_id for user_id in members.values_list("user_id", flat=True) if str(user_id) not in online]
    if not offline:  # a busy room: everyone is in it
        return
    notify_many(
        users=list(User.objects.filter(pk__in=offline).select_related("profile")),
        kind=Notification.Kind.MESSAGE,
        title=f"New message from {sender_name}",
        body=f"In {room_name}",
        link=reverse("web:chat_room", kwargs={"room_id": room_id}),
    )


def on_enrollment(sender, *, user_id, course_id, **kwargs) -> None:
    course = Course.objects.select_related("instructor").get(pk=course_id)
    student = User.objects.get(pk=user_id)
    notify(
        user=course.instructor,
        kind=Notification.Kind.ENROLLMENT,
        title=f"{student.display_name} enrolled in {course.title}",
        link=reverse("web:course_detail", kwargs={"slug": course.slug}),
    )


def on_quiz_graded(sender, *, user_id, attempt_id, quiz_title, percent, has_passed, **kwargs) -> None:
    verdict = "passed" if has_passed else "did not pass"
    notify(
        user=User.objects.select_related("profile").get(pk=user_id),
        kind=Notification.Kind.QUIZ_GRADED,
        title=f"{quiz_title}: {percent}%",
        body=f"Your attempt is graded: you {verdict}.",
        link=reverse("web:attempt", kwargs={"attempt_id": attempt_id}),
    )


def on_room_invitation(sender, *, room_name, invitee_ids, inviter_name, **kwargs) -> None:
    notify_many(
        users=list(User.objects.filter(pk__in=invitee_ids).select_related("profile")),
        kind=Notification.Kind.MESSAGE,
        title=f"{inviter_name} invites you to {room_name}",
        body="Accept or decline the invitation on your chat page.",
        link=reverse("web:chat"),
    )


def on_achievement(sender, *, user_id, title, points, **kwargs) -> None:
    # Neither kind is emailed: the bell item and the live push need only the user's id (one
    # learning event can earn several badges at once, so no query per badge).
    notify(
        user=User(pk=user_id),
        kind=Notification.Kind.ACHIEVEMENT,
        title=f"Badge earned: {title}",
        body=f"+{points} points." if points else "",
        link=reverse("web:achievements"),
    )


def on_level_up(sender, *, user_id, level, title, **kwargs) -> None:
    notify(
        user=User(pk=user_id),
        kind=Notification.Kind.LEVEL_UP,
        title=f"Level {level} reached: {title}",
        link=reverse("web:leaderboard"),
    )


def connect() -> None:
    gamification_events.achievement_earned.connect(on_achievement, dispatch_uid="notifications.achievement")
    gamification_events.level_up.connect(on_level_up, dispatch_uid="notifications.level_up")
    chat_events.message_created.connect(on_message, dispatch_uid="notifications.message")
    chat_events.room_invited.connect(on_room_invitation, dispatch_uid="notifications.invitation")
    course_events.course_enrolled.connect(on_enrollment, dispatch_uid="notifications.enrolled")
    quiz_events.quiz_submitted.connect(on_quiz_graded, dispatch_uid="notifications.quiz")
