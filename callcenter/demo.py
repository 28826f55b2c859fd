"""Demo content of 120 Dasan: the topic tree, knowledge-base articles, a lead counsellor and
some contacts (idempotent: run it twice, get the same data)."""

import datetime as dt

from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from callcenter.models import Contact, ContactEvent, KnowledgeArticle, Topic
from callcenter.search import article_nouns
from civicportal.accounts.models import CitizenProfile, Department, DepartmentMembership, Role, User

# code, Korean, English, parent code
TOPICS = [
    ("transport", "교통", "Transport", None),
    ("transport-parking", "주정차", "Parking", "transport"),
    ("transport-bus", "버스", "Buses", "transport"),
    ("environment", "환경", "Environment", None),
    ("environment-waste", "쓰레기·재활용", "Waste and recycling", "environment"),
    ("environment-noise", "소음", "Noise", "environment"),
    ("welfare", "복지", "Welfare", None),
    ("civil-documents", "민원서류", "Certificates and documents", None),
    ("foreigners", "외국인 생활", "Life in Seoul for foreigners", None),
]

# question, answer, keywords, department code, topic code, days until review
ARTICLES = [
    (
        "불법 주정차 신고 방법",
        "안전신문고 앱에서 1분 간격으로 찍은 사진 2장을 올리면 신고됩니다. 소화전, 교차로 모퉁이, "
        "버스정류소, 횡단보도, 어린이 보호구역은 주민신고 대상입니다.",
        "주차, 불법주차, 신고",
        "parking",
        "transport-parking",
        120,
    ),
    (
        "견인된 차량 찾기",
        "서울시 견인차량 조회 서비스에서 차량번호로 보관소를 확인합니다. 견인료와 보관료를 냅니다.",
        "견인, 주차",
        "parking",
        "transport-parking",
        -10,
    ),
    (
        "대형 생활폐기물 배출",
        "구청 누리집이나 앱에서 신고하고 수수료 스티커를 붙여 지정일에 내놓습니다.",
        "쓰레기, 폐기물, 가구",
        "living-environment",
        "environment-waste",
        200,
    ),
    (
        "층간소음 상담",
        "서울시 층간소음 상담실(02-2133-7298)에서 방문 상담과 측정을 지원합니다.",
        "소음, 층간소음",
        "living-environment",
        "environment-noise",
        60,
    ),
    (
        "How to get a certificate of residence (foreigners)",
        "Foreign residents get it at any district office or on "
        "Gov24 with a registered alien card. Call 120 extension 9 for help in English.",
        "residence, certificate, foreigner",
        None,
        "foreigners",
        90,
    ),
]

LEAD = ("counsellor_lead", "강상담팀장")


@transaction.atomic
def load():
    topics = {}
    for code, ko, en, parent in TOPICS:
        topics[code], _ = Topic.objects.update_or_create(
            code=code, defaults={"name_ko": ko, "name_en": en, "parent": topics.get(parent)}
        )
    today = timezone.localdate()
    for question, answer, keywords, department, topic, days in ARTICLES:
        article, _ = KnowledgeArticle.objects.update_or_create(
            question=question,
            defaults={
                "answer": answer,
                "language": "en" if question.isascii() else "ko",
                "keywords": keywords,
                "department": Department.objects.filter(code=department).first() if department else None,
                "topic": topics[topic],
                "review_date": today + dt.timedelta(days=days),
                "published": True,
            },
        )
        article.search_nouns = article_nouns(article)
        article.save(update_fields=["search_nouns"])
    _lead_counsellor()
    _contacts(topics)


def _lead_counsellor():
    from civicportal.accounts.demo import DEMO_PASSWORD

    centre = Department.objects.filter(code="dasan-120").first()
    if centre is None:
        return
    user, created = User.objects.get_or_create(username=LEAD[0], defaults={"full_name": LEAD[1]})
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
    user.groups.add(Group.objects.get_or_create(name=Role.COUNSELLOR)[0])
    DepartmentMembership.objects.update_or_create(user=user, department=centre, defaults={"is_head": True})
    CitizenProfile.objects.get_or_create(user=user)


def _contacts(topics):
    if Contact.objects.exists():
        return
    counsellor = User.objects.filter(username="counsellor").first()
    citizen = User.objects.filter(username="citizen").first()
    if counsellor is None:
        return
    now = timezone.now()
    parking = Department.objects.filter(code="parking").first()
    samples = [
        (
            "voice",
            "ko",
            citizen,
            "+821012345678",
            "transport-parking",
            "집 앞 불법 주차 신고는?",
            "안전신문고 앱 안내",
            "answered",
            None,
            0,
        ),
        ("sms_mms", "ko", None, "+821098761234", "environment-waste", "쓰레기 무단투기 사진 보냅니다", "", "", None, 1),
        (
            "voice",
            "en",
            None,
            "+821055501234",
            "foreigners",
            "Where do I renew my alien card?",
            "Immigration office",
            "answered",
            None,
            2,
        ),
        ("sign_language", "ko", None, "", "welfare", "장애인 활동지원 신청", "", "callback", None, 3),
        ("voice", "ko", None, "+821077778888", "transport-parking", "견인 차량 항의", "", "transferred", parking, 4),
        ("web_message", "ko", citizen, "", "civil-documents", "등본 발급 시간이 궁금해요", "", "", None, 5),
    ]
    for channel, language, caller, phone, topic, question, answer, outcome, transfer, hours in samples:
        start = now - dt.timedelta(hours=hours, minutes=7)
        closed = bool(outcome)
        contact = Contact.objects.create(
            channel=channel,
            language=language,
            caller=caller,
            caller_phone=phone,
            counsellor=None if channel == "web_message" else counsellor,
            topic=topics[topic],
            question=question,
            message_text=question if channel in ("sms_mms", "web_message") else "",
            answer=answer,
            started_at=start,
            ended_at=start + dt.timedelta(minutes=4) if closed else None,
            outcome=outcome,
            transferred_to=transfer,
            callback_due_at=now + dt.timedelta(hours=2) if outcome == "callback" else None,
            status="closed" if closed else "open",
            closed_at=start + dt.timedelta(minutes=4) if closed else None,
            # The caller who texted in agreed to be texted back (tracking number, survey).
            sms_consent=True if channel == "sms_mms" else None,
            sms_consent_at=start if channel == "sms_mms" else None,
        )
        contact.compute_duration()
        contact.save(update_fields=["duration_seconds"])
        ContactEvent.objects.create(contact=contact, kind="logged", actor=counsellor, at=start)
