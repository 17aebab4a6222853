"""`make run` without a broker still sweeps the outbox and refreshes the lookup, in-process."""

import pytest
from django.conf import settings

from dtsen_portal import inprocess_beat
from dtsen_portal.inprocess_beat import InProcessBeat
from registrations.models import FollowUp, FollowUpState
from registrations.services.proposals import proposal_submit
from testing.proposals import complete_draft
from testing.residents import confirmed_resident

pytestmark = pytest.mark.django_db


def test_a_follow_up_left_pending_is_done_by_the_next_tick(personas, mailoutbox):
    resident = confirmed_resident()
    proposal = complete_draft(resident)
    proposal_submit(proposal=proposal, actor=resident)  # on_commit never runs here: left pending
    pending = FollowUp.objects.filter(event__proposal=proposal)
    assert pending.count() >= 2 and set(pending.values_list("state", flat=True)) == {FollowUpState.PENDING}
    beat = InProcessBeat(settings.CELERY_BEAT_SCHEDULE, now=0)
    assert beat.tick(now=0) == ["sweep-followups", "lookup-sweep"]
    assert set(pending.values_list("state", flat=True)) == {FollowUpState.DONE}
    assert [m.to for m in mailoutbox] == [[resident.email]]


def test_each_entry_runs_again_only_after_its_interval():
    beat = InProcessBeat({"a": {"task": "t.a", "schedule": 60.0}, "b": {"task": "t.b", "schedule": 300.0}}, ("a", "b"))
    beat.next_run = {"a": 100.0, "b": 100.0}
    assert beat.seconds_to_next(now=40.0) == 60.0
    beat.next_run["a"] = 10.0
    assert beat.seconds_to_next(now=40.0) == 0.5  # overdue: as soon as the loop wakes


def test_a_failing_task_is_logged_and_does_not_stop_the_others(monkeypatch, caplog):
    from lookup.tasks import sweep_lookup
    from registrations.tasks import sweep_followups

    calls = []

    def boom():
        calls.append("boom")
        raise RuntimeError("database gone")

    monkeypatch.setattr(sweep_followups, "run", boom)
    monkeypatch.setattr(sweep_lookup, "run", lambda: calls.append("lookup"))
    beat = InProcessBeat(settings.CELERY_BEAT_SCHEDULE, now=0)
    assert beat.tick(now=0) == ["sweep-followups", "lookup-sweep"]
    assert calls == ["boom", "lookup"] and "sweep-followups failed" in caplog.text
    assert beat.tick(now=1) == []  # not due again before its interval


@pytest.mark.parametrize(
    ("redis_url", "devserver", "run_main", "started"),
    [
        ("", True, "true", True),  # make run without a broker: the serving child process
        ("", True, None, False),  # the autoreloader's parent process serves nothing
        ("redis://127.0.0.1:6379/0", True, "true", False),  # beat runs beside a worker instead
        ("", False, "true", False),  # gunicorn, a worker, a management command, the tests
    ],
)
def test_only_the_development_server_without_a_broker_starts_it(
    settings, monkeypatch, redis_url, devserver, run_main, started
):
    settings.REDIS_URL = redis_url
    settings.RUNNING_DEVSERVER = devserver
    if run_main is None:
        monkeypatch.delenv("RUN_MAIN", raising=False)
    else:
        monkeypatch.setenv("RUN_MAIN", run_main)
    monkeypatch.setattr("sys.argv", ["manage.py", "runserver"])
    assert inprocess_beat.should_start() is started
