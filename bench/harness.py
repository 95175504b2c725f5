"""Benchmark harness: start real servers, load them from a second process, print each figure next
to a baseline measured in the same run, and the ratio.

Every benchmark under bench/ builds on this: a list of ``Case`` (a server command and a URL), one of
them the baseline. Load comes from ``wrk`` (a separate C process, Debian package ``wrk``), so the
Python server under test keeps its core to itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def uvicorn_argv(app: str = "lyceum.asgi:application", *extra: str) -> list[str]:
    """uvicorn serving ``app`` on 127.0.0.1:{port}, quietly, as `make run` does."""
    return [
        str(BIN / "uvicorn"),
        app,
        "--host",
        "127.0.0.1",
        "--port",
        "{port}",
        "--log-level",
        "warning",
        "--no-access-log",
        "--lifespan",
        "off",
        "--ws",
        "websockets-sansio",
        "--ws-per-message-deflate",
        "false",
        *extra,
    ]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def production_env(var_dir: Path, **extra: str) -> dict[str, str]:
    """Environment of a production-like Lyceum on loopback: DEBUG off, no N+1 detector, HTTP."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("PYTEST")}
    env.update(
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="false",
        SESSION_COOKIE_SECURE="false",
        CSRF_COOKIE_SECURE="false",
        LYCEUM_VAR_DIR=str(var_dir),
        LOG_LEVEL="WARNING",
    )
    env.update(extra)
    return env


@contextlib.contextmanager
def lyceum_instance(**extra_env: str) -> Iterator[dict[str, str]]:
    """A fresh var/ directory with a migrated database; yields the servers' environment."""
    with tempfile.TemporaryDirectory(prefix="lyceum-bench-") as var_dir:
        env = production_env(Path(var_dir), **extra_env)
        subprocess.run(
            [str(BIN / "python"), "manage.py", "migrate", "--noinput", "-v", "0"],
            cwd=ROOT,
            env=env,
            check=True,
        )
        yield env


def run_seed(script: str, env: dict[str, str]) -> str:
    """Runs a seeding script of bench/ with the benchmark's environment; returns its last line."""
    done = subprocess.run(
        [str(BIN / "python"), f"bench/{script}"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout.strip().splitlines()[-1]


@dataclass
class Server:
    """A server process started from ``argv`` (``{port}`` is replaced) and stopped afterwards."""

    argv: list[str]
    env: dict[str, str]
    ready_path: str = "/api/health/"
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Server:
        argv = [part.replace("{port}", str(self.port)) for part in self.argv]
        self.log = tempfile.TemporaryFile()
        self.process = subprocess.Popen(
            argv, cwd=ROOT, env=self.env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{argv[0]} exited:\n{self.output()}")
            try:
                with urllib.request.urlopen(self.base_url + self.ready_path, timeout=2) as reply:
                    if reply.status == 200:
                        return self
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.2)
        self.__exit__(None, None, None)
        raise RuntimeError(f"{argv[0]} did not answer on {self.base_url} within 60 s:\n{self.output()}")

    def output(self, last: int = 3000) -> str:
        """The last ``last`` characters the server printed so far (for an error's message)."""
        self.log.seek(0)
        return self.log.read().decode(errors="replace")[-last:]

    def __exit__(self, *exc) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


def group_cpu_seconds(session_id: int) -> float:
    """CPU seconds (user + system) used so far by the live processes of a session: a server
    started by ``Server`` and every process it started (workers, nginx)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # exited meanwhile
        if int(fields[3]) == session_id:  # fields after the name: state ppid pgrp session ...
            total += int(fields[11]) + int(fields[12])  # utime stime
    return total / ticks


@contextlib.contextmanager
def postgres_database(url: str = "postgres://postgres@127.0.0.1:5432/postgres") -> Iterator[str]:
    """A new, empty PostgreSQL database for one benchmark run (dropped afterwards); yields its URL."""
    import psycopg

    name = f"lyceum_bench_{secrets.token_hex(4)}"
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield url.rsplit("/", 1)[0] + "/" + name
    finally:
        with psycopg.connect(url, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def http_request(
    base_url: str,
    method: str,
    path: str,
    *,
    body=None,
    headers: dict[str, str] | None = None,
    data: bytes | None = None,
) -> tuple[int, dict[str, str], bytes]:
    """One HTTP/1.1 request on a fresh connection, written and read with bare asyncio streams:
    (status, headers in lower case, body). A load generator that costs little CPU, so that on a
    machine of two cores the server under test, not the client, sets the figure (httpx spent
    about 8 ms of CPU a request: 200 requests to a static view took 1.6 s). ``data`` sends bytes
    as they are (a signed webhook's body)."""
    host, port = base_url.removeprefix("http://").split(":")
    payload = data if data is not None else b"" if body is None else json.dumps(body).encode()
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}:{port}", "Connection: close"]
    lines.append(f"Content-Length: {len(payload)}")
    if body is not None or data is not None:
        lines.append("Content-Type: application/json")
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    reader, writer = await asyncio.open_connection(host, int(port))
    try:
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + payload)
        await writer.drain()
        raw = await reader.read()
    finally:
        writer.close()
    head, _, rest = raw.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    status = int(status_line.split()[1])
    reply_headers = {}
    for line in header_lines:
        name, _, value = line.partition(":")
        reply_headers[name.strip().lower()] = value.strip()
    if reply_headers.get("transfer-encoding") == "chunked":
        chunks, position = [], 0
        while True:
            end = rest.index(b"\r\n", position)
            size = int(rest[position:end].split(b";")[0], 16)
            if size == 0:
                break
            chunks.append(rest[end + 2 : end + 2 + size])
            position = end + 2 + size + 2
        rest = b"".join(chunks)
    return status, reply_headers, rest


@dataclass
class HttpResult:
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int


_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def _latency_ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text.strip()).groups()
    return float(number) * _UNITS_MS[unit]


