import pytest

from lyceum.accounts.tests.factories import PASSWORD

URL = "/api/auth/login/"

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("field", ["login", "email", "username"])
@pytest.mark.parametrize("value", ["alice", "ALICE", "alice@example.com", "Alice@Example.com"])
def test_login_with_email_or_username_in_any_case(api, alice, field, value):
    response = api.post(URL, {field: value, "password": PASSWORD}, format="json")

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["user"]["id"] == str(alice.pk)
    assert body["user"]["email"] == "alice@example.com"
    assert body["access"].count(".") == 2 and body["refresh"].count(".") == 2


def test_wrong_password_is_401_with_one_message_for_every_cause(api, alice):
    wrong = api.post(URL, {"login": "alice", "password": "nope-nope-nope"}, format="json")
    unknown = api.post(URL, {"login": "nobody", "password": "nope-nope-nope"}, format="json")

    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()
    assert wrong.json()["error"]["code"] == "invalid_credentials"


def test_inactive_user_cannot_log_in(api, alice):
    alice.is_active = False
    alice.save()

    response = api.post(URL, {"login": "alice", "password": PASSWORD}, format="json")

    assert response.status_code == 401


def test_login_without_credentials_is_400(api):
    response = api.post(URL, {"password": "x"}, format="json")

    assert response.status_code == 400
    assert "login" in response.json()["error"]["fields"]


def test_account_is_throttled_after_its_failures_even_from_many_addresses(api, alice, rate_limits):
    rate_limits(login_failure_account="3/hour", login_failure_ip="1000/hour")
    for n in range(3):
        response = api.post(
            URL, {"login": "alice", "password": "wrong-wrong"}, format="json", REMOTE_ADDR=f"10.0.0.{n}"
        )
        assert response.status_code == 401

    # Even the right password is refused now: the check never runs.
    response = api.post(
        URL, {"login": "ALICE@example.com", "password": PASSWORD}, format="json", REMOTE_ADDR="10.0.0.99"
    )

    assert response.status_code == 429
    assert response.json()["error"]["code"] == "throttled"
    assert 3000 < int(response["Retry-After"]) <= 3600
    # Another account is unaffected.
    other = api.post(URL, {"login": "bob", "password": "wrong-wrong"}, format="json", REMOTE_ADDR="10.0.0.99")
    assert other.status_code == 401


def test_an_address_is_throttled_after_failures_on_many_accounts(api, alice, rate_limits):
    rate_limits(login_failure_account="1000/hour", login_failure_ip="5/hour")
    for n in range(5):
        response = api.post(
            URL, {"login": f"victim{n}", "password": "guess-guess"}, format="json", REMOTE_ADDR="203.0.113.7"
        )
        assert response.status_code == 401

    blocked = api.post(
        URL, {"login": "alice", "password": PASSWORD}, format="json", REMOTE_ADDR="203.0.113.7"
    )
    elsewhere = api.post(
        URL, {"login": "alice", "password": PASSWORD}, format="json", REMOTE_ADDR="198.51.100.1"
    )

    assert blocked.status_code == 429
    assert int(blocked["Retry-After"]) > 0
    assert elsewhere.status_code == 200


def test_default_limits_follow_owasp_asvs(settings):
    assert settings.RATE_LIMITS["login_failure_account"] == "100/hour"
    per_ip = int(settings.RATE_LIMITS["login_failure_ip"].split("/")[0])
    assert per_ip <= 25


def test_successful_logins_do_not_count_against_the_limit(api, alice, rate_limits):
    rate_limits(login_failure_account="2/hour")
    for _ in range(5):
        assert api.post(URL, {"login": "alice", "password": PASSWORD}, format="json").status_code == 200


def test_x_forwarded_for_cannot_dodge_the_address_limit(api, alice, rate_limits):
    rate_limits(login_failure_ip="2/hour")
    for n in range(2):
        api.post(
            URL,
            {"login": f"v{n}", "password": "guess-guess"},
            format="json",
            HTTP_X_FORWARDED_FOR=f"1.2.3.{n}",
        )

    response = api.post(
        URL, {"login": "v9", "password": "guess-guess"}, format="json", HTTP_X_FORWARDED_FOR="9.9.9.9"
    )

    assert response.status_code == 429
