"""`make bench`: every benchmark, one after the other, then one table of every figure beside its
floor (measured in the same run), the ratio, the target, and whether the target is met, so a
regression shows at a glance. Each benchmark's own tables are printed as it finishes.

    .venv/bin/python bench/run_all.py [--quick] [--only chat,exam]

``--quick`` runs shorter measurements (fewer seconds, fewer students); the table is the same.
``--only`` runs some of the benchmarks (servers, courses, chat, exam, leaderboard, runner,
webhooks, range).
"""

from __future__ import annotations

import argparse
import math
import sys
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import (
    bench_chat,
    bench_courses,
    bench_exam,
    bench_leaderboard,
    bench_range,
    bench_runner,
    bench_servers,
    bench_webhooks,
)


@dataclass
class Row:
    figure: str
    value: float
    unit: str
    floor: float | None  # the same measure of the floor, or None where the figure is absolute
    target: str
    met: bool

    @property
    def ratio(self) -> str:
        if self.floor is None or not self.floor or math.isnan(self.value):
            return ""
        return f"{self.value / self.floor:.2f}"


def _fmt(value: float | None, unit: str) -> str:
    if value is None:
        return ""
    if math.isnan(value):
        return "n/a"
    return f"{value:,.0f} {unit}" if value >= 100 else f"{value:.2f} {unit}"


def exam_rows(results: dict) -> list[Row]:
    rows = []
    for layout, target_ms in bench_exam.TARGET_P99_MS.items():
        if layout not in results:
            continue
        got = results[layout]
        for phase in ("start", "save answers", "submit"):
            row, base = got[phase], got[f"baseline for {phase}"]
            rows.append(
                Row(
                    f"exam [{layout}] {phase}: p99",
                    row["p99"],
                    "ms",
                    base["p99"],
                    f"< {target_ms:,} ms, 0 errors",
                    row["p99"] < target_ms and row["errors"] == 0,
                )
            )
        grading = got["grading"]["mean"]
        rows.append(
            Row(f"exam [{layout}] grading CPU per submit", grading, "ms", None, "<= 5 ms", grading <= 5)
        )
    return rows


def courses_rows(results: dict) -> list[Row]:
    rows = []
    for name, cases in results.items():
        labels = list(cases)
        floor = cases[labels[0]].requests_per_second
        for label in labels[1:]:
            value = cases[label].requests_per_second
            cached = "no cache" not in label
            rows.append(
                Row(
                    label.replace("GET ", f"{name}: GET "),
                    value,
                    "req/s",
                    floor,
                    ">= 0.5 of floor" if cached else "(reported)",
                    value / floor >= 0.5 if cached else True,
                )
            )
    return rows


def chat_rows(results: dict) -> list[Row]:
    rows = []
    saturation_target = {"memory": 0.8, "redis": 0.6}
    for (layer, rate, listeners), pair in sorted(results.items()):
        lyceum, floor = pair["lyceum"], pair["floor"]
        where = f"chat [{layer}] {listeners} sockets at {rate} msg/s"
        if listeners == 200 and rate == 10:
            rows.append(
                Row(f"{where}: p99", lyceum["p99"], "ms", floor["p99"], "<= 50 ms", lyceum["p99"] <= 50)
            )
        else:
            saturated = listeners == 200
            target = saturation_target[layer]
            rows.append(
                Row(
                    f"{where}: deliveries/s",
                    lyceum["per_second"],
                    "/s",
                    floor["per_second"],
                    f">= {target} of floor" if saturated else "(reported)",
                    lyceum["per_second"] / floor["per_second"] >= target if saturated else True,
                )
            )
            rows.append(Row(f"{where}: p99", lyceum["p99"], "ms", floor["p99"], "(reported)", True))
            if "asgi" in floor:  # the server's own share of the gap: no Django, no Channels
                rows.append(
                    Row(
                        f"chat [bare ASGI on uvicorn] {listeners} sockets at {rate} msg/s",
                        floor["asgi"]["per_second"],
                        "/s",
                        floor["per_second"],
                        "(reported)",
                        True,
                    )
                )
        overload = listeners == 200 and rate != 10  # pushed past saturation on purpose
        rows.append(
            Row(
                f"{where}: lost",
                lyceum["lost"],
                "",
                None,
                "(reported: overloaded)" if overload else "0",
                overload or lyceum["lost"] == 0,
            )
        )
    return rows


def servers_rows(results: dict) -> list[Row]:
    base = results["gunicorn WSGI (reference)"].requests_per_second
    rows = []
    for name, result in results.items():
        if name == "gunicorn WSGI (reference)":
            continue
        layout = name.startswith("serve layout")
        rows.append(
            Row(
                f"servers: {name}",
                result.requests_per_second,
                "req/s",
                base,
                ">= 0.9 of floor" if layout else "(reported)",
                result.requests_per_second / base >= 0.9 if layout else True,
            )
        )
    return rows


