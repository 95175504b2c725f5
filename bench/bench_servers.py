"""Which server runs Lyceum, and how: one small JSON endpoint (GET /api/health/, a real DRF view
with one SQL query) through uvicorn, granian and daphne, each serving Lyceum's application
(HTTP on a thread pool through a2wsgi) and Django's own ASGI handler, with gunicorn's WSGI sync
worker as the reference baseline, all in one run. Each server gets one process; wrk, in a
second process, takes the other core.

    make bench        (or: .venv/bin/python bench/bench_servers.py [--seconds 10])
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import BIN, Case, Server, lyceum_instance, run_http, uvicorn_argv

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


def daphne(app: str) -> list[str]:
    return [str(BIN / "daphne"), "-b", HOST, "-p", "{port}", "-v", "0", app]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=64)
    args = parser.parse_args()

    gunicorn = [
        str(BIN / "gunicorn"),
        "lyceum.wsgi:application",
        "-b",
        f"{HOST}:{{port}}",
        "-w",
        "1",
        "--log-level",
        "warning",
    ]
    with lyceum_instance() as env:
        cases = [
            Case("gunicorn WSGI (reference)", Server(gunicorn, env), "/api/health/"),
            Case("uvicorn + Lyceum app", Server(uvicorn_argv(LYCEUM), env), "/api/health/"),
            Case("granian + Lyceum app", Server(granian(LYCEUM), env), "/api/health/"),
            Case("daphne + Lyceum app", Server(daphne(LYCEUM), env), "/api/health/"),
            Case("uvicorn + Django ASGI handler", Server(uvicorn_argv(DJANGO_ASGI), env), "/api/health/"),
            Case("granian + Django ASGI handler", Server(granian(DJANGO_ASGI), env), "/api/health/"),
            Case("daphne + Django ASGI handler", Server(daphne(DJANGO_ASGI), env), "/api/health/"),
        ]
        run_http(
            cases,
            baseline="gunicorn WSGI (reference)",
            seconds=args.seconds,
            connections=args.connections,
            title="GET /api/health/ (small JSON, one SQL query), one server process",
        )


if __name__ == "__main__":
    main()
