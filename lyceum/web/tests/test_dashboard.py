"""The signed-in home is the learner's dashboard; /notifications/ lists every notification."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from lyceum.courses.models import CourseEnrollment, LessonProgress
from lyceum.courses.tests.factories import course_with_outline
from lyceum.notifications.models import Notification
from lyceum.notifications.services import notify
from lyceum.quizzes.models import Quiz
from lyceum.quizzes.tests.factories import enroll, quiz_of_every_type

pytestmark = pytest.mark.django_db


def test_the_dashboard_continues_where_the_learner_left_off(client, login_api, alice, ines):
    old = course_with_outline(modules=1, lessons=2, instructor=ines, title="Old course")
    recent = course_with_outline(modules=2, lessons=2, instructor=ines, title="Recent course")
    for course in (old, recent):
        CourseEnrollment.objects.create(user=alice, course=course)
    lessons = list(recent.modules.order_by("order").first().lessons.order_by("order"))
    LessonProgress.objects.create(user=alice, lesson=lessons[0], completed_at=timezone.now())
    client.force_login(alice)

    html = client.get("/").content.decode()
    mine = login_api(alice).get("/api/my-courses/").json()["results"]

    assert "Continue where you left off" in html
    assert f"/courses/{recent.slug}/lessons/{lessons[1].pk}/" in html  # the next lesson, not the first
    assert "1 of 4 lessons done" in html
    assert "Old course" in html
    by_title = {e["course"]["title"]: e for e in mine}
    assert by_title["Recent course"]["next_lesson_id"] == str(lessons[1].pk)
    assert "Courses, quizzes and chat arrive here" not in html


def test_open_quizzes_by_deadline_on_the_dashboard_and_the_api(client, login_api, alice, ines):
    soon = quiz_of_every_type(instructor=ines, closes_at=timezone.now() + datetime.timedelta(days=1))
    soon.title = "Closing soon"
    soon.save()
    later = Quiz.objects.create(course=soon.course, title="No deadline", is_published=True)
    done = Quiz.objects.create(course=soon.course, title="Used up", is_published=True, max_attempts=1)
    Quiz.objects.create(
        course=soon.course,
        title="Closed",
        is_published=True,
        closes_at=timezone.now() - datetime.timedelta(days=1),
    )
    enroll(alice, soon)
    done.attempts.create(user=alice, number=1)
    client.force_login(alice)

    listed = [q["title"] for q in login_api(alice).get("/api/my-quizzes/").json()]
    html = client.get("/").content.decode()

    assert listed == ["Closing soon", "No deadline"]
    assert html.index("Closing soon") < html.index(later.title)
    assert "Used up" not in html and "Closed" not in html


def test_instructors_see_their_courses_and_the_grading_queue(client, login_api, alice, ines):
    quiz = quiz_of_every_type(instructor=ines)
    enroll(alice, quiz)
    student = login_api(alice)
    started = student.post("/api/quiz-attempts/", {"quiz": str(quiz.pk)}, format="json").json()
    essay = next(q for q in started["questions"] if q["type"] == "essay")
    student.post(
        f"/api/quiz-attempts/{started['id']}/submit/",
        {"answers": {essay["id"]: {"text": "Why not"}}},
        format="json",
    )
    client.force_login(ines)

    html = client.get("/").content.decode()

    assert "Your teaching" in html and quiz.course.title in html
    assert "Answers to grade (1)" in html
    client.force_login(alice)
    assert "Answers to grade" not in client.get("/").content.decode()


def test_the_notifications_page_lists_pages_and_marks_read(client, alice, bob):
    for n in range(25):
        notify(user=alice, kind=Notification.Kind.SYSTEM, title=f"Note {n}", body="Body text " * 40)
    notify(user=bob, kind=Notification.Kind.SYSTEM, title="Bob's own")
    client.force_login(alice)

    first = client.get("/notifications/").content.decode()
    second = client.get("/notifications/?page=2").content.decode()
    marked = client.post("/notifications/", follow=True)

    assert "Note 24" in first and "Note 5" in first and "Note 4" not in first  # newest first, 20 a page
    assert "Note 4" in second and "Page 2 of 2" in second
    assert "Bob&#x27;s own" not in first + second
    assert "…" in first  # long bodies are previewed
    assert "Marked 25 notifications read." in marked.content.decode()
    assert not Notification.objects.filter(user=alice, read_at__isnull=True).exists()
    assert Notification.objects.filter(user=bob, read_at__isnull=True).count() == 1


def test_the_notifications_page_needs_a_sign_in(client):
    response = client.get("/notifications/")

    assert response.status_code == 302 and "/login/" in response["Location"]
