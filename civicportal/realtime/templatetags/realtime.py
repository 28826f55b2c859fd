from django import template

from civicportal.realtime.publish import layer_reaches_workers

register = template.Library()


@register.simple_tag
def live_from_workers() -> bool:
    """Whether news published by a Celery worker reaches this server's sockets (a shared layer)."""
    return layer_reaches_workers()
