"""Two enrollments that make a course's room at the same moment, on PostgreSQL (SQLite runs one
writer at a time): the second waits for the first's room and joins it, and its enrollment
succeeds."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection, transaction

from lyceum.chat.models import ChatRoom
from lyceum.chat.services import course_room
from lyceum.courses.models import CourseEnrollment
from lyceum.courses.tests.factories import course_with_outline

pytestmark = pytest.mark.django_db(transaction=True)


def _backends_waiting_on_a_lock() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0]


def test_an_enrollment_that_meets_another_making_the_course_room_joins_that_room(login_api, ines, alice):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL (SQLite runs one writer at a time)")
    course = course_with_outline(modules=1, lessons=1, instructor=ines)
    made, release, held = threading.Event(), threading.Event(), {}

    def another_enrollment_making_the_room() -> None:
        try:
            with transaction.atomic():  # the room exists, uncommitted, until released
                held["room"] = course_room(course=course)
                made.set()
                release.wait(120)
        finally:
            connection.close()

    replies, errors = [], []

    def enroll_alice() -> None:
        try:
            replies.append(login_api(alice).post(f"/api/courses/{course.pk}/enroll/"))
        except Exception as error:  # the test client re-raises the view's exception; reported below
            errors.append(error)
        finally:
            connection.close()

    holder = threading.Thread(target=another_enrollment_making_the_room)
    holder.start()
    try:
        assert made.wait(120)
        enroller = threading.Thread(target=enroll_alice)
        enroller.start()
        # Alice's enrollment has committed and, joining the room, waits on the held room's row.
        deadline = time.monotonic() + 120
        while not _backends_waiting_on_a_lock() and time.monotonic() < deadline:
            time.sleep(0.02)
        assert _backends_waiting_on_a_lock() == 1
    finally:
        release.set()
        holder.join()
    enroller.join(120)

    assert not errors, errors
    assert [reply.status_code for reply in replies] == [201], [reply.content for reply in replies]
    assert CourseEnrollment.objects.filter(course=course, user=alice).exists()
    room = ChatRoom.objects.get(course=course)
    assert room.pk == held["room"].pk
    assert set(room.participants.values_list("user__username", "role")) == {
        ("ines", "owner"),
        ("alice", "member"),
    }
