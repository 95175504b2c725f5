"""A client generated from the served schema works: openapi-python-client (as a mobile team would
use it) generates a Python client from ``/api/schema/`` of a live server, without a warning, and
a student's journey runs through it with no hand-written HTTP: log in, browse the catalog,
enroll, complete a lesson, find and take the course's quiz, see the result, chat."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from zeal import zeal_ignore

pytestmark = pytest.mark.django_db(transaction=True)

PACKAGE = "lyceum_api_client"


@pytest.fixture
def client_package(live_server, tmp_path):
    with zeal_ignore():
        call_command("init_data", "--allow-demo-accounts", verbosity=0)
    bin_dir = Path(sys.executable).parent
    # tus's chunk type is bytes like any other: generate it as application/octet-stream.
    config = tmp_path / "client.yml"
    config.write_text(
        'content_type_overrides:\n  "application/offset+octet-stream": "application/octet-stream"\n'
    )
    generated = subprocess.run(
        [
            str(bin_dir / "openapi-python-client"),
            "generate",
            "--url",
            f"{live_server.url}/api/schema/",
            "--meta",
            "none",
            "--config",
            str(config),
            "--output-path",
            str(tmp_path / PACKAGE),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"},
        check=False,
    )
    output = generated.stdout + generated.stderr
    assert generated.returncode == 0, output
    assert "Warning" not in output, output  # every operation and model made it into the client
    sys.path.insert(0, str(tmp_path))
    try:
        yield importlib.import_module(PACKAGE), live_server.url
    finally:
        sys.path.remove(str(tmp_path))
        for name in [n for n in sys.modules if n == PACKAGE or n.startswith(PACKAGE + ".")]:
            del sys.modules[name]


def _api(package, name: str):
    return importlib.import_module(f"{package.__name__}.api.{name}")


def _model(package, name: str):
    return getattr(importlib.import_module(f"{package.__name__}.models"), name)


def test_a_student_journey_through_the_generated_client(client_package):
    package, base_url = client_package
    courses = _api(package, "courses")
    quizzes = _api(package, "quizzes")
    chat = _api(package, "chat")
    # log in
    login = importlib.import_module(f"{package.__name__}.api.auth.auth_login_create")
    tokens = login.sync(
        client=package.Client(base_url=base_url),
        body=_model(package, "LoginRequest")(login="student", password="learn-lyceum-2026"),
    )
    assert tokens.user.username == "student", tokens
    me = package.AuthenticatedClient(base_url=base_url, token=tokens.access)

    def call(group, operation: str, *args, **kwargs):
        module = importlib.import_module(f"{group.__name__}.{operation}")
        response = module.sync_detailed(*args, client=me, **kwargs)
        assert 200 <= response.status_code < 300, (operation, response.status_code, response.content)
        return response.parsed

    # the catalog, then enroll in a course
    catalog = call(courses, "courses_list", search="accessibility")
    course = next(c for c in catalog.results if c.slug == "web-accessibility-in-practice")
    call(courses, "courses_enroll_create", course.id)
    detail = call(courses, "courses_retrieve", course.id)
    assert detail.viewer.is_enrolled is True

    # complete a lesson
    lesson = detail.modules[0].lessons[0]
    progress = call(courses, "lessons_complete_update", lesson.id)
    assert lesson.id in progress.completed_lesson_ids

    # find the course's quiz and take it
    (quiz,) = call(quizzes, "courses_quizzes_list", course.id)
    assert quiz.status.is_enrolled is True
    attempt = call(quizzes, "quiz_attempts_create", body=_model(package, "StartRequest")(quiz=quiz.id))
    answer_value = _model(package, "AnswerValueRequest")
    answers = _model(package, "AnswersRequestAnswers")()
    for question in attempt.questions:
        kind = question.type_.value if hasattr(question.type_, "value") else question.type_
        if kind in ("single", "true_false", "multiple"):
            answers[str(question.id)] = answer_value(choices=[question.choices[0].id])
        elif kind == "numeric":
            answers[str(question.id)] = answer_value(number="4.5")
        elif kind in ("short_text", "essay"):
            answers[str(question.id)] = answer_value(text="contrast ratio")
    result = call(
        quizzes,
        "quiz_attempts_submit_create",
        attempt.id,
        body=_model(package, "AnswersRequest")(answers=answers),
    )
    assert result.status.value in ("graded", "needs_grading")
    assert result.submitted_at is not None
    again = call(quizzes, "quiz_attempts_retrieve", attempt.id)
    assert again.score == result.score
    mine = call(quizzes, "quizzes_attempts_list", quiz.id)
    assert [a.id for a in mine] == [attempt.id]

    # chat in a room of one's own
    room = call(chat, "chat_rooms_create", body=_model(package, "RoomCreateRequest")(name="Revision notes"))
    call(chat, "chat_send_create", body=_model(package, "SendRequest")(room=room.id, content="Quiz done!"))
    messages = call(chat, "chat_rooms_messages_list", room.id)
    assert [m.content for m in messages.results] == ["Quiz done!"]
