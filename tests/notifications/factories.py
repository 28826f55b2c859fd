"""Factories and helpers for notifications and emergency-alert tests."""

from datetime import timedelta

from django.utils import timezone

from civicportal.accounts.models import Role
from civicportal.notifications import alerts
from tests.factories import UserFactory


def alert_author(username="alert_author"):
    return UserFactory(username=username, roles=[Role.OFFICER, Role.ALERT_AUTHOR])


def alert_approver(username="alert_approver"):
    return UserFactory(username=username, roles=[Role.OFFICER, Role.ALERT_APPROVER])


def alert_fields(**overrides):
    now = timezone.now()
    fields = {
        "event": "호우",
        "category": "Met",
        "severity": "Severe",
        "urgency": "Immediate",
        "certainty": "Observed",
        "texts": {
            "ko": {
                "headline": "마포구 호우 경보",
                "description": "시간당 50mm 비",
                "instruction": "지하 공간을 피하세요",
            },
            "en": {
                "headline": "Heavy rain warning in Mapo-gu",
                "description": "50 mm/h",
                "instruction": "Avoid basements",
            },
        },
        "area_kind": "city",
        "channels": ["in_app", "sms"],
        "onset": now - timedelta(minutes=1),
        "expires": now + timedelta(hours=6),
    }
    fields.update(overrides)
    return fields


def make_alert(author=None, **overrides):
    return alerts.alert_create(author=author or alert_author(), **alert_fields(**overrides))


def approved_alert(author=None, approver=None, **overrides):
    """An alert written, submitted and approved (the fan-out runs in eager Celery after commit)."""
    author = author or alert_author()
    alert = make_alert(author, **overrides)
    alerts.alert_submit(alert=alert, by=author)
    return alerts.alert_approve(alert=alert, by=approver or alert_approver())
