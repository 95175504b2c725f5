import re

import pytest
from django.core import mail

pytestmark = pytest.mark.django_db

VERIFY = "/api/auth/email/verify/"


def _register(api, capture):
    with capture(execute=True):
        response = api.post(
            "/api/auth/register/",
            {"email": "eve@example.com", "username": "eve", "password": "a-long-enough-secret"},
            format="json",
        )
    token = re.search(r"/verify-email/([^/\s]+)/", mail.outbox[-1].body).group(1)
    return response.json(), token


def test_the_emailed_token_verifies_the_address(api, django_capture_on_commit_callbacks):
    body, token = _register(api, django_capture_on_commit_callbacks)

    response = api.post(VERIFY, {"token": token}, format="json")

    assert response.status_code == 200
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {body['access']}")
    assert api.get("/api/auth/profile/").json()["email_verified"] is True


def test_a_tampered_token_is_400(api, django_capture_on_commit_callbacks):
    _, token = _register(api, django_capture_on_commit_callbacks)

    response = api.post(VERIFY, {"token": token[:-2] + "xx"}, format="json")

    assert response.status_code == 400
    assert "token" in response.json()["error"]["fields"]


def test_a_token_for_a_former_address_no_longer_verifies(api, django_capture_on_commit_callbacks):
    body, token = _register(api, django_capture_on_commit_callbacks)
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {body['access']}")
    api.patch("/api/auth/profile/", {"email": "eve2@example.com"}, format="json")
    api.credentials()

    response = api.post(VERIFY, {"token": token}, format="json")

    assert response.status_code == 400


def test_resend_sends_a_new_link_and_refuses_once_verified(
    login_api, alice, bob, django_capture_on_commit_callbacks
):
    bob.email_verified_at = None
    bob.save()

    with django_capture_on_commit_callbacks(execute=True):
        unverified = login_api(bob).post("/api/auth/email/verify/resend/")
    verified = login_api(alice).post("/api/auth/email/verify/resend/")

    assert unverified.status_code == 202
    assert mail.outbox[-1].to == ["bob@example.com"]
    assert verified.status_code == 409
    assert verified.json()["error"]["code"] == "already_verified"
