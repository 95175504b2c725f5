"""Google sign-in with ID tokens signed by a test RSA key. google-auth's real verification runs;
only the certificate fetch is answered locally with the test key's certificate."""

import datetime
import json
import time
from dataclasses import dataclass

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from google.auth import crypt
from google.auth import jwt as google_jwt

from lyceum.accounts.google import GoogleIdTokenVerifier
from lyceum.accounts.models import User

CLIENT_ID = "1234-lyceum.apps.googleusercontent.com"
KEY_ID = "test-key-1"
URL = "/api/auth/google/"

pytestmark = pytest.mark.django_db


def _make_key_and_certificate():
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "lyceum test signer")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    private_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return private_pem, certificate.public_bytes(serialization.Encoding.PEM).decode()


PRIVATE_PEM, CERT_PEM = _make_key_and_certificate()
OTHER_PRIVATE_PEM, _ = _make_key_and_certificate()


@dataclass
class _Response:
    data: bytes
    status: int = 200
    headers: dict | None = None


class CertificateEndpoint:
    """Stands in for Google's certificate URL: answers the test key's certificate."""

    def __init__(self):
        self.calls = 0

    def __call__(self, url, method="GET", **kwargs):
        self.calls += 1
        return _Response(json.dumps({KEY_ID: CERT_PEM}).encode())


def sign(private_pem=PRIVATE_PEM, **overrides) -> str:
    now = int(time.time())
    claims = {
        "iss": "https://accounts.google.com",
        "aud": CLIENT_ID,
        "azp": CLIENT_ID,
        "sub": "110169484474386276334",
        "email": "dana@gmail.com",
        "email_verified": True,
        "given_name": "Dana",
        "family_name": "Scully",
        "iat": now,
        "exp": now + 3600,
    }
    claims.update(overrides)
    claims = {key: value for key, value in claims.items() if value is not None}
    signer = crypt.RSASigner.from_string(private_pem, key_id=KEY_ID)
    return google_jwt.encode(signer, claims).decode()


@pytest.fixture
def certificates(monkeypatch, settings):
    settings.GOOGLE_CLIENT_ID = [CLIENT_ID]
    endpoint = CertificateEndpoint()
    original = GoogleIdTokenVerifier.__init__

    def init(self, **kwargs):
        original(self, transport=endpoint, **kwargs)

    monkeypatch.setattr(GoogleIdTokenVerifier, "__init__", init)
    return endpoint


def test_a_valid_token_creates_a_verified_student_and_signs_in(api, certificates):
    response = api.post(URL, {"id_token": sign()}, format="json")

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["created"] is True
    assert body["access"] and body["refresh"]
    user = User.objects.get(email="dana@gmail.com")
    assert user.google_subject == "110169484474386276334"
    assert user.username == "dana"
    assert user.first_name == "Dana"
    assert user.is_email_verified
    assert not user.has_usable_password()
    assert user.has_role("student")


def test_second_sign_in_finds_the_same_user_and_certificates_are_cached(api, certificates):
    first = api.post(URL, {"id_token": sign()}, format="json").json()
    second = api.post(URL, {"id_token": sign()}, format="json").json()

    assert second["created"] is False
    assert first["user"]["id"] == second["user"]["id"]
    assert User.objects.count() == 1
    assert certificates.calls == 1


def test_an_existing_account_with_the_verified_email_is_linked(api, certificates, alice):
    response = api.post(URL, {"id_token": sign(email="ALICE@example.com")}, format="json")

    assert response.status_code == 200
    assert response.json()["user"]["id"] == str(alice.pk)
    alice.refresh_from_db()
    assert alice.google_subject == "110169484474386276334"


def test_a_token_for_another_audience_is_refused(api, certificates):
    response = api.post(URL, {"id_token": sign(aud="someone-else.apps.googleusercontent.com")}, format="json")

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_google_token"
    assert "another application" in response.json()["error"]["message"]
    assert not User.objects.exists()


def test_an_expired_token_is_refused(api, certificates):
    past = int(time.time()) - 7200
    response = api.post(URL, {"id_token": sign(iat=past, exp=past + 3600)}, format="json")

    assert response.status_code == 401
    assert "expired" in response.json()["error"]["message"]


def test_an_unverified_email_is_refused(api, certificates):
    response = api.post(URL, {"id_token": sign(email_verified=False)}, format="json")

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "google_email_unverified"
    assert not User.objects.exists()


def test_a_token_signed_by_another_key_is_refused(api, certificates):
    response = api.post(URL, {"id_token": sign(private_pem=OTHER_PRIVATE_PEM)}, format="json")

    assert response.status_code == 401


def test_a_token_from_another_issuer_is_refused(api, certificates):
    response = api.post(URL, {"id_token": sign(iss="https://evil.example.com")}, format="json")

    assert response.status_code == 401


@pytest.mark.parametrize("token", ["", "abc", "a.b.c"])
def test_malformed_tokens_are_4xx(api, certificates, token):
    response = api.post(URL, {"id_token": token}, format="json")

    assert response.status_code in (400, 401)


def test_without_a_client_id_google_sign_in_is_unavailable(api, settings):
    settings.GOOGLE_CLIENT_ID = []

    response = api.post(URL, {"id_token": sign()}, format="json")

    assert response.status_code == 503
    assert response.json()["error"]["code"] == "google_not_configured"


