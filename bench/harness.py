"""Benchmark harness: start real servers, load them from a second process, print each figure next
to a baseline measured in the same run, and the ratio.

Every benchmark under bench/ builds on this: a list of ``Case`` (a server command and a URL), one of
them the baseline. Load comes from ``wrk`` (a separate C process, Debian package ``wrk``), so the
Python server under test keeps its core to itself.
"""

from __future__ import annotations

import contextlib
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
                self.log.seek(0)
                raise RuntimeError(f"{argv[0]} exited:\n{self.log.read().decode()[-3000:]}")
            try:
                with urllib.request.urlopen(self.base_url + self.ready_path, timeout=2) as reply:
                    if reply.status == 200:
                        return self
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.2)
        self.__exit__(None, None, None)
        self.log.seek(0)
        raise RuntimeError(
            f"{argv[0]} did not answer on {self.base_url} within 60 s:\n{self.log.read().decode()[-3000:]}"
        )

    def __exit__(self, *exc) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


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
    title: str = "",
) -> dict[str, HttpResult]:
    """Measures every case in turn (with a warm-up) and prints a table against ``baseline``."""
    results: dict[str, HttpResult] = {}
    for case in cases:
        with case.server as server:
            url = server.base_url + case.path
            wrk(url, seconds=warmup_seconds, connections=connections, headers=case.headers)
            results[case.name] = wrk(url, seconds=seconds, connections=connections, headers=case.headers)
            print(
                f"  measured {case.name}: {results[case.name].requests_per_second:,.0f} req/s",
                file=sys.stderr,
            )
    print_table(
        results,
        baseline=baseline,
        title=title,
        note=f"{connections} connections, {seconds} s each, wrk in a second process",
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
