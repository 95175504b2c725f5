"""The admin API: users, their roles and suspension, roles and permissions, and the audit log."""

import pytest
from django.db import connection, transaction
from django.db.utils import DatabaseError
from rest_framework.test import APIClient

from lyceum.access.checks import access_of, has_permission
from lyceum.access.models import AuditLog
from lyceum.accounts.models import Role, User
from lyceum.accounts.tests.factories import PASSWORD, UserFactory
from lyceum.courses.tests.factories import CourseFactory

pytestmark = pytest.mark.django_db


def roles_of(user) -> set[str]:
    return set(User.objects.get(pk=user.pk).user_roles.values_list("role__slug", flat=True))


def test_the_user_list_is_for_admins_only_and_shows_emails(api, login_api, admin_user, alice):
    assert api.get("/api/admin/users/").status_code == 401
    assert login_api(alice).get("/api/admin/users/").status_code == 403

    reply = login_api(admin_user).get("/api/admin/users/?search=alice")

    assert reply.status_code == 200
    assert [(row["username"], row["email"], row["roles"]) for row in reply.json()["results"]] == [
        ("alice", "alice@example.com", ["student"])
    ]


def test_the_user_list_filters_by_role_and_status(login_api, admin_user, alice, bob, ines):
    client = login_api(admin_user)
    client.post(f"/api/admin/users/{bob.pk}/suspend/", {"reason": "spam"}, format="json")

    instructors = client.get("/api/admin/users/?role=instructor").json()["results"]
    suspended = client.get("/api/admin/users/?status=suspended").json()["results"]
    active = client.get("/api/admin/users/?status=active").json()["results"]

    assert [row["username"] for row in instructors] == ["ines"]
    assert [(row["username"], row["suspension_reason"]) for row in suspended] == [("bob", "spam")]
    assert "bob" not in {row["username"] for row in active} and "alice" in {row["username"] for row in active}


def test_an_admin_makes_a_student_an_instructor_who_may_then_create_courses(login_api, admin_user, alice):
    student = login_api(alice)
    new_course = {"title": "Pottery", "description": "Clay.", "level": "beginner"}
    assert student.post("/api/instructor/courses/", new_course, format="json").status_code == 403

    reply = login_api(admin_user).post(
        f"/api/admin/users/{alice.pk}/role/",
        {"roles": ["student", "instructor"]},
        format="json",
        HTTP_USER_AGENT="console-test",
        REMOTE_ADDR="203.0.113.9",
    )

    assert reply.status_code == 200, reply.json()
    assert reply.json()["roles"] == ["instructor", "student"]
    assert student.post("/api/instructor/courses/", new_course, format="json").status_code == 201
    entry = AuditLog.objects.get(action="user.roles")
    assert (entry.actor_username, entry.target_id, entry.details) == (
        "root",
        str(alice.pk),
        {"added": ["instructor"], "removed": []},
    )
    assert (entry.ip, entry.user_agent, entry.method) == ("203.0.113.9", "console-test", "POST")
    assert entry.path == f"/api/admin/users/{alice.pk}/role/"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"roles": ["student", "wizard"]}, "roles"),
        ({"roles": []}, "roles"),
        ({"roles": "admin"}, "roles"),
        ({}, "roles"),
        ({"roles": ["x" * 300]}, "roles"),
    ],
)
def test_bad_role_requests_are_refused_and_change_nothing(login_api, admin_user, alice, body, field):
    reply = login_api(admin_user).post(f"/api/admin/users/{alice.pk}/role/", body, format="json")

    assert reply.status_code == 400
    assert field in reply.json()["error"]["fields"]
    assert roles_of(alice) == {"student"}
    assert not AuditLog.objects.exists()


