"""Real Lyceum servers for tests that cross a process: a fresh database in a temporary var/
directory, seeded by a `manage.py` command or a shell script, served by uvicorn as `make run`
serves it (WebSockets included)."""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import json
import os
import subprocess
import sys
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

from bench.harness import ROOT, Server, uvicorn_argv


def server_env(var_dir: Path, **extra: str) -> dict[str, str]:
    """The test process's environment for a server of its own: SQLite in ``var_dir`` (the test
    database is not shared across processes), Redis as configured, its own cache key prefix."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
        and not key.startswith("PYTEST")
    }
    env["LYCEUM_VAR_DIR"] = str(var_dir)
    env["CACHE_KEY_PREFIX"] = f"lyceum-test-{uuid.uuid4().hex[:8]}"
    env.update(extra)
    return env


def manage(env: dict[str, str], *command: str) -> str:
    """Runs ``manage.py command`` with ``env``; returns its standard output."""
    done = subprocess.run(
        [sys.executable, "manage.py", *command], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    return done.stdout


def seed(env: dict[str, str], script: str) -> dict:
    """Runs ``script`` in `manage.py shell`; it prints one JSON object last, which is returned."""
    return json.loads(manage(env, "shell", "-v", "0", "-c", script).strip().splitlines()[-1])


def asgi_server(env: dict[str, str]) -> Server:
    """uvicorn serving Lyceum with ``env`` (a context manager)."""
    return Server(uvicorn_argv("lyceum.asgi:application"), env)


@contextlib.contextmanager
def demo_server(var_dir: Path) -> Iterator[Server]:
    """Lyceum as `make run` starts it: migrated, with the demo data, served by uvicorn."""
    env = server_env(var_dir)
    manage(env, "migrate", "--noinput", "-v", "0")
    manage(env, "init_data")
    with asgi_server(env) as running:
        yield running


def run_async(coroutine, timeout: float = 120):
    """Runs ``coroutine`` on a loop of its own thread: this test's thread may already run one (the
    browser tests' Playwright does). Past ``timeout`` the coroutine is cancelled in its own loop
    and TimeoutError raised, so a stuck scenario fails the test instead of hanging it."""

    async def bounded():
        return await asyncio.wait_for(coroutine, timeout)

    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, bounded()).result()


def ws_url(server: Server, path: str, token: str | None = None) -> str:
    url = server.base_url.replace("http", "ws", 1) + path
    return f"{url}?token={token}" if token else url


def call_api(
    server: Server, method: str, path: str, body: dict | None = None, token: str | None = None
) -> tuple[int, dict]:
    """One JSON request to ``server``; returns (status, decoded body or {}), errors included."""
    request = urllib.request.Request(
        server.base_url + path,
        data=None if body is None else json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
        method=method,
    )
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=120) as reply:
            status, raw = reply.status, reply.read()
    except urllib.error.HTTPError as error:
        status, raw = error.code, error.read()
    return status, (json.loads(raw) if raw else {})
