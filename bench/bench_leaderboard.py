"""A million learners on the Redis leaderboard (issue 10), on PostgreSQL + Redis.

Seeds (bench/seed_leaderboard.py) 1,000,000 learners with points in the ledger, rebuilds the
Redis boards from it, then reads the global all-time board through the real server (one uvicorn
process serving lyceum.asgi, loaded by wrk from a second process):

- the top 100 (``GET /api/leaderboard/`` by a reader with no points), and
- one learner's rank with two neighbours each side (``GET /api/leaderboard/?limit=1`` by a
  learner in the middle of the board),

each beside the floor measured in the same run: the same reads made directly with redis-py
(ZRANGE for the top; ZRANK, ZRANGE and ZCOUNT for the rank with neighbours), one at a time on
one connection, as one connection of wrk reads the server. Prints reads per second, p50/p99 and
the ratios; then the rebuild's time and how many points events a second one process absorbs
(``services.award``, and the whole ``lesson_completed`` event), beside a bare INSERT + ZINCRBY.

    .venv/bin/python bench/bench_leaderboard.py [--learners 1000000] [--seconds 10]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import sys
import time
from pathlib import Path

import redis

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import Server, lyceum_instance, postgres_database, run_seed, uvicorn_argv, wrk


def floor_reads(url: str, key: str, member: str, seconds: float) -> dict[str, dict[str, float]]:
    """The two reads done directly with redis-py, sequentially on one connection."""
    client = redis.Redis.from_url(url)

    def top() -> None:
        assert len(client.zrange(key, 0, 99, withscores=True)) == 100

    def rank_with_neighbours() -> None:
        position = client.zrank(key, member)
        near = client.zrange(key, max(0, position - 2), position + 2, withscores=True)
        client.zcount(key, "-inf", f"({near[0][1]}")

    results = {}
    for name, read in (("top 100", top), ("rank + neighbours", rank_with_neighbours)):
        latencies = []
        deadline = time.perf_counter() + seconds
        while time.perf_counter() < deadline:
            began = time.perf_counter()
            read()
            latencies.append((time.perf_counter() - began) * 1000)
        latencies.sort()
        results[name] = {
            "rps": len(latencies) / sum(latencies) * 1000,
            "p50": statistics.median(latencies),
            "p99": latencies[int(len(latencies) * 0.99)],
        }
    return results


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--learners", type=int, default=1_000_000)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--events", type=int, default=1000, help="points events absorbed per measure")
    args = parser.parse_args(argv)
    redis_url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15")

    with contextlib.ExitStack() as stack:
        env = stack.enter_context(
            lyceum_instance(
                DJANGO_SETTINGS_MODULE="bench.settings",
                DATABASE_URL=stack.enter_context(postgres_database()),
                REDIS_URL=redis_url,
                CACHE_KEY_PREFIX=f"bench-{os.getpid()}",
                JWT_ACCESS_MINUTES="120",
                BENCH_LEARNERS=str(args.learners),
                BENCH_EVENTS=str(args.events),
            )
        )
        print(f"seeding {args.learners:,} learners and rebuilding the Redis boards ...", file=sys.stderr)
        seed = json.loads(run_seed("seed_leaderboard.py", env))
        try:
            with Server(uvicorn_argv(), env) as server:
                reads = {
                    "top 100": ("/api/leaderboard/", seed["reader_token"]),
                    "rank + neighbours": ("/api/leaderboard/?limit=1", seed["middle_token"]),
                }
                served = {}
                for name, (path, token) in reads.items():
                    headers = {"Authorization": f"Bearer {token}"}
                    wrk(server.base_url + path, seconds=2, connections=1, headers=headers)  # warm up
                    served[name] = wrk(
                        server.base_url + path, seconds=args.seconds, connections=1, headers=headers
                    )
                    served[f"{name}, 16 connections"] = wrk(
                        server.base_url + path, seconds=args.seconds, connections=16, headers=headers
                    )
            floor = floor_reads(redis_url, seed["board_key"], seed["middle_id"], args.seconds)
        finally:
            client = redis.Redis.from_url(redis_url)
            for key in client.scan_iter(f"bench-{os.getpid()}:*", count=1000):
                client.delete(key)

    print(f"\nLeaderboard: {seed['learners']:,} learners on the global board, Redis sorted set + PostgreSQL")
    print(
        "(one uvicorn process; wrk in a second process; floor = the same reads with redis-py, one connection)"
    )
    header = f"{'read':<34}{'reads/s':>10}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}{'ratio':>8}"
    print(header)
    print("-" * len(header))
    results = {"seed": seed, "served": {}, "floor": floor}
    for name in ("top 100", "rank + neighbours"):
        base = floor[name]
        for label in (name, f"{name}, 16 connections"):
            row = served[label]
            results["served"][label] = row
            print(
                f"{'API ' + label:<34}{row.requests_per_second:>10,.0f}{row.p50_ms:>9.2f}{row.p99_ms:>9.2f}"
                f"{row.errors:>8}{row.requests_per_second / base['rps']:>8.2f}"
            )
        print(f"{'  floor: redis-py ' + name:<34}{base['rps']:>10,.0f}{base['p50']:>9.2f}{base['p99']:>9.2f}")
    rates = seed["rates"]
    print(
        f"\nRebuild from the ledger: {seed['rebuild_rows']:,} rows in {seed['rebuild_seconds']:.1f} s; "
        f"seeding took {seed['seed_seconds']:.1f} s"
    )
    print(f"Points events absorbed by one process ({seed['events']:,} each, sequential):")
    award_ratio = rates["award"] / rates["floor"]
    print(f"  services.award                 {rates['award']:>8,.0f}/s  ratio {award_ratio:.2f}")
    print(
        f"  lesson_completed (whole event) {rates['lesson_completed']:>8,.0f}/s  "
        f"ratio {rates['lesson_completed'] / rates['floor']:.2f}"
    )
    print(f"  floor: INSERT + ZINCRBY       {rates['floor']:>8,.0f}/s")
    return results


if __name__ == "__main__":
    main()
