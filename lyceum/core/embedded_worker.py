"""The embedded default's task worker: one thread in the server process, in place of Celery's.

With no broker, Celery runs a task the moment it is queued ("always eager"), which in a server is
inside the request that queued it: a submitted quiz answered only after its points, badges and
e-mail were done, an uploaded video only after it was encoded. The embedded server
(``lyceum.asgi``) starts this worker instead. A task queued there runs on the worker's thread,
in the order queued, with its own database connection, once no request is in flight: requests
come first, as they do when a Celery worker runs beside the web processes in production. A task
waits at most ``EMBEDDED_TASKS_MAX_WAIT`` seconds for a quiet moment, so a server that is never
idle still runs its tasks. A failing task is logged, as a Celery worker logs it.

Everything else (management commands, the test suite, ``manage.py shell``) keeps Celery's eager
mode: its tasks have run when the call returns.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable

from django.conf import settings
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, connections

logger = logging.getLogger("lyceum.tasks")


class EmbeddedWorker:
    def __init__(self, max_wait: float) -> None:
        self.max_wait = max_wait
        self.jobs: queue.SimpleQueue[tuple[float, Callable[[], object], str] | None] = queue.SimpleQueue()
        self.in_flight = 0
        self.quiet = threading.Condition()
        self.thread = threading.Thread(target=self._run, name="lyceum-embedded-worker", daemon=True)

    # --- the requests, counted through Django's own signals --------------------------------------

    def request_started(self, **kwargs) -> None:
        with self.quiet:
            self.in_flight += 1

    def request_finished(self, **kwargs) -> None:
        with self.quiet:
            self.in_flight = max(0, self.in_flight - 1)
            if not self.in_flight:
                self.quiet.notify_all()

    # --- the tasks ---------------------------------------------------------------------------------

    def submit(self, job: Callable[[], object], name: str) -> None:
        self.jobs.put((time.monotonic(), job, name))

    def _run(self) -> None:
        while (item := self.jobs.get()) is not None:
            queued_at, job, name = item
            with self.quiet:
                self.quiet.wait_for(
                    lambda: not self.in_flight, timeout=max(0.0, queued_at + self.max_wait - time.monotonic())
                )
            close_old_connections()
            try:
                job()
            except Exception:
                logger.exception("task %s failed", name)
            finally:
                close_old_connections()
        connections.close_all()

    def start(self) -> None:
        request_started.connect(self.request_started, dispatch_uid="embedded-worker-started")
        request_finished.connect(self.request_finished, dispatch_uid="embedded-worker-finished")
        self.thread.start()

    def stop(self, timeout: float | None = None) -> None:
        """Runs what is queued, then ends the thread (waiting up to ``timeout`` seconds)."""
        request_started.disconnect(dispatch_uid="embedded-worker-started")
        request_finished.disconnect(dispatch_uid="embedded-worker-finished")
        with self.quiet:
            self.in_flight = 0
            self.quiet.notify_all()
        self.jobs.put(None)
        self.thread.join(timeout)


_worker: EmbeddedWorker | None = None


def running() -> EmbeddedWorker | None:
    """The worker, if this process started one."""
    return _worker


def start() -> EmbeddedWorker | None:
    """Starts the worker when tasks would otherwise run eagerly in the requests (no broker) and
    ``EMBEDDED_TASKS_IN_BACKGROUND`` is on; returns it, or None."""
    global _worker
    from lyceum.celery import app

    if _worker is None and app.conf.task_always_eager and settings.EMBEDDED_TASKS_IN_BACKGROUND:
        _worker = EmbeddedWorker(max_wait=settings.EMBEDDED_TASKS_MAX_WAIT)
        _worker.start()
    return _worker


def stop(timeout: float | None = None) -> None:
    global _worker
    if _worker is not None:
        _worker.stop(timeout)
        _worker = None
