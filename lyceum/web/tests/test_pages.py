import re

import pytest
from django.core import mail
from django.core.management import call_command
from zeal import zeal_ignore

from lyceum.accounts.models import Role, User, UserRole
from lyceum.accounts.tests.factories import PASSWORD
from lyceum.accounts.tests.test_profile import image_file

pytestmark = pytest.mark.django_db


def test_home_page_invites_visitors_to_register(client):
    response = client.get("/")

    assert response.status_code == 200
    assert b"Create an account" in response.content
    assert b'href="/login/"' in response.content


def test_register_page_creates_the_account_and_signs_in(client):
    response = client.post(
        "/register/",
        {"username": "carol", "email": "carol@example.com", "password": "a-long-enough-secret"},
        follow=True,
    )

    assert response.redirect_chain[-1][0] == "/profile/"
    assert b"Welcome to Lyceum" in response.content
    assert response.context["user"].username == "carol"


def test_register_page_shows_errors_next_to_the_fields(client, alice):
    response = client.post("/register/", {"username": "alice", "email": "bad", "password": "123"})

    assert response.status_code == 400
    html = response.content.decode()
    assert "Enter a valid email address." in html
    assert User.objects.count() == 1


def test_register_page_reports_a_taken_username(client, alice):
    response = client.post(
        "/register/", {"username": "ALICE", "email": "new@example.com", "password": "a-long-enough-secret"}
    )

    assert response.status_code == 400
    assert "A user with this username already exists." in response.content.decode()


def test_login_page_signs_in_with_email_and_goes_to_next(client, alice):
    response = client.post(
        "/login/", {"login": "alice@example.com", "password": PASSWORD, "next": "/profile/"}
    )

    assert response.status_code == 302
    assert response["Location"] == "/profile/"


def test_login_page_ignores_an_offsite_next(client, alice):
    response = client.post(
        "/login/", {"login": "alice", "password": PASSWORD, "next": "https://evil.example/"}
    )

    assert response["Location"] == "/"


def test_login_page_wrong_password(client, alice):
    response = client.post("/login/", {"login": "alice", "password": "nope"})

    assert response.status_code == 401
    assert "No active account matches" in response.content.decode()


def test_login_page_is_throttled_like_the_api(client, alice, rate_limits):
    rate_limits(login_failure_account="2/hour")
    for _ in range(2):
        client.post("/login/", {"login": "alice", "password": "nope"})

    response = client.post("/login/", {"login": "alice", "password": PASSWORD})

    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "Too many failed sign-in attempts" in response.content.decode()


def test_logout_needs_post_and_ends_the_session(client, alice):
    client.force_login(alice)

    assert client.get("/logout/").status_code == 405
    response = client.post("/logout/", follow=True)

    assert b"You are signed out." in response.content
    assert not response.context["user"].is_authenticated


def test_profile_page_needs_login(client):
    response = client.get("/profile/")

    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=/profile/")


def test_profile_page_shows_the_user(client, alice):
    client.force_login(alice)

    html = client.get("/profile/").content.decode()

    assert "alice@example.com" in html
    assert "Student" in html


def test_profile_edit_saves_and_escapes_the_bio(client, alice):
    client.force_login(alice)

    response = client.post(
        "/profile/edit/",
        {
            "username": "alice",
            "email": "alice@example.com",
            "first_name": "Alice",
            "last_name": "L",
            "bio": "<script>alert(1)</script>",
            "phone": "",
            "timezone": "Asia/Tokyo",
            "theme": "dark",
            "date_of_birth": "",
        },
        follow=True,
    )

    assert b"Your profile is saved." in response.content
    assert b"<script>alert(1)</script>" not in response.content
    assert b"&lt;script&gt;" in response.content
    alice.refresh_from_db()
    assert alice.profile.timezone == "Asia/Tokyo"
    assert alice.profile.preferences == {"theme": "dark", "email_notifications": False}


def test_profile_edit_rejects_an_unknown_timezone(client, alice):
    client.force_login(alice)

    response = client.post(
        "/profile/edit/",
        {"username": "alice", "email": "alice@example.com", "timezone": "Nowhere/Land", "theme": "light"},
    )

    assert response.status_code == 400
    assert "is not a known time zone" in response.content.decode()


def test_avatar_upload_page(client, alice):
    client.force_login(alice)

    response = client.post("/profile/avatar/", {"avatar": image_file()}, follow=True)

    assert b"Your new avatar is saved." in response.content
    assert b'class="avatar"' in response.content


def test_avatar_upload_page_refuses_a_non_image(client, alice):
    client.force_login(alice)
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post("/profile/avatar/", {"avatar": SimpleUploadedFile("x.png", b"nope")})

    assert response.status_code == 400
    assert "Upload a JPEG, PNG, WebP or GIF image." in response.content.decode()


def test_password_change_page_keeps_this_session(client, alice):
    client.force_login(alice)

    response = client.post(
        "/profile/password/",
        {
            "current_password": PASSWORD,
            "new_password": "a-new-passphrase-here",
            "confirm_password": "a-new-passphrase-here",
        },
        follow=True,
    )

    assert b"Your password was changed." in response.content
    assert response.context["user"].is_authenticated


