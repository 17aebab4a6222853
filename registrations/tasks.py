"""Thin Celery tasks for the registrations app."""

from celery import shared_task
from django.core.mail import send_mail


@shared_task(autoretry_for=(OSError,), retry_backoff=True, retry_kwargs={"max_retries": 5})
def send_email(*, subject: str, body: str, recipient_list: list[str]) -> int:
    """Send one plain-text e-mail; an SMTP outage is retried with backoff."""
    return send_mail(subject, body, None, recipient_list)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def run_followup(followup_id: int) -> bool:
    """One follow-up of a workflow event; safe to deliver twice (claimed once)."""
    from registrations.services.followups import followup_run

    return followup_run(followup_id)


@shared_task
def sweep_followups() -> int:
    """Periodic (beat): send what the broker missed and what a dead worker left."""
    from registrations.services.followups import followups_sweep

    return followups_sweep()
