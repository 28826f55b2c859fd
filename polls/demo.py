"""Demo polls (idempotent): one for everyone, one for Mapo-gu, a location poll, a QR
poll, a closed poll and a citizen's proposal waiting for approval."""

from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from civicportal.accounts.models import Department, District, User
from polls import services
from polls.models import Poll

EVERYONE_QUESTION = "Should night buses (Owl buses) run every 15 minutes?"
MAPO_QUESTION = "Mapo-gu: where should the new public parking lot go?"


@transaction.atomic
def load():
    officer = User.objects.filter(username="officer").first()
    department = Department.objects.filter(code="parking").first()
    citizen2 = User.objects.filter(username="citizen2").first()
    if officer is None or department is None:
        return []
    now = timezone.now()
    created = []

    def make(question, options, **kwargs):
        if Poll.objects.filter(question=question).exists():
            return None
        kwargs.setdefault("opens_at", now - timedelta(hours=1))
        kwargs.setdefault("closes_at", now + timedelta(days=14))
        poll = services.poll_create(actor=officer, department=department, question=question, options=options, **kwargs)
        created.append(poll)
        return poll

    make(
        EVERYONE_QUESTION,
        ["Yes, every 15 minutes", "Every 20 minutes is enough", "Keep the current timetable"],
        description="The city is reviewing the late-night bus network. Tell us what you need.",
    )
    make(
        MAPO_QUESTION,
        ["Next to Mangwon market", "Hapjeong station", "Near World Cup Stadium"],
        description="For residents of Mapo-gu.",
        districts=list(District.objects.filter(code="11440")),
    )
    make(
        "Seoul Plaza: which event should the plaza host this winter?",
        ["Ice rink", "Christmas market", "Light festival"],
        multiple=True,
        max_choices=2,
        center_lat=Decimal("37.566295"),
        center_lon=Decimal("126.977945"),
        radius_m=3200,
    )
    make(
        "Cheonggyecheon site visit: are the new stepping stones safe?",
        ["Safe", "Slippery when wet", "Need handrails"],
        qr_required=True,
    )
    make(
        "Which colour for the new parking signs?",
        ["Blue", "Green", "Orange"],
        opens_at=now - timedelta(days=10),
        closes_at=now - timedelta(days=3),
        results_visible_while_open=False,
    )
    proposal = "Should parks allow dogs off-leash at night?"
    if citizen2 is not None and not Poll.objects.filter(question=proposal).exists():
        services.poll_propose(
            citizen=citizen2,
            question=proposal,
            options=["Yes", "No", "Only in fenced areas"],
            opens_at=now + timedelta(days=1),
            closes_at=now + timedelta(days=8),
            department=department,
        )
    return created
