"""Batch runs (scoring, determination): start once, split into chunks, report, finish.

* **Start** creates the run row with status ``running``. A partial unique constraint
  allows one running scoring run (and one determination per programme and period), so
  a second trigger — a double click, two staff at once, beat while a manual run is
  going — gets the running run back instead of starting another.
* **Prepare** (a task) measures the work and sends one task per chunk as a Celery
  ``group``: the chunks spread over the workers.
* **Chunk** tasks do their part in one transaction (idempotent: they upsert, or
  replace their own rows) and then report under a row lock: a chunk counts once even
  when the broker delivers it twice (``chunks_done`` holds the indexes). The chunk that
  reports last finishes the run, so no chord/result backend is needed.
* A run that stops reporting (worker killed for good) is marked failed after
  ``STALE_AFTER`` when someone starts the next one.

Scoring and determination exclude each other: determination reads the active model's
scores, which a scoring run is rewriting.
"""

from __future__ import annotations

import contextvars
import datetime
import logging
import time

from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone

from . import determination, scoring
from .errors import RUN_ERRORS, RunRefused
from .models import (
    DeterminationRun,
    HouseholdScore,
    ModelStatus,
    RecipientResult,
    RunStatus,
    ScoreModel,
    ScoringPhase,
    ScoringRun,
)

logger = logging.getLogger(__name__)

STALE_AFTER = datetime.timedelta(minutes=30)

#: True while a run executes in this process (``*_run_now``): chunk tasks are applied
#: locally instead of being sent to the broker.
_INLINE: contextvars.ContextVar[bool] = contextvars.ContextVar("eligibility_inline", default=False)


def _dispatch(signatures) -> None:
    from celery import group

    chunks = group(signatures)
    if _INLINE.get():
        chunks.apply()
    else:
        chunks.apply_async()


def expire_stale_runs() -> int:
    limit = timezone.now() - STALE_AFTER
    expired = 0
    for model in (ScoringRun, DeterminationRun):
        expired += model.objects.filter(status=RunStatus.RUNNING, updated_at__lt=limit).update(
            status=RunStatus.FAILED,
            finished_at=timezone.now(),
            error="Tidak ada kemajuan selama 30 menit; dianggap gagal. Jalankan ulang.",
        )
    return expired


def _report_chunk(model, run_id: int, index: int, *, update=None, **counts) -> tuple[object | None, int]:
    """Count a chunk once. Returns ``(run, chunks done so far)``; ``(None, 0)`` if the run
    stopped, and a done count of 0 when this chunk had already been counted.
    ``update(run)`` may change more fields under the same lock (it returns their names)."""
    with transaction.atomic():
        run = model.objects.select_for_update().get(pk=run_id)
        if run.status != RunStatus.RUNNING:
            return None, 0
        if index in run.chunks_done:
            return run, 0
        run.chunks_done = [*run.chunks_done, index]
        fields = ["chunks_done", "updated_at"]
        if update is not None:
            fields += update(run)
        for name, value in counts.items():
            setattr(run, name, getattr(run, name) + value)
            fields.append(name)
        run.save(update_fields=fields)
        return run, len(run.chunks_done)


def _fail(model, run_id: int, exc: BaseException) -> None:
    logger.exception("eligibility run %s #%s failed", model.__name__, run_id)
    model.objects.filter(pk=run_id, status=RunStatus.RUNNING).update(
        status=RunStatus.FAILED, finished_at=timezone.now(), error=f"{type(exc).__name__}: {exc}"[:2000]
    )


# --- scoring --------------------------------------------------------------------------------------


def _scoring_create(model: ScoreModel, user, activate: bool) -> tuple[ScoringRun, bool]:
    if activate and model.status != ModelStatus.DRAFT:
        raise RunRefused(RUN_ERRORS["activate_draft_only"])
    if not activate and model.status != ModelStatus.ACTIVE:
        raise RunRefused(RUN_ERRORS["rerun_active_only"])
    expire_stale_runs()
    running = ScoringRun.objects.filter(status=RunStatus.RUNNING).first()
    if running:
        return running, False
    if DeterminationRun.objects.filter(status=RunStatus.RUNNING).exists():
        raise RunRefused(RUN_ERRORS["determination_running"])
    try:
        with transaction.atomic():
            run = ScoringRun.objects.create(
                model=model, activate=activate, triggered_by=user, as_of=timezone.localdate()
            )
    except IntegrityError:  # another request created it between our check and insert
        return ScoringRun.objects.get(status=RunStatus.RUNNING), False
    return run, True


def scoring_start(*, model: ScoreModel, user=None, activate: bool = False) -> tuple[ScoringRun, bool]:
    """Start scoring ``model`` (a draft to activate, or the active one to refresh).

    Returns ``(run, started)``; ``started`` is False when a run was already going, and
    that run is returned. The work is sent to Celery once the transaction commits.
    """
    from . import tasks

    run, started = _scoring_create(model, user, activate)
    if started:
        transaction.on_commit(lambda: tasks.scoring_prepare.delay(run.pk))
    return run, started


