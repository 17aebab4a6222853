"""Thin Celery task for the staff upload page's population import.

Its own module (not ``verification/tasks.py``) so it stays clear of the other tasks;
the Celery app must import it (``app.autodiscover_tasks(related_name="tasks_population")``
or ``CELERY_IMPORTS``) for a worker to know it. Without a broker it runs eagerly.
"""

from celery import shared_task

from verification.services import population


@shared_task(acks_late=True, ignore_result=True)
def import_population_upload(job_id: str, path: str) -> None:
    """Import an uploaded file. A worker lost mid-way redelivers it, and the rerun is
    idempotent (unchanged rows are not rewritten)."""
    population.job_run(job_id, path)