def test_a_disabled_account_cannot_sign_in_with_google(api, certificates):
    api.post(URL, {"id_token": sign()}, format="json")
    User.objects.update(is_active=False)

    response = api.post(URL, {"id_token": sign()}, format="json")

    assert response.status_code == 401


def test_a_squatted_unverified_account_is_not_linked_and_the_squatter_gets_nothing(api, certificates):
    # Given someone registered Dana's address with their own password and never confirmed it
    register = api.post(
        "/api/auth/register/",
        {"email": "dana@gmail.com", "username": "squatter", "password": "squatter-pass-2026"},
        format="json",
    )
    assert register.status_code == 201
    squatter = User.objects.get(username="squatter")

    # When Dana signs in with Google
    response = api.post(URL, {"id_token": sign()}, format="json")

    # Then she is not put into that account, and it is neither linked nor marked verified
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "google_link_unverified_account"
    assert "access" not in response.json()
    squatter.refresh_from_db()
    assert squatter.google_subject is None
    assert not squatter.is_email_verified


def test_the_owner_claims_a_squatted_address_by_password_reset_then_google_links(api, certificates):
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    api.post(
        "/api/auth/register/",
        {"email": "dana@gmail.com", "username": "squatter", "password": "squatter-pass-2026"},
        format="json",
    )
    squatter_session = api.post(
        "/api/auth/login/", {"login": "squatter", "password": "squatter-pass-2026"}, format="json"
    ).json()
    account = User.objects.get(username="squatter")

    # Dana follows the reset link that only her inbox receives
    confirm = api.post(
        "/api/auth/password/reset/confirm/",
        {
            "uid": urlsafe_base64_encode(force_bytes(account.pk)),
            "token": default_token_generator.make_token(account),
            "new_password": "danas-own-pass-2026",
        },
        format="json",
    )
    assert confirm.status_code == 200
    signed_in = api.post(URL, {"id_token": sign()}, format="json")

    assert signed_in.status_code == 200
    assert signed_in.json()["user"]["id"] == str(account.pk)
    # The squatter's password, refresh token and access token are all dead
    old_password = api.post(
        "/api/auth/login/", {"login": "dana@gmail.com", "password": "squatter-pass-2026"}, format="json"
    )
    assert old_password.status_code == 401
    refresh = api.post("/api/auth/token/refresh/", {"refresh": squatter_session["refresh"]}, format="json")
    assert refresh.status_code == 401
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {squatter_session['access']}")
    assert api.get("/api/auth/profile/").status_code == 401


def test_a_verified_account_is_linked_and_its_own_password_keeps_working(api, certificates):
    owner = User.objects.create_user(username="dana", email="dana@gmail.com", password="danas-pass-2026")
    owner.email_verified_at = owner.created_at
    owner.save()

    response = api.post(URL, {"id_token": sign()}, format="json")
    login = api.post("/api/auth/login/", {"login": "dana", "password": "danas-pass-2026"}, format="json")

    assert response.status_code == 200
    assert response.json()["user"]["id"] == str(owner.pk)
    assert login.status_code == 200


def test_google_sign_in_is_rate_limited_per_address(api, certificates, rate_limits):
    rate_limits(google_sign_in="2/hour")

    codes = [api.post(URL, {"id_token": sign()}, format="json").status_code for _ in range(3)]

    assert codes == [200, 200, 429]


# --- the login page's Google button (Google Identity Services, redirect mode) --------------------


def test_the_login_page_shows_googles_button_only_when_configured(client, settings):
    settings.GOOGLE_CLIENT_ID = []
    plain = client.get("/login/").content.decode()
    settings.GOOGLE_CLIENT_ID = [CLIENT_ID]
    with_google = client.get("/login/").content.decode()

    assert "Google" not in plain and "accounts.google.com" not in plain
    assert f'data-client_id="{CLIENT_ID}"' in with_google
    assert 'data-login_uri="http://testserver/login/google/"' in with_google
    assert '<script src="https://accounts.google.com/gsi/client" async></script>' in with_google


def test_googles_redirect_signs_the_browser_in(client, certificates):
    client.cookies["g_csrf_token"] = "double-submit"

    response = client.post("/login/google/", {"credential": sign(), "g_csrf_token": "double-submit"})

    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/profile/").status_code == 200  # a session now
    assert User.objects.get(email="dana@gmail.com").google_subject == "110169484474386276334"


@pytest.mark.parametrize(("cookie", "posted"), [("", ""), ("a", "b"), ("", "a")])
def test_a_post_without_googles_double_submit_token_is_refused(client, certificates, cookie, posted):
    if cookie:
        client.cookies["g_csrf_token"] = cookie

    response = client.post("/login/google/", {"credential": sign(), "g_csrf_token": posted}, follow=True)

    assert "failed its security check" in response.content.decode()
    assert not User.objects.filter(email="dana@gmail.com").exists()


def test_the_page_refuses_what_the_api_refuses(client, certificates):
    User.objects.create_user(username="squatter", email="dana@gmail.com", password="x" * 12)
    client.cookies["g_csrf_token"] = "t"

    forged = client.post(
        "/login/google/", {"credential": sign(aud="someone-else"), "g_csrf_token": "t"}, follow=True
    )
    unverified = client.post("/login/google/", {"credential": sign(), "g_csrf_token": "t"}, follow=True)

    assert "message message-error" in forged.content.decode()
    assert "never confirmed it" in unverified.content.decode()
    assert client.get("/profile/").status_code == 302  # still signed out