def scoring_run_now(*, model: ScoreModel, user=None, activate: bool = False) -> ScoringRun:
    """The same run, executed here and now (seed data, shell): chunks applied locally."""
    run, started = _scoring_create(model, user, activate)
    if not started:
        raise RunRefused(RUN_ERRORS["scoring_running"])
    token = _INLINE.set(True)
    try:
        scoring_prepare(run.pk)
    finally:
        _INLINE.reset(token)
    run.refresh_from_db()
    return run


def scoring_prepare(run_id: int) -> None:
    """Split the register into chunks and send step 1 (staging scores) for each."""
    from . import tasks

    run = ScoringRun.objects.get(pk=run_id)
    if run.status != RunStatus.RUNNING:
        return
    try:
        started = time.monotonic()
        chunks = scoring.chunk_ranges() or [scoring.Chunk(0, scoring.LOWEST_ID, scoring.HIGHEST_ID, 0)]
        households = sum(c.count for c in chunks)
        run.ranges = [[c.lo, c.hi, c.count] for c in chunks]
        run.total = 2 * households  # each household is processed twice: staged, then written
        run.chunks_total = 2 * len(chunks)
        run.phase = ScoringPhase.STAGE
        run.summary = {"timings": {"prepare": round(time.monotonic() - started, 3)}}
        run.save(update_fields=["ranges", "total", "chunks_total", "phase", "summary", "updated_at"])
    except Exception as exc:
        _fail(ScoringRun, run_id, exc)
        raise
    _dispatch(tasks.scoring_stage_chunk.si(run_id, i) for i in range(len(chunks)))


def scoring_stage_chunk(run_id: int, index: int) -> None:
    run = ScoringRun.objects.select_related("model").get(pk=run_id)
    if run.status != RunStatus.RUNNING or run.phase != ScoringPhase.STAGE or index in run.chunks_done:
        return
    lo, hi, _estimate = run.ranges[index]
    try:
        staged = scoring.stage_chunk(run.pk, run.model, run.as_of, lo, hi)
    except Exception as exc:
        _fail(ScoringRun, run_id, exc)
        raise

    def record_count(locked):
        # The estimate becomes the staged count; the write step reports the same.
        locked.ranges[index][2] = staged
        locked.total = 2 * sum(r[2] for r in locked.ranges)
        return ["ranges", "total"]

    run, done = _report_chunk(ScoringRun, run_id, index, update=record_count, processed=staged)
    if run is not None and done == len(run.ranges):
        scoring_thresholds(run_id)


def scoring_thresholds(run_id: int) -> None:
    """Step 2, once all scores are staged: the desil boundaries, then step 3 in chunks."""
    from . import tasks

    started = time.monotonic()
    run = ScoringRun.objects.get(pk=run_id)
    try:
        thresholds = scoring.compute_thresholds(run.pk)
    except Exception as exc:
        _fail(ScoringRun, run_id, exc)
        raise
    with transaction.atomic():
        run = ScoringRun.objects.select_for_update().get(pk=run_id)
        if run.status != RunStatus.RUNNING or run.phase != ScoringPhase.STAGE:
            return
        run.thresholds = thresholds.as_json()
        run.phase = ScoringPhase.WRITE
        run.summary = {
            **run.summary,
            "timings": {**run.summary.get("timings", {}), "thresholds": round(time.monotonic() - started, 3)},
        }
        run.save(update_fields=["thresholds", "phase", "summary", "updated_at"])
    offset = len(run.ranges)
    _dispatch(tasks.scoring_write_chunk.si(run_id, offset + i) for i in range(len(run.ranges)))


def scoring_write_chunk(run_id: int, index: int) -> None:
    run = ScoringRun.objects.select_related("model").get(pk=run_id)
    if run.status != RunStatus.RUNNING or run.phase != ScoringPhase.WRITE or index in run.chunks_done:
        return
    lo, hi, count = run.ranges[index - len(run.ranges)]
    try:
        scoring.write_chunk(run.pk, run.model, scoring.Thresholds.from_json(run.thresholds), lo, hi)
    except Exception as exc:
        _fail(ScoringRun, run_id, exc)
        raise
    run, done = _report_chunk(ScoringRun, run_id, index, processed=count)
    if run is not None and done == run.chunks_total:
        scoring_finish(run_id)


