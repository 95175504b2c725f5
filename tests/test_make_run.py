"""`make run` serves with SITE_URL set to the address it listens on, so emailed links work
whatever port was chosen; a SITE_URL given by the operator wins."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _run_line(**variables: str) -> str:
    args = ["make", "-n", "run", *(f"{key}={value}" for key, value in variables.items())]
    env = {key: value for key, value in os.environ.items() if key != "SITE_URL"}
    out = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, check=True, env=env).stdout
    return next(line for line in out.splitlines() if "uvicorn" in line)


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
@pytest.mark.parametrize(
    ("variables", "site_url"),
    [
        ({}, "http://127.0.0.1:8000"),
        ({"PORT": "8123"}, "http://127.0.0.1:8123"),
        ({"HOST": "0.0.0.0", "PORT": "9000"}, "http://127.0.0.1:9000"),  # noqa: S104 - every interface
        ({"HOST": "lyceum.test", "PORT": "8080"}, "http://lyceum.test:8080"),
    ],
)
def test_site_url_follows_the_address_make_run_serves(variables, site_url):
    line = _run_line(**variables)

    assert f'SITE_URL="${{SITE_URL:-{site_url}}}"' in line
    assert f"--port {variables.get('PORT', '8000')}" in line


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_a_site_url_set_by_the_operator_is_kept():
    line = _run_line(PORT="8123")
    shell = line.split(" .venv/bin/uvicorn", 1)[0] + " sh -c 'echo $SITE_URL'"

    out = subprocess.run(
        ["sh", "-c", shell],
        capture_output=True,
        text=True,
        env={"SITE_URL": "https://lyceum.example"},
        check=True,
    )

    assert out.stdout.strip() == "https://lyceum.example"
