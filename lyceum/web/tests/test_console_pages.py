"""The admin console and the teaching pages, through Django's test client: who gets in, and what
their forms change."""

import pytest

from lyceum.access.models import AuditLog, CourseStaff
from lyceum.access.services import course_staff_set
from lyceum.accounts.models import Role, User
from lyceum.courses.tests.factories import CourseFactory
from lyceum.quizzes.tests.factories import enroll, quiz_of_every_type

pytestmark = pytest.mark.django_db

CONSOLE_PAGES = ["/console/", "/console/roles/", "/console/audit/"]


@pytest.mark.parametrize("url", CONSOLE_PAGES)
def test_the_console_is_for_admins(client, alice, ines, admin_user, url):
    assert client.get(url).status_code == 302  # to the sign-in page
    for user in (alice, ines):
        client.force_login(user)
        assert client.get(url).status_code == 403
    client.force_login(admin_user)
    assert client.get(url).status_code == 200


def test_the_console_lists_and_filters_users(client, admin_user, alice, ines):
    client.force_login(admin_user)
    page = client.get("/console/?role=instructor").content.decode()
    assert "ines@example.com" in page and "alice@example.com" not in page
    assert "Console" in client.get("/").content.decode()  # the menu links it for admins


def test_roles_and_suspension_through_the_console(client, admin_user, alice):
    client.force_login(admin_user)
    reply = client.post(
        f"/console/users/{alice.pk}/roles/", {"roles": ["student", "instructor"]}, follow=True
    )
    assert "Roles saved." in reply.content.decode()
    assert alice.__class__.objects.get(pk=alice.pk).user_roles.count() == 2

    reply = client.post(f"/console/users/{alice.pk}/suspend/", {"reason": "spam"}, follow=True)
    assert "Suspended" in reply.content.decode()
    assert User.objects.get(pk=alice.pk).suspended_at is not None
    reply = client.post(f"/console/users/{alice.pk}/suspend/", {"action": "reactivate"}, follow=True)
    assert User.objects.get(pk=alice.pk).is_active

    refused = client.post(f"/console/users/{admin_user.pk}/roles/", {"roles": ["student"]}, follow=True)
    assert "You cannot take the admin role from yourself." in refused.content.decode()
    assert [entry.action for entry in AuditLog.objects.order_by("created_at")] == [
        "user.roles",
        "user.suspend",
        "user.reactivate",
    ]


def test_a_student_cannot_post_to_the_console(client, alice, bob):
    client.force_login(alice)
    assert client.post(f"/console/users/{bob.pk}/roles/", {"roles": ["admin"]}).status_code == 403
    assert client.post(f"/console/users/{bob.pk}/suspend/", {"reason": "x"}).status_code == 403
    assert (
        client.post("/console/roles/", {"name": "Boss", "permissions": ["roles.manage"]}).status_code == 403
    )
    assert not Role.objects.filter(slug="boss").exists()
    assert User.objects.get(pk=bob.pk).is_active


def test_roles_are_made_and_changed_in_the_console(client, admin_user):
    client.force_login(admin_user)
    reply = client.post(
        "/console/roles/", {"name": "Moderator", "permissions": ["chat.moderate"]}, follow=True
    )
    assert "Role Moderator created." in reply.content.decode()
    role = Role.objects.get(slug="moderator")
    client.post(f"/console/roles/{role.pk}/", {"permissions": ["chat.moderate", "audit.view"]})
    assert set(role.role_permissions.values_list("permission__codename", flat=True)) == {
        "chat.moderate",
        "audit.view",
    }
    bad = client.post("/console/roles/", {"name": "", "permissions": ["nonsense"]})
    assert bad.status_code == 200 and Role.objects.count() == 4
    client.post(f"/console/roles/{role.pk}/", {"action": "delete"})
    assert not Role.objects.filter(slug="moderator").exists()


def test_a_teaching_assistant_sees_the_dashboard_and_the_people_page(client, ines, bob, alice, oscar):
    quiz = quiz_of_every_type(instructor=ines)
    enroll(alice, quiz)
    course_staff_set(actor=ines, course_id=quiz.course_id, user_id=bob.pk, role="ta")

    client.force_login(bob)
    dashboard = client.get("/teach/").content.decode()
    assert quiz.course.title in dashboard and "teaching assistant" in dashboard
    people = client.get(f"/teach/courses/{quiz.course_id}/people/").content.decode()
    assert "alice" in people and "Add to staff" not in people
    assert client.get(f"/teach/courses/{quiz.course_id}/").status_code == 404  # the builder is not theirs

    client.force_login(oscar)
    assert client.get(f"/teach/courses/{quiz.course_id}/people/").status_code == 404


def test_the_owner_chooses_staff_on_the_people_page(client, ines, bob):
    course = CourseFactory(instructor=ines)
    client.force_login(ines)
    reply = client.post(
        f"/teach/courses/{course.pk}/people/", {"username": "bob", "role": "co_instructor"}, follow=True
    )
    assert "bob is on the staff." in reply.content.decode()
    assert CourseStaff.objects.get(course=course).user == bob
    missing = client.post(f"/teach/courses/{course.pk}/people/", {"username": "nobody", "role": "ta"})
    assert "No user with this username." in missing.content.decode()
    client.post(f"/teach/courses/{course.pk}/people/", {"remove": str(bob.pk)})
    assert not CourseStaff.objects.exists()


def test_a_teaching_assistant_grades_on_the_quiz_page_but_cannot_change_the_quiz(client, ines, bob):
    quiz = quiz_of_every_type(instructor=ines)
    course_staff_set(actor=ines, course_id=quiz.course_id, user_id=bob.pk, role="ta")
    client.force_login(bob)

    page = client.get(f"/teach/quizzes/{quiz.pk}/").content.decode()
    assert "Answers to grade" in page and "Add a question" not in page and "Settings" not in page

    reply = client.post(
        f"/teach/quizzes/{quiz.pk}/", {"action": "settings", "title": "Taken over"}, follow=True
    )
    assert "Taken over" not in reply.content.decode()
    quiz.refresh_from_db()
    assert quiz.title == "Every type"
