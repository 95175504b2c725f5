"""Schemathesis over the served OpenAPI schema, against a real server with the demo data: every
operation, as a student and as an instructor, with a fixed seed and a bounded number of examples.
No answer may be a server error, a status the schema does not document, or a body or content
type the schema does not describe.

Path parameters are drawn from the ids of real objects (courses, lessons, files, quizzes,
attempts, rooms, messages, invitations, users …) as often as from generated values, so
operations are exercised on objects that exist, not only on 404s.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.servers import asgi_server, manage, seed, server_env

EXAMPLES = 12
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
# Google sign-in answers 503 by design on a server without GOOGLE_CLIENT_ID (documented); its
# verification is tested with tokens signed by a test key (accounts/tests/test_google.py).
# Signing out would end the fuzzing personas' own tokens.
EXCLUDED = r"^/api/auth/(google|logout|password/change)/$"
GENEROUS = "1000000/minute"

SEED = """
import json
from lyceum.accounts import services as accounts
from lyceum.accounts.models import User
from lyceum.chat.models import ChatRoom, Message, RoomInvitation
from lyceum.chat.services import room_create
from lyceum.courses.models import Course, Lesson, LessonResource, Module
from lyceum.notifications.models import Notification
from lyceum.quizzes.models import Question, QuestionAnswer, Quiz, QuizAttempt
from lyceum.quizzes.services import attempt_start

student = User.objects.get(username="student")
instructor = User.objects.get(username="instructor")
stranger = User.objects.create_user(username="stranger", email="stranger@example.com", password=None)
room_create(creator=stranger, name="Invitation", member_ids=[student.pk, instructor.pk])
for quiz in Quiz.objects.filter(is_published=True):
    try:
        attempt_start(user=student, quiz=quiz)
    except Exception:
        pass

def ids(queryset):
    return [str(pk) for pk in queryset.values_list("pk", flat=True)[:20]]

print(json.dumps({
    "tokens": {
        "student": accounts.tokens_issue(user=student)["access"],
        "instructor": accounts.tokens_issue(user=instructor)["access"],
    },
    "ids": {
        "course": ids(Course.objects.all()), "module": ids(Module.objects.all()),
        "lesson": ids(Lesson.objects.all()), "resource": ids(LessonResource.objects.all()),
        "quiz": ids(Quiz.objects.all()), "question": ids(Question.objects.all()),
        "attempt": ids(QuizAttempt.objects.all()), "answer": ids(QuestionAnswer.objects.all()),
        "room": ids(ChatRoom.objects.all()), "message": ids(Message.objects.all()),
        "invitation": ids(RoomInvitation.objects.all()), "user": ids(User.objects.all()),
        "notification": ids(Notification.objects.all()),
    },
}))
"""

# Which kind of object a path parameter names, by the path it appears in (first match wins).
ID_KINDS = [
    ("/participants/{user_id}/", "user"),
    ("/chat/blocks/{user_id}/", "user"),
    ("/resources/{id}", "resource"),
    ("/modules/{id}", "module"),
    ("/lessons/{id}", "lesson"),
    ("/questions/{id}", "question"),
    ("/answers/{id}", "answer"),
    ("/quiz-attempts/{id}", "attempt"),
    ("/quizzes/{id}", "quiz"),
    ("/courses/{id}", "course"),
    ("/chat/rooms/{id}", "room"),
    ("/chat/messages/{id}", "message"),
    ("/chat/invitations/{id}", "invitation"),
    ("/notifications/{id}", "notification"),
    ("/users/{id}", "user"),
]
KNOWN: dict = {}


# A resumable upload's chunk (tus): raw bytes, as any other binary body.
schemathesis.openapi.media_type("application/offset+octet-stream", st.binary(max_size=4096))


@schemathesis.serializer("application/offset+octet-stream")
def _offset_octet_stream(ctx, value) -> bytes:
    return value if isinstance(value, bytes) else str(value).encode()


@schemathesis.hook
def before_generate_path_parameters(context, strategy):
    """Half of the path parameters name objects that exist."""
    path = context.operation.path if context.operation else ""
    known = {}
    for fragment, kind in ID_KINDS:
        name = fragment.split("{", 1)[1].split("}", 1)[0]
        if fragment in path and name not in known and KNOWN.get(kind):
            known[name] = st.sampled_from(KNOWN[kind])
    if not known:
        return strategy

    def merge(pair):
        generated, real = pair
        # Invalid-input generation wraps its values; those keep their invalid parameters.
        return {**generated, **real} if isinstance(generated, dict) else generated

    return st.one_of(strategy, st.tuples(strategy, st.fixed_dictionaries(known)).map(merge))


@pytest.fixture(scope="module")
def fuzz_server(tmp_path_factory):
    rates = {
        name: GENEROUS
        for name in [
            "LOGIN_FAILURE_RATE_PER_ACCOUNT",
            "LOGIN_FAILURE_RATE_PER_IP",
            "RATE_GOOGLE_SIGN_IN",
            "RATE_TOKEN_REFRESH",
            "THROTTLE_REGISTER",
            "THROTTLE_ACCOUNT_EMAIL",
            "RATE_MARKDOWN_PREVIEW",
            "RATE_CHAT_SEND",
            "RATE_CHAT_FRAME",
            "RATE_CHAT_INVITE",
            "RATE_VIDEO_PROGRESS",
            "RATE_UPLOAD_OPEN",
        ]
    }
    env = server_env(tmp_path_factory.mktemp("var"), JWT_ACCESS_MINUTES="240", **rates)
    manage(env, "migrate", "--noinput", "-v", "0")
    manage(env, "init_data")
    seeded = seed(env, SEED)
    KNOWN.clear()
    KNOWN.update(seeded["ids"])
    with asgi_server(env) as running:
        yield running, seeded["tokens"]


@pytest.fixture(scope="module")
def api_operations(fuzz_server):
    running, _ = fuzz_server
    schema = schemathesis.openapi.from_url(f"{running.base_url}/api/schema/").exclude(path_regex=EXCLUDED)
    return [result.ok() for result in schema.get_all_operations()]


def _fuzz(operations, running, token: str) -> list[str]:
    """Runs every operation's generated cases (valid and invalid input); returns the failures."""
    failures = []
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @settings(
                max_examples=EXAMPLES,
                derandomize=True,  # a fixed seed: the same cases every run
                deadline=None,
                database=None,
                phases=[Phase.generate],  # no shrinking: each step would be another request
                suppress_health_check=list(HealthCheck),
            )
            @given(case=operation.as_strategy(generation_mode=mode))
            def run(case):
                case.call_and_validate(
                    base_url=running.base_url, headers={"Authorization": f"Bearer {token}"}, checks=CHECKS
                )

            try:
                run()
            except Unsatisfiable:
                continue  # nothing of this operation can be made invalid (no parameters, no body)
            except Exception as failure:  # schemathesis's FailureGroup too: every failure is reported
                failures.append(f"{operation.label} ({mode.value}): {failure}"[:3000])
    return failures


@pytest.mark.parametrize("persona", ["student", "instructor"])
def test_every_answer_is_documented_and_none_is_a_server_error(api_operations, fuzz_server, persona):
    running, tokens = fuzz_server

    failures = _fuzz(api_operations, running, tokens[persona])

    assert not failures, "\n\n".join(failures)
