"""Periodic work without a broker: the beat schedule run inside the web process.

``make run`` with no ``REDIS_URL`` starts no worker and no beat, yet the outbox sweep (a
follow-up whose handler failed is retried) and the lookup refresh must still happen, or
a new user's determined proposal never shows on /cek-bansos/. So the development server,
in eager mode, starts one daemon thread that runs the entries of ``CELERY_BEAT_SCHEDULE``
named in ``IN_PROCESS_TASKS`` at their intervals, each in-process as the eager app would
run it. With a broker, beat does this (``make run`` then starts it through honcho).
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import time

from django.conf import settings
from django.db import close_old_connections
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

#: The schedule entries that matter to a single-process portal: the outbox sweep and the
#: public lookup's refresh (the daily rescoring and captcha purge can wait for a beat).
IN_PROCESS_TASKS = ("sweep-followups", "lookup-sweep")


class InProcessBeat:
    """Which of the schedule's entries are due, and running them (one thread calls ``tick``)."""

    def __init__(self, schedule: dict, names=IN_PROCESS_TASKS, *, now: float | None = None):
        self.entries = {name: schedule[name] for name in names if name in schedule}
        start = time.monotonic() if now is None else now
        self.next_run = dict.fromkeys(self.entries, start)  # every entry once at start

    def tick(self, now: float | None = None) -> list[str]:
        """Run every due entry; return the names run. A failing task is logged and
        tried again at its next interval, never stopping the others."""
        now = time.monotonic() if now is None else now
        ran = []
        for name, entry in self.entries.items():
            if now < self.next_run[name]:
                continue
            self.next_run[name] = now + float(entry["schedule"])
            try:
                # A schedule names a task by its dotted path, which is where it lives.
                import_string(entry["task"]).apply()
            except Exception:
                logger.exception("in-process periodic task %s failed", name)
            ran.append(name)
        return ran

    def seconds_to_next(self, now: float | None = None) -> float:
        now = time.monotonic() if now is None else now
        return max(0.5, min(self.next_run.values(), default=now + 60) - now)


def should_start() -> bool:
    """Only in the development server's serving process, and only without a broker."""
    if settings.REDIS_URL or not getattr(settings, "RUNNING_DEVSERVER", False):
        return False
    # With the autoreloader, the serving process is the child it starts (RUN_MAIN).
    return os.environ.get("RUN_MAIN") == "true" or "--noreload" in sys.argv


def start() -> threading.Thread | None:
    if not should_start():
        return None
    beat = InProcessBeat(settings.CELERY_BEAT_SCHEDULE)

    def loop() -> None:
        time.sleep(5)  # let the server start serving first
        while True:
            close_old_connections()  # this thread's own connection, as a request would
            beat.tick()
            close_old_connections()
            time.sleep(beat.seconds_to_next())

    thread = threading.Thread(target=loop, name="in-process-beat", daemon=True)
    thread.start()
    logger.info("in-process beat: %s", ", ".join(beat.entries))
    return thread
