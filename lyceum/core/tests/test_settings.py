"""Settings come from the environment; nonsense and unsafe production settings fail at start."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "k" * 20 + "0123456789abcdefghijklmnopqrstuvwxyz-_!@#$%^&*",
    "ALLOWED_HOSTS": "lyceum.example.org",
}


def _manage(tmp_path, *args, **env):
    environment = {
        key: value
        for key, value in os.environ.items()
        if key
        not in {
            "DEBUG",
            "SECRET_KEY",
            "ALLOWED_HOSTS",
            "DATABASE_URL",
            "REDIS_URL",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
        }
    }
    environment.update({"LYCEUM_VAR_DIR": str(tmp_path), **env})
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_settings_pass_check_deploy_with_no_warnings(tmp_path):
    result = _manage(tmp_path, "check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS"])
def test_production_refuses_to_start_without_required_settings(tmp_path, missing):
    env = {key: value for key, value in PRODUCTION.items() if key != missing}

    result = _manage(tmp_path, "check", **env)

    assert result.returncode != 0
    assert f"{missing} must be set" in result.stderr


@pytest.mark.parametrize("value", ["yes", "1", "on", "maybe"])
def test_a_boolean_must_be_true_or_false(tmp_path, value):
    result = _manage(tmp_path, "check", DEBUG=value)

    assert result.returncode != 0
    assert "DEBUG must be 'true' or 'false'" in result.stderr


def test_development_generates_a_secret_key_once_and_keeps_it(tmp_path):
    _manage(tmp_path, "check")
    first = (tmp_path / "secret_key").read_text()
    _manage(tmp_path, "check")

    assert len(first) >= 50
    assert (tmp_path / "secret_key").read_text() == first
    assert oct((tmp_path / "secret_key").stat().st_mode & 0o777) == "0o600"


def test_the_embedded_default_uses_sqlite_and_in_memory_layers(tmp_path):
    code = (
        "from django.conf import settings as s; print(s.DATABASES['default']['ENGINE'], "
        "s.CHANNEL_LAYERS['default']['BACKEND'], s.CACHES['default']['BACKEND'], "
        "s.CELERY_TASK_ALWAYS_EAGER)"
    )

    result = _manage(tmp_path, "shell", "-v", "0", "-c", code)

    assert result.stdout.split() == [
        "django.db.backends.sqlite3",
        "lyceum.core.layers.InMemoryChannelLayer",
        "django.core.cache.backends.locmem.LocMemCache",
        "True",
    ]


def test_redis_url_switches_cache_channel_layer_and_celery_to_redis(tmp_path):
    code = (
        "from django.conf import settings as s; print(s.CHANNEL_LAYERS['default']['BACKEND'], "
        "s.CACHES['default']['BACKEND'], s.CELERY_TASK_ALWAYS_EAGER, s.CELERY_BROKER_URL)"
    )

    result = _manage(tmp_path, "shell", "-v", "0", "-c", code, REDIS_URL="redis://127.0.0.1:6379/3")

    assert result.stdout.split() == [
        "channels_redis.pubsub.RedisPubSubChannelLayer",
        "django.core.cache.backends.redis.RedisCache",
        "False",
        "redis://127.0.0.1:6379/3",
    ]
    core = _manage(
        tmp_path, "shell", "-v", "0", "-c", code, REDIS_URL="redis://127.0.0.1:6379/3", CHANNEL_LAYER="core"
    )
    assert core.stdout.split()[0] == "channels_redis.core.RedisChannelLayer"
    wrong = _manage(tmp_path, "check", REDIS_URL="redis://127.0.0.1:6379/3", CHANNEL_LAYER="kafka")
    assert wrong.returncode != 0 and "CHANNEL_LAYER must be pubsub or core" in wrong.stderr
