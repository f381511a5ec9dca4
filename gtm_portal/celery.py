"""Celery app. Without CELERY_BROKER_URL tasks run eagerly in-process (CONTRACT 2)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gtm_portal.settings.base")

app = Celery("gtm_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
