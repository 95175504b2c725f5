"""Demo conversations for `manage.py init_data`: the course room of the student's course and a
direct room between the demo student and instructor. Sent with fixed client ids, so running
init_data again adds nothing."""

from __future__ import annotations

from lyceum.accounts.models import User
from lyceum.courses.models import Course

from . import services
from .models import ChatRoom

COURSE_ROOM = [
    ("instructor", "Welcome to the course room! Ask anything about the lessons here."),
    ("student", "Thanks! Is there a deadline for the first quiz?"),
    ("instructor", "No deadline: take it when you have finished the first module."),
]
DIRECT = [
    ("student", "Hi Ines, could you look at my answer to the essay question?"),
    ("instructor", "Of course, I will grade it tonight."),
]


def create_demo_chat(*, instructor: User, student: User, course: Course) -> list[ChatRoom]:
    people = {"instructor": instructor, "student": student}
    course_room = services.course_room(course=course)
    direct, _ = services.direct_room(user=student, other_id=instructor.pk)
    for room, script in ((course_room, COURSE_ROOM), (direct, DIRECT)):
        for n, (who, text) in enumerate(script):
            services.message_send(
                room_id=room.pk, sender=people[who], content=text, client_id=f"demo-{room.pk}-{n}"
            )
    return [course_room, direct]
