"""The roadmap's API paths (contract/endpoints.tsv) exist with their methods and are documented."""

import csv
from pathlib import Path

import pytest
from django.urls import Resolver404, resolve
from drf_spectacular.generators import SchemaGenerator

CONTRACT = Path(__file__).resolve().parents[3] / "contract" / "endpoints.tsv"
# Capabilities built so far; each later capability adds its prefixes here.
BUILT = (
    "/api/auth/",
    "/api/users/",
    "/api/courses/",
    "/api/my-courses/",
    "/api/lessons/",
    "/api/instructor/courses/",
    "/api/quizzes/",
    "/api/quiz-attempts/",
    "/api/chat/",
    "/api/admin/",
    "/api/leaderboard/",
    "/api/my-achievements/",
    "/api/streak/",
    "/api/verify-streak/",
    "/api/my-points/",
    "/api/my-level/",
    "/api/challenges/",
)
SAMPLE_ID = "7d1f0a52-3c1e-4a55-9d6b-1c2f0e2c9a11"


def _rows():
    with CONTRACT.open() as handle:
        return [row for row in csv.DictReader(handle, delimiter="\t") if row["path"].startswith(BUILT)]


ROWS = _rows()


def test_the_contract_lists_the_built_endpoints():
    assert len(ROWS) == 36


@pytest.mark.parametrize("row", ROWS, ids=lambda row: f"{row['method']} {row['path']}")
def test_contract_endpoint_exists_with_its_method(row):
    path = row["path"].replace("{id}", SAMPLE_ID)
    try:
        match = resolve(path)
    except Resolver404:
        pytest.fail(f"{row['path']} is missing")
    view_class = match.func.view_class
    assert row["method"].lower() in view_class.http_method_names
    assert hasattr(view_class, row["method"].lower()) or hasattr(match.func, "actions")


@pytest.mark.parametrize("row", ROWS, ids=lambda row: f"{row['method']} {row['path']}")
def test_contract_endpoint_is_in_the_openapi_schema(row):
    schema = SchemaGenerator().get_schema(request=None, public=True)
    assert row["path"] in schema["paths"], sorted(schema["paths"])
    operation = schema["paths"][row["path"]][row["method"].lower()]
    assert operation["responses"]


def test_the_schema_is_valid_openapi_and_generates_without_warnings(tmp_path):
    from django.core.management import call_command

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "s.yml"))

    text = (tmp_path / "s.yml").read_text()
    assert text.startswith("openapi: 3.")
    assert "/api/auth/login/" in text
