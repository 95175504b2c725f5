"""Exam day: 200 students start the same 30-question quiz in the same second, save all their
answers, then submit at once, through the real ASGI server (uvicorn serving lyceum.asgi). Each
phase is measured beside a baseline in the same run and server: the same number of requests,
fired the same way, to a minimal DRF view answering a stored JSON document. Prints requests per
second, p50 and p99 latency and errors (which must be zero) per phase, and the ratio.

    .venv/bin/python bench/bench_exam.py [--students 200]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import Server, lyceum_instance, run_seed, uvicorn_argv


async def burst(client: httpx.AsyncClient, requests: list[tuple[str, str, dict | None, str]]):
    """Fires every request at once; returns (wall seconds, latencies in ms, errors, bodies)."""

    async def one(method, url, body, token):
        started = time.perf_counter()
        try:
            reply = await client.request(method, url, json=body, headers={"Authorization": f"Bearer {token}"})
            ok = reply.status_code < 400
            payload = reply.json() if ok else None
            if not ok:
                print(f"  {method} {url}: {reply.status_code} {reply.text[:300]}", file=sys.stderr)
        except httpx.HTTPError as error:
            ok, payload = False, None
            print(f"  {method} {url}: {error!r}", file=sys.stderr)
        return (time.perf_counter() - started) * 1000, ok, payload

    started = time.perf_counter()
    results = await asyncio.gather(*(one(*request) for request in requests))
    wall = time.perf_counter() - started
    return wall, [r[0] for r in results], sum(1 for r in results if not r[1]), [r[2] for r in results]


def summary(wall, latencies, errors):
    ordered = sorted(latencies)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return {"rps": len(latencies) / wall, "p50": statistics.median(ordered), "p99": p99, "errors": errors}


async def exam(base: str, seed: dict) -> dict:
    """Each phase on fresh connections (as a class of browsers would open them), so that no
    request meets a keep-alive connection the server closed while idle."""
    limits = httpx.Limits(max_connections=1000, max_keepalive_connections=1000)

    async def phase(requests):
        async with httpx.AsyncClient(base_url=base, timeout=120, limits=limits) as client:
            return await burst(client, requests)

    tokens, quiz = seed["tokens"], seed["quiz"]
    results = {}
    wall, lat, err, bodies = await phase([("POST", "/api/quiz-attempts/", {"quiz": quiz}, t) for t in tokens])
    results["start"] = summary(wall, lat, err)
    attempts = [b["id"] if b else None for b in bodies]
    (Path(seed["payloads"]) / "attempt.json").write_text(json.dumps(next(b for b in bodies if b)))
    wall, lat, err, _ = await phase(
        [
            ("PUT", f"/api/quiz-attempts/{a}/answers/", {"answers": seed["answers"]}, t)
            for a, t in zip(attempts, tokens, strict=True)
        ]
    )
    results["save answers"] = summary(wall, lat, err)
    wall, lat, err, bodies = await phase(
        [("POST", f"/api/quiz-attempts/{a}/submit/", {}, t) for a, t in zip(attempts, tokens, strict=True)]
    )
    results["submit"] = summary(wall, lat, err)
    percents = sorted({b["percent"] for b in bodies if b})
    results["check"] = f"{sum(1 for b in bodies if b)} submissions graded, percents {percents}"
    for name in ("start", "save answers", "submit"):
        wall, lat, err, _ = await phase([("GET", "/bench/static/attempt/", None, t) for t in tokens])
        results[f"baseline for {name}"] = summary(wall, lat, err)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--students", type=int, default=200)
    args = parser.parse_args()
    with (
        lyceum_instance(
            DJANGO_SETTINGS_MODULE="bench.settings",
            JWT_ACCESS_MINUTES="120",
            BENCH_STUDENTS=str(args.students),
        ) as env,
        tempfile.TemporaryDirectory(prefix="lyceum-bench-payloads-") as payloads,
    ):
        print(f"seeding a 30-question quiz and {args.students} students ...", file=sys.stderr)
        seed = json.loads(run_seed("seed_exam.py", env))
        seed["payloads"] = payloads
        with Server(uvicorn_argv(), {**env, "BENCH_PAYLOAD_DIR": payloads}) as server:
            results = asyncio.run(exam(server.base_url, seed))
    print(
        f"\nExam day: {args.students} students, 30 questions, one uvicorn process "
        "(each phase fired at once; ratio = requests/s against the baseline)"
    )
    header = f"{'phase':<26}{'req/s':>9}{'p50 ms':>10}{'p99 ms':>10}{'errors':>8}{'ratio':>8}"
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
                f"{row['errors']:>8}{ratio:>8.2f}"
            )
    print(results["check"])


if __name__ == "__main__":
    main()
