"""Celery application. Tasks live in each app's ``tasks`` module or package and stay thin."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dtsen_portal.settings")

app = Celery("dtsen_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
