"""Every API error has one shape: {"error": {"code", "message", "fields"}}."""

import pytest
from django.urls import path
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import AllowAny

import lyceum.asgi  # noqa: F401  (installs the log filter, as uvicorn's import of it does)
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


NESTED = "[" * 1000 + "]" * 1000


@pytest.mark.parametrize("path", ["/api/auth/login/", "/api/auth/register/", "/api/chat/send/"])
def test_json_nested_a_thousand_deep_is_a_400_not_a_crash(api, alice, login_api, path):
    client = login_api(alice) if path == "/api/chat/send/" else api

    response = client.post(path, data='{"login": ' + NESTED + "}", content_type="application/json")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "parse_error"


def test_a_lone_surrogate_in_a_json_body_is_a_400(login_api, alice):
    response = login_api(alice).post(
        "/api/chat/send/", data='{"room": "x", "content": "\\ud800"}', content_type="application/json"
    )

    assert response.status_code == 400


def test_json_endpoints_take_json_only_so_form_field_bombs_never_reach_a_parser(api):
    fields = "&".join(f"f{n}=x" for n in range(1500))

    response = api.post("/api/auth/login/", data=fields, content_type="application/x-www-form-urlencoded")

    assert response.status_code == 415
    assert response.json()["error"]["code"] == "unsupported_media_type"


def test_an_upload_with_too_many_fields_is_a_400(login_api, alice):
    from django.test.client import encode_multipart

    body = encode_multipart("BoUnDaRy", {f"f{n}": "x" for n in range(1500)})

    response = login_api(alice).post(
        "/api/auth/profile/avatar/", data=body, content_type="multipart/form-data; boundary=BoUnDaRy"
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "bad_request"


def test_a_json_body_over_the_limit_is_a_413(api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024

    response = api.post(
        "/api/auth/login/", data='{"login": "' + "x" * 5000 + '"}', content_type="application/json"
    )

    assert response.status_code == 413
    assert response.json()["error"]["code"] == "payload_too_large"


@pytest.mark.parametrize(
    "cursor",
    ["cD1hYmM=", "cD0tMQ==", "cD05OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk="],
    ids=["p=abc", "p=-1", "p=huge"],
)
def test_a_malformed_history_cursor_is_a_400(login_api, alice, cursor):
    from lyceum.chat.services import room_create

    room = room_create(creator=alice, name="Mine", member_ids=[])

    response = login_api(alice).get(f"/api/chat/rooms/{room.pk}/messages/", {"cursor": cursor})

    assert response.status_code == 400
    assert "cursor" in response.json()["error"]["fields"]


def test_a_title_with_a_newline_still_sends_its_email(alice, mailoutbox, django_capture_on_commit_callbacks):
    from lyceum.notifications.models import Notification
    from lyceum.notifications.services import notify

    with django_capture_on_commit_callbacks(execute=True):
        notify(user=alice, kind=Notification.Kind.QUIZ_GRADED, title="Quiz\r\nBcc: victim@example.com")

    assert len(mailoutbox) == 1
    assert mailoutbox[0].subject == "Quiz Bcc: victim@example.com"
    assert mailoutbox[0].bcc == []
