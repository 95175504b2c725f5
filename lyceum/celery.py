"""Celery application. Without REDIS_URL (or CELERY_BROKER_URL) tasks run eagerly in-process."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lyceum.settings")

app = Celery("lyceum")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
