"""Exam day: 200 students start the same 30-question quiz in the same second, save all their
answers (asking, as the quiz page does, for the attempt's progress only: Prefer: return=minimal),
then submit at once, through a real server: ``--layout embedded`` is `make run`'s (one
uvicorn process, SQLite), ``--layout production`` is `manage.py serve`'s (nginx, gunicorn
processes sized from the cores, PostgreSQL and Redis). Each phase is measured beside a baseline
in the same run and server: the same number of requests, fired the same way, to a minimal DRF
view answering a stored JSON document. Prints requests per second, p50 and p99 latency, errors
(which must be zero), the servers' CPU per request, the CPU the embedded server spends after the
responses on the tasks they queued (points, badges, e-mail: a Celery worker's in production, not
measured here), and the grading CPU per submission that the server reports in its Server-Timing
header.

    .venv/bin/python bench/bench_exam.py [--students 200] [--layout embedded|production|both]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import (
    BIN,
    Server,
    group_cpu_seconds,
    http_request,
    lyceum_instance,
    postgres_database,
    run_seed,
    uvicorn_argv,
)

TARGET_P99_MS = {"embedded": 3000, "production": 1000}


async def burst(base_url: str, requests: list[tuple[str, str, dict | None, str]]):
    """Fires every request at once, each on a fresh connection (as a class of browsers would
    open them); returns (wall seconds, latencies in ms, errors, bodies)."""

    async def one(method, url, body, token):
        started = time.perf_counter()
        headers = {"Authorization": f"Bearer {token}"}
        if method == "PUT":
            headers["Prefer"] = "return=minimal"  # as the quiz page's autosave asks
        try:
            status, headers, raw = await asyncio.wait_for(
                http_request(base_url, method, url, body=body, headers=headers), 120
            )
            ok = status < 400
            payload = json.loads(raw) if ok else None
            if ok and (timing := headers.get("server-timing", "")).startswith("grade;dur="):
                payload["_grading_ms"] = float(timing.split("dur=")[1].split(";")[0])
            if not ok:
                print(f"  {method} {url}: {status} {raw[:300]!r}", file=sys.stderr)
        except (OSError, ValueError, TimeoutError) as error:
            ok, payload = False, None
            print(f"  {method} {url}: {error!r}", file=sys.stderr)
        return (time.perf_counter() - started) * 1000, ok, payload

    started = time.perf_counter()
    results = await asyncio.gather(*(one(*request) for request in requests))
    wall = time.perf_counter() - started
    return wall, [r[0] for r in results], sum(1 for r in results if not r[1]), [r[2] for r in results]


def summary(wall, latencies, errors, cpu=0.0):
    ordered = sorted(latencies)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return {
        "rps": len(latencies) / wall,
        "p50": statistics.median(ordered),
        "p99": p99,
        "errors": errors,
        "cpu_ms": cpu * 1000 / len(latencies),
    }


async def exam(server: Server, seed: dict) -> dict:
    session = server.process.pid

    async def phase(requests):
        before = group_cpu_seconds(session)
        wall, lat, err, bodies = await burst(server.base_url, requests)
        answered = group_cpu_seconds(session)
        # The embedded server runs the tasks the requests queued (points, badges, e-mail) once
        # they are answered: wait until it is idle again, so that the next phase and the
        # baselines are measured on a quiet server, and report that CPU apart.
        settled = answered
        for _ in range(240):
            await asyncio.sleep(0.5)
            now = group_cpu_seconds(session)
            if now - settled < 0.02:
                break
            settled = now
        tasks_cpu.append((settled - answered) * 1000 / len(requests))
        return wall, lat, err, bodies, answered - before

    tasks_cpu: list[float] = []

    tokens, quiz = seed["tokens"], seed["quiz"]
    results = {}
    wall, lat, err, bodies, cpu = await phase(
        [("POST", "/api/quiz-attempts/", {"quiz": quiz}, t) for t in tokens]
    )
    results["start"] = summary(wall, lat, err, cpu)
    attempts = [b["id"] if b else None for b in bodies]
    (Path(seed["payloads"]) / "attempt.json").write_text(json.dumps(next(b for b in bodies if b)))
    wall, lat, err, _, cpu = await phase(
        [
            ("PUT", f"/api/quiz-attempts/{a}/answers/", {"answers": seed["answers"]}, t)
            for a, t in zip(attempts, tokens, strict=True)
        ]
    )
    results["save answers"] = summary(wall, lat, err, cpu)
    wall, lat, err, bodies, cpu = await phase(
        [("POST", f"/api/quiz-attempts/{a}/submit/", {}, t) for a, t in zip(attempts, tokens, strict=True)]
    )
    results["submit"] = summary(wall, lat, err, cpu)
    results["after the response"] = dict(zip(("start", "save answers", "submit"), tasks_cpu, strict=True))
    grading = sorted(b["_grading_ms"] for b in bodies if b and "_grading_ms" in b)
    results["grading"] = {
        "mean": statistics.fmean(grading) if grading else float("nan"),
        "p99": grading[min(len(grading) - 1, int(len(grading) * 0.99))] if grading else float("nan"),
    }
    percents = sorted({b["percent"] for b in bodies if b})
    results["check"] = f"{sum(1 for b in bodies if b)} submissions graded, percents {percents}"
    for name in ("start", "save answers", "submit"):
        wall, lat, err, _, cpu = await phase([("GET", "/bench/static/attempt/", None, t) for t in tokens])
        results[f"baseline for {name}"] = summary(wall, lat, err, cpu)
    return results


def serve_argv() -> list[str]:
    return [str(BIN / "python"), "manage.py", "serve", "--port", "{port}"]


def run_layout(layout: str, students: int) -> dict:
    """Seeds a fresh instance, serves it in ``layout``, runs the exam; returns the results."""
    with contextlib.ExitStack() as stack:
        extra = {}
        if layout == "production":
            extra["DATABASE_URL"] = stack.enter_context(postgres_database())
            extra["REDIS_URL"] = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/15"
            extra["CACHE_KEY_PREFIX"] = f"bench-{os.getpid()}"
        env = stack.enter_context(
            lyceum_instance(
                DJANGO_SETTINGS_MODULE="bench.settings",
                JWT_ACCESS_MINUTES="120",
                BENCH_STUDENTS=str(students),
                **extra,
            )
        )
        payloads = stack.enter_context(tempfile.TemporaryDirectory(prefix="lyceum-bench-payloads-"))
        print(f"[{layout}] seeding a 30-question quiz and {students} students ...", file=sys.stderr)
        seed = json.loads(run_seed("seed_exam.py", env))
        seed["payloads"] = payloads
        argv = serve_argv() if layout == "production" else uvicorn_argv()
        with Server(argv, {**env, "BENCH_PAYLOAD_DIR": payloads}) as server:
            return asyncio.run(exam(server, seed))


def print_results(layout: str, students: int, results: dict) -> None:
    where = (
        "one uvicorn process, SQLite"
        if layout == "embedded"
        else "manage.py serve: nginx, gunicorn processes sized from the cores, PostgreSQL, Redis"
    )
    print(f"\nExam day [{layout}]: {students} students, 30 questions; {where}")
    print(
        f"(each phase fired at once; ratio = requests/s against the baseline; target p99 < "
        f"{TARGET_P99_MS[layout] / 1000:g} s; server CPU = the server processes' CPU per request)"
    )
    header = (
        f"{'phase':<26}{'req/s':>9}{'p50 ms':>10}{'p99 ms':>10}{'errors':>8}{'ratio':>8}{'CPU ms/req':>12}"
    )
    print(header)
    print("-" * len(header))
    for phase in ("start", "save answers", "submit"):
        for label, row in (
            (phase, results[phase]),
            ("  baseline (static DRF)", results[f"baseline for {phase}"]),
        ):
            ratio = row["rps"] / results[f"baseline for {phase}"]["rps"]
            print(
                f"{label:<26}{row['rps']:>9.0f}{row['p50']:>10.0f}{row['p99']:>10.0f}"
                f"{row['errors']:>8}{ratio:>8.2f}{row['cpu_ms']:>12.1f}"
            )
    after = results["after the response"]
    print(
        "server CPU after the responses (tasks the requests queued, then idle), ms per request: "
        + ", ".join(f"{phase} {ms:.1f}" for phase, ms in after.items())
    )
    grading = results["grading"]
    print(
        f"grading CPU per submission (Server-Timing): mean {grading['mean']:.2f} ms, "
        f"p99 {grading['p99']:.2f} ms (target 5 ms)"
    )
    print(results["check"])


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--students", type=int, default=200)
    parser.add_argument("--layout", choices=["embedded", "production", "both"], default="both")
    args = parser.parse_args(argv)
    layouts = ["embedded", "production"] if args.layout == "both" else [args.layout]
    everything = {}
    for layout in layouts:
        everything[layout] = run_layout(layout, args.students)
        print_results(layout, args.students, everything[layout])
    return everything


if __name__ == "__main__":
    main()
