import json

from civicportal.notifications.models import AlertDelivery, EmergencyAlert
from tests.factories import CitizenFactory
from tests.notifications.factories import approved_alert


def test_smoke(db, django_capture_on_commit_callbacks, settings):
    a = CitizenFactory(username="a", profile__consent_sms=True, profile__mobile="+821012345678", profile__preferred_language="en")
    CitizenFactory(username="b")
    with django_capture_on_commit_callbacks(execute=True):
        alert = approved_alert()
    alert.refresh_from_db()
    print(list(AlertDelivery.objects.values_list("user__username", "channel", "status", "language")))
    assert alert.status == EmergencyAlert.Status.SENT
    from pathlib import Path
    print(Path(settings.NOTIFICATION_OUTBOX_DIR, "sms.jsonl").read_text())
