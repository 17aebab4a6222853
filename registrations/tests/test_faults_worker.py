"""A worker killed (SIGKILL) in the middle of matching or scoring: the work completes once.

Real processes against the real Redis and the test's PostgreSQL database. The worker
is ``testing.fault_worker``: an ordinary Celery worker whose matching and
scoring-chunk steps log ``start``/``done`` lines and can be slowed, so the test kills
it while a step runs and then counts how often each step really completed.

- Matching (the ``match_members`` follow-up of a submission): the killed worker's
  follow-up stays "running"; after its lease the sweeper hands it out again, a second
  worker matches, and the redelivered message of the killed task does nothing.
- Scoring (one ``write`` chunk of a scoring run): the unacknowledged chunk message
  comes back after the broker's visibility timeout, the second worker writes it, and
  the run counts each chunk once and gives every household exactly one score.
"""

import datetime
import os
import signal
import subprocess
import time
import uuid

import pytest
from django.conf import settings

from eligibility.models import HouseholdScore, RunStatus, ScoringRun
from eligibility.runs import scoring_start
from registrations.models import FollowUp, FollowUpState
from registrations.models.choices import Relation
from registrations.services.followups import followups_sweep
from registrations.services.proposals import proposal_submit
from testing.processes import FAULT_WORKER, test_database_url, wait_for
from testing.proposals import complete_draft
from testing.regions import VILLAGE_A
from testing.residents import confirmed_resident
from testing.scoring import household, member, score_model
from verification.models import MemberMatch

pytestmark = [pytest.mark.redis, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def workers(tmp_path):
    """Start fault workers on a queue of this test's own; all are stopped at the end."""
    from dtsen_portal.celery import app

    queue = f"fault-{uuid.uuid4().hex[:8]}"
    previous = app.conf.task_default_queue
    app.conf.task_default_queue = queue
    log = tmp_path / "steps.log"
    log.touch()
    started: list[subprocess.Popen] = []

    output = (tmp_path / "workers.out").open("w")  # kept for diagnosis when a test fails

    def start(delay: float = 0.0, **env) -> subprocess.Popen:
        process = subprocess.Popen(
            [*FAULT_WORKER, "--pool", "solo", "-Q", queue, "-l", "info"],
            cwd=settings.BASE_DIR,
            env={
                **os.environ,
                "DATABASE_URL": test_database_url(),
                "REDIS_URL": settings.REDIS_URL,
                "CELERY_VISIBILITY_TIMEOUT": "3",
                "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
                "FAULT_LOG": str(log),
                "FAULT_QUEUE": queue,
                "FAULT_DELAY": str(delay),
                **env,
            },
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        started.append(process)
        return process

    yield start, log
    app.conf.task_default_queue = previous
    output.close()
    for process in started:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)


def _lines(log, kind: str, step: str) -> list[str]:
    return [line.split()[2] for line in log.read_text().splitlines() if line.startswith(f"{kind} {step} ")]


def _kill(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=10)


def test_matching_survives_a_killed_worker_and_runs_once(regions, workers):
    start, log = workers
    resident = confirmed_resident()
    proposal = complete_draft(resident)
    first = start(delay=30)
    proposal_submit(proposal=proposal, actor=resident)  # commits: follow-ups go to the queue
    match = FollowUp.objects.get(event__proposal=proposal, kind="match_members")
    assert wait_for(lambda: _lines(log, "start", "match"))  # the first worker is matching now
    _kill(first)
    assert FollowUp.objects.get(pk=match.pk).state == FollowUpState.RUNNING
    assert not _lines(log, "done", "match") and not MemberMatch.objects.exists()

    start(delay=0)
    time.sleep(1)
    followups_sweep(lease=datetime.timedelta(seconds=1))  # the dead worker's lease is over
    assert wait_for(lambda: FollowUp.objects.get(pk=match.pk).state == FollowUpState.DONE)
    time.sleep(5)  # any redelivery of the killed task's message arrives now, and must do nothing
    done = FollowUp.objects.get(pk=match.pk)
    assert done.state == FollowUpState.DONE and done.attempts == 2
    assert _lines(log, "done", "match") == [str(proposal.pk)]  # completed exactly once
    assert MemberMatch.objects.filter(member__proposal=proposal).count() == proposal.members.count()


def test_scoring_chunk_survives_a_killed_worker_and_is_counted_once(regions, workers):
    start, log = workers
    households = [
        household(VILLAGE_A, members=[member(Relation.HEAD, 30 + i), member(Relation.CHILD, 5)], poor_floor=i % 2 == 0)
        for i in range(6)
    ]
    model = score_model({"poor_floor": 1.0, "no_fixed_income": 0.5})
    first = start(delay=30, FAULT_CHUNK_SIZE="2")
    run, started = scoring_start(model=model, activate=True)
    assert started
    assert wait_for(lambda: _lines(log, "start", "write"))  # a write chunk is under way
    _kill(first)
    killed_chunk = _lines(log, "start", "write")[0]
    assert not _lines(log, "done", "write")

    start(delay=0, FAULT_CHUNK_SIZE="2")  # the killed chunk's message comes back after 3 s
    assert wait_for(lambda: ScoringRun.objects.get(pk=run.pk).status == RunStatus.FINISHED, timeout=90)
    time.sleep(4)  # a late duplicate delivery must not count again
    run.refresh_from_db()
    chunks = len(run.ranges)
    assert chunks >= 2
    assert sorted(run.chunks_done) == list(range(2 * chunks))  # every chunk once, none twice
    assert run.processed == run.total == 2 * len(households)
    written = _lines(log, "done", "write")
    assert sorted(written) == sorted({str(lo) for lo, _hi, _n in run.ranges})  # each chunk written once
    assert killed_chunk in written
    scores = HouseholdScore.objects.filter(model=model)
    assert scores.count() == len(households)
    assert set(scores.values_list("household_id", flat=True)) == {h.pk for h in households}
