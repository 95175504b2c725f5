"""Every page action has an API: a mobile client can do what the web pages do.

``PAGES`` names, for each page route, the API operations that read what the page shows and do
what its forms do. A new page route without an entry fails the first test; an entry naming an
operation the API does not offer fails the second. Pages and API share their selectors and
services, so both answer alike.
"""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from drf_spectacular.generators import SchemaGenerator

PAGES: dict[str, list[tuple[str, str]]] = {
    # accounts
    "home": [
        ("GET", "/api/my-courses/"),
        ("GET", "/api/notifications/"),
        ("GET", "/api/my-quizzes/"),
        ("GET", "/api/instructor/courses/"),
        ("GET", "/api/instructor/essays/"),
        ("GET", "/api/streak/"),
        ("GET", "/api/my-level/"),
        ("GET", "/api/challenges/"),
    ],
    "notifications": [("GET", "/api/notifications/"), ("POST", "/api/notifications/read/")],
    "register": [("POST", "/api/auth/register/")],
    "login": [("POST", "/api/auth/login/"), ("POST", "/api/auth/google/")],
    "login_google": [("POST", "/api/auth/google/")],
    "logout": [("POST", "/api/auth/logout/")],
    "password_reset": [("POST", "/api/auth/password/reset/")],
    "password_reset_confirm": [("POST", "/api/auth/password/reset/confirm/")],
    "verify_email_resend": [("POST", "/api/auth/email/verify/resend/")],
    "verify_email": [("POST", "/api/auth/email/verify/")],
    "profile": [("GET", "/api/auth/profile/")],
    "profile_edit": [("PATCH", "/api/auth/profile/")],
    "profile_avatar": [("POST", "/api/auth/profile/avatar/"), ("DELETE", "/api/auth/profile/avatar/")],
    "profile_password": [("POST", "/api/auth/password/change/")],
    # courses
    "catalog": [("GET", "/api/courses/"), ("GET", "/api/categories/")],
    "course_detail": [
        ("GET", "/api/courses/{id}/"),
        ("GET", "/api/courses/{id}/progress/"),
        ("GET", "/api/courses/{id}/quizzes/"),
    ],
    "course_enroll": [("POST", "/api/courses/{id}/enroll/"), ("POST", "/api/courses/{id}/checkout/")],
    # payments
    "pricing": [("GET", "/api/plans/"), ("GET", "/api/subscription/status/")],
    "subscribe": [("POST", "/api/subscription/checkout/")],
    "billing": [
        ("GET", "/api/subscription/status/"),
        ("GET", "/api/payments/transactions/"),
        ("GET", "/api/payments/invoices/"),
        ("GET", "/api/payments/invoices/{id}/pdf/"),
    ],
    "subscription_cancel": [("POST", "/api/subscription/cancel/")],
    "payment": [("GET", "/api/payments/transactions/{id}/")],
    # The sandbox provider's own page stands where Stripe's would: its webhook is the API.
    "sandbox_checkout": [("GET", "/api/payments/transactions/{id}/"), ("POST", "/api/webhook/payment/")],
    "razorpay_checkout": [("POST", "/api/payments/razorpay/verify/")],
    "course_unenroll": [("DELETE", "/api/courses/{id}/enroll/")],
    "lesson": [
        ("GET", "/api/lessons/{id}/"),
        ("GET", "/api/lessons/resources/{id}/file/"),
        ("GET", "/api/videos/{id}/"),
        ("GET", "/api/videos/{id}/stream/{token}/{path}"),
        ("POST", "/api/videos/{id}/progress/"),
    ],
    "lesson_complete": [("PUT", "/api/lessons/{id}/complete/")],
    "my_courses": [("GET", "/api/my-courses/")],
    "teach": [("GET", "/api/instructor/dashboard/")],
    "teach_course_people": [
        ("GET", "/api/instructor/courses/{id}/students/"),
        ("GET", "/api/instructor/courses/{id}/staff/"),
        ("POST", "/api/instructor/courses/{id}/staff/"),
        ("DELETE", "/api/instructor/courses/{id}/staff/{user_id}/"),
    ],
    "code_editor": [("GET", "/api/code/languages/"), ("POST", "/api/code/run/")],
    "code_exercise": [
        ("GET", "/api/code/exercises/{id}/"),
        ("GET", "/api/code/exercises/{id}/submissions/"),
        ("POST", "/api/code/run/"),
        ("POST", "/api/code/submissions/"),
        ("GET", "/api/code/submissions/{id}/"),
    ],
    "teach_exercises": [("GET", "/api/instructor/courses/{id}/exercises/")],
    "teach_exercise_new": [("POST", "/api/instructor/courses/{id}/exercises/")],
    "teach_exercise": [
        ("GET", "/api/instructor/exercises/{id}/"),
        ("PATCH", "/api/instructor/exercises/{id}/"),
    ],
    "teach_course_achievements": [
        ("GET", "/api/instructor/courses/{id}/achievements/"),
        ("POST", "/api/instructor/courses/{id}/achievements/"),
        ("PATCH", "/api/instructor/achievements/{id}/"),
        ("DELETE", "/api/instructor/achievements/{id}/"),
    ],
    "leaderboard": [
        ("GET", "/api/leaderboard/"),
        ("GET", "/api/leaderboard/courses/{id}/"),
        ("GET", "/api/quizzes/{id}/leaderboard/"),
        ("GET", "/api/my-level/"),
    ],
    "achievements": [("GET", "/api/my-achievements/"), ("GET", "/api/my-level/")],
    "challenge_complete": [("POST", "/api/challenges/{id}/complete/")],
    "console": [("GET", "/api/admin/users/"), ("GET", "/api/admin/stats/")],
    "console_user": [("GET", "/api/admin/users/{id}/")],
    "console_user_roles": [("POST", "/api/admin/users/{id}/role/")],
    "console_user_suspend": [
        ("POST", "/api/admin/users/{id}/suspend/"),
        ("POST", "/api/admin/users/{id}/reactivate/"),
    ],
    "console_roles": [
        ("GET", "/api/admin/roles/"),
        ("POST", "/api/admin/roles/"),
        ("GET", "/api/admin/permissions/"),
    ],
    "console_role": [("PATCH", "/api/admin/roles/{id}/"), ("DELETE", "/api/admin/roles/{id}/")],
    "console_audit": [("GET", "/api/admin/audit-log/")],
    "teach_course_new": [("POST", "/api/instructor/courses/")],
    "teach_course": [
        ("GET", "/api/instructor/courses/{id}/"),
        ("PATCH", "/api/instructor/courses/{id}/"),
        ("POST", "/api/instructor/courses/{id}/cover/"),
        ("GET", "/api/instructor/courses/{id}/quizzes/"),
        ("POST", "/api/instructor/courses/{id}/modules/reorder/"),
    ],
    "teach_course_cover": [("POST", "/api/instructor/courses/{id}/cover/")],
    "teach_lesson_files": [  # add a file, remove one; set, remove or reprocess the video, its captions
        ("POST", "/api/instructor/lessons/{id}/resources/"),
        ("DELETE", "/api/instructor/resources/{id}/"),
        ("POST", "/api/instructor/lessons/{id}/video/"),
        ("DELETE", "/api/instructor/lessons/{id}/video/"),
        ("POST", "/api/videos/{id}/reprocess/"),
        ("PUT", "/api/videos/{id}/captions/"),
        ("DELETE", "/api/videos/{id}/captions/"),
    ],
    "teach_course_publish": [
        ("POST", "/api/instructor/courses/{id}/publish/"),
        ("POST", "/api/instructor/courses/{id}/unpublish/"),
    ],
    "teach_course_delete": [("DELETE", "/api/instructor/courses/{id}/")],
    "teach_module_add": [("POST", "/api/instructor/courses/{id}/modules/")],
    "teach_module": [  # up, down, rename, delete, add a lesson
        ("POST", "/api/instructor/courses/{id}/modules/reorder/"),
        ("PATCH", "/api/instructor/modules/{id}/"),
        ("DELETE", "/api/instructor/modules/{id}/"),
        ("POST", "/api/instructor/modules/{id}/lessons/"),
    ],
    "teach_lesson": [
        ("GET", "/api/instructor/lessons/{id}/"),
        ("PATCH", "/api/instructor/lessons/{id}/"),
        ("POST", "/api/instructor/markdown/preview/"),
        ("POST", "/api/instructor/lessons/{id}/resources/"),
        ("DELETE", "/api/instructor/resources/{id}/"),
        ("POST", "/api/instructor/lessons/{id}/video/"),
        ("DELETE", "/api/instructor/lessons/{id}/video/"),
        ("POST", "/api/uploads/"),
        ("PATCH", "/api/uploads/{id}/"),
        ("POST", "/api/videos/{id}/reprocess/"),
        ("PUT", "/api/videos/{id}/captions/"),
        ("DELETE", "/api/videos/{id}/captions/"),
    ],
    # video and recordings
    "recordings": [("GET", "/api/my-recordings/"), ("GET", "/api/recordings/{id}/file/")],
    "recording_new": [
        ("POST", "/api/uploads/"),
        ("PATCH", "/api/uploads/{id}/"),
        ("POST", "/api/upload-recording/"),
    ],
    "recording_action": [("PATCH", "/api/recordings/{id}/"), ("DELETE", "/api/recordings/{id}/")],
    "teach_lesson_action": [  # up, down, delete
        ("POST", "/api/instructor/modules/{id}/lessons/reorder/"),
        ("DELETE", "/api/instructor/lessons/{id}/"),
    ],
    # chat
    "chat": [("GET", "/api/chat/rooms/"), ("GET", "/api/chat/invitations/")],
    "chat_new": [("POST", "/api/chat/rooms/"), ("GET", "/api/users/")],
    "chat_invitation": [  # accept, decline, block
        ("POST", "/api/chat/invitations/{id}/accept/"),
        ("POST", "/api/chat/invitations/{id}/decline/"),
        ("POST", "/api/chat/blocks/"),
    ],
    "chat_room": [
        ("GET", "/api/chat/rooms/{id}/messages/"),
        ("POST", "/api/chat/send/"),
        ("POST", "/api/chat/rooms/{id}/read/"),
        ("PATCH", "/api/chat/messages/{id}/"),
        ("DELETE", "/api/chat/messages/{id}/"),
        ("POST", "/api/chat/rooms/{id}/participants/"),
        ("DELETE", "/api/chat/rooms/{id}/participants/{user_id}/"),
    ],
    "chat_members": [  # invite, remove, leave
        ("GET", "/api/users/"),
        ("POST", "/api/chat/rooms/{id}/participants/"),
        ("DELETE", "/api/chat/rooms/{id}/participants/{user_id}/"),
    ],
    "chat_direct": [("POST", "/api/chat/rooms/")],
    "people": [("GET", "/api/users/")],
    "user_profile": [("GET", "/api/users/{id}/"), ("GET", "/api/chat/rooms/")],
    "user_invite": [("POST", "/api/chat/rooms/{id}/participants/")],
    # quizzes
    "quiz": [
        ("GET", "/api/quizzes/{id}/"),
        ("GET", "/api/quizzes/{id}/attempts/"),
        ("GET", "/api/quizzes/{id}/leaderboard/"),
    ],
    "quiz_start": [("POST", "/api/quiz-attempts/")],
    "attempt": [("GET", "/api/quiz-attempts/{id}/"), ("PUT", "/api/quiz-attempts/{id}/answers/")],
    "attempt_submit": [("POST", "/api/quiz-attempts/{id}/submit/")],
    "teach_quiz_new": [("POST", "/api/instructor/courses/{id}/quizzes/")],
    "teach_quiz": [  # settings, add a question, import, export, grade an essay
        ("GET", "/api/quizzes/{id}/"),
        ("GET", "/api/instructor/quizzes/{id}/"),
        ("PATCH", "/api/instructor/quizzes/{id}/"),
        ("POST", "/api/instructor/quizzes/{id}/questions/"),
        ("POST", "/api/instructor/quizzes/{id}/import-gift/"),
        ("GET", "/api/instructor/quizzes/{id}/export-gift/"),
        ("GET", "/api/instructor/essays/"),
        ("POST", "/api/instructor/answers/{id}/grade/"),
    ],
}