def scoring_finish(run_id: int) -> None:
    with transaction.atomic():
        run = ScoringRun.objects.select_for_update().select_related("model").get(pk=run_id)
        if run.status != RunStatus.RUNNING:
            return
        scores = HouseholdScore.objects.filter(model=run.model)
        per_desil = dict(scores.values_list("desil_national").annotate(n=Count("id")).order_by())
        run.summary = {
            **run.summary,
            "households": sum(per_desil.values()),
            "per_desil": {str(d): per_desil.get(d, 0) for d in range(1, 11)},
            "official": scores.filter(source="official").count(),
            "provinces": len(run.thresholds.get("provinces", {})),
        }
        now = timezone.now()
        if run.activate:
            ScoreModel.objects.filter(status=ModelStatus.ACTIVE).exclude(pk=run.model_id).update(
                status=ModelStatus.RETIRED
            )
            ScoreModel.objects.filter(pk=run.model_id).update(
                status=ModelStatus.ACTIVE, activated_at=now, activated_by=run.triggered_by
            )
        run.status = RunStatus.FINISHED
        run.phase = ScoringPhase.DONE
        run.finished_at = now
        run.processed = run.total
        run.save(update_fields=["summary", "status", "phase", "finished_at", "processed", "updated_at"])
    scoring.clear_stage(run_id)
    scoring.analyze_scores()


# --- determination -------------------------------------------------------------------------------


def _determination_create(programme, period: str, user) -> tuple[DeterminationRun, bool]:
    model = ScoreModel.objects.active()
    if model is None:
        raise RunRefused(RUN_ERRORS["no_active_model"])
    expire_stale_runs()
    running = DeterminationRun.objects.filter(programme=programme, period=period, status=RunStatus.RUNNING).first()
    if running:
        return running, False
    if ScoringRun.objects.filter(status=RunStatus.RUNNING).exists():
        raise RunRefused(RUN_ERRORS["scoring_running_wait"])
    previous = (
        RecipientResult.objects.filter(programme=programme, period__lt=period)
        .order_by("-period")
        .values_list("period", flat=True)
        .first()
    )
    try:
        with transaction.atomic():
            run = DeterminationRun.objects.create(
                programme=programme, period=period, score_model=model, triggered_by=user, previous_period=previous or ""
            )
    except IntegrityError:
        return DeterminationRun.objects.get(programme=programme, period=period, status=RunStatus.RUNNING), False
    return run, True


def determination_start(*, programme, period: str, user=None) -> tuple[DeterminationRun, bool]:
    """Start the determination of ``programme`` for ``period`` (see ``scoring_start``)."""
    from . import tasks

    run, started = _determination_create(programme, period, user)
    if started:
        transaction.on_commit(lambda: tasks.determination_prepare.delay(run.pk))
    return run, started


def determination_run_now(*, programme, period: str, user=None) -> DeterminationRun:
    run, started = _determination_create(programme, period, user)
    if not started:
        raise RunRefused(RUN_ERRORS["determination_already_running"])
    token = _INLINE.set(True)
    try:
        determination_prepare(run.pk)
    finally:
        _INLINE.reset(token)
    run.refresh_from_db()
    return run


def determination_prepare(run_id: int) -> None:
    from . import tasks

    run = DeterminationRun.objects.get(pk=run_id)
    if run.status != RunStatus.RUNNING:
        return
    try:
        groups = determination.regency_groups()
        run.total = sum(n for _regencies, n in groups)
        run.chunks_total = len(groups)
        run.save(update_fields=["total", "chunks_total", "updated_at"])
    except Exception as exc:
        _fail(DeterminationRun, run_id, exc)
        raise
    if not groups:
        determination_finish(run_id)
        return
    _dispatch(tasks.determination_chunk.si(run_id, i, regencies) for i, (regencies, _n) in enumerate(groups))


def determination_chunk(run_id: int, index: int, regencies: list[str]) -> None:
    run = DeterminationRun.objects.select_related("programme").get(pk=run_id)
    if run.status != RunStatus.RUNNING:
        return
    try:
        counts = determination.run_chunk(run, regencies)
    except Exception as exc:
        _fail(DeterminationRun, run_id, exc)
        raise
    run, done = _report_chunk(
        DeterminationRun,
        run_id,
        index,
        processed=counts.households,
        eligible_count=counts.eligible,
        included_count=counts.included,
        flagged_count=counts.flagged,
    )
    if run is not None and done == run.chunks_total:
        determination_finish(run_id)


def determination_finish(run_id: int) -> None:
    with transaction.atomic():
        run = DeterminationRun.objects.select_for_update().get(pk=run_id)
        if run.status != RunStatus.RUNNING:
            return
        run.summary = {"regencies": _regency_summary(run)}
        run.status = RunStatus.FINISHED
        run.finished_at = timezone.now()
        run.save(update_fields=["summary", "status", "finished_at", "updated_at"])


def _regency_summary(run: DeterminationRun) -> list[dict]:
    from django.db.models import Q
    from django.db.models.functions import Substr

    rows = (
        RecipientResult.objects.filter(programme=run.programme, period=run.period)
        .annotate(regency=Substr("village_code", 1, 5))
        .values("regency")
        .annotate(
            households=Count("id"),
            eligible=Count("id", filter=Q(eligible=True)),
            included=Count("id", filter=Q(included=True)),
            flagged=Count("id", filter=Q(flagged_for_review=True)),
        )
        .order_by("regency")
    )
    return list(rows)
