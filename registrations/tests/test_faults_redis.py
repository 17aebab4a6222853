"""Redis goes down: a submission is still saved, and its follow-ups run once it is back.

The portal process talks to Redis through a TCP proxy that the test stops (every
connection cut, new ones refused) and starts again. While it is down, a resident
submits through the API: the answer is a success, the proposal and its follow-up rows
(the outbox) are committed, and nothing is lost. Once Redis is back, the sweeper (beat,
every minute; called here directly) hands the pending rows to a real worker, which
e-mails the proposer and matches the members exactly once.

The second test runs the portal on a Redis of its own (``testing.services.OwnRedis``),
kills it and starts it again: every request answers within two seconds meanwhile.
"""

import os
import signal
import subprocess
import time
import uuid
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from registrations.models import FollowUp, FollowUpState, Proposal, ProposalStatus
from registrations.services.followups import followups_sweep
from testing.processes import FAULT_WORKER, test_database_url, wait_for
from testing.proposals import complete_draft
from testing.residents import confirmed_resident
from testing.services import OwnRedis
from testing.tcp_proxy import TcpProxy
from verification.models import MemberMatch

pytestmark = [pytest.mark.redis, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _use_broker(app, url: str) -> None:
    """Point this process's Celery producer at ``url`` (a fresh connection pool).

    ``app.pool`` is kombu's process-wide pool for the URL, so closing it alone would
    leave a closed pool in kombu's registry for the next test that publishes there;
    ``pools.reset()`` closes and forgets them all.
    """
    from kombu import pools

    pools.reset()
    app._pool = None
    app.amqp._producer_pool = None
    app.conf.broker_url = url


@pytest.fixture
def redis_through_proxy():
    from dtsen_portal.celery import app

    real = urlsplit(settings.REDIS_URL)
    proxy = TcpProxy(real.hostname or "127.0.0.1", real.port or 6379).start()
    previous = {
        "broker_url": app.conf.broker_url,
        "queue": app.conf.task_default_queue,
        "retry": app.conf.task_publish_retry,
    }
    app.conf.task_default_queue = f"outage-{uuid.uuid4().hex[:8]}"
    app.conf.task_publish_retry = False  # fail fast while down; the outbox keeps the work
    _use_broker(app, urlunsplit(real._replace(netloc=f"127.0.0.1:{proxy.port}")))
    try:
        yield proxy, app.conf.task_default_queue
    finally:
        proxy.stop()
        _use_broker(app, previous["broker_url"])
        app.conf.task_default_queue = previous["queue"]
        app.conf.task_publish_retry = previous["retry"]


def test_submission_while_redis_is_down_is_saved_and_followed_up_once_it_is_back(
    regions, redis_through_proxy, tmp_path, caplog
):
    proxy, queue = redis_through_proxy
    resident = confirmed_resident()
    proposal = complete_draft(resident)
    api = APIClient()
    api.force_authenticate(resident)

    proxy.stop()  # Redis is unreachable from the portal
    response = api.post(f"/api/proposals/{proposal.tracking_number}/submit/")
    assert response.status_code == 200, response.content
    assert Proposal.objects.get(pk=proposal.pk).status == ProposalStatus.SUBMITTED
    followups = FollowUp.objects.filter(event__proposal=proposal)
    assert sorted(followups.values_list("kind", flat=True)) == ["match_members", "notify_proposer"]
    assert set(followups.values_list("state", "attempts")) == {(FollowUpState.PENDING, 0)}
    assert "stays pending for the sweeper" in caplog.text
    assert followups_sweep() == 0  # still down: the sweeper keeps them too

    proxy.start()  # Redis is back
    mail_dir, log = tmp_path / "mail", tmp_path / "steps.log"
    mail_dir.mkdir()
    log.touch()
    worker = subprocess.Popen(
        [*FAULT_WORKER, "--pool", "solo", "-Q", queue, "-l", "warning"],
        cwd=settings.BASE_DIR,
        env={
            **os.environ,
            "DATABASE_URL": test_database_url(),
            "REDIS_URL": settings.REDIS_URL,
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": str(mail_dir),
            "FAULT_LOG": str(log),
            "FAULT_QUEUE": queue,
        },
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        assert followups_sweep() == 2  # what beat does every minute
        assert wait_for(lambda: set(followups.values_list("state", flat=True)) == {FollowUpState.DONE})
        followups_sweep()  # nothing left to send: nothing runs twice
        time.sleep(3)
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=20)
    assert set(followups.values_list("state", "attempts")) == {(FollowUpState.DONE, 1)}
    mails = list(mail_dir.glob("*.log"))
    assert len(mails) == 1 and proposal.tracking_number in mails[0].read_text()
    assert [line.split()[0] for line in log.read_text().splitlines()] == ["start", "done"]  # matched once
    assert MemberMatch.objects.filter(member__proposal=proposal).count() == proposal.members.count()


@pytest.fixture
def own_redis(settings):
    """The portal on a Redis of the test's own (broker and cache), which it kills and restarts."""
    from dtsen_portal.celery import app

    server = OwnRedis().start()
    previous = app.conf.broker_url
    settings.REDIS_URL = server.url  # what /healthz pings
    settings.CACHES = {"default": {**settings.CACHES["default"], "LOCATION": server.url.replace("/0", "/1")}}
    _use_broker(app, server.url)
    try:
        yield server
    finally:
        server.close()
        _use_broker(app, previous)


def test_while_redis_restarts_every_request_answers_within_two_seconds(regions, own_redis, client):
    """Broker and cache both gone (one Redis, killed): no request waits on a retry loop,
    the submission is kept, pages that need the cache say "busy" with 503 + Retry-After
    (never 500), /healthz names what is down; once Redis is back all of it works again."""
    from dtsen_portal.celery import app

    assert app.conf.task_publish_retry is False and app.conf.broker_connection_timeout == 1  # the settings'
    resident = confirmed_resident()
    proposal = complete_draft(resident)
    api = APIClient()
    api.force_authenticate(resident)

    def timed(call):
        started = time.monotonic()
        response = call()
        return response, time.monotonic() - started

    own_redis.stop()
    response, seconds = timed(lambda: api.post(f"/api/proposals/{proposal.tracking_number}/submit/"))
    assert response.status_code == 200 and seconds < 2, (response.status_code, seconds)
    assert Proposal.objects.get(pk=proposal.pk).status == ProposalStatus.SUBMITTED
    followups = FollowUp.objects.filter(event__proposal=proposal)
    assert set(followups.values_list("state", flat=True)) == {FollowUpState.PENDING}

    search = {"village": "32.04.12.2002", "name": "Siti Aminah", "captcha_0": "x", "captcha_1": "y"}
    response, seconds = timed(lambda: client.post("/cek-bansos/", search))
    assert response.status_code == 503 and response["Retry-After"] == "30" and seconds < 2, seconds
    assert "layanan portal sedang sibuk" in response.content.decode()

    response, seconds = timed(lambda: client.get("/healthz"))
    assert response.status_code == 200 and seconds < 2
    assert response.json() | {"engine": "-"} == {"database": "ok", "broker": "down", "cache": "down", "engine": "-"}

    own_redis.start()  # back, empty (no persistence), on the same port
    assert wait_for(
        lambda: (
            client.get("/healthz").json() | {"engine": "-"}
            == {"database": "ok", "broker": "ok", "cache": "ok", "engine": "-"}
        ),
        timeout=10,
    )
    assert client.post("/cek-bansos/", search).status_code == 200  # the wrong captcha is a form error
    assert followups_sweep() == 2  # the outbox hands the kept work to the broker now
