"""Celery application: with no broker configured, tasks run in-process (embedded default)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ime_portal.settings")

app = Celery("ime_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
