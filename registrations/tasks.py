"""Thin Celery tasks for the registrations app."""

import logging

from celery import shared_task
from django.core.mail import send_mail
from kombu.exceptions import OperationalError as BrokerUnavailable

logger = logging.getLogger(__name__)


@shared_task(autoretry_for=(OSError,), retry_backoff=True, retry_kwargs={"max_retries": 5})
def send_email(*, subject: str, body: str, recipient_list: list[str]) -> int:
    """Send one plain-text e-mail; an SMTP outage is retried with backoff."""
    return send_mail(subject, body, None, recipient_list)


def send_email_soon(*, subject: str, body: str, recipient_list: list[str]) -> None:
    """Queue an e-mail; if the broker is unreachable, send it from this process instead
    (the SMTP timeout bounds it) rather than lose it or fail the request that asked."""
    try:
        send_email.delay(subject=subject, body=body, recipient_list=recipient_list)
    except BrokerUnavailable:
        logger.warning("broker unavailable; sending an e-mail in-process")
        send_email.apply(kwargs={"subject": subject, "body": body, "recipient_list": recipient_list})


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