def test_an_admin_cannot_demote_themself_nor_the_last_admin(login_api, admin_user):
    other_admin = UserFactory(username="second", roles=["admin"])
    client = login_api(admin_user)

    own = client.post(f"/api/admin/users/{admin_user.pk}/role/", {"roles": ["student"]}, format="json")
    assert (own.status_code, own.json()["error"]["code"]) == (409, "own_admin_role")

    assert (
        client.post(
            f"/api/admin/users/{other_admin.pk}/role/", {"roles": ["student"]}, format="json"
        ).status_code
        == 200
    )
    # admin_user is now the only admin; a second admin session cannot take it from them either
    third = UserFactory(username="third", roles=["admin"])
    reply = login_api(third).post(
        f"/api/admin/users/{admin_user.pk}/role/", {"roles": ["student"]}, format="json"
    )
    assert reply.status_code == 200  # two admins left before: admin_user and third
    # admin_user is a superuser, so still allowed, but third is the last admin now
    last = login_api(admin_user).post(
        f"/api/admin/users/{third.pk}/role/", {"roles": ["student"]}, format="json"
    )
    assert (last.status_code, last.json()["error"]["code"]) == (409, "last_admin")
    admins = User.objects.filter(user_roles__role__slug="admin", is_active=True).distinct()
    assert list(admins.values_list("username", flat=True)) == ["third"]


def test_the_last_admin_keeps_the_role(login_api):
    only = UserFactory(username="only", roles=["admin"])
    helper = UserFactory(username="helper", roles=["student"])
    # a role that may assign roles but is not admin
    login_api(only).post(
        "/api/admin/roles/", {"name": "Registrar", "permissions": ["roles.assign"]}, format="json"
    )
    login_api(only).post(
        f"/api/admin/users/{helper.pk}/role/", {"roles": ["student", "registrar"]}, format="json"
    )

    reply = login_api(helper).post(f"/api/admin/users/{only.pk}/role/", {"roles": ["student"]}, format="json")

    assert (reply.status_code, reply.json()["error"]["code"]) == (409, "last_admin")
    assert roles_of(only) == {"admin"}


def test_a_role_assigner_who_does_not_manage_roles_cannot_make_admins(login_api, admin_user, alice, bob):
    login_api(admin_user).post(
        "/api/admin/roles/", {"name": "Registrar", "permissions": ["roles.assign"]}, format="json"
    )
    login_api(admin_user).post(f"/api/admin/users/{bob.pk}/role/", {"roles": ["registrar"]}, format="json")

    registrar = login_api(bob)
    assert (
        registrar.post(
            f"/api/admin/users/{alice.pk}/role/", {"roles": ["instructor"]}, format="json"
        ).status_code
        == 200
    )
    assert (
        registrar.post(f"/api/admin/users/{alice.pk}/role/", {"roles": ["admin"]}, format="json").status_code
        == 403
    )
    assert roles_of(alice) == {"instructor"}


def test_a_suspended_user_is_refused_at_once_everywhere_and_reactivated(api, login_api, admin_user, alice):
    pair = api.post("/api/auth/login/", {"login": "alice", "password": PASSWORD}, format="json").json()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {pair['access']}")
    assert client.get("/api/auth/profile/").status_code == 200

    reply = login_api(admin_user).post(
        f"/api/admin/users/{alice.pk}/suspend/", {"reason": "Cheating"}, format="json"
    )

    assert reply.status_code == 200
    assert (reply.json()["is_active"], reply.json()["suspension_reason"]) == (False, "Cheating")
    assert client.get("/api/auth/profile/").status_code == 401
    assert (
        api.post("/api/auth/token/refresh/", {"refresh": pair["refresh"]}, format="json").status_code == 401
    )
    login = api.post("/api/auth/login/", {"login": "alice", "password": PASSWORD}, format="json")
    assert (login.status_code, login.json()["error"]["code"]) == (401, "account_suspended")
    wrong = api.post("/api/auth/login/", {"login": "alice", "password": "not-hers-at-all"}, format="json")
    assert wrong.json()["error"]["code"] == "invalid_credentials"  # says nothing without the password
    assert AuditLog.objects.filter(action="user.suspend", target_id=str(alice.pk)).count() == 1

    again = login_api(admin_user).post(f"/api/admin/users/{alice.pk}/suspend/", {}, format="json")
    assert (again.status_code, again.json()["error"]["code"]) == (409, "already_suspended")

    back = login_api(admin_user).post(f"/api/admin/users/{alice.pk}/reactivate/")
    assert (back.status_code, back.json()["is_active"]) == (200, True)
    assert (
        api.post("/api/auth/login/", {"login": "alice", "password": PASSWORD}, format="json").status_code
        == 200
    )
    assert client.get("/api/auth/profile/").status_code == 401  # the old tokens stay dead


