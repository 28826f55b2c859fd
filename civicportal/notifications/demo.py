"""Demo content of notifications: a console social account and one past alert (idempotent)."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from civicportal.accounts.models import District, User
from civicportal.notifications.models import (
    AlertDelivery,
    AlertEvent,
    AlertText,
    EmergencyAlert,
    SocialChannelAccount,
)

DEMO_IDENTIFIER = "KR-SEOUL-DEMO-HEAVY-RAIN-0001"


@transaction.atomic
def load():
    SocialChannelAccount.objects.get_or_create(
        name="서울특별시 (시연용)",
        defaults={"platform": "X", "handle": "@seoulcity_demo"},
    )
    author = User.objects.filter(username="alerts").first()
    approver = User.objects.filter(username="alerts_approver").first()
    if author is None or approver is None or EmergencyAlert.objects.filter(identifier=DEMO_IDENTIFIER).exists():
        return
    onset = timezone.now() - timedelta(days=3)
    alert = EmergencyAlert.objects.create(
        identifier=DEMO_IDENTIFIER,
        event="호우",
        category="Met",
        severity="Severe",
        urgency="Immediate",
        certainty="Observed",
        area_kind="districts",
        channels=["in_app", "sms"],
        onset=onset,
        expires=onset + timedelta(hours=6),
        status=EmergencyAlert.Status.SENT,
        author=author,
        approver=approver,
        approved_at=onset,
        sending_started_at=onset,
        sent_at=onset + timedelta(seconds=20),
    )
    alert.districts.set(District.objects.filter(code__in=["11440", "11410"]))
    AlertText.objects.bulk_create(
        [
            AlertText(
                alert=alert,
                language="ko",
                headline="[서울시] 마포구·서대문구 호우경보",
                description="시간당 50mm 이상의 강한 비가 내리고 있습니다.",
                instruction="하천변 산책로와 지하 공간 이용을 자제하고 저지대 주민은 대피에 대비하십시오.",
            ),
            AlertText(
                alert=alert,
                language="en",
                headline="[Seoul] Heavy rain warning for Mapo-gu and Seodaemun-gu",
                description="Heavy rain of more than 50 mm per hour.",
                instruction=(
                    "Stay away from riverside paths and basements; residents of low-lying areas, be ready to evacuate."
                ),
            ),
        ]
    )
    AlertEvent.objects.create(alert=alert, actor=author, to_status="draft", note="demo")
    AlertEvent.objects.create(alert=alert, actor=approver, from_status="pending_approval", to_status="sending")
    AlertEvent.objects.create(alert=alert, from_status="sending", to_status="sent")
    residents = User.objects.filter(profile__district__in=alert.districts.all())
    AlertDelivery.objects.bulk_create(
        [
            AlertDelivery(
                alert=alert, user=user, channel="in_app", status="sent", attempts=1, created_at=onset, sent_at=onset
            )
            for user in residents
        ],
        ignore_conflicts=True,
    )
