"""Audit upload jobs of the staff page, on the population import's pattern.

State is a dict in the Django cache under ``register-audit:<job id>`` (Redis with
``REDIS_URL``, local memory otherwise), owned by the uploading user: anyone else gets
``None`` (a 404 for the view). Files live in private storage under
``MEDIA_ROOT/audits/``: the upload (deleted once audited), the report as CSV and Excel,
and the flagged rows with the register's and the population's values (JSON lines) for
the drill-down. No model: the cache keeps this feature free of migrations; a job
expires with its state (``verification/uploads/jobs.py``).
"""

from __future__ import annotations

import json
import logging
import os
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from registrations.permissions import user_may
from registrations.scoping import region_scope
from verification.audit import flags as F
from verification.audit.engine import RowResult, audit_file
from verification.audit.reader import open_source
from verification.audit.report import FlagCsvWriter
from verification.errors import AUDIT_ERRORS, AuditInputError
from verification.spreadsheet import xlsx_cell
from verification.uploads.jobs import JobStatus, JobStore, store_upload

logger = logging.getLogger(__name__)

TOP_HOUSEHOLDS = 50
TOP_VILLAGES = 200
_JOBS = JobStore("register-audit")
_EXTENSIONS = (".csv", ".xlsx")


def audits_dir() -> Path:
    return Path(settings.MEDIA_ROOT) / "audits"


def upload_path(job_id: str, extension: str) -> Path:
    return audits_dir() / f"{job_id}-unggahan{extension}"


def report_path(job_id: str, kind: str) -> Path:
    """``kind``: ``csv`` or ``xlsx`` (the report), ``rows`` (the drill-down's JSON lines)."""
    names = {"csv": "laporan.csv", "xlsx": "laporan.xlsx", "rows": "baris.jsonl"}
    return audits_dir() / f"{job_id}-{names[kind]}"


def job_get(job_id: str, user) -> dict | None:
    """The job if it exists and ``user`` uploaded it; ``None`` otherwise."""
    return _JOBS.get_for(job_id, user)


def job_start(*, user, upload, id_column: str = "") -> dict:
    """Store the upload, check its header at once (a bad file is refused here, with the
    reason, and nothing is kept), and queue the audit after the transaction commits."""
    if not user_may(user, "audit.run"):
        raise AuditInputError(AUDIT_ERRORS["not_allowed"])
    name = os.path.basename(getattr(upload, "name", "") or "")[:120]
    extension = os.path.splitext(name.lower())[1]
    if extension not in _EXTENSIONS:
        raise AuditInputError(AUDIT_ERRORS["wrong_extension"])
    job_id = _JOBS.new_id()
    path = upload_path(job_id, extension)
    store_upload(upload, path)
    try:
        open_source(path, id_column or None)
    except AuditInputError:
        path.unlink(missing_ok=True)
        raise
    state = {
        "id": job_id,
        "owner": user.pk,
        "filename": name,
        "extension": extension,
        "id_column": id_column,
        "size": path.stat().st_size,
        "status": JobStatus.QUEUED,
        "done": 0,
        "total": 0,
        "rows": 0,
        "flagged_rows": 0,
        "out_of_scope": 0,
        "counts": {},
        "villages": [],
        "households": [],
        "missing_columns": [],
        "error": "",
        "created": timezone.now().isoformat(),
        "finished": "",
    }
    _JOBS.save(state)
    transaction.on_commit(lambda: _enqueue(job_id))
    return state


def _enqueue(job_id: str) -> None:
    from verification.tasks.audit import run_register_audit

    _JOBS.enqueue(job_id, lambda: run_register_audit.delay(job_id))


class _Collector:
    """``on_row``: writes the report and the drill-down file, and tallies the summary."""

    def __init__(self, report, rows):
        self.write_report = FlagCsvWriter(report, wide=True)
        self.rows = rows
        self.villages: dict[str, Counter] = defaultdict(Counter)
        self.households: Counter = Counter()
        self.household_village: dict[str, str] = {}

    def __call__(self, result: RowResult) -> None:
        village = result.row.facts.village or ""
        tally = self.villages[village]
        tally["rows"] += 1
        if not result.flags:
            return
        self.write_report(result)
        tally["flagged_rows"] += 1
        tally.update(flag for flag, _detail in result.flags)
        self.households[result.row.household] += 1
        self.household_village.setdefault(result.row.household, village)
        item = {
            "line": result.row.line,
            "row_id": result.row.row_id,
            "household": result.row.household,
            "village": village,
            "flags": result.flags,
            "register": result.row.register_values(),
            "population": result.population_values(),
        }
        self.rows.write(json.dumps(item, ensure_ascii=False) + "\n")

    def summary(self) -> dict:
        villages = sorted(self.villages.items(), key=lambda kv: (-kv[1]["flagged_rows"], kv[0]))[:TOP_VILLAGES]
        return {
            "villages": [{"code": code, **dict(tally)} for code, tally in villages],
            "households": [
                {"household": h, "village": self.household_village[h], "flagged_rows": n}
                for h, n in self.households.most_common(TOP_HOUSEHOLDS)
            ],
        }