def test_suspension_rules(login_api, admin_user, alice, bob):
    admin = login_api(admin_user)
    own = admin.post(f"/api/admin/users/{admin_user.pk}/suspend/", {}, format="json")
    assert (own.status_code, own.json()["error"]["code"]) == (409, "own_account")
    assert login_api(alice).post(f"/api/admin/users/{bob.pk}/suspend/", {}, format="json").status_code == 403
    assert admin.post(f"/api/admin/users/{bob.pk}/reactivate/").json()["error"]["code"] == "not_suspended"
    missing = admin.post("/api/admin/users/7d1f0a52-3c1e-4a55-9d6b-1c2f0e2c9a11/suspend/", {}, format="json")
    assert missing.status_code == 404
    long_reason = admin.post(f"/api/admin/users/{bob.pk}/suspend/", {"reason": "x" * 501}, format="json")
    assert long_reason.status_code == 400
    assert User.objects.get(pk=bob.pk).is_active


def test_roles_are_created_with_permissions_and_hold_them(login_api, admin_user, alice):
    admin = login_api(admin_user)
    reply = admin.post(
        "/api/admin/roles/",
        {"name": "Moderator", "description": "Keeps chat civil.", "permissions": ["chat.moderate"]},
        format="json",
    )
    assert reply.status_code == 201, reply.json()
    role = reply.json()
    assert (role["slug"], role["permissions"], role["built_in"], role["holders"]) == (
        "moderator",
        ["chat.moderate"],
        False,
        0,
    )
    admin.post(f"/api/admin/users/{alice.pk}/role/", {"roles": ["student", "moderator"]}, format="json")
    assert has_permission(User.objects.get(pk=alice.pk), "chat.moderate")

    assert admin.post("/api/admin/roles/", {"name": "moderator"}, format="json").status_code == 409
    unknown = admin.post("/api/admin/roles/", {"name": "Wizard", "permissions": ["magic"]}, format="json")
    assert unknown.status_code == 400 and "permissions" in unknown.json()["error"]["fields"]
    in_use = admin.delete(f"/api/admin/roles/{role['id']}/")
    assert (in_use.status_code, in_use.json()["error"]["code"]) == (409, "role_in_use")

    changed = admin.patch(f"/api/admin/roles/{role['id']}/", {"permissions": []}, format="json")
    assert changed.json()["permissions"] == []
    assert not has_permission(User.objects.get(pk=alice.pk), "chat.moderate")
    entry = AuditLog.objects.get(action="role.update")
    assert entry.details == {"permissions": {"added": [], "removed": ["chat.moderate"]}}


def test_built_in_roles_keep_their_names_and_the_admin_role_every_permission(login_api, admin_user):
    admin = login_api(admin_user)
    roles = {row["slug"]: row for row in admin.get("/api/admin/roles/").json()}
    assert roles["instructor"]["permissions"] == ["courses.create"]

    assert (
        admin.patch(
            f"/api/admin/roles/{roles['admin']['id']}/", {"permissions": []}, format="json"
        ).status_code
        == 409
    )
    assert (
        admin.patch(
            f"/api/admin/roles/{roles['student']['id']}/", {"name": "Learner"}, format="json"
        ).status_code
        == 409
    )
    assert admin.delete(f"/api/admin/roles/{roles['student']['id']}/").status_code == 409
    # an instructor role that may also moderate chat
    widened = admin.patch(
        f"/api/admin/roles/{roles['instructor']['id']}/",
        {"permissions": ["courses.create", "chat.moderate"]},
        format="json",
    )
    assert widened.json()["permissions"] == ["chat.moderate", "courses.create"]


