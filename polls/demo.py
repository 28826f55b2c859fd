"""Demo polls (idempotent): one for everyone, one for Mapo-gu, a location poll, a QR
poll, a closed poll and a citizen's proposal waiting for approval."""

from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from civicportal.accounts.demo import department_officer
from civicportal.accounts.models import Department, District, User
from polls import services
from polls.models import Poll

EVERYONE_QUESTION = "심야버스(올빼미버스)를 15분 간격으로 운행해야 할까요?"
MAPO_QUESTION = "마포구 새 공영주차장, 어디에 지을까요?"
MAPO_OPTIONS = ["망원시장 옆", "합정역 부근", "월드컵경기장 근처"]


@transaction.atomic
def load():
    citizen2 = User.objects.filter(username="citizen2").first()
    if not User.objects.filter(username="officer").exists() or not Department.objects.filter(code="parking").exists():
        return []
    now = timezone.now()
    created = []

    def make(department_code, question, options, **kwargs):
        if Poll.objects.filter(question=question).exists():
            return None
        department = Department.objects.get(code=department_code)
        if department_code == "parking":
            officer = User.objects.get(username="officer")
        else:
            officer = department_officer(department_code)
        kwargs.setdefault("opens_at", now - timedelta(hours=1))
        kwargs.setdefault("closes_at", now + timedelta(days=14))
        poll = services.poll_create(actor=officer, department=department, question=question, options=options, **kwargs)
        created.append(poll)
        return poll

    make(
        "bus-policy",
        EVERYONE_QUESTION,
        ["15분 간격으로 운행", "20분 간격이면 충분", "지금 시간표 유지"],
        description="서울시가 심야버스 노선을 다시 살펴보고 있습니다. 필요한 점을 알려 주세요.",
    )
    make(
        "parking",
        MAPO_QUESTION,
        MAPO_OPTIONS,
        description="마포구 주민을 위한 투표입니다.",
        districts=list(District.objects.filter(code="11440")),
    )
    make(
        "culture-policy",
        "올겨울 서울광장에서 어떤 행사를 열까요?",
        ["스케이트장", "크리스마스 마켓", "빛 축제"],
        multiple=True,
        max_choices=2,
        center_lat=Decimal("37.566295"),
        center_lon=Decimal("126.977945"),
        radius_m=3200,
    )
    make(
        "river-management",
        "청계천 현장 투표: 새 징검다리는 안전한가요?",
        ["안전하다", "젖으면 미끄럽다", "손잡이가 필요하다"],
        qr_required=True,
    )
    make(
        "parking",
        "새 주차 안내 표지판은 어떤 색이 좋을까요?",
        ["파란색", "초록색", "주황색"],
        opens_at=now - timedelta(days=10),
        closes_at=now - timedelta(days=3),
        results_visible_while_open=False,
    )
    proposal = "밤에는 공원에서 반려견 목줄을 풀 수 있게 할까요?"
    if citizen2 is not None and not Poll.objects.filter(question=proposal).exists():
        services.poll_propose(
            citizen=citizen2,
            question=proposal,
            options=["찬성", "반대", "울타리가 있는 곳에서만"],
            opens_at=now + timedelta(days=1),
            closes_at=now + timedelta(days=8),
            department=Department.objects.get(code="parks"),
        )
    return created
