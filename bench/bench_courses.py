"""Courses under load: the catalog (GET /api/courses/, 20 a page, newest first, over 10,000
courses) and one big course's detail (GET /api/courses/{id}/, 50 modules of 20 lessons), through
the real ASGI server (uvicorn serving lyceum.asgi), as an anonymous reader (served from the
catalog cache, lyceum/courses/cache.py) and as a signed-in one (never cached). Each is measured
beside a baseline in the same server and run: a minimal DRF view answering the same JSON
document from memory. The ratio shows what the database work and serializers cost.

    .venv/bin/python bench/bench_courses.py [--seconds 10] [--connections 32]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import Server, lyceum_instance, print_table, run_seed, uvicorn_argv, wrk


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=4, help="the server's HTTP_THREADS")
    args = parser.parse_args(argv)

    with (
        lyceum_instance(
            DJANGO_SETTINGS_MODULE="bench.settings", HTTP_THREADS=str(args.threads), JWT_ACCESS_MINUTES="120"
        ) as env,
        tempfile.TemporaryDirectory(prefix="lyceum-bench-payloads-") as payloads,
    ):
        print("seeding 10,000 courses and a course of 50 x 20 lessons ...", file=sys.stderr)
        big_id, token = run_seed("seed_courses.py", {**env, "JWT_ACCESS_MINUTES": "120"}).split()
        env = {**env, "BENCH_PAYLOAD_DIR": payloads}
        argv = uvicorn_argv()
        endpoints = {"catalog": "/api/courses/?page_size=20", "course-detail": f"/api/courses/{big_id}/"}
        all_results: dict[str, dict] = {name: {} for name in endpoints}
        signed_in = {"Authorization": f"Bearer {token}"}
        with Server(argv, env) as server:
            for name, path in endpoints.items():
                with urllib.request.urlopen(server.base_url + path, timeout=30) as reply:
                    body = reply.read()
                (Path(payloads) / f"{name}.json").write_bytes(body)
                print(f"  {name}: {len(body):,} bytes of JSON", file=sys.stderr)
                if name == "course-detail":
                    lessons = sum(len(m["lessons"]) for m in json.loads(body)["modules"])
                    assert lessons == 1000, lessons
            for name, path in endpoints.items():
                shown = path.split("?")[0].replace(big_id, "{id}")
                cases = {
                    f"baseline: static {name} JSON": (f"/bench/static/{name}/", None),
                    f"GET {shown} anonymous": (path, None),
                    f"GET {shown} student": (path, signed_in),
                }
                all_results[name].update(measure(server, cases, args))
        # The same requests with the catalog cache off: what every read costs the database.
        with Server(argv, {**env, "CATALOG_CACHE_SECONDS": "0"}) as server:
            for name, path in endpoints.items():
                shown = path.split("?")[0].replace(big_id, "{id}")
                cases = {
                    f"GET {shown} anonymous, no cache": (path, None),
                    f"GET {shown} student, no cache": (path, signed_in),
                }
                all_results[name].update(measure(server, cases, args))
        for name, results in all_results.items():
            print_table(
                results,
                baseline=next(iter(results)),
                title=f"{name} (uvicorn, one process; cached unless said)",
                note=f"{args.connections} connections, {args.seconds} s each",
            )
        return all_results


def measure(server: Server, cases: dict, args) -> dict:
    results = {}
    for label, (url, headers) in cases.items():
        wrk(server.base_url + url, seconds=2, connections=args.connections, headers=headers)
        results[label] = wrk(
            server.base_url + url, seconds=args.seconds, connections=args.connections, headers=headers
        )
    return results


if __name__ == "__main__":
    main()