def leaderboard_rows(results: dict) -> list[Row]:
    rows = []
    learners = results["seed"]["learners"]
    for name in ("top 100", "rank + neighbours"):
        served, floor = results["served"][name], results["floor"][name]
        rows.append(
            Row(
                f"leaderboard [{learners:,}] {name}: reads/s",
                served.requests_per_second,
                "/s",
                floor["rps"],
                "(reported)",
                True,
            )
        )
        rows.append(
            Row(
                f"leaderboard [{learners:,}] {name}: p99",
                served.p99_ms,
                "ms",
                floor["p99"],
                "< 50 ms, 0 errors",
                served.p99_ms < 50 and served.errors == 0,
            )
        )
    rates = results["seed"]["rates"]
    rows.append(
        Row("leaderboard: points awards absorbed", rates["award"], "/s", rates["floor"], "(reported)", True)
    )
    return rows


def runner_rows(results: dict) -> list[Row]:
    rows = []
    for language, got in results.items():
        if language == "concurrent":
            continue
        rows.append(
            Row(
                f"code runner: {language} hello world",
                got["sandbox"],
                "runs/s",
                got["bare"],
                "(reported)",
                True,
            )
        )
    both = results["concurrent"]
    rows.append(
        Row(
            f"code runner: {both['slots']} slots at once",
            both["parallel"],
            "runs/s",
            both["serial"],
            "(reported)",
            True,
        )
    )
    return rows


def webhook_rows(results: dict) -> list[Row]:
    real, floor, effects = results["webhook"], results["floor"], results["effects"]
    exact = effects["gapless"] and len({effects[k] for k in ("succeeded", "invoices", "events")}) == 1
    return [
        Row("payment webhooks: ingest", real["rps"], "req/s", floor["rps"], "(reported)", True),
        Row("payment webhooks: p99", real["p99"], "ms", floor["p99"], "< 50 ms", real["p99"] < 50),
        Row("payment webhooks: one effect per event", effects["succeeded"], "", None, "exactly", exact),
    ]


def range_rows(results: dict) -> list[Row]:
    floor = results["nginx static file (bare)"].requests_per_second
    return [
        Row(f"video Range (256 KiB): {name}", got.requests_per_second, "req/s", floor, "(reported)", True)
        for name, got in results.items()
        if name != "nginx static file (bare)"
    ]


def _chat(quick: bool) -> list[Row]:
    seconds = "4" if quick else "10"
    chat = bench_chat.main(["--rates", "10", "--seconds", seconds, "--ws", "websockets-sansio"])
    chat |= bench_chat.main(
        ["--rates", "200", "--seconds", seconds, "--ws", "websockets-sansio", "--asgi-floor"]
    )
    chat |= bench_chat.main(
        ["--listeners", "1000", "--rates", "5", "--seconds", seconds, "--ws", "websockets-sansio"]
    )
    return chat_rows(chat)


def _runner(quick: bool) -> list[Row]:
    from lyceum.coding import sandbox  # needs Django's settings: bench_runner sets them up

    if sandbox.available()[0]:
        return runner_rows(bench_runner.main(["--runs", "5" if quick else "20"]))
    print(f"\ncode runner: skipped ({sandbox.available()[1]})")
    return []


GROUPS = {
    "servers": lambda quick: servers_rows(bench_servers.main(["--seconds", "3" if quick else "5"])),
    "courses": lambda quick: courses_rows(bench_courses.main(["--seconds", "4" if quick else "10"])),
    "chat": _chat,
    "exam": lambda quick: exam_rows(bench_exam.main(["--students", "100" if quick else "200"])),
    "leaderboard": lambda quick: leaderboard_rows(
        bench_leaderboard.main(
            ["--learners", "100000" if quick else "1000000", "--seconds", "4" if quick else "10"]
        )
    ),
    "runner": _runner,
    "webhooks": lambda quick: webhook_rows(
        bench_webhooks.main(["--events", "300" if quick else "1000", "--senders", "1"])
    ),
    "range": lambda quick: range_rows(bench_range.main(["--seconds", "3" if quick else "5"])),
}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true")
    parser.add_argument(
        "--only",
        default=",".join(GROUPS),
        help=f"comma-separated benchmarks to run, of: {', '.join(GROUPS)} (default: all)",
    )
    args = parser.parse_args()
    chosen = [name.strip() for name in args.only.split(",") if name.strip()]
    unknown = sorted(set(chosen) - set(GROUPS))
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(unknown)}")
    rows: list[Row] = []
    for name in GROUPS:
        if name in chosen:
            rows += GROUPS[name](args.quick)
    print("\nEvery figure, its floor from the same run, the ratio and the target")
    header = f"{'figure':<58}{'value':>14}{'floor':>14}{'ratio':>7}  {'target':<22}{'met':>4}"
    print(header)
    print("-" * len(header))
    for row in rows:
        print(
            f"{row.figure:<58}{_fmt(row.value, row.unit):>14}{_fmt(row.floor, row.unit):>14}"
            f"{row.ratio:>7}  {row.target:<22}{'yes' if row.met else 'NO':>4}"
        )
    missed = [row.figure for row in rows if not row.met]
    print(
        f"\n{len(rows) - len(missed)} of {len(rows)} targets met"
        + (f"; missed: {len(missed)}" if missed else "")
    )


if __name__ == "__main__":
    main()
