import pytest
from django.core import mail

from lyceum.accounts.models import User

URL = "/api/auth/register/"
GOOD = {
    "email": "Carol@Example.com",
    "username": "carol",
    "password": "a-long-enough-secret",
    "first_name": "Carol",
    "last_name": "Jones",
}

pytestmark = pytest.mark.django_db


def test_register_creates_a_student_and_signs_in(api, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(URL, GOOD, format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["access"] and body["refresh"]
    assert body["user"]["username"] == "carol"
    assert body["user"]["roles"] == ["student"]
    user = User.objects.get(username="carol")
    assert user.email == "Carol@example.com"  # the domain is lower-cased, the local part kept
    assert user.password.startswith("argon2")
    assert user.profile is not None
    assert user.email_verified_at is None
    assert len(mail.outbox) == 1
    assert "Confirm your email" in mail.outbox[0].subject
    assert "/verify-email/" in mail.outbox[0].body


def test_the_access_token_from_register_opens_the_profile(api):
    access = api.post(URL, GOOD, format="json").json()["access"]
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")

    response = api.get("/api/auth/profile/")

    assert response.status_code == 200
    assert response.json()["email"] == "Carol@example.com"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"email": "not-an-email"}, "email"),
        ({"email": ""}, "email"),
        ({"username": "has spaces"}, "username"),
        ({"username": "x" * 151}, "username"),
        ({"password": "short"}, "password"),
        ({"password": "1234567890123"}, "password"),
        ({"password": "password123"}, "password"),
    ],
)
def test_register_rejects_bad_fields_with_per_field_messages(api, change, field):
    response = api.post(URL, {**GOOD, **change}, format="json")

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert field in error["fields"]
    assert error["fields"][field][0]
    assert not User.objects.filter(username=GOOD["username"]).exists()


def test_register_requires_email_username_and_password(api):
    response = api.post(URL, {}, format="json")

    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"email", "username", "password"}


def test_password_too_similar_to_the_username_is_refused(api):
    response = api.post(URL, {**GOOD, "username": "marvellous", "password": "marvellous1"}, format="json")

    assert response.status_code == 400
    assert "password" in response.json()["error"]["fields"]


@pytest.mark.parametrize(
    "change",
    [{"email": "ALICE@example.COM", "username": "other"}, {"username": "ALICE", "email": "x@y.org"}],
)
def test_email_and_username_are_unique_whatever_their_case(api, alice, change):
    response = api.post(URL, {**GOOD, **change}, format="json")

    assert response.status_code == 400
    field = "email" if "ALICE@" in change.get("email", "") else "username"
    assert field in response.json()["error"]["fields"]
    assert User.objects.count() == 1


def test_register_with_a_json_list_body_is_a_400_not_a_500(api):
    response = api.post(URL, [1, 2, 3], format="json")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_error"


def test_register_with_malformed_json_is_a_400(api):
    response = api.post(URL, "{not json", content_type="application/json")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "parse_error"


def test_a_username_cannot_hold_an_at_so_it_never_equals_an_email(api, alice):
    response = api.post(
        "/api/auth/register/",
        {"email": "mallory@example.com", "username": "alice@example.com", "password": "mallory-pass-2026"},
        format="json",
    )

    assert response.status_code == 400
    assert "username" in response.json()["error"]["fields"]
    assert not User.objects.filter(email="mallory@example.com").exists()


def test_a_username_with_an_at_is_refused_by_the_profile_api_and_page(login_api, client, alice, bob):
    api_response = login_api(bob).patch(
        "/api/auth/profile/", {"username": "alice@example.com"}, format="json"
    )
    client.force_login(bob)
    page = client.post(
        "/profile/edit/",
        {"username": "alice@example.com", "email": "bob@example.com", "timezone": "UTC", "theme": "system"},
    )

    assert api_response.status_code == 400
    assert "username" in api_response.json()["error"]["fields"]
    assert page.status_code == 400
    assert "(no @)" in page.content.decode()
    bob.refresh_from_db()
    assert bob.username == "bob"


def test_the_database_refuses_a_username_with_an_at(alice):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.filter(pk=alice.pk).update(username="x@example.com")
