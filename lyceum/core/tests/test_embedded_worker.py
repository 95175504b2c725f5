"""The embedded server's task worker (lyceum/core/embedded_worker.py): tasks queued by a request
run on its thread once no request is in flight, in order, and a failure is logged; in the real
server, a learner's points arrive after the response that earned them."""

from __future__ import annotations

import logging
import threading
import time

import pytest
from django.core import mail
from django.core.signals import request_finished, request_started

from lyceum.accounts.tasks import send_email
from lyceum.core import embedded_worker
from lyceum.core.embedded_worker import EmbeddedWorker
from tests.servers import asgi_server, call_api, manage, seed, server_env


def _eventually(check, timeout: float = 60.0):
    deadline = time.monotonic() + timeout
    while not (result := check()) and time.monotonic() < deadline:
        time.sleep(0.05)
    return result


@pytest.fixture
def worker(settings):
    settings.EMBEDDED_TASKS_IN_BACKGROUND = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.EMBEDDED_TASKS_MAX_WAIT = 3600  # only a quiet moment lets a task run
    mail.outbox = []
    started = embedded_worker.start()
    assert started is not None
    yield started
    embedded_worker.stop(timeout=60)


def test_a_task_queued_by_a_request_runs_once_the_request_has_finished(worker):
    request_started.send(sender=None)
    send_email.delay(to="ada@example.com", subject="Graded", text="You passed.")

    # The worker waits for the request: nothing is sent while it is in flight.
    assert mail.outbox == []
    request_finished.send(sender=None)

    assert _eventually(lambda: len(mail.outbox) == 1)
    assert mail.outbox[0].to == ["ada@example.com"]


def test_a_task_waits_for_every_request_in_flight(worker):
    request_started.send(sender=None)
    request_started.send(sender=None)
    send_email.delay(to="ada@example.com", subject="Graded", text="You passed.")
    request_finished.send(sender=None)

    assert worker.in_flight == 1
    assert mail.outbox == []
    request_finished.send(sender=None)
    assert _eventually(lambda: len(mail.outbox) == 1)


def test_without_the_setting_tasks_run_in_the_call_that_queues_them(worker, settings):
    settings.EMBEDDED_TASKS_IN_BACKGROUND = False
    request_started.send(sender=None)
    send_email.delay(to="ada@example.com", subject="Graded", text="You passed.")
    assert len(mail.outbox) == 1
    request_finished.send(sender=None)


def test_a_server_that_is_never_quiet_runs_its_tasks_after_the_longest_wait():
    worker = EmbeddedWorker(max_wait=0.0)
    worker.start()
    try:
        request_started.send(sender=None)  # and never finished
        ran = threading.Event()
        worker.submit(ran.set, "set")
        assert ran.wait(60)
    finally:
        worker.stop(timeout=60)


def test_tasks_run_in_order_and_a_failure_is_logged_without_stopping_the_next(caplog):
    worker = EmbeddedWorker(max_wait=0.0)
    worker.start()
    order: list[int] = []

    def boom() -> None:
        raise RuntimeError("the mail server is down")

    try:
        with caplog.at_level(logging.ERROR, logger="lyceum.tasks"):
            worker.submit(lambda: order.append(1), "first")
            worker.submit(boom, "boom")
            worker.submit(lambda: order.append(2), "second")
            worker.stop(timeout=60)  # runs what is queued, then ends
    finally:
        worker.stop(timeout=60)

    assert order == [1, 2]
    assert "task boom failed" in caplog.text
    assert "the mail server is down" in caplog.text
    assert not worker.thread.is_alive()


SEED = """
import json
from lyceum.accounts import services as accounts
from lyceum.courses import services as courses
from lyceum.courses.tests.factories import LessonFactory
lesson = LessonFactory()
ada = accounts.user_create(email="ada@example.com", username="ada", password="ada-password-12",
                           email_verified=True)
courses.enroll(user=ada, course=lesson.module.course)
print(json.dumps({"lesson": str(lesson.pk), "token": accounts.tokens_issue(user=ada)["access"]}))
"""


def test_the_embedded_server_pays_points_after_the_response_that_earned_them(tmp_path):
    # Tasks may not run before the server is idle, however long: only the requests' end (Django's
    # request_finished, through a2wsgi) lets the worker go.
    env = server_env(tmp_path, EMBEDDED_TASKS_MAX_WAIT="3600")
    for key in ("REDIS_URL", "CELERY_BROKER_URL", "CELERY_TASK_ALWAYS_EAGER", "EMBEDDED_TASKS_IN_BACKGROUND"):
        env.pop(key, None)  # the embedded default: no broker
    manage(env, "migrate", "--noinput", "-v", "0")
    seeded = seed(env, SEED)
    with asgi_server(env) as server:
        status, body = call_api(
            server, "PUT", f"/api/lessons/{seeded['lesson']}/complete/", {}, seeded["token"]
        )
        assert status == 200, body

        def paid_for_the_lesson() -> list[dict]:
            status, body = call_api(server, "GET", "/api/my-points/", token=seeded["token"])
            assert status == 200, body
            # The lesson also completes its one-lesson course, which pays course and achievement
            # entries too: only the lesson's own entry is looked for, wherever it is listed.
            return [entry for entry in body["results"] if entry["reason"] == "lesson_completed"]

        paid = _eventually(paid_for_the_lesson)  # by the worker thread, after the response
        assert [entry["amount"] for entry in paid] == [10], server.output()
