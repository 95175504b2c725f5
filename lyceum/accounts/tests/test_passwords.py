import re

import pytest
from django.core import mail

from lyceum.accounts.tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

CHANGE = "/api/auth/password/change/"
RESET = "/api/auth/password/reset/"
CONFIRM = "/api/auth/password/reset/confirm/"
NEW = "a-brand-new-passphrase"


def _login(api, login, password=PASSWORD):
    return api.post("/api/auth/login/", {"login": login, "password": password}, format="json")


def test_password_change_ends_other_sessions_and_returns_a_new_pair(
    api, alice, login_api, django_capture_on_commit_callbacks
):
    old = _login(api, alice.username).json()
    client = login_api(alice)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(CHANGE, {"current_password": PASSWORD, "new_password": NEW}, format="json")

    assert response.status_code == 200
    new = response.json()
    # The old refresh token and the old access token are both dead.
    assert api.post("/api/auth/token/refresh/", {"refresh": old["refresh"]}, format="json").status_code == 401
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {old['access']}")
    assert api.get("/api/auth/profile/").status_code == 401
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {new['access']}")
    assert api.get("/api/auth/profile/").status_code == 200
    api.credentials()
    assert _login(api, "alice", NEW).status_code == 200
    assert _login(api, "alice", PASSWORD).status_code == 401
    assert "password was changed" in mail.outbox[-1].subject


def test_password_change_with_a_wrong_current_password_is_400(login_api, alice):
    response = login_api(alice).post(
        CHANGE, {"current_password": "wrong", "new_password": NEW}, format="json"
    )

    assert response.status_code == 400
    assert "current_password" in response.json()["error"]["fields"]
    alice.refresh_from_db()
    assert alice.check_password(PASSWORD)


def test_password_change_to_a_weak_password_is_400(login_api, alice):
    response = login_api(alice).post(
        CHANGE, {"current_password": PASSWORD, "new_password": "12345"}, format="json"
    )

    assert response.status_code == 400
    assert "new_password" in response.json()["error"]["fields"]


def _reset_link(api, email, capture):
    with capture(execute=True):
        response = api.post(RESET, {"email": email}, format="json")
    assert response.status_code == 202
    match = re.search(r"/password/reset/([^/]+)/([^/\s]+)/", mail.outbox[-1].body)
    return match.group(1), match.group(2)


def test_password_reset_by_email_with_a_one_time_token(api, alice, django_capture_on_commit_callbacks):
    uid, token = _reset_link(api, "ALICE@example.com", django_capture_on_commit_callbacks)

    response = api.post(CONFIRM, {"uid": uid, "token": token, "new_password": NEW}, format="json")

    assert response.status_code == 200
    assert _login(api, "alice", NEW).status_code == 200
    again = api.post(CONFIRM, {"uid": uid, "token": token, "new_password": "another-one-here"}, format="json")
    assert again.status_code == 400
    assert "token" in again.json()["error"]["fields"]


def test_password_reset_for_an_unknown_address_answers_the_same_and_sends_nothing(
    api, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(RESET, {"email": "nobody@example.com"}, format="json")

    assert response.status_code == 202
    assert mail.outbox == []


@pytest.mark.parametrize(
    "payload",
    [
        {"uid": "garbage", "token": "x-y", "new_password": NEW},
        {"uid": "", "token": "", "new_password": NEW},
        {"new_password": NEW},
    ],
)
def test_password_reset_confirm_with_bad_tokens_is_400(api, alice, payload):
    response = api.post(CONFIRM, payload, format="json")

    assert response.status_code == 400


def test_password_reset_confirm_with_a_weak_password_keeps_the_token_usable(
    api, alice, django_capture_on_commit_callbacks
):
    uid, token = _reset_link(api, "alice@example.com", django_capture_on_commit_callbacks)

    weak = api.post(CONFIRM, {"uid": uid, "token": token, "new_password": "abc"}, format="json")
    strong = api.post(CONFIRM, {"uid": uid, "token": token, "new_password": NEW}, format="json")

    assert weak.status_code == 400
    assert "new_password" in weak.json()["error"]["fields"]
    assert strong.status_code == 200


def test_password_reset_requests_are_throttled_per_address(api, rate_limits):
    rate_limits(account_email="2/hour")

    codes = [api.post(RESET, {"email": "x@example.com"}, format="json").status_code for _ in range(3)]

    assert codes == [202, 202, 429]