def wrk(
    url: str,
    *,
    seconds: int = 10,
    connections: int = 64,
    threads: int = 1,
    headers: dict[str, str] | None = None,
) -> HttpResult:
    """Loads ``url`` with wrk from a separate process; errors are socket errors and non-2xx."""
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: run `make system-deps` (Debian package wrk)")
    argv = ["wrk", "--latency", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s"]
    for name, value in (headers or {}).items():
        argv += ["-H", f"{name}: {value}"]
    output = subprocess.run([*argv, url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    total = int(re.search(r"(\d+) requests in", output).group(1))
    p50 = _latency_ms(re.search(r"^\s+50%\s+(\S+)", output, re.M).group(1))
    p99 = _latency_ms(re.search(r"^\s+99%\s+(\S+)", output, re.M).group(1))
    errors = 0
    if match := re.search(r"Non-2xx or 3xx responses: (\d+)", output):
        errors += int(match.group(1))
    if match := re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output):
        errors += sum(int(value) for value in match.groups())
    return HttpResult(rps, p50, p99, total, errors)


@dataclass
class Case:
    name: str
    server: Server
    path: str
    headers: dict[str, str] | None = None


def run_http(
    cases: list[Case],
    *,
    baseline: str,
    seconds: int = 10,
    connections: int = 64,
    warmup_seconds: int = 2,
    rounds: int = 3,
    title: str = "",
) -> dict[str, HttpResult]:
    """Measures every case ``rounds`` times, the cases taking turns (all servers run from the
    start, idle when not measured), and keeps each case's median round: a machine whose speed
    drifts (a shared host) moves every case alike instead of whichever ran during a slow spell.
    Prints a table against ``baseline``."""
    samples: dict[str, list[HttpResult]] = {case.name: [] for case in cases}
    with contextlib.ExitStack() as stack:
        servers = {case.name: stack.enter_context(case.server) for case in cases}
        for case in cases:
            wrk(
                servers[case.name].base_url + case.path,
                seconds=warmup_seconds,
                connections=connections,
                headers=case.headers,
            )
        for round_number in range(rounds):
            for case in cases:
                url = servers[case.name].base_url + case.path
                result = wrk(url, seconds=seconds, connections=connections, headers=case.headers)
                samples[case.name].append(result)
                print(
                    f"  round {round_number + 1}, {case.name}: {result.requests_per_second:,.0f} req/s",
                    file=sys.stderr,
                )
    results = {
        name: sorted(runs, key=lambda r: r.requests_per_second)[len(runs) // 2]
        for name, runs in samples.items()
    }
    for name, runs in samples.items():
        results[name].errors = sum(r.errors for r in runs)
    print_table(
        results,
        baseline=baseline,
        title=title,
        note=f"{connections} connections, median of {rounds} rounds of {seconds} s, wrk in a second process",
    )
    return results


def print_table(results: dict[str, HttpResult], *, baseline: str, title: str, note: str) -> None:
    base = results[baseline]
    if title:
        print(f"\n{title}")
    print(f"({note}; ratio = requests/s against {baseline})")
    header = f"{'case':<34}{'req/s':>10}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}{'ratio':>8}"
    print(header)
    print("-" * len(header))
    for name, result in results.items():
        ratio = result.requests_per_second / base.requests_per_second
        marker = "  (baseline)" if name == baseline else ""
        print(
            f"{name:<34}{result.requests_per_second:>10,.0f}{result.p50_ms:>9.2f}"
            f"{result.p99_ms:>9.2f}{result.errors:>8}{ratio:>8.2f}{marker}"
        )
