"""The access matrix: every API endpoint and every WebSocket route, called by six people on
objects that belong to someone else, answers as the table below says, and no answer carries
what its reader may not see.

The people: ``anon`` (not signed in), ``student`` (alice: enrolled, owns the attempt, the
messages, the notifications), ``other`` (bob: another student of the same course), ``instr``
(ines: the course's instructor), ``other_instr`` (oscar: teaches a course of his own) and
``admin``. Each call runs in a transaction that is rolled back, so every cell sees the same
world. A route without a row fails ``test_every_route_has_a_row``; to write a new row, run
``LYCEUM_MATRIX_PRINT=1 pytest tests/test_access_matrix.py -k cells -s``, which prints what each
person gets, then check each cell before pasting it.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import URLResolver, get_resolver
from zeal import zeal_ignore

from lyceum.access import services as access_services
from lyceum.accounts.services import tokens_issue
from lyceum.accounts.tests.factories import UserFactory
from lyceum.chat import services as chat_services
from lyceum.chat.models import RoomInvitation
from lyceum.chat.tests.factories import group_room
from lyceum.courses.models import LessonResource
from lyceum.courses.tests.factories import CourseFactory, course_with_outline
from lyceum.notifications.services import notify
from lyceum.quizzes.models import Question
from lyceum.quizzes.tests.factories import enroll, quiz_of_every_type

ACTORS = ["anon", "student", "other", "instr", "other_instr", "admin"]
# Each reader may see these secrets; every other secret must be absent from every answer.
SECRETS = {
    "CANARY-EMAIL": {"student", "admin"},  # alice's email address
    "CANARY-ESSAY": {"student", "instr", "admin"},  # alice's essay answer
    "CANARY-DM": {"student", "instr"},  # alice's direct message to ines
    "CANARY-DRAFT": {"instr", "admin"},  # ines's draft course
    "CANARY-NOTE": {"student"},  # alice's notification
    "CANARY-THEIRS": {"other_instr", "admin"},  # oscar's draft course
    "CANARY-BADGE": {"student", "other", "instr", "admin"},  # a badge of ines's course (both enrolled)
    "CANARY-HIDDEN-TEST": {"instr", "admin"},  # a hidden test's input: its course's staff only
    "CANARY-CODE": {"student", "instr", "admin"},  # alice's submitted program
    "CANARY-RECORDING": {"student"},  # alice's private recording
}

# method  path  anon student other instr other_instr admin  (``OBJECTS`` says what fills the ids)
TABLE = """
GET    /api/payments/invoices/                              401 200 200 200 200 200
GET    /api/payments/invoices/{id}/pdf/                     401 200 404 404 404 404
GET    /api/payments/transactions/                          401 200 200 200 200 200
GET    /api/payments/transactions/{id}/                     401 200 404 404 404 404
GET    /api/plans/                                          200 200 200 200 200 200
GET    /api/subscription/status/                            401 200 200 200 200 200
POST   /api/courses/{id}/checkout/                          401 201 201 201 201 201
POST   /api/payments/razorpay/verify/                       401 400 400 400 400 400
POST   /api/subscription/cancel/                            401 404 404 404 404 404
POST   /api/subscription/checkout/                          401 400 400 400 400 400
POST   /api/webhook/payment/                                400 400 400 400 400 400
POST   /api/webhook/payment/{provider}/                     400 400 400 400 400 400
GET    /api/challenges/                                     401 200 200 200 200 200
GET    /api/leaderboard/                                    401 200 200 200 200 200
GET    /api/leaderboard/courses/{id}/                       401 200 200 200 403 200
GET    /api/my-achievements/                                401 200 200 200 200 200
GET    /api/my-level/                                       401 200 200 200 200 200
GET    /api/my-points/                                      401 200 200 200 200 200
GET    /api/streak/                                         401 200 200 200 200 200
POST   /api/challenges/{id}/complete/                       401 409 409 409 409 409
POST   /api/verify-streak/                                  401 200 200 200 200 200
GET    /api/instructor/courses/{id}/achievements/           401 404 404 200 404 200
GET    /api/code/languages/                                 401 200 200 200 200 200
GET    /api/code/api/v2/runtimes                            401 200 200 200 200 200
GET    /api/code/api/v2/piston/runtimes                     401 200 200 200 200 200
POST   /api/code/run/                                       401 400 400 400 400 400
POST   /api/code/execute/                                   401 400 400 400 400 400
POST   /api/code/api/v2/execute                             401 400 400 400 400 400
POST   /api/code/api/v2/piston/execute                      401 400 400 400 400 400
GET    /api/code/exercises/{id}/                            401 200 200 200 404 200
GET    /api/code/exercises/{id}/submissions/                401 200 200 200 404 200
GET    /api/code/submissions/{id}/                          401 200 404 200 404 200
POST   /api/code/submissions/                               401 400 400 400 400 400
POST   /api/code/submissions/batch/                         401 400 400 400 400 400
GET    /api/instructor/courses/{id}/exercises/              401 404 404 200 404 200
POST   /api/instructor/courses/{id}/exercises/              401 404 404 400 404 400
GET    /api/instructor/exercises/{id}/                      401 404 404 200 404 200
PATCH  /api/instructor/exercises/{id}/                      401 404 404 200 404 200
DELETE /api/instructor/exercises/{id}/                      401 404 404 204 404 204
POST   /api/instructor/courses/{id}/achievements/           401 404 404 400 404 400
PATCH  /api/instructor/achievements/{id}/                   401 404 404 200 404 200
DELETE /api/instructor/achievements/{id}/                   401 404 404 204 404 204
DELETE /api/admin/roles/{id}/                               401 403 403 403 403 204
DELETE /api/auth/profile/avatar/                            401 200 200 200 200 200
DELETE /api/chat/blocks/{user_id}/                          401 204 404 404 404 404
DELETE /api/chat/messages/{id}/                             401 200 403 404 404 200
DELETE /api/chat/rooms/{id}/participants/{user_id}/         401 204 204 404 404 204
DELETE /api/courses/{id}/enroll/                            401 204 204 404 404 404
DELETE /api/instructor/courses/{id}/                        401 404 404 409 404 409
DELETE /api/instructor/courses/{id}/staff/{user_id}/        401 404 404 204 404 204
DELETE /api/instructor/lessons/{id}/                        401 404 404 204 404 204
DELETE /api/instructor/modules/{id}/                        401 404 404 204 404 204
DELETE /api/instructor/questions/{id}/                      401 404 404 204 404 204
DELETE /api/instructor/resources/{id}/                      401 404 404 204 404 204
GET    /api/admin/audit-log/                                401 403 403 403 403 200
GET    /api/admin/permissions/                              401 403 403 403 403 200
GET    /api/admin/roles/                                    401 403 403 403 403 200
GET    /api/admin/roles/{id}/                               401 403 403 403 403 200
GET    /api/admin/stats/                                    401 403 403 403 403 200
GET    /api/admin/users/                                    401 403 403 403 403 200
GET    /api/admin/users/{id}/                               401 403 403 403 403 200
GET    /api/auth/profile/                                   401 200 200 200 200 200
GET    /api/categories/                                     200 200 200 200 200 200
GET    /api/chat/blocks/                                    401 200 200 200 200 200
GET    /api/chat/invitations/                               401 200 200 200 200 200
GET    /api/chat/rooms/                                     401 200 200 200 200 200
GET    /api/chat/rooms/{id}/messages/                       401 200 200 404 404 404
GET    /api/courses/                                        200 200 200 200 200 200
GET    /api/courses/{id}/                                   200 200 200 200 200 200
GET    /api/courses/{id}/progress/                          401 200 200 403 403 403
GET    /api/courses/{id}/quizzes/                           200 200 200 200 200 200
GET    /api/docs/                                           200 200 200 200 200 200
GET    /api/health/                                         200 200 200 200 200 200
GET    /api/instructor/courses/                             401 200 200 200 200 200
GET    /api/instructor/courses/{id}/                        401 404 404 200 404 200
GET    /api/instructor/courses/{id}/quizzes/                401 404 404 200 404 200
GET    /api/instructor/courses/{id}/staff/                  401 404 404 200 404 200
GET    /api/instructor/courses/{id}/students/               401 404 404 200 404 200
GET    /api/instructor/dashboard/                           401 200 200 200 200 200
GET    /api/instructor/essays/                              401 200 200 200 200 200
GET    /api/instructor/lessons/{id}/                        401 404 404 200 404 200
GET    /api/instructor/quizzes/{id}/                        401 404 404 200 404 200
GET    /api/instructor/quizzes/{id}/attempts/               401 404 404 200 404 200
GET    /api/instructor/quizzes/{id}/export-gift/            401 404 404 200 404 200
GET    /api/lessons/resources/{id}/file/                    403 200 200 200 403 200
GET    /api/lessons/{id}/                                   403 200 200 200 403 200
GET    /api/my-courses/                                     401 200 200 200 200 200
GET    /api/my-quizzes/                                     401 200 200 200 200 200
GET    /api/notifications/                                  401 200 200 200 200 200
GET    /api/notifications/unread-count/                     401 200 200 200 200 200
GET    /api/quiz-attempts/{id}/                             401 200 404 404 404 404
GET    /api/quizzes/{id}/                                   401 200 200 200 200 200
GET    /api/quizzes/{id}/attempts/                          401 200 200 200 200 200
GET    /api/quizzes/{id}/leaderboard/                       401 200 200 200 403 200
GET    /api/schema/                                         200 200 200 200 200 200
GET    /api/users/                                          401 200 200 200 200 200
GET    /api/users/{id}/                                     401 200 200 200 200 200
PATCH  /api/admin/roles/{id}/                               401 403 403 403 403 200
PATCH  /api/auth/profile/                                   401 200 200 200 200 200
PATCH  /api/chat/messages/{id}/                             401 400 400 400 400 400
PATCH  /api/instructor/courses/{id}/                        401 404 404 200 404 200
PATCH  /api/instructor/lessons/{id}/                        401 404 404 200 404 200
PATCH  /api/instructor/modules/{id}/                        401 404 404 400 404 400
PATCH  /api/instructor/questions/{id}/                      401 404 404 200 404 200
PATCH  /api/instructor/quizzes/{id}/                        401 404 404 200 404 200
POST   /api/admin/roles/                                    401 403 403 403 403 400
POST   /api/admin/users/{id}/reactivate/                    401 403 403 403 403 409
POST   /api/admin/users/{id}/role/                          401 403 403 403 403 400
POST   /api/admin/users/{id}/suspend/                       401 403 403 403 403 200
POST   /api/auth/email/verify/                              400 400 400 400 400 400
POST   /api/auth/email/verify/resend/                       401 409 409 409 409 409
POST   /api/auth/google/                                    400 400 400 400 400 400
POST   /api/auth/login/                                     400 400 400 400 400 400
POST   /api/auth/logout/                                    401 204 204 204 204 204
POST   /api/auth/password/change/                           401 400 400 400 400 400
POST   /api/auth/password/reset/                            400 400 400 400 400 400
POST   /api/auth/password/reset/confirm/                    400 400 400 400 400 400
POST   /api/auth/profile/avatar/                            401 415 415 415 415 415
POST   /api/auth/register/                                  400 400 400 400 400 400
POST   /api/auth/token/refresh/                             400 400 400 400 400 400
POST   /api/chat/blocks/                                    401 400 400 400 400 400
POST   /api/chat/invitations/{id}/accept/                   401 200 404 404 404 404
POST   /api/chat/invitations/{id}/decline/                  401 204 404 404 404 404
POST   /api/chat/rooms/                                     401 400 400 400 400 400
POST   /api/chat/rooms/{id}/participants/                   401 400 400 404 404 404
POST   /api/chat/rooms/{id}/read/                           401 204 204 404 404 404
POST   /api/chat/send/                                      401 400 400 400 400 400
POST   /api/courses/{id}/enroll/                            401 200 200 201 201 201
POST   /api/instructor/answers/{id}/grade/                  401 400 400 400 400 400
POST   /api/instructor/courses/                             401 400 400 400 400 400
POST   /api/instructor/courses/{id}/cover/                  401 404 404 415 404 415
POST   /api/instructor/courses/{id}/modules/                401 404 404 400 404 400
POST   /api/instructor/courses/{id}/modules/reorder/        401 404 404 400 404 400
POST   /api/instructor/courses/{id}/publish/                401 404 404 200 404 200
POST   /api/instructor/courses/{id}/quizzes/                401 404 404 400 404 400
POST   /api/instructor/courses/{id}/staff/                  401 404 404 400 404 400
POST   /api/instructor/courses/{id}/unpublish/              401 404 404 200 404 200
POST   /api/instructor/lessons/{id}/resources/              401 404 404 415 404 415
POST   /api/instructor/markdown/preview/                    401 400 400 400 400 400
POST   /api/instructor/modules/{id}/lessons/                401 404 404 400 404 400
POST   /api/instructor/modules/{id}/lessons/reorder/        401 404 404 400 404 400
POST   /api/instructor/quizzes/{id}/import-gift/            401 404 404 400 404 400
POST   /api/instructor/quizzes/{id}/questions/              401 404 404 400 404 400
POST   /api/notifications/read/                             401 200 200 200 200 200
POST   /api/quiz-attempts/                                  401 400 400 400 400 400
POST   /api/quiz-attempts/{id}/submit/                      401 200 404 404 404 404
PUT    /api/auth/profile/                                   401 400 400 400 400 400
PUT    /api/instructor/courses/{id}/                        401 404 404 400 404 400
PUT    /api/lessons/{id}/complete/                          401 200 200 403 403 403
PUT    /api/quiz-attempts/{id}/answers/                     401 200 404 404 404 404
DELETE /api/instructor/lessons/{id}/video/                  401 404 404 204 404 204
DELETE /api/recordings/{id}/                                401 204 404 404 404 404
DELETE /api/uploads/{id}/                                   401 204 404 404 404 404
DELETE /api/videos/{id}/                                    401 404 404 204 404 204
DELETE /api/videos/{id}/captions/                           401 404 404 200 404 200
GET    /api/courses/{id}/recordings/                        401 200 200 200 403 200
GET    /api/instructor/courses/{id}/videos/                 401 404 404 200 404 200
GET    /api/my-recordings/                                  401 200 200 200 200 200
GET    /api/recordings/{id}/                                401 200 404 404 404 404
GET    /api/recordings/{id}/file/                           401 200 404 404 404 404
GET    /api/uploads/{id}/                                   401 200 404 404 404 404
GET    /api/videos/{id}/                                    403 200 200 200 403 200
GET    /api/videos/{id}/progress/                           401 200 200 200 403 200
GET    /api/videos/{id}/stream/{token}/{path}               403 403 403 403 403 403
PATCH  /api/recordings/{id}/                                401 200 404 404 404 404
PATCH  /api/uploads/{id}/                                   401 415 415 415 415 415
PATCH  /api/videos/{id}/                                    401 404 404 200 404 200
POST   /api/instructor/courses/{id}/videos/                 401 404 404 415 404 415
POST   /api/instructor/lessons/{id}/video/                  401 404 404 415 404 415
POST   /api/upload-recording/                               401 415 415 415 415 415
POST   /api/uploads/                                        401 400 400 400 400 400
POST   /api/videos/{id}/progress/                           401 200 200 200 403 200
POST   /api/videos/{id}/reprocess/                          401 404 404 202 404 202
PUT    /api/videos/{id}/captions/                           401 404 404 415 404 415
"""
# Which object of ``world`` fills a path's ids: the first pattern that matches.
OBJECTS = [
    (r"/participants/\{user_id\}", "member"),
    (r"/staff/\{user_id\}", "staff"),
    (r"/chat/blocks/\{user_id\}", "blocked"),
    (r"/users/\{id\}", "user"),
    (r"/courses/\{id\}/checkout", "paid_course"),
    (r"/courses/\{id\}", "course"),
    (r"/resources/\{id\}", "resource"),
    (r"/lessons/\{id\}", "lesson"),
    (r"/modules/\{id\}", "module"),
    (r"/quizzes/\{id\}", "quiz"),
    (r"/quiz-attempts/\{id\}", "attempt"),
    (r"/questions/\{id\}", "question"),
    (r"/answers/\{id\}", "answer"),
    (r"/chat/rooms/\{id\}", "room"),
    (r"/chat/invitations/\{id\}", "invitation"),
    (r"/chat/messages/\{id\}", "message"),
    (r"/admin/roles/\{id\}", "role"),
    (r"/challenges/\{id\}", "challenge"),
    (r"/achievements/\{id\}", "achievement"),
    (r"/exercises/\{id\}", "exercise"),
    (r"/code/submissions/\{id\}", "submission"),
    (r"/payments/transactions/\{id\}", "transaction"),
    (r"/payments/invoices/\{id\}", "invoice"),
    (r"/webhook/payment/\{provider\}", "provider"),
    (r"/videos/\{id\}", "video"),  # a stream's {token} and {path} stay as they are: 403 for all
    (r"/recordings/\{id\}", "recording"),
    (r"/uploads/\{id\}", "upload"),
]


def object_for(path: str) -> str:
    if "{" not in path:
        return "-"
    return next(name for pattern, name in OBJECTS if re.search(pattern, path))


def _walk(patterns, prefix=""):
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, route)
        else:
            yield route, pattern


def api_routes() -> set[tuple[str, str]]:
    routes = set()
    for route, pattern in _walk(get_resolver().url_patterns):
        if not route.startswith("api/"):
            continue
        view = pattern.callback.view_class
        path = "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)
        routes |= {
            (method.upper(), path)
            for method in ("get", "post", "put", "patch", "delete")
            if hasattr(view, method)
        }
    return routes


def _rows() -> dict[tuple[str, str], list[int]]:
    rows = {}
    for line in TABLE.strip().splitlines():
        method, path, *codes = line.split()
        assert len(codes) == len(ACTORS), line
        assert (method, path) not in rows, f"two rows for {method} {path}"
        rows[(method, path)] = [int(code) for code in codes]
    return rows


ROWS = _rows()


def test_every_route_has_a_row_and_every_row_a_route():
    routes = api_routes()
    assert sorted(routes - ROWS.keys()) == [], "routes with no row in the access matrix"
    assert sorted(ROWS.keys() - routes) == [], "rows for routes that do not exist"


@pytest.fixture
def world(db, settings):
    """The objects every cell is called on. Set-up makes them one by one."""
    settings.RATE_LIMITS = {key: "100000/minute" for key in settings.RATE_LIMITS}
    with zeal_ignore():
        alice = UserFactory(username="alice", email="canary-email@example.com", first_name="Alice")
        bob = UserFactory(username="bob", email="bob@example.com")
        ines = UserFactory(username="ines", roles=["student", "instructor"])
        oscar = UserFactory(username="oscar", roles=["student", "instructor"])
        admin = UserFactory(username="root", roles=["student", "admin"], is_staff=True, is_superuser=True)
        ta = UserFactory(username="tara")
        people = {"student": alice, "other": bob, "instr": ines, "other_instr": oscar, "admin": admin}

        quiz = quiz_of_every_type(instructor=ines, max_attempts=3)
        course = quiz.course
        course_with_outline(instructor=ines, is_published=False, title="CANARY-DRAFT course")
        CourseFactory(instructor=oscar, is_published=False, title="CANARY-THEIRS course")
        for student in (alice, bob):
            enroll(student, quiz)
        lesson = course_with_outline(instructor=ines, is_published=True).modules.first().lessons.first()
        from lyceum.courses.services import enroll as course_enroll

        course_enroll(user=alice, course=lesson.module.course)
        course_enroll(user=bob, course=lesson.module.course)
        from lyceum.media import services as media_services
        from lyceum.media.models import Recording, Video

        video = Video(
            course=lesson.module.course, lesson=lesson, title="Lesson video", status="ready", duration=60
        )
        video.source.save("v.mp4", SimpleUploadedFile("v.mp4", b"\x00\x00\x00\x18ftypmp42"), save=False)
        video.save()
        recording = Recording(
            owner=alice, title="CANARY-RECORDING of alice", content_type="video/webm", status="ready"
        )
        recording.file.save("r.webm", SimpleUploadedFile("r.webm", b"\x1a\x45\xdf\xa3webm"), save=False)
        recording.save()
        upload = media_services.upload_create(
            owner=alice, purpose="recording", length=1000, filename="r.webm"
        )
        resource = LessonResource.objects.create(
            lesson=lesson,
            title="Slides",
            file=SimpleUploadedFile("x.pdf", b"%PDF-1.7"),
            content_type="application/pdf",
        )
        access_services.course_staff_set(actor=ines, course_id=course.pk, user_id=ta.pk, role="ta")

        from rest_framework.test import APIClient

        student = APIClient()
        student.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens_issue(user=alice)['access']}")
        first = student.post("/api/quiz-attempts/", {"quiz": str(quiz.pk)}, format="json").json()
        essay = next(q for q in first["questions"] if q["type"] == "essay")
        student.post(
            f"/api/quiz-attempts/{first['id']}/submit/",
            {"answers": {essay["id"]: {"text": "CANARY-ESSAY text"}}},
            format="json",
        )
        attempt = student.post("/api/quiz-attempts/", {"quiz": str(quiz.pk)}, format="json").json()
        from lyceum.quizzes.models import QuestionAnswer

        answer = QuestionAnswer.objects.get(attempt_id=first["id"], question_id=essay["id"])

        room = group_room(creator=alice, name="Study group", members=[bob])
        message, _ = chat_services.message_send(room_id=room.pk, sender=alice, content="hello group")
        direct, _ = chat_services.direct_room(user=alice, other_id=ines.pk)
        chat_services.message_send(room_id=direct.pk, sender=alice, content="CANARY-DM to ines")
        carol = UserFactory(username="carol")  # shares no course with alice: she is invited
        pending = chat_services.room_create(creator=carol, name="Office hours", member_ids=[alice.pk])
        invitation = RoomInvitation.objects.filter(room=pending, invitee=alice).first()
        chat_services.user_block(blocker=alice, user_id=oscar.pk)
        notify(user=alice, kind="test", title="CANARY-NOTE title", body="CANARY-NOTE body")
        role = access_services.role_create(actor=admin, name="Moderator", permissions=["chat.moderate"])
        from django.utils import timezone

        from lyceum.gamification.models import Challenge

        challenge = Challenge.objects.create(
            title="One lesson",
            goal="lessons_completed",
            target=1,
            starts_at=timezone.now() - dt.timedelta(days=1),
            ends_at=timezone.now() + dt.timedelta(days=6),
            reward_points=5,
        )
        from lyceum.gamification.services import achievement_create

        badge = achievement_create(
            actor=ines,
            course=course,
            title="CANARY-BADGE title",
            description="Two lessons of this course.",
            icon="star",
            points=5,
            rule={"type": "lessons_completed", "count": 2},
        )
        from lyceum.coding.models import CodeSubmission
        from lyceum.coding.services import exercise_save

        exercise = exercise_save(
            actor=ines,
            course=course,
            title="Add two numbers",
            statement="Print the sum.",
            is_published=True,
            tests=[
                {"stdin": "1 2", "expected_stdout": "3", "is_sample": True},
                {"stdin": "CANARY-HIDDEN-TEST 1", "expected_stdout": "2"},
            ],
        )
        submission = CodeSubmission.objects.create(
            exercise=exercise, user=alice, language="python", source="print('CANARY-CODE')"
        )
        from decimal import Decimal

        from lyceum.payments import services as payment_services
        from lyceum.payments.models import Invoice
        from lyceum.payments.tests.helpers import settle

        paid_course = course_with_outline(instructor=ines, is_published=True, price=Decimal("49.00"))
        bought, _ = payment_services.checkout_start(
            user=alice, course=paid_course, success_url="/", cancel_url="/"
        )
        settle(bought)
        other_course = course_with_outline(instructor=ines, is_published=True, price=Decimal("9.00"))

    objects = {
        "user": alice.pk,
        "course": course.pk,
        "lesson": lesson.pk,
        "module": lesson.module_id,
        "resource": resource.pk,
        "quiz": quiz.pk,
        "question": Question.objects.filter(quiz=quiz).first().pk,
        "attempt": attempt["id"],
        "answer": answer.pk,
        "room": room.pk,
        "direct": direct.pk,
        "member": (room.pk, bob.pk),
        "invitation": invitation.pk if invitation else 0,
        "blocked": oscar.pk,
        "message": message.pk,
        "role": role.pk,
        "challenge": challenge.pk,
        "achievement": badge.pk,
        "exercise": exercise.pk,
        "submission": submission.pk,
        "staff": (course.pk, ta.pk),
        "transaction": bought.pk,
        "invoice": Invoice.objects.get(transaction=bought).pk,
        "provider": "sandbox",
        "paid_course": other_course.pk,
        "video": video.pk,
        "recording": recording.pk,
        "upload": upload.pk,
    }
    tokens = {name: tokens_issue(user=user)["access"] for name, user in people.items()}
    return objects, tokens


def test_the_secrets_are_there_for_those_who_may_read_them(world):
    """The leak check above would pass vacuously if no answer ever held a secret."""
    objects, tokens = world
    seen = {
        "CANARY-EMAIL": _call("GET", "/api/auth/profile/", tokens["student"]),
        "CANARY-ESSAY": _call("GET", "/api/instructor/essays/", tokens["instr"]),
        "CANARY-DM": _call("GET", f"/api/chat/rooms/{objects['direct']}/messages/", tokens["instr"]),
        "CANARY-DRAFT": _call("GET", "/api/instructor/courses/", tokens["instr"]),
        "CANARY-NOTE": _call("GET", "/api/notifications/", tokens["student"]),
        "CANARY-THEIRS": _call("GET", "/api/courses/", tokens["admin"]),
        "CANARY-BADGE": _call("GET", "/api/my-achievements/", tokens["student"]),
        "CANARY-HIDDEN-TEST": _call(
            "GET", f"/api/instructor/courses/{objects['course']}/exercises/", tokens["instr"]
        ),
        "CANARY-CODE": _call("GET", f"/api/code/submissions/{objects['submission']}/", tokens["student"]),
        "CANARY-RECORDING": _call("GET", "/api/my-recordings/", tokens["student"]),
    }
    assert seen.keys() == SECRETS.keys()
    for secret, (status, body) in seen.items():
        assert status == 200 and secret.lower() in body.lower(), secret


def _url(path: str, obj: str, objects: dict) -> str:
    if obj == "-":
        return path
    value = objects[obj]
    first, second = value if isinstance(value, tuple) else (value, None)
    url = re.sub(
        r"\{(id|user_id|provider)\}",
        lambda m: str(first if m.group(1) == "id" or second is None else second),
        path,
        count=1,
    )
    if second is not None:
        url = url.replace("{user_id}", str(second))
    return url


def _call(method: str, url: str, token: str | None):
    from rest_framework.test import APIClient

    client = APIClient()
    if token:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    cache.clear()  # rate limits and cached pages start afresh for each cell
    with transaction.atomic():
        reply = (
            getattr(client, method.lower())(url, {}, format="json") if method != "GET" else client.get(url)
        )
        transaction.set_rollback(True)
    body = b"".join(reply.streaming_content) if reply.streaming else reply.content
    return reply.status_code, body.decode(errors="replace")


PRINTING = bool(os.environ.get("LYCEUM_MATRIX_PRINT"))


@pytest.mark.parametrize(
    "route", sorted(api_routes() if PRINTING else ROWS), ids=lambda route: f"{route[0]} {route[1]}"
)
def test_cells(world, route):
    objects, tokens = world
    method, path = route
    url = _url(path, object_for(path), objects)
    got, leaks = [], []
    for actor in ACTORS:
        status, body = _call(method, url, tokens.get(actor))
        got.append(status)
        for secret, readers in SECRETS.items():
            if secret.lower() in body.lower() and actor not in readers:
                leaks.append(f"{actor} read {secret} from {method} {url}")
    if PRINTING:
        print(f"\nROW {method:<6} {path:<52} " + " ".join(f"{code:>3}" for code in got))
        print("\n".join(f"\nLEAK {leak}" for leak in leaks))
        return
    assert leaks == []
    expected = ROWS[route]
    assert dict(zip(ACTORS, got, strict=True)) == dict(zip(ACTORS, expected, strict=True)), f"{method} {url}"


# --- WebSocket routes ---------------------------------------------------------------------------
# route  object  anon student other instr other_instr admin ("open": the socket says hello, or who is online)
WS_TABLE = """
/ws/account/                 -     closed open open   open   open   open
/ws/chat/rooms/{room_id}/    room  closed open open   closed closed closed
/ws/chat/rooms/{room_id}/    direct closed open closed open  closed closed
"""


def ws_routes() -> set[str]:
    from lyceum.routing import websocket_urlpatterns

    return {
        "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", str(pattern.pattern)) for pattern in websocket_urlpatterns
    }


def test_every_websocket_route_has_a_row():
    assert {line.split()[0] for line in WS_TABLE.strip().splitlines()} == ws_routes()


@pytest.mark.django_db(transaction=True)
def test_websocket_cells(world):
    from asgiref.sync import async_to_sync
    from channels.testing import WebsocketCommunicator

    from lyceum.asgi import application

    objects, tokens = world

    async def outcome(path: str, token: str | None) -> str:
        socket = WebsocketCommunicator(
            application, path + (f"?token={token}" if token else ""), headers=[(b"host", b"localhost")]
        )
        connected, _ = await socket.connect()
        if not connected:
            return "closed"
        if token is None:
            await socket.send_json_to({"type": "ping"})  # anonymous sockets must authenticate first
        first = await socket.receive_output()
        await socket.disconnect()
        if first["type"] == "websocket.close":
            return "closed"
        frame = json.loads(first.get("text") or "{}")
        return "open" if frame.get("type") in {"hello", "presence"} else f"other: {first}"

    for line in WS_TABLE.strip().splitlines():
        route, obj, *expected = line.split()
        path = route.replace("{room_id}", str(objects[obj])) if obj != "-" else route
        got = [async_to_sync(outcome)(path, tokens.get(actor)) for actor in ACTORS]
        assert dict(zip(ACTORS, got, strict=True)) == dict(zip(ACTORS, expected, strict=True)), path
