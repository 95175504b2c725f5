"""Course-level staff: co-instructors edit and grade, TAs see progress and grade, neither
chooses staff; a suspended user's sockets close."""

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from lyceum.access import services
from lyceum.accounts.services import tokens_issue
from lyceum.asgi import application
from lyceum.core.websocket import CLOSE_SESSION_REVOKED
from lyceum.courses.tests.factories import CourseFactory, course_with_outline
from lyceum.quizzes.tests.factories import enroll, quiz_of_every_type


@pytest.fixture
def course(ines):
    return course_with_outline(instructor=ines, is_published=False, title="Draft course")


@pytest.mark.django_db
def test_a_ta_sees_the_course_and_its_students_but_does_not_edit_it(login_api, ines, bob, alice, course):
    owner = login_api(ines)
    reply = owner.post(
        f"/api/instructor/courses/{course.pk}/staff/", {"user": str(bob.pk), "role": "ta"}, format="json"
    )
    assert reply.status_code == 201, reply.json()
    assert reply.json()["user"]["username"] == "bob"
    ta = login_api(bob)

    assert [row["title"] for row in ta.get("/api/instructor/courses/").json()["results"]] == ["Draft course"]
    assert ta.get(f"/api/instructor/courses/{course.pk}/students/").status_code == 200
    assert (
        ta.patch(f"/api/instructor/courses/{course.pk}/", {"title": "Mine now"}, format="json").status_code
        == 404
    )
    adding = ta.post(
        f"/api/instructor/courses/{course.pk}/staff/", {"user": str(alice.pk), "role": "ta"}, format="json"
    )
    assert adding.status_code == 404
    dashboard = ta.get("/api/instructor/dashboard/").json()
    assert [(row["title"], row["my_role"]) for row in dashboard["courses"]] == [("Draft course", "ta")]


@pytest.mark.django_db
def test_a_co_instructor_edits_the_course(login_api, ines, bob, course):
    login_api(ines).post(
        f"/api/instructor/courses/{course.pk}/staff/",
        {"user": str(bob.pk), "role": "co_instructor"},
        format="json",
    )

    reply = login_api(bob).patch(f"/api/instructor/courses/{course.pk}/", {"title": "Shared"}, format="json")

    assert reply.status_code == 200
    assert reply.json()["title"] == "Shared"


@pytest.mark.django_db
def test_staff_is_chosen_only_by_the_owner_or_an_admin_and_bad_input_is_refused(
    login_api, ines, oscar, bob, admin_user, course
):
    other = login_api(oscar)
    body = {"user": str(bob.pk), "role": "ta"}
    assert other.post(f"/api/instructor/courses/{course.pk}/staff/", body, format="json").status_code == 404
    assert other.get(f"/api/instructor/courses/{course.pk}/staff/").status_code == 404
    owner = login_api(ines)
    assert (
        owner.post(
            f"/api/instructor/courses/{course.pk}/staff/",
            {"user": str(bob.pk), "role": "dean"},
            format="json",
        ).status_code
        == 400
    )
    assert (
        owner.post(
            f"/api/instructor/courses/{course.pk}/staff/", {"user": "nobody", "role": "ta"}, format="json"
        ).status_code
        == 400
    )
    missing = {"user": "7d1f0a52-3c1e-4a55-9d6b-1c2f0e2c9a11", "role": "ta"}
    assert (
        owner.post(f"/api/instructor/courses/{course.pk}/staff/", missing, format="json").status_code == 400
    )
    myself = owner.post(
        f"/api/instructor/courses/{course.pk}/staff/", {"user": str(ines.pk), "role": "ta"}, format="json"
    )
    assert myself.status_code == 409
    assert (
        login_api(admin_user)
        .post(f"/api/instructor/courses/{course.pk}/staff/", body, format="json")
        .status_code
        == 201
    )
    assert owner.delete(f"/api/instructor/courses/{course.pk}/staff/{bob.pk}/").status_code == 204
    assert owner.delete(f"/api/instructor/courses/{course.pk}/staff/{bob.pk}/").status_code == 404
    assert login_api(bob).get(f"/api/instructor/courses/{course.pk}/students/").status_code == 404


@pytest.mark.django_db
def test_a_ta_grades_essays_of_the_course_and_only_that_course(login_api, ines, oscar, bob, alice):
    quiz = quiz_of_every_type(instructor=ines)
    theirs = quiz_of_every_type(instructor=oscar)
    student = login_api(alice)
    for each in (quiz, theirs):
        enroll(alice, each)
        started = student.post("/api/quiz-attempts/", {"quiz": str(each.pk)}, format="json").json()
        essay = next(q for q in started["questions"] if q["type"] == "essay")
        answers = {"answers": {essay["id"]: {"text": "Because it repeats."}}}
        student.post(f"/api/quiz-attempts/{started['id']}/submit/", answers, format="json")
    services.course_staff_set(actor=ines, course_id=quiz.course_id, user_id=bob.pk, role="ta")
    ta = login_api(bob)

    waiting = ta.get("/api/instructor/essays/").json()["results"]
    assert [row["quiz"]["id"] for row in waiting] == [str(quiz.pk)]
    assert login_api(oscar).get("/api/instructor/essays/").json()["count"] == 1
    dashboard = ta.get("/api/instructor/dashboard/").json()
    assert dashboard["essays_waiting"] == len(waiting) and waiting


@pytest.mark.django_db(transaction=True)
def test_suspending_a_user_closes_their_open_sockets(admin_user, alice):
    token = tokens_issue(user=alice)["access"]

    async def scenario():
        socket = WebsocketCommunicator(
            application, f"/ws/account/?token={token}", headers=[(b"host", b"localhost")]
        )
        assert (await socket.connect())[0]
        await socket.receive_json_from()

        await database_sync_to_async(services.user_suspend)(
            actor=admin_user, user_id=alice.pk, reason="abuse"
        )

        assert await socket.receive_json_from() == {"type": "session.revoked", "reason": "suspended"}
        assert (await socket.receive_output())["code"] == CLOSE_SESSION_REVOKED

        again = WebsocketCommunicator(
            application, f"/ws/account/?token={token}", headers=[(b"host", b"localhost")]
        )
        await again.connect()
        await again.send_json_to({"type": "ping"})  # the token names nobody now: closed
        assert (await again.receive_output())["type"] == "websocket.close"

    async_to_sync(scenario)()


@pytest.mark.django_db
def test_course_students_list_progress_in_constant_queries(login_api, ines, django_assert_max_num_queries):
    from lyceum.accounts.tests.factories import UserFactory
    from lyceum.courses.services import enroll as course_enroll

    course = CourseFactory(instructor=ines, is_published=True)
    for n in range(12):
        course_enroll(user=UserFactory(username=f"s{n}"), course=course)
    client = login_api(ines)
    with django_assert_max_num_queries(6):
        rows = client.get(f"/api/instructor/courses/{course.pk}/students/").json()
    assert len(rows) == 12 and rows[0]["percent"] == 0
