"""Demo content of notifications: a console social account, one past alert and one alert in force
for Mapo-gu (idempotent; the one in force is moved to "now" every time the demo data is loaded)."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from civicportal.accounts.models import District, User
from civicportal.notifications import alert_selectors
from civicportal.notifications.models import (
    AlertDelivery,
    AlertEvent,
    AlertText,
    EmergencyAlert,
    SocialChannelAccount,
)

DEMO_IDENTIFIER = "KR-SEOUL-DEMO-HEAVY-RAIN-0001"
IN_FORCE_IDENTIFIER = "KR-SEOUL-DEMO-MAPO-FIRE-0002"
MAPO = "11440"


@transaction.atomic
def load():
    SocialChannelAccount.objects.get_or_create(
        name="서울특별시 (시연용)",
        defaults={"platform": "X", "handle": "@seoulcity_demo"},
    )
    author = User.objects.filter(username="alerts").first()
    approver = User.objects.filter(username="alerts_approver").first()
    if author is None or approver is None:
        return
    _load_in_force(author, approver)
    if not EmergencyAlert.objects.filter(identifier=DEMO_IDENTIFIER).exists():
        _load_past(author, approver)
    alert_selectors.forget_current()


def _load_in_force(author, approver):
    """A severe alert for Mapo-gu (the demo citizens' district), in force from a few minutes ago
    for twelve hours from whenever the demo data is loaded."""
    now = timezone.now()
    onset = now - timedelta(minutes=10)
    times = {
        "onset": onset,
        "expires": now + timedelta(hours=12),
        "approved_at": onset,
        "sending_started_at": onset,
        "sent_at": onset + timedelta(seconds=15),
        "status": EmergencyAlert.Status.SENT,
        "cancelled_at": None,
    }
    alert, created = EmergencyAlert.objects.update_or_create(
        identifier=IN_FORCE_IDENTIFIER,
        defaults=times,
        create_defaults={
            **times,
            "event": "화재",
            "category": "Fire",
            "severity": "Severe",
            "urgency": "Immediate",
            "certainty": "Observed",
            "area_kind": "districts",
            "channels": ["in_app", "sms"],
            "author": author,
            "approver": approver,
        },
    )
    if not created:
        # Its timeline moves with it (demo data only: the events are otherwise never changed).
        AlertEvent.objects.filter(alert=alert).update(at=onset)
        return
    alert.districts.set(District.objects.filter(code=MAPO))
    AlertText.objects.bulk_create(
        [
            AlertText(
                alert=alert,
                language="ko",
                headline="[마포구] 합정동 상가 건물 화재: 연기 확산, 인근 주민 창문을 닫으십시오",
                description="합정역 인근 상가 건물에서 불이 나 짙은 연기가 퍼지고 있습니다. 소방 당국이 진화 중입니다.",
                instruction=(
                    "합정역 사거리 일대 통행을 자제하고, 창문을 닫고 실내에 머무르십시오. "
                    "연기를 마셨거나 몸이 불편하면 119에 신고하십시오."
                ),
            ),
            AlertText(
                alert=alert,
                language="en",
                headline="[Mapo-gu] Building fire in Hapjeong-dong: smoke spreading, close your windows",
                description="A fire in a commercial building near Hapjeong station is spreading thick smoke. "
                "Firefighters are at work.",
                instruction=(
                    "Avoid the Hapjeong station crossroads, close your windows and stay indoors. "
                    "If you breathed in smoke or feel unwell, call 119."
                ),
            ),
        ]
    )
    AlertEvent.objects.create(alert=alert, actor=author, to_status="draft", note="Alert")
    AlertEvent.objects.create(alert=alert, actor=author, from_status="draft", to_status="pending_approval")
    AlertEvent.objects.create(alert=alert, actor=approver, from_status="pending_approval", to_status="approved")
    AlertEvent.objects.create(alert=alert, actor=approver, from_status="approved", to_status="sending")
    AlertEvent.objects.create(alert=alert, from_status="sending", to_status="sent")
    AlertEvent.objects.filter(alert=alert).update(at=onset)
    residents = User.objects.filter(profile__district__code=MAPO)
    AlertDelivery.objects.bulk_create(
        [
            AlertDelivery(
                alert=alert, user=user, channel="in_app", status="sent", attempts=1, created_at=onset, sent_at=onset
            )
            for user in residents
        ],
        ignore_conflicts=True,
    )


def _load_past(author, approver):
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
