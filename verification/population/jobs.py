"""Upload jobs of the population page: records or events files, run by a Celery task."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from registrations.permissions import user_may
from registrations.scoping import region_scope
from verification.errors import POPULATION_ERRORS, PopulationImportError
from verification.population.columns import BadRowCsvWriter
from verification.population.imports import import_population
from verification.uploads.jobs import JobStatus, JobStore, store_upload

logger = logging.getLogger(__name__)


# --- Upload jobs (the staff page) ------------------------------------------------------------
#
# Job state is a dict in the cache under ``population-import:<job id>``; the upload and the
# bad-row report are files under MEDIA_ROOT/imports/. With a worker on another machine
# MEDIA_ROOT must be shared storage. A model would keep a history and survive a cache
# flush; the cache keeps this feature free of migrations.

_JOBS = JobStore("population-import")


def imports_dir() -> Path:
    return Path(settings.MEDIA_ROOT) / "imports"


def upload_path(job_id: str) -> Path:
    return imports_dir() / f"{job_id}.csv"


def report_path(job_id: str) -> Path:
    return imports_dir() / f"{job_id}-baris-salah.csv"


def job_get(job_id: str, user) -> dict | None:
    """The job, if it exists and belongs to ``user`` (``None`` otherwise: a 404 for the caller)."""
    return _JOBS.get_for(job_id, user)


class JobKind:
    RECORDS = "records"  # population records (this module)
    EVENTS = "events"  # population events (population/events.py)


def job_start(*, user, upload, kind: str = JobKind.RECORDS) -> dict:
    """Store the uploaded file, record a queued job, and enqueue the import once the
    surrounding transaction commits (at once in autocommit). ``kind`` says which import
    the file is for; both share this job machinery and page."""
    if kind not in (JobKind.RECORDS, JobKind.EVENTS):
        raise PopulationImportError(POPULATION_ERRORS["unknown_kind"])
    if not user_may(user, "population.import"):
        raise PopulationImportError(POPULATION_ERRORS["not_allowed"])
    job_id = _JOBS.new_id()
    path = upload_path(job_id)
    store_upload(upload, path)
    state = {
        "id": job_id,
        "kind": kind,
        "owner": user.pk,
        "filename": os.path.basename(getattr(upload, "name", "") or "")[:120],
        "size": path.stat().st_size,
        "status": JobStatus.QUEUED,
        "lines_total": 0,
        "lines_done": 0,
        "read": 0,
        "inserted": 0,
        "updated": 0,
        "unchanged": 0,
        "bad": 0,
        "flags": 0,
        "records_created": 0,
        "records_updated": 0,
        "has_report": False,
        "error": "",
        "created": timezone.now().isoformat(),
        "finished": "",
    }
    _JOBS.save(state)
    transaction.on_commit(lambda: _enqueue(job_id, str(path)))
    return state


def _enqueue(job_id: str, path: str) -> None:
    from verification.tasks.population import import_population_upload

    _JOBS.enqueue(job_id, lambda: import_population_upload.delay(job_id, path))


def _count_lines(path: Path) -> int:
    lines = 0
    last = b"\n"
    with open(path, "rb") as stream:
        while block := stream.read(1 << 20):
            lines += block.count(b"\n")
            last = block[-1:]
    return lines + (last != b"\n")


def job_run(job_id: str, path: str) -> dict | None:
    """Run an upload job (the Celery task's body). Never raises for a bad file: the job
    records the failure, and the upload is deleted either way."""
    state = _JOBS.load(job_id)
    expected = upload_path(job_id) if state else None
    if state is None or Path(path).resolve() != expected.resolve():
        logger.warning("population import %s: unknown job or unexpected path", job_id)
        return None
    from registrations.models import User

    try:
        user = User.objects.filter(pk=state["owner"]).first()
        if not user_may(user, "population.import"):
            raise PopulationImportError(POPULATION_ERRORS["not_allowed"])
        state.update(status=JobStatus.RUNNING, lines_total=_count_lines(expected), error="")
        _JOBS.save(state)

        def progress(result) -> None:
            state.update(lines_done=result.lines)
            state.update((name, value) for name, value in vars(result).items() if name in state)
            _JOBS.save(state)

        if state.get("kind") == JobKind.EVENTS:
            from verification.population.events import import_population_events as run_import
        else:
            run_import = import_population
        report = report_path(job_id)
        with open(report, "w", encoding="utf-8", newline="") as out:
            result = run_import(
                expected, scope=region_scope(user), on_bad_row=BadRowCsvWriter(out), on_progress=progress
            )
        progress(result)
        if result.bad:
            state["has_report"] = True
        else:
            report.unlink(missing_ok=True)
        state.update(status=JobStatus.DONE, lines_done=state["lines_total"])
    except PopulationImportError as exc:
        state.update(status=JobStatus.FAILED, error=exc.message)
    except Exception:
        logger.exception("population import %s failed", job_id)
        state.update(status=JobStatus.FAILED, error=_("Impor gagal karena kesalahan sistem; hubungi admin."))
    finally:
        expected.unlink(missing_ok=True)
    if state["status"] == JobStatus.FAILED:
        report_path(job_id).unlink(missing_ok=True)
        state["has_report"] = False
    state["finished"] = timezone.now().isoformat()
    _JOBS.save(state)
    return state
