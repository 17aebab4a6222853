"""A Celery worker with counted (and optionally slow) work steps, for the fault tests.

``python -m testing.fault_worker -A dtsen_portal worker ...`` starts an
ordinary worker after wrapping two steps: the member matching of a proposal
(``verification.workflow.services.matching.proposal_match``) and the writing of one scoring
chunk (``eligibility.scoring.write_chunk``). Each call appends ``start <step> <key>``
to ``FAULT_LOG``, sleeps ``FAULT_DELAY`` seconds (so a test can kill the process in
the middle), runs the real step and appends ``done <step> <key>``. The log tells the
test how often the work really completed, independent of what the work itself records.
"""

import os
import sys
import time
from pathlib import Path


def _counted(module, name: str, step: str, key) -> None:
    real = getattr(module, name)
    log = Path(os.environ["FAULT_LOG"])
    delay = float(os.environ.get("FAULT_DELAY", "0"))

    def wrapper(*args, **kwargs):
        tag = f"{step} {key(args, kwargs)}"
        with log.open("a") as out:
            out.write(f"start {tag} {os.getpid()}\n")
        time.sleep(delay)
        result = real(*args, **kwargs)
        with log.open("a") as out:
            out.write(f"done {tag} {os.getpid()}\n")
        return result

    setattr(module, name, wrapper)


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dtsen_portal.settings")
    import django

    django.setup()
    from eligibility import scoring
    from verification.workflow.services import matching

    if os.environ.get("FAULT_CHUNK_SIZE"):
        scoring.CHUNK_SIZE = int(os.environ["FAULT_CHUNK_SIZE"])
    _counted(matching, "proposal_match", "match", lambda a, k: k["proposal_id"])
    _counted(scoring, "write_chunk", "write", lambda a, k: a[3])  # (run_id, model, thresholds, lo, hi)

    from dtsen_portal.celery import app

    if os.environ.get("FAULT_QUEUE"):  # tasks this worker sends (next chunks) stay on the test's queue
        app.conf.task_default_queue = os.environ["FAULT_QUEUE"]
    # Look for messages of dead workers every second, not every ~100 s (kombu's default
    # cadence is unacked_restore_interval x unacked_restore_throttle = 10 x 10 s).
    app.conf.broker_transport_options = {
        **(app.conf.broker_transport_options or {}),
        "unacked_restore_interval": 1,
        "unacked_restore_throttle": 1,
    }
    from celery.__main__ import main as celery_main

    sys.argv = ["celery", *sys.argv[1:]]
    celery_main()


if __name__ == "__main__":
    main()
