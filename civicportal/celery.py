"""The Celery application: Redis when REDIS_URL is set, else a filesystem broker."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civicportal.settings")

app = Celery("civicportal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="civicportal.ping")
def ping():
    return "pong"
