"""Thin Celery task for the staff upload page's population import (records or events).
Without a broker it runs eagerly."""

from celery import shared_task

from verification.population import jobs


@shared_task(acks_late=True, ignore_result=True)
def import_population_upload(job_id: str, path: str) -> None:
    """Import an uploaded file. A worker lost mid-way redelivers it, and the rerun is
    idempotent (unchanged rows are not rewritten)."""
    jobs.job_run(job_id, path)
