"""Upload jobs of the staff pages (population import, register audit).

A job's state is a dict in the Django cache (Redis with ``REDIS_URL``, local memory
otherwise) under ``<prefix>:<job id>``, owned by the uploading user: anyone else gets
``None``, which the views turn into a 404. No model keeps these features free of
migrations; a job expires with its state after ``JOB_TTL`` (its files are deleted by
``apply_retention``).
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Callable
from pathlib import Path

from django.core.cache import cache
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

JOB_TTL = 7 * 24 * 3600
_JOB_ID = re.compile(r"[0-9a-f]{32}").fullmatch


class JobStatus:
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class JobStore:
    def __init__(self, prefix: str):
        self.prefix = prefix

    @staticmethod
    def new_id() -> str:
        return uuid.uuid4().hex

    def save(self, state: dict) -> None:
        cache.set(f"{self.prefix}:{state['id']}", state, JOB_TTL)

    def load(self, job_id: str) -> dict | None:
        """The state whoever asks (the worker); ``None`` for a malformed or expired id."""
        return cache.get(f"{self.prefix}:{job_id}") if _JOB_ID(job_id or "") else None

    def get_for(self, job_id: str, user) -> dict | None:
        """The job if it exists and ``user`` uploaded it; ``None`` otherwise."""
        if user is None or not user.is_authenticated:
            return None
        state = self.load(job_id)
        if not state or state.get("owner") != user.pk:
            return None
        return state

    def enqueue(self, job_id: str, send: Callable[[], object]) -> None:
        """Queue the job's task with ``send``; if the broker refuses, the still-queued job
        is marked failed with a message for the page instead of waiting forever."""
        try:
            send()
        except Exception:  # kombu/redis raise many kinds; the job says what happened
            logger.exception("could not enqueue %s job %s", self.prefix, job_id)
            state = self.load(job_id)
            if state and state["status"] == JobStatus.QUEUED:
                state.update(status=JobStatus.FAILED, error=_("Antrian tugas tidak tersedia; coba lagi nanti."))
                self.save(state)


def store_upload(upload, path: Path) -> None:
    """Write an uploaded file to ``path`` piece by piece (its folder made if missing)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as out:
        for piece in upload.chunks():
            out.write(piece)
