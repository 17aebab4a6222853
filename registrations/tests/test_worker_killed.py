"""A worker killed in the middle of a follow-up loses nothing and does it once.

Real processes: a Celery worker against the real Redis, the test's PostgreSQL
database, SIGKILL while the follow-up runs, a second worker, the sweeper.
"""

import datetime
import os
import signal
import subprocess
import sys
import time
import uuid

import pytest
from django.conf import settings

from registrations.models import FollowUp, FollowUpState
from registrations.services.followups import followups_sweep
from registrations.services.proposals import proposal_submit
from testing.processes import test_database_url, wait_for
from testing.proposals import complete_draft
from testing.residents import confirmed_resident

pytestmark = [pytest.mark.redis, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _start_worker(queue: str, mail_dir, delay: float) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": test_database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "EMAIL_BACKEND": "testing.slow_email.SlowFileBackend",
        "EMAIL_FILE_PATH": str(mail_dir),
        "SLOW_EMAIL_SECONDS": str(delay),
        "CELERY_VISIBILITY_TIMEOUT": "3",
    }
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "dtsen_portal",
            "worker",
            "--pool",
            "solo",
            "-Q",
            queue,
            "-l",
            "warning",
        ],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def test_followup_survives_a_killed_worker_and_runs_once(regions, personas, tmp_path):
    from dtsen_portal.celery import app

    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    queue = f"kill-{uuid.uuid4().hex[:8]}"
    previous_queue = app.conf.task_default_queue
    app.conf.task_default_queue = queue
    workers: list[subprocess.Popen] = []
    try:
        resident = confirmed_resident()
        proposal = complete_draft(resident)
        first = _start_worker(queue, mail_dir, delay=30)
        workers.append(first)
        proposal_submit(proposal=proposal, actor=resident)  # commits; the follow-up goes to the queue
        followup = FollowUp.objects.get(event__proposal=proposal, kind="notify_proposer")
        assert wait_for(lambda: FollowUp.objects.get(pk=followup.pk).state == FollowUpState.RUNNING)
        os.killpg(first.pid, signal.SIGKILL)  # mid-task: the e-mail is not sent
        first.wait(timeout=10)
        assert list(mail_dir.iterdir()) == []

        workers.append(_start_worker(queue, mail_dir, delay=0))
        time.sleep(1)
        followups_sweep(lease=datetime.timedelta(seconds=1))  # the dead worker's lease expired
        assert wait_for(lambda: FollowUp.objects.get(pk=followup.pk).state == FollowUpState.DONE)
        time.sleep(4)  # let any redelivery of the killed task's message arrive: it must do nothing
        done = FollowUp.objects.get(pk=followup.pk)
        assert done.state == FollowUpState.DONE and done.attempts == 2
        sent = list(mail_dir.glob("*.log"))
        assert len(sent) == 1 and proposal.tracking_number in sent[0].read_text()
    finally:
        app.conf.task_default_queue = previous_queue
        for worker in workers:
            if worker.poll() is None:
                os.killpg(worker.pid, signal.SIGTERM)
                try:
                    worker.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    os.killpg(worker.pid, signal.SIGKILL)
