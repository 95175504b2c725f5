"""Where exam day's time goes, inside one process: seeds the exam of bench/seed_exam.py into a
fresh SQLite database, then runs start, save-all and submit for each student through Django's
test client (no server, no network), and prints per phase the CPU milliseconds and SQL queries
per request, and the CPU of the tasks the requests queued (run after them by the embedded
worker; with --postgres, Celery's workers would run them, and they are not counted).
``--profile PHASE`` writes a cProfile of that phase to var/profile-PHASE.prof (open it with
``python -m pstats`` or snakeviz).

    .venv/bin/python bench/profile_exam.py [--students 40] [--questions 30] [--profile submit] [--postgres]
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.harness import postgres_database


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--students", type=int, default=40)
    parser.add_argument("--questions", type=int, default=30)
    parser.add_argument("--profile", choices=["start", "save", "submit"])
    parser.add_argument("--postgres", action="store_true", help="a fresh PostgreSQL database and Redis")
    args = parser.parse_args()
    with contextlib.ExitStack() as stack:
        var_dir = stack.enter_context(tempfile.TemporaryDirectory(prefix="lyceum-profile-"))
        if args.postgres:
            os.environ["DATABASE_URL"] = stack.enter_context(postgres_database())
            os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/15")
        os.environ.update(
            DJANGO_SETTINGS_MODULE="bench.settings",
            LYCEUM_VAR_DIR=var_dir,
            DEBUG="false",
            SECRET_KEY="profile-" + "x" * 60,
            ALLOWED_HOSTS="testserver",
            SECURE_SSL_REDIRECT="false",
            BENCH_STUDENTS=str(args.students),
            BENCH_QUESTIONS=str(args.questions),
            LOG_LEVEL="WARNING",
        )
        python = str(Path(sys.executable))
        subprocess.run([python, "manage.py", "migrate", "-v", "0"], cwd=ROOT, check=True)
        seeded = subprocess.run(
            [python, "bench/seed_exam.py"], cwd=ROOT, check=True, capture_output=True, text=True
        )
        seed = json.loads(seeded.stdout.strip().splitlines()[-1])
        run(seed, args.profile)


def run(seed: dict, profile: str | None) -> None:
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from lyceum.core import embedded_worker
    from lyceum.core.warmup import prepare_server_process

    worker = embedded_worker.start()  # as in the embedded server (none with a broker)
    prepare_server_process()  # as the servers do before their first request
    clients = [Client(HTTP_AUTHORIZATION=f"Bearer {token}") for token in seed["tokens"]]

    def phase(name: str, requests) -> list:
        profiler = cProfile.Profile() if profile == name else None
        bodies, queries = [], 0
        started, started_here = time.process_time(), time.thread_time()
        for client, method, url, body in requests:
            with CaptureQueriesContext(connection) as captured:
                if profiler:
                    profiler.enable()
                reply = getattr(client, method)(url, data=json.dumps(body), content_type="application/json")
                if profiler:
                    profiler.disable()
            assert reply.status_code < 400, (url, reply.status_code, reply.content[:300])
            bodies.append(reply.json())
            queries += len(captured)
        cpu_ms = (time.thread_time() - started_here) * 1000 / len(requests)
        if worker is not None:  # the tasks the requests queued, run after them
            drained = threading.Event()
            worker.submit(drained.set, "drained")
            drained.wait()
        tasks_ms = (time.process_time() - started) * 1000 / len(requests) - cpu_ms
        print(
            f"{name:<8} {cpu_ms:8.2f} ms CPU/request {queries / len(requests):6.1f} queries/request"
            f" {tasks_ms:8.2f} ms CPU/request in tasks after the response"
        )
        if profiler:
            out = ROOT / "var" / f"profile-{name}.prof"
            out.parent.mkdir(exist_ok=True)
            profiler.dump_stats(out)
            print(f"         profile written to {out}")
        return bodies

    started = phase("start", [(c, "post", "/api/quiz-attempts/", {"quiz": seed["quiz"]}) for c in clients])
    ids = [body["id"] for body in started]
    phase(
        "save",
        [
            (c, "put", f"/api/quiz-attempts/{i}/answers/", {"answers": seed["answers"]})
            for c, i in zip(clients, ids, strict=True)
        ],
    )
    submitted = phase(
        "submit",
        [(c, "post", f"/api/quiz-attempts/{i}/submit/", {}) for c, i in zip(clients, ids, strict=True)],
    )
    print("percents", sorted({body["percent"] for body in submitted}))


if __name__ == "__main__":
    main()