# Routes that are not pages of Lyceum's own: the API itself, the Django admin, static and media.
NOT_PAGES = ("api/", "admin/", "static/", "media/")


def _page_routes() -> set[str]:
    """The names of every page route (``web:…`` and any other named route outside the API)."""
    names: set[str] = set()

    def walk(patterns, prefix: str, namespace: str) -> None:
        for pattern in patterns:
            route = prefix + str(pattern.pattern).lstrip("^")
            if isinstance(pattern, URLResolver):
                if route.startswith(NOT_PAGES):
                    continue
                walk(pattern.url_patterns, route, pattern.namespace or namespace)
            elif isinstance(pattern, URLPattern) and pattern.name and not route.startswith(NOT_PAGES):
                names.add(pattern.name if namespace == "web" else f"{namespace}:{pattern.name}")

    walk(get_resolver().url_patterns, "", "")
    return names


def test_every_page_route_names_the_api_behind_it():
    missing = _page_routes() - set(PAGES)

    assert not missing, f"pages without their API operations in PAGES: {sorted(missing)}"
    assert not set(PAGES) - _page_routes(), "PAGES names a route that no longer exists"


@pytest.fixture(scope="module")
def operations() -> set[tuple[str, str]]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return {(method.upper(), path) for path, item in schema["paths"].items() for method in item}