def test_an_unused_custom_role_is_deleted(login_api, admin_user):
    admin = login_api(admin_user)
    role = admin.post("/api/admin/roles/", {"name": "Teaching Assistant"}, format="json").json()
    assert role["slug"] == "teaching_assistant"

    assert admin.delete(f"/api/admin/roles/{role['id']}/").status_code == 204
    assert not Role.objects.filter(slug="teaching_assistant").exists()
    assert AuditLog.objects.filter(action="role.delete").count() == 1


def test_the_permission_list_and_stats_are_for_admins(api, login_api, admin_user, alice, ines):
    CourseFactory(instructor=ines, is_published=True)
    assert login_api(alice).get("/api/admin/permissions/").status_code == 403
    codes = [row["codename"] for row in login_api(admin_user).get("/api/admin/permissions/").json()]
    assert "users.suspend" in codes and codes == sorted(codes)

    assert login_api(ines).get("/api/admin/stats/").status_code == 403
    stats = login_api(admin_user).get("/api/admin/stats/").json()
    assert stats["users"]["total"] == 3
    assert stats["users"]["by_role"]["instructor"] == 1
    assert stats["courses"] == {"total": 1, "published": 1}


def test_the_audit_log_is_read_only_for_admins(login_api, admin_user, alice):
    admin = login_api(admin_user)
    admin.post(f"/api/admin/users/{alice.pk}/suspend/", {"reason": "test"}, format="json")

    assert login_api(alice).get("/api/admin/audit-log/").status_code in (401, 403)
    rows = admin.get("/api/admin/audit-log/?action=user.").json()["results"]
    assert [(row["action"], row["target_repr"]) for row in rows] == [("user.suspend", "alice")]
    for method in ("post", "put", "patch", "delete"):
        assert getattr(admin, method)("/api/admin/audit-log/").status_code == 405


def test_nobody_can_change_or_delete_an_audit_entry(admin_user):
    from lyceum.access import audit

    entry = audit.record(actor=admin_user, action="test.action", details={"n": 1})
    entry.action = "forged"
    with pytest.raises(TypeError):
        entry.save()
    with pytest.raises(TypeError):
        entry.delete()
    with pytest.raises(TypeError):
        AuditLog.objects.filter(pk=entry.pk).update(action="forged")
    with pytest.raises(TypeError):
        AuditLog.objects.all().delete()
    # Below the ORM, the database refuses too.
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE access_auditlog SET action = 'forged'")
    if connection.vendor == "postgresql":
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DELETE FROM access_auditlog")
    assert AuditLog.objects.get().action == "test.action"


def test_an_admin_changing_someone_elses_course_is_audited_and_its_owner_is_not(login_api, admin_user, ines):
    course = CourseFactory(instructor=ines)

    assert (
        login_api(ines)
        .patch(f"/api/instructor/courses/{course.pk}/", {"title": "Mine"}, format="json")
        .status_code
        == 200
    )
    assert not AuditLog.objects.exists()

    reply = login_api(admin_user).patch(
        f"/api/instructor/courses/{course.pk}/", {"title": "Fixed"}, format="json"
    )
    assert reply.status_code == 200
    entry = AuditLog.objects.get()
    assert (entry.action, entry.actor_username, entry.method) == ("request", "root", "PATCH")
    assert entry.details["allowed_by"] == ["courses.manage_all"]
    assert entry.path == f"/api/instructor/courses/{course.pk}/"


def test_access_is_read_once_per_user_object(django_assert_num_queries, ines):
    user = User.objects.get(pk=ines.pk)
    with django_assert_num_queries(1):
        access = access_of(user)
        assert has_permission(user, "courses.create")
        assert not has_permission(user, "users.view")
        assert user.has_role("instructor")
    assert access.roles == {"student", "instructor"}


def test_a_superuser_holds_every_permission_whatever_their_roles(db):
    boss = UserFactory(username="boss", roles=["student"], is_superuser=True)
    assert has_permission(boss, "roles.manage")


def test_an_unknown_permission_is_a_programming_error(alice):
    with pytest.raises(ValueError):
        has_permission(alice, "courses.teleport")
