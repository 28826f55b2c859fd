"""The Celery application: Redis when REDIS_URL is set, else a filesystem broker."""

import atexit
import os

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civicportal.settings")

app = Celery("civicportal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="civicportal.ping")
def ping():
    return "pong"


@app.on_after_configure.connect
def _settle_configuration(sender, source, **kwargs):
    """Read each Celery setting once, when the configuration loads.

    With the Django settings as its source, Celery looks a setting up through several
    maps and name variants, each miss an exception from Django's settings object: about
    10 microseconds a read, and queueing one task reads a dozen. The values found are
    written into Celery's own first map, so later reads are a dictionary lookup; changes
    made afterwards (``app.conf.x = ...``, worker options) still take precedence."""
    from celery.app.defaults import DEFAULTS

    settled = {key: source[key] for key in DEFAULTS if key not in source.changes}
    source.changes.update(settled)


@signals.beat_init.connect
def _one_beat(sender=None, **kwargs):
    """A second beat stops here instead of sending every scheduled task again."""
    from civicportal import beatlock

    try:
        lock = beatlock.acquire()
    except beatlock.BeatAlreadyRunning as refused:
        raise SystemExit(f"beat not started: {refused}") from None
    atexit.register(beatlock.release, lock)
