"""The development server (`make run`) keeps its database connections bounded.

Under ``runserver`` every request runs in a thread of its own, so a persistent connection
(``CONN_MAX_AGE``) outlives its thread and is never reused: after a few hundred requests
PostgreSQL refused everyone ("too many clients"). The server started here is the one
``make run`` starts, against the test database.
"""

import os
import socket
import subprocess
import sys
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.conf import settings
from django.db import connection

from testing.processes import test_database_url, wait_for

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

REQUESTS = 300
CLIENTS = 16


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> int:
    with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 - our own server on loopback
        return response.status


def _server_connections() -> int:
    """Connections to the test database other than this test's own."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            [settings.DATABASES["default"]["NAME"]],
        )
        return cursor.fetchone()[0]


def test_hundreds_of_requests_leave_a_handful_of_connections():
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DJANGO_SETTINGS_MODULE")}
    env |= {"DATABASE_URL": test_database_url(), "DEBUG": "1"}
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:

        def answers() -> bool:
            try:
                return _get(f"{base}/healthz") == 200
            except OSError:
                return False

        assert wait_for(answers, timeout=60), "runserver did not start"
        paths = ["/healthz", "/api/regions/", "/wilayah/cari/?q=band"] * (REQUESTS // 3)
        with ThreadPoolExecutor(CLIENTS) as pool:
            statuses = list(pool.map(lambda path: _get(base + path), paths))
        assert set(statuses) == {200} and len(statuses) == REQUESTS
        # Requests are answered; what is left open is at most a few (none once idle).
        assert wait_for(lambda: _server_connections() <= 2, timeout=10), _server_connections()
    finally:
        server.terminate()
        server.wait(timeout=30)