@pytest.mark.parametrize("page", sorted(PAGES))
def test_each_page_action_exists_in_the_api(page, operations):
    absent = [operation for operation in PAGES[page] if operation not in operations]

    assert not absent, f"{page}: the API lacks {absent}"


UPLOADS = {
    ("POST", "/api/auth/profile/avatar/"),
    ("POST", "/api/instructor/courses/{id}/cover/"),
    ("POST", "/api/instructor/lessons/{id}/resources/"),
    ("POST", "/api/instructor/lessons/{id}/video/"),
    ("POST", "/api/instructor/courses/{id}/videos/"),
    ("PUT", "/api/videos/{id}/captions/"),
    ("POST", "/api/upload-recording/"),
}
# Bodies that are neither: the bytes of a resumable upload (tus).
STREAMS = {("PATCH", "/api/uploads/{id}/"): ["application/offset+octet-stream"]}


def test_json_operations_take_json_only_and_uploads_multipart_only():
    """Generated clients get one body type per operation: form bodies only where a file goes."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    bodies = {
        (method.upper(), path): sorted(operation["requestBody"]["content"])
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if "requestBody" in operation
    }

    assert {op for op, types in bodies.items() if types == ["multipart/form-data"]} == UPLOADS
    assert {op: types for op, types in bodies.items() if op in STREAMS} == STREAMS
    assert all(
        types == ["application/json"] for op, types in bodies.items() if op not in UPLOADS | set(STREAMS)
    )
