"""Autouse fixtures that give every test the same surroundings: cheap password hashing,
Celery tasks run in-process (except in worker tests), uploads in a temporary folder,
and the rows migrations seed put back after a transactional test's flush."""

import importlib

import pytest


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
    from django.apps import apps

    request.getfixturevalue("transactional_db")
    seed = importlib.import_module("eligibility.migrations.0002_default_model_and_programmes")
    seed.forwards(apps, None)


@pytest.fixture
def indonesian():
    """Run the test under Bahasa Indonesia (messages compared word for word)."""
    from django.utils import translation

    with translation.override("id"):
        yield
