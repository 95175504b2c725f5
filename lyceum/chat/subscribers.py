"""Chat's reactions to other apps' events: a course's students and instructor share its room."""

from __future__ import annotations

from lyceum.courses import events as course_events
from lyceum.courses.models import Course

from .models import Participant
from .services import course_room, member_left


def join_course_room(sender, *, user_id, course_id, **kwargs) -> None:
    course = Course.objects.select_related("instructor").get(pk=course_id)
    room = course_room(course=course)
    Participant.objects.get_or_create(room=room, user_id=user_id)


def leave_course_room(sender, *, user_id, course_id, **kwargs) -> None:
    leaving = Participant.objects.filter(room__course_id=course_id, user_id=user_id).exclude(
        role=Participant.Role.OWNER
    )
    room_ids = list(leaving.values_list("room_id", flat=True))
    leaving.delete()
    for room_id in room_ids:  # their open sockets to the room are cut off and closed
        member_left(room_id=room_id, user_id=user_id)


def connect() -> None:
    course_events.course_enrolled.connect(join_course_room, dispatch_uid="chat.join_course")
    course_events.course_unenrolled.connect(leave_course_room, dispatch_uid="chat.leave_course")
