"""Celery tasks of the verification app, a module per wing (thin: each calls a service).

Celery's ``autodiscover_tasks()`` imports ``verification.tasks``; importing the wings here
registers their tasks with it.
"""

from verification.tasks import audit, linkage, population

__all__ = ["audit", "linkage", "population"]