def _write_xlsx(job_id: str, state: dict) -> None:
    """The Excel report: a summary sheet and the flag lines of the CSV report."""
    import csv

    from openpyxl import Workbook

    book = Workbook(write_only=True)
    summary = book.create_sheet(_("Ringkasan"))
    summary.append([_("Berkas"), xlsx_cell(state["filename"])])
    summary.append([_("Baris diperiksa"), state["rows"]])
    summary.append([_("Baris bertanda"), state["flagged_rows"]])
    summary.append([_("Baris di luar wilayah (diabaikan)"), state["out_of_scope"]])
    summary.append([])
    summary.append([_("Tanda"), _("Arti"), _("Jumlah")])
    for flag in F.FLAGS:
        summary.append([flag, str(F.LABELS[flag]), state["counts"].get(flag, 0)])
    sheet = book.create_sheet(_("Tanda"))
    with open(report_path(job_id, "csv"), encoding="utf-8", newline="") as stream:
        for values in csv.reader(stream):
            sheet.append([xlsx_cell(v) for v in values])
    book.save(report_path(job_id, "xlsx"))


def job_run(job_id: str) -> dict | None:
    """The Celery task's body. Never raises for a bad file: the job records why it
    failed; the upload is deleted either way."""
    state = _JOBS.load(job_id)
    if state is None:
        logger.warning("register audit %s: unknown job", job_id)
        return None
    path = upload_path(job_id, state["extension"])
    from registrations.models import User

    try:
        user = User.objects.filter(pk=state["owner"]).first()
        if not user_may(user, "audit.run"):
            raise AuditInputError(AUDIT_ERRORS["not_allowed"])
        state.update(status=JobStatus.RUNNING, error="")
        _JOBS.save(state)

        def progress(done: int, total: int) -> None:
            state.update(done=done, total=total)
            _JOBS.save(state)

        with (
            open(report_path(job_id, "csv"), "w", encoding="utf-8", newline="") as report,
            open(report_path(job_id, "rows"), "w", encoding="utf-8") as rows,
        ):
            collector = _Collector(report, rows)
            result = audit_file(
                path,
                id_column=state["id_column"] or None,
                scope=region_scope(user),
                on_row=collector,
                on_progress=progress,
            )
        state.update(
            rows=result.rows,
            flagged_rows=result.flagged_rows,
            out_of_scope=result.out_of_scope,
            counts=dict(result.counts),
            missing_columns=result.missing_columns,
            **collector.summary(),
        )
        _write_xlsx(job_id, state)
        state.update(status=JobStatus.DONE, done=state["total"])
    except AuditInputError as exc:
        state.update(status=JobStatus.FAILED, error=exc.message)
    except Exception:  # the job must say it failed, whatever the cause
        logger.exception("register audit %s failed", job_id)
        state.update(status=JobStatus.FAILED, error=_("Audit gagal karena kesalahan sistem; hubungi admin."))
    finally:
        path.unlink(missing_ok=True)
    if state["status"] == JobStatus.FAILED:
        for kind in ("csv", "xlsx", "rows"):
            report_path(job_id, kind).unlink(missing_ok=True)
    state["finished"] = timezone.now().isoformat()
    _JOBS.save(state)
    return state


def flagged_rows(job_id: str, *, flag: str = "", village: str = "") -> Iterator[dict]:
    """The drill-down's rows, filtered by flag and village, in file order."""
    path = report_path(job_id, "rows")
    if not path.is_file():
        return
    with open(path, encoding="utf-8") as stream:
        for line in stream:
            item = json.loads(line)
            if flag and flag not in (f for f, _detail in item["flags"]):
                continue
            if village and item["village"] != village:
                continue
            yield item
