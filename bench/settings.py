"""Lyceum's settings plus the benchmark's baseline views (bench/urls.py). Benchmarks only."""

from lyceum.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
