"""A real Celery worker, consuming from the real Redis, runs the portal's task."""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings

from registrations.tasks import send_email

pytestmark = pytest.mark.redis


@pytest.fixture
def worker(tmp_path):
    env = {
        **os.environ,
        "REDIS_URL": settings.REDIS_URL,
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(tmp_path),
    }
    queue = f"test-{uuid.uuid4().hex[:8]}"  # our own queue: no stale task from another run interferes
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "dtsen_portal", "worker", "--pool", "solo", "-Q", queue, "-l", "info"],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    yield queue, tmp_path
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


def test_worker_sends_the_email(worker):
    queue, mail_dir = worker
    result = send_email.apply_async(
        kwargs={"subject": "Uji pekerja", "body": "Isi surat uji", "recipient_list": ["warga@contoh.id"]},
        queue=queue,
    )
    assert result.get(timeout=60) == 1
    deadline = time.monotonic() + 10
    files: list[Path] = []
    while not files and time.monotonic() < deadline:
        files = list(mail_dir.glob("*.log"))
        time.sleep(0.1)
    assert len(files) == 1
    content = files[0].read_text()
    assert "Subject: Uji pekerja" in content and "warga@contoh.id" in content
