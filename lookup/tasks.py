from celery import shared_task

from .captcha import purge_expired
from .indexing import lookup_sweep


@shared_task
def sweep_lookup() -> int:
    """Fold register, proposal and eligibility changes into the lookup index (beat)."""
    return lookup_sweep()


@shared_task
def purge_captchas() -> int:
    """Delete expired captchas (beat); answers no longer do it one search at a time."""
    return purge_expired()
