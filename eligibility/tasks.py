"""Thin Celery tasks for eligibility; the work is in ``eligibility.runs``.

Every task takes ids and plain values, and is safe to deliver twice (acks late).
"""

from celery import shared_task


@shared_task(acks_late=True, reject_on_worker_lost=True)
def scoring_prepare(run_id: int) -> None:
    from eligibility.runs import scoring_prepare as prepare

    prepare(run_id)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def scoring_stage_chunk(run_id: int, index: int) -> None:
    from eligibility.runs import scoring_stage_chunk as chunk

    chunk(run_id, index)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def scoring_write_chunk(run_id: int, index: int) -> None:
    from eligibility.runs import scoring_write_chunk as chunk

    chunk(run_id, index)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def determination_prepare(run_id: int) -> None:
    from eligibility.runs import determination_prepare as prepare

    prepare(run_id)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def determination_chunk(run_id: int, index: int, regencies: list[str]) -> None:
    from eligibility.runs import determination_chunk as chunk

    chunk(run_id, index, regencies)


@shared_task
def scheduled_rescoring() -> int | None:
    """Beat: rescore the active model (new and changed households get their desil).

    Does nothing when no model is active or a run is already going.
    """
    from eligibility.errors import RunRefused
    from eligibility.models import ScoreModel
    from eligibility.runs import scoring_start

    model = ScoreModel.objects.active()
    if model is None:
        return None
    try:
        run, _started = scoring_start(model=model, user=None)
    except RunRefused:
        return None
    return run.pk
