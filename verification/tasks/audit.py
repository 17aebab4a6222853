"""Thin Celery task for the staff page's register audit. Without a broker it runs eagerly."""

from celery import shared_task

from verification.audit import jobs


@shared_task(acks_late=True, ignore_result=True)
def run_register_audit(job_id: str) -> None:
    """Audit an uploaded register extract. A rerun after a lost worker starts over and
    rewrites the same report (the audit only reads the database)."""
    jobs.job_run(job_id)