def test_forgot_and_reset_password_pages(client, alice, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/password/reset/", {"email": "alice@example.com"})
    assert b"Check your email" in response.content
    link = re.search(r"http://[^/]+(/password/reset/\S+/)", mail.outbox[-1].body).group(1)

    assert client.get(link).status_code == 200
    mismatch = client.post(
        link, {"new_password": "first-choice-pass", "confirm_password": "other-choice-pass"}
    )
    done = client.post(
        link, {"new_password": "first-choice-pass", "confirm_password": "first-choice-pass"}, follow=True
    )
    reused = client.get(link)

    assert mismatch.status_code == 400
    assert b"Sign in with it." in done.content
    assert reused.status_code == 400
    assert client.login(username="alice", password="first-choice-pass")


def test_verify_email_page(client, alice):
    alice.email_verified_at = None
    alice.save()
    from lyceum.accounts.tokens import email_verification_token

    ok = client.get(f"/verify-email/{email_verification_token(user=alice)}/")
    bad = client.get("/verify-email/forged-token/")

    assert b"Email address confirmed" in ok.content
    assert bad.status_code == 400


def test_admin_login_goes_through_the_lyceum_login_page(client):
    response = client.get("/admin/login/?next=/admin/")

    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/admin/"


@pytest.mark.parametrize(
    "page",
    [
        "/admin/",
        "/admin/accounts/user/",
        "/admin/accounts/role/",
        "/admin/accounts/userrole/",
        "/admin/accounts/userprofile/",
        "/admin/accounts/user/?q=alice&is_active__exact=1",
    ],
)
def test_admin_pages_work_for_staff(client, admin_user, alice, page):
    client.force_login(admin_user)

    response = client.get(page)

    assert response.status_code == 200


def test_admin_user_change_page(client, admin_user, alice):
    client.force_login(admin_user)

    response = client.get(f"/admin/accounts/user/{alice.pk}/change/")

    assert response.status_code == 200
    assert b"alice@example.com" in response.content


def test_init_data_creates_demo_users_once(capsys):
    # A command calls services in a loop by design; the N+1 guard watches request paths.
    with zeal_ignore():
        call_command("init_data")
        call_command("init_data")

    output = capsys.readouterr().out
    assert "password: learn-lyceum-2026" in output
    assert User.objects.filter(username__in=["student", "instructor", "admin"]).count() == 3
    assert UserRole.objects.filter(user__username="instructor", role__slug=Role.INSTRUCTOR).count() == 1
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.has_role("admin")
    assert User.objects.get(username="student").check_password("learn-lyceum-2026")


def test_init_data_refuses_demo_accounts_outside_development(settings, admin_user):
    from django.core.management.base import CommandError

    settings.DEMO_ACCOUNTS_ALLOWED = False  # DEBUG=false
    User.objects.filter(pk=admin_user.pk).update(username="admin")

    with zeal_ignore(), pytest.raises(CommandError, match="refusing to create or reset the demo accounts"):
        call_command("init_data")
    call_command("init_data", "--no-demo")

    admin_user.refresh_from_db()
    assert not admin_user.check_password("admin-lyceum-2026")
    assert not User.objects.filter(username__in=["student", "instructor"]).exists()
    with zeal_ignore():
        call_command("init_data", "--allow-demo-accounts")
    assert User.objects.get(username="student").check_password("learn-lyceum-2026")


def test_changing_the_password_signs_out_the_other_sessions(client, alice):
    from django.test import Client

    other_device = Client()
    other_device.force_login(alice)
    client.force_login(alice)
    assert other_device.get("/profile/").status_code == 200

    client.post(
        "/profile/password/",
        {
            "current_password": PASSWORD,
            "new_password": "a-new-passphrase-here",
            "confirm_password": "a-new-passphrase-here",
        },
    )

    assert client.get("/profile/").status_code == 200
    assert other_device.get("/profile/").status_code == 302


@pytest.mark.parametrize(
    "page",
    [
        "/admin/courses/course/",
        "/admin/courses/module/",
        "/admin/courses/lesson/",
        "/admin/courses/courseenrollment/",
        "/admin/courses/lessonprogress/",
        "/admin/courses/category/",
    ],
)
def test_course_admin_pages_work_for_staff(client, admin_user, page):
    from lyceum.courses.tests.factories import course_with_outline

    course = course_with_outline(modules=2, lessons=2)
    client.force_login(admin_user)

    assert client.get(page).status_code == 200
    assert client.get(f"/admin/courses/course/{course.pk}/change/").status_code == 200


@pytest.mark.parametrize(
    "page",
    [
        "/admin/quizzes/quiz/",
        "/admin/quizzes/question/",
        "/admin/quizzes/quizattempt/",
        "/admin/quizzes/questionanswer/",
        "/admin/chat/chatroom/",
        "/admin/chat/message/",
        "/admin/chat/participant/",
        "/admin/notifications/notification/",
    ],
)
def test_quiz_admin_pages_work_for_staff(client, admin_user, page):
    client.force_login(admin_user)

    assert client.get(page).status_code == 200
