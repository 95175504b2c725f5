"""Which server runs Lyceum, and how: one small JSON endpoint (GET /api/health/, a real DRF view
with one SQL query) through uvicorn, granian and daphne, each serving Lyceum's application
(HTTP on a thread pool through a2wsgi) and Django's own ASGI handler, and the production layout
of `manage.py serve` (nginx in front of gunicorn), with gunicorn's WSGI sync worker as the
reference baseline, all in one run. Each server gets one process, then gunicorn and the layout
get one per core; wrk, in a second process, takes the other core.

    make bench        (or: .venv/bin/python bench/bench_servers.py [--seconds 10])
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import BIN, Case, Server, lyceum_instance, run_http, uvicorn_argv
from lyceum.core.management.commands.serve import default_workers

LYCEUM = "lyceum.asgi:application"
DJANGO_ASGI = "bench.django_asgi:application"
HOST = "127.0.0.1"


def granian(app: str) -> list[str]:
    return [
        str(BIN / "granian"),
        "--interface",
        "asgi",
        "--host",
        HOST,
        "--port",
        "{port}",
        "--workers",
        "1",
        "--log-level",
        "warning",
        app,
    ]


def serve(http_workers: int | None = None) -> list[str]:
    """The production layout (`manage.py serve`): nginx, gunicorn for HTTP, uvicorn for /ws/."""
    return [
        str(BIN / "python"),
        "manage.py",
        "serve",
        "--port",
        "{port}",
        *(["--http-workers", str(http_workers)] if http_workers else []),
    ]


def gunicorn(workers: int) -> list[str]:
    return [
        str(BIN / "gunicorn"),
        "lyceum.wsgi:application",
        "-b",
        f"{HOST}:{{port}}",
        "-w",
        str(workers),
        "--log-level",
        "warning",
    ]


def daphne(app: str) -> list[str]:
    return [str(BIN / "daphne"), "-b", HOST, "-p", "{port}", "-v", "0", app]


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=64)
    args = parser.parse_args(argv)

    cores = os.cpu_count() or 1
    sized = default_workers(cores)[0]
    with lyceum_instance(REDIS_URL=os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/15") as env:
        cases = [
            Case("gunicorn WSGI (reference)", Server(gunicorn(1), env), "/api/health/"),
            Case("serve layout, 1 HTTP process", Server(serve(1), env), "/api/health/"),
            Case("uvicorn + Lyceum app", Server(uvicorn_argv(LYCEUM), env), "/api/health/"),
            Case("granian + Lyceum app", Server(granian(LYCEUM), env), "/api/health/"),
            Case("daphne + Lyceum app", Server(daphne(LYCEUM), env), "/api/health/"),
            Case("uvicorn + Django ASGI handler", Server(uvicorn_argv(DJANGO_ASGI), env), "/api/health/"),
            Case(f"gunicorn WSGI, {sized} processes", Server(gunicorn(sized), env), "/api/health/"),
            Case(f"serve layout ({sized} HTTP processes)", Server(serve(), env), "/api/health/"),
        ]
        results = run_http(
            cases,
            baseline="gunicorn WSGI (reference)",
            seconds=args.seconds,
            rounds=args.rounds,
            connections=args.connections,
            title="GET /api/health/ (small JSON, one SQL query), one server process unless said",
        )
    one = results["serve layout, 1 HTTP process"].requests_per_second
    many = results[f"serve layout ({sized} HTTP processes)"].requests_per_second
    print(
        f"scaling: the layout sized for {cores} cores ({sized} HTTP processes) serves {many / one:.2f}x "
        f"the requests of one HTTP process (wrk shares the {cores} cores)"
    )
    return results


if __name__ == "__main__":
    main()
