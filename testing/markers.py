"""The service markers: a test marked ``postgres``/``redis``/``browser`` is skipped, with
a message saying what to start, when that service is not configured here. Under
``CI=true`` a service that is configured but unreachable fails the run instead, so CI
cannot go green by skipping. (The markers themselves are declared in pytest.ini.)
"""

import os
import shutil

import pytest
from django.conf import settings

from testing.browser import CHROMIUM

CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


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
