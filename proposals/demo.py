"""Oasis demo content: two expert panels, a themed call and proposals at every stage.

Idempotent: ``load()`` does nothing the second time. Runs after the kernel demo
(accounts citizen, citizen2, officer of "parking", evaluator).
"""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from civicportal.accounts import services as account_services
from civicportal.accounts.demo import DEMO_PASSWORD
from civicportal.accounts.models import CitizenProfile, Department, District, Role, User
from proposals import services
from proposals.models import PanelMember, Proposal, ThemedCall

CALL_TITLE = "전통시장 주변 주차 문제를 해결할 아이디어"


def _user(username, full_name, role):
    user, created = User.objects.get_or_create(
        username=username, defaults={"full_name": full_name, "email": f"{username}@example.org"}
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
    account_services.grant_role(user=user, role=role)
    if role == Role.CITIZEN:
        CitizenProfile.objects.get_or_create(
            user=user,
            defaults={
                "birth_year": 1985,
                "gender": "X",
                "district": District.objects.get(code="11440"),
                "dong": "망원동",
            },
        )
    return user


def _panels():
    internal = User.objects.get(username="evaluator")
    PanelMember.objects.get_or_create(
        user=internal, defaults={"panel": "internal", "expertise": "교통 행정 (퇴직 공무원)"}
    )
    external = _user("evaluator2", "오정책 교수", Role.EVALUATOR)
    PanelMember.objects.get_or_create(user=external, defaults={"panel": "external", "expertise": "도시정책"})
    return internal, external


def _submit(author, title, **extra):
    existing = Proposal.objects.filter(title=title).first()
    if existing:
        return existing, False
    proposal = services.proposal_submit(
        author=author,
        title=title,
        problem=extra.pop("problem"),
        idea=extra.pop("idea"),
        expected_effect=extra.pop("expected_effect"),
        **extra,
    )
    return proposal, True


@transaction.atomic
def load():
    parking = Department.objects.get(code="parking")
    officer = User.objects.get(username="officer")
    citizen = User.objects.get(username="citizen")
    citizen2 = User.objects.get(username="citizen2")
    internal, external = _panels()
    now = timezone.now()
    call, _ = ThemedCall.objects.get_or_create(
        title=CALL_TITLE,
        defaults={
            "department": parking,
            "description": "전통시장 주변 주차난을 줄일 시민 아이디어를 모읍니다.",
            "opens_at": now - timedelta(days=3),
            "closes_at": now + timedelta(days=27),
            "status": ThemedCall.Status.OPEN,
            "created_by": officer,
        },
    )
    voters = [_user(f"oasis_voter{i}", f"시민{i}", Role.CITIZEN) for i in range(1, 13)]

    _submit(
        citizen,
        "망원시장 주말 공영주차장 개방",
        problem="주말마다 시장 주변 골목이 불법 주차로 막힙니다.",
        idea="주말에 구청과 학교 주차장을 시민에게 개방합니다.",
        expected_effect="골목 통행이 원활해지고 시장 방문이 쉬워집니다.",
        themed_call=call,
    )
    _submit(
        citizen2,
        "버스정류장 그늘막 설치",
        problem="여름철 버스정류장이 너무 덥습니다.",
        idea="주요 정류장에 그늘막과 쿨링포그를 설치합니다.",
        expected_effect="온열질환 예방.",
        department=Department.objects.get(code="bus-policy"),
    )
    reviewed, created = _submit(
        citizen,
        "거주자 우선주차 공유 앱",
        problem="낮에는 거주자 우선주차 구획이 비어 있습니다.",
        idea="비는 시간에 다른 시민이 쓸 수 있도록 공유 앱을 만듭니다.",
        expected_effect="주차 공간 활용도가 높아집니다.",
        department=parking,
    )
    if created:
        for voter in voters[:11]:
            services.proposal_vote(voter=voter, proposal_id=reviewed.pk)
        services.evaluator_assign(
            officer=officer, proposal_id=reviewed.pk, evaluator_user_ids=[internal.pk, external.pk]
        )
        services.evaluation_submit(
            evaluator=internal,
            proposal_id=reviewed.pk,
            necessity=5,
            effectiveness=4,
            feasibility=4,
            budget=4,
            comment="필요성이 높고 기존 시스템으로 구현 가능.",
        )
    adopted, created = _submit(
        citizen2,
        "학교 앞 어린이 승하차 구역",
        problem="등교 시간 학교 앞 불법 정차가 위험합니다.",
        idea="학교 앞에 5분 승하차 구역을 지정합니다.",
        expected_effect="어린이 교통사고 감소.",
        department=parking,
    )
    if created:
        for voter in voters[1:13]:
            services.proposal_vote(voter=voter, proposal_id=adopted.pk)
        services.evaluator_assign(
            officer=officer, proposal_id=adopted.pk, evaluator_user_ids=[internal.pk, external.pk]
        )
        for expert in (internal, external):
            services.evaluation_submit(
                evaluator=expert,
                proposal_id=adopted.pk,
                necessity=5,
                effectiveness=5,
                feasibility=4,
                budget=4,
                comment="적은 비용으로 어린이 안전 효과가 분명합니다.",
            )
        services.proposal_decide(
            officer=officer,
            proposal_id=adopted.pk,
            outcome="adopted",
            summary="서울시는 2027년까지 초등학교 100곳에 승하차 구역을 설치합니다.",
            necessity="등교 시간 사고 위험이 큽니다.",
            effectiveness="불법 정차가 줄어듭니다.",
            feasibility="노면 표시와 표지판만 필요합니다.",
            required_budget=800_000_000,
        )
        services.implementation_update(officer=officer, proposal_id=adopted.pk, text="1단계: 20개 학교 설치 완료.")
