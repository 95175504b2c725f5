import datetime

import pytest
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import AccessToken

from lyceum.accounts import services
from lyceum.accounts.tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

REFRESH = "/api/auth/token/refresh/"


def _login(api, user):
    return api.post("/api/auth/login/", {"login": user.username, "password": PASSWORD}, format="json").json()


def test_access_token_lives_minutes_and_refresh_token_days(api, alice):
    tokens = _login(api, alice)
    access = AccessToken(tokens["access"])

    lifetime = access["exp"] - access["iat"]
    assert 60 <= lifetime <= 15 * 60


def test_refresh_rotates_and_blacklists_the_used_token(api, alice):
    tokens = _login(api, alice)

    response = api.post(REFRESH, {"refresh": tokens["refresh"]}, format="json")

    assert response.status_code == 200
    new = response.json()
    assert new["refresh"] != tokens["refresh"] and new["access"]
    assert BlacklistedToken.objects.filter(token__user=alice).count() == 1
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {new['access']}")
    assert api.get("/api/auth/profile/").status_code == 200


def test_reusing_a_rotated_refresh_token_revokes_every_session(api, alice):
    first = _login(api, alice)
    other_device = _login(api, alice)
    second = api.post(REFRESH, {"refresh": first["refresh"]}, format="json").json()

    replay = api.post(REFRESH, {"refresh": first["refresh"]}, format="json")

    assert replay.status_code == 401
    assert replay.json()["error"]["code"] == "token_reused"
    # The thief's and the owner's newer tokens, and the other device's, are all dead now.
    for token in (second["refresh"], other_device["refresh"]):
        response = api.post(REFRESH, {"refresh": token}, format="json")
        assert response.status_code == 401
    outstanding = OutstandingToken.objects.filter(user=alice).count()
    assert BlacklistedToken.objects.filter(token__user=alice).count() == outstanding


def test_refresh_rejects_garbage_an_access_token_and_an_expired_token(api, alice):
    tokens = _login(api, alice)
    garbage = api.post(REFRESH, {"refresh": "not.a.token"}, format="json")
    access = api.post(REFRESH, {"refresh": tokens["access"]}, format="json")
    expired_token = services.RefreshToken.for_user(alice)
    expired_token.set_exp(lifetime=-datetime.timedelta(seconds=1))
    expired = api.post(REFRESH, {"refresh": str(expired_token)}, format="json")
    missing = api.post(REFRESH, {}, format="json")

    assert garbage.status_code == access.status_code == expired.status_code == 401
    assert missing.status_code == 400


def test_expired_access_token_is_401(api, alice):
    token = AccessToken.for_user(alice)
    token.set_exp(lifetime=-datetime.timedelta(seconds=1))
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")

    response = api.get("/api/auth/profile/")

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "token_not_valid"


def test_no_token_is_401(api):
    response = api.get("/api/auth/profile/")

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


def test_logout_blacklists_the_refresh_token(api, alice):
    tokens = _login(api, alice)
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")

    response = api.post("/api/auth/logout/", {"refresh": tokens["refresh"]}, format="json")

    assert response.status_code == 204
    assert api.post(REFRESH, {"refresh": tokens["refresh"]}, format="json").status_code == 401


def test_logout_refuses_someone_elses_refresh_token(api, alice, bob):
    alices = _login(api, alice)
    bobs = _login(api, bob)
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {bobs['access']}")

    response = api.post("/api/auth/logout/", {"refresh": alices["refresh"]}, format="json")

    assert response.status_code == 401
    api.credentials()
    assert api.post(REFRESH, {"refresh": alices["refresh"]}, format="json").status_code == 200


def test_logout_needs_authentication(api):
    assert api.post("/api/auth/logout/", {}, format="json").status_code == 401


def test_expired_token_records_are_flushed(api, alice):
    from datetime import timedelta

    from django.utils import timezone
    from rest_framework_simplejwt.token_blacklist.models import OutstandingToken
    from rest_framework_simplejwt.tokens import RefreshToken

    from lyceum.accounts import tasks
    from lyceum.accounts.models import RotatedRefreshToken

    pair = services.tokens_issue(user=alice)
    api.post("/api/auth/token/refresh/", {"refresh": pair["refresh"]}, format="json")
    live = services.tokens_issue(user=alice)
    past = timezone.now() - timedelta(days=1)
    live_jti = RefreshToken(live["refresh"])["jti"]
    RotatedRefreshToken.objects.update(expires_at=past)
    OutstandingToken.objects.exclude(jti=live_jti).update(expires_at=past)

    flushed = tasks.flush_expired_tokens.delay().get()

    assert flushed >= 2
    assert not RotatedRefreshToken.objects.exists()
    assert list(OutstandingToken.objects.values_list("jti", flat=True)) == [live_jti]


def test_a_revoked_refresh_token_presented_again_is_401_without_signing_out_everywhere(api, alice):
    stale = services.tokens_issue(user=alice)
    current = services.tokens_issue(user=alice)
    services.logout(user=alice, refresh=stale["refresh"])

    response = api.post("/api/auth/token/refresh/", {"refresh": stale["refresh"]}, format="json")

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "token_revoked"
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {current['access']}")
    assert api.get("/api/auth/profile/").status_code == 200


def test_token_refresh_is_rate_limited_per_address(api, alice, rate_limits):
    rate_limits(token_refresh="2/hour")
    pair = services.tokens_issue(user=alice)

    first = api.post(REFRESH, {"refresh": pair["refresh"]}, format="json")
    second = api.post(REFRESH, {"refresh": first.json()["refresh"]}, format="json")
    third = api.post(REFRESH, {"refresh": second.json()["refresh"]}, format="json")

    assert (first.status_code, second.status_code, third.status_code) == (200, 200, 429)
    assert int(third["Retry-After"]) > 0


@pytest.mark.django_db
def test_an_access_token_finds_its_user_and_keeps_simplejwts_checks(login_api, alice, bob):
    """The user behind an access token is read by a statement compiled once
    (accounts.authentication._Users); simplejwt's checks still run on it."""
    client = login_api(alice)
    response = client.get("/api/auth/profile/")
    assert response.status_code == 200, response.content
    assert response.json()["username"] == "alice"

    # A user since deactivated: 401.
    client = login_api(bob)
    type(bob).objects.filter(pk=bob.pk).update(is_active=False)
    response = client.get("/api/auth/profile/")
    assert response.status_code == 401
    assert response.json()["error"]["fields"] == {"code": ["user_inactive"]}

    # A password changed since the token was issued: 401 (the token names the old hash's digest).
    client = login_api(alice)
    alice.set_password("a-new-password-42")
    alice.save(update_fields=["password"])
    response = client.get("/api/auth/profile/")
    assert response.status_code == 401
    assert response.json()["error"]["fields"] == {"code": ["password_changed"]}

    # A user since deleted: 401, and nobody else is found in their place.
    carol = type(alice).objects.create_user(username="carol", email="carol@example.com", password="x" * 12)
    client = login_api(carol)
    carol.delete()
    response = client.get("/api/auth/profile/")
    assert response.status_code == 401
    assert response.json()["error"]["fields"] == {"code": ["user_not_found"]}
