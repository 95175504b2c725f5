"""Fixtures every test shares: N+1 detection, a clean cache, private media, personas and clients."""

from __future__ import annotations

import pytest
from channels.layers import channel_layers
from django.conf import settings
from django.core.cache import cache
from rest_framework.test import APIClient
from zeal import zeal_context

from lyceum import celery_app
from lyceum.accounts.tests.factories import UserFactory
from lyceum.chat import presence
from lyceum.core import embedded_worker, ratelimit


@pytest.fixture(autouse=True)
def _nplusone_guard(settings):
    """Every test fails on an N+1 query pattern (django-zeal); development only warns."""
    settings.ZEAL_RAISE = True
    with zeal_context():
        yield


def _clear_cache() -> None:
    if settings.REDIS_URL:
        # Only this project's keys: the Redis database may be shared with other work.
        client = cache._cache.get_client(write=True)
        for key in client.scan_iter(f"{settings.CACHES['default']['KEY_PREFIX']}:*", count=1000):
            client.delete(key)
    else:
        cache.clear()


@pytest.fixture(autouse=True)
def _clean_cache():
    _clear_cache()
    ratelimit.reset()
    presence.backend().clear()
    yield
    _clear_cache()
    ratelimit.reset()
    presence.backend().clear()


@pytest.fixture(autouse=True)
def _fresh_channel_layers():
    """Each test gets channel layers of its own. A layer keeps state bound to the event loop that
    used it (channels-redis: a receive lock; in memory: groups and queues) and every test runs its
    own loops, so a socket a test left open must not reach into the next test."""
    channel_layers.backends = {}
    yield
    channel_layers.backends = {}


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.UPLOADS_PARTIAL_DIR = tmp_path / "uploads"
    # The demo video takes seconds of ffmpeg; tests that watch it turn it on.
    settings.DEMO_VIDEO = False
    # Tasks have run when the call that queued them returns (no embedded worker thread).
    settings.EMBEDDED_TASKS_IN_BACKGROUND = False
    # A failing event subscriber is logged in production; in a test it fails the test.
    settings.EVENTS_RAISE_SUBSCRIBER_ERRORS = True
    # The sandbox's webhooks reach the webhook's service in-process after commit (a test that
    # exercises the HTTP delivery sets "http" and a SITE_URL that a live server answers).
    settings.PAYMENTS_SANDBOX_DELIVERY = "inline"


@pytest.fixture(autouse=True, scope="session")
def _celery_in_process():
    """Tasks run in the test's process, whatever broker REDIS_URL names, and have run when the
    call that queued them returns (importing lyceum.asgi starts the embedded server's worker)."""
    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = True
    embedded_worker.stop()


@pytest.fixture
def alice(db):
    """A student who owns the things under test."""
    return UserFactory(username="alice", email="alice@example.com", first_name="Alice")


@pytest.fixture
def bob(db):
    """Another student: must not see or change alice's private things."""
    return UserFactory(username="bob", email="bob@example.com", first_name="Bob")


@pytest.fixture
def admin_user(db):
    return UserFactory(
        username="root",
        email="root@example.com",
        roles=["student", "admin"],
        is_staff=True,
        is_superuser=True,
    )


@pytest.fixture
def ines(db):
    """An instructor who owns the courses under test."""
    return UserFactory(
        username="ines", email="ines@example.com", first_name="Ines", roles=["student", "instructor"]
    )


@pytest.fixture
def oscar(db):
    """Another instructor: must not change ines's courses."""
    return UserFactory(username="oscar", email="oscar@example.com", roles=["student", "instructor"])


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def login_api():
    """``login_api(user)``: an API client carrying a fresh access token of ``user``."""

    def make(user) -> APIClient:
        from lyceum.accounts.services import tokens_issue

        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens_issue(user=user)['access']}")
        return client

    return make


@pytest.fixture
def rate_limits(settings):
    """``rate_limits(login_failure_account="3/hour", ...)``: sets rate limit policies for the test."""

    def set_rates(**rates: str) -> None:
        settings.RATE_LIMITS = {**settings.RATE_LIMITS, **rates}

    return set_rates
