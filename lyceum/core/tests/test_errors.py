"""Every API error has one shape: {"error": {"code", "message", "fields"}}."""

import pytest
from django.urls import path
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import AllowAny

from lyceum.core.exceptions import Forbidden
from lyceum.urls import urlpatterns as real_urlpatterns

pytestmark = pytest.mark.django_db


@api_view(["GET"])
@permission_classes([AllowAny])
def crash(request):
    raise RuntimeError("boom")


@api_view(["GET"])
@permission_classes([AllowAny])
def forbidden(request):
    raise Forbidden("Only the owner may do this.")


urlpatterns = [
    path("api/test/crash/", crash),
    path("api/test/forbidden/", forbidden),
    *real_urlpatterns,
]


def _assert_shape(response, status, code=None):
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    error = response.json()["error"]
    assert set(error) >= {"code", "message", "fields"}
    assert isinstance(error["message"], str) and error["message"]
    if code:
        assert error["code"] == code
    return error


def test_validation_error_names_each_field(api):
    error = _assert_shape(
        api.post("/api/auth/register/", {"email": "x"}, format="json"), 400, "validation_error"
    )
    assert set(error["fields"]) == {"email", "username", "password"}


def test_unauthenticated_is_401(api):
    _assert_shape(api.get("/api/auth/profile/"), 401, "not_authenticated")


@pytest.mark.urls(__name__)
def test_forbidden_is_403(api):
    _assert_shape(api.get("/api/test/forbidden/"), 403, "permission_denied")


def test_unknown_api_path_is_404_json(api):
    _assert_shape(api.get("/api/does-not-exist/"), 404, "not_found")


def test_wrong_method_is_405(api):
    _assert_shape(api.get("/api/auth/login/"), 405, "method_not_allowed")


def test_unsupported_media_type_is_415(api):
    response = api.post("/api/auth/login/", "login=x", content_type="text/plain")
    _assert_shape(response, 415, "unsupported_media_type")


@pytest.mark.urls(__name__)
def test_a_crash_is_a_json_500_and_is_logged(api, caplog):
    api.raise_request_exception = False

    error = _assert_shape(api.get("/api/test/crash/"), 500, "server_error")

    assert "boom" not in error["message"]
    assert any("Unhandled error" in record.message for record in caplog.records)


def test_pages_keep_html_errors(client):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert b"Page not found" in response.content


def test_tokens_in_socket_urls_never_reach_the_server_log(caplog):
    import logging

    import lyceum.asgi  # noqa: F401  (installs the filter, as uvicorn's import of it does)

    with caplog.at_level(logging.INFO):
        logging.getLogger("uvicorn.error").info(
            '%s - "WebSocket %s" [accepted]', "127.0.0.1:5000", "/ws/chat/rooms/1/?token=eyJhbGci.x.y&after=4"
        )
        logging.getLogger("uvicorn.access").info(
            '%s - "%s %s HTTP/%s" %d', "127.0.0.1:5000", "GET", "/ws/account/?access=eyJ.a.b", "1.1", 101
        )

    assert "eyJ" not in caplog.text
    assert "token=[redacted]&after=4" in caplog.text
    assert "access=[redacted]" in caplog.text
