"""Helpers for tests that start other processes (Celery workers, ops scripts) against
the test database."""

import sys
import time

from django.conf import settings

#: A Celery worker with counted, optionally slow steps (``testing.fault_worker``).
FAULT_WORKER = [sys.executable, "-m", "testing.fault_worker", "-A", "dtsen_portal", "worker"]


def test_database_url() -> str:
    """The URL of the test database, for a process that reads ``DATABASE_URL``."""
    db = settings.DATABASES["default"]
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


test_database_url.__test__ = False  # a helper, not a test, despite its name


def wait_for(predicate, timeout: float = 60.0) -> bool:
    """Poll ``predicate`` until it is true (``True``) or ``timeout`` seconds pass (``False``)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False
