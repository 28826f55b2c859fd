"""Demo content of Eung-Dap-So: categories, routing rules, FAQ, examples and a few cases (idempotent)."""

from django.db import transaction

from civicportal.accounts.models import Department, District, User
from complaints import filing, services
from complaints.models import Case, Category, Channel, FaqEntry, Kind, PublishedExample, RoutingRule, SlaPolicy

CATEGORIES = [
    ("parking", "주차", "Parking"),
    ("noise", "소음", "Noise"),
    ("road", "도로·가로등", "Roads and street lights"),
    ("environment", "환경·악취", "Environment and odours"),
    ("welfare", "복지", "Welfare"),
    ("safety", "안전", "Safety"),
]

# priority, name, kind, category code, keywords, department code, simple
RULES = [
    (10, "부패 신고 → 감사위원회", Kind.CORRUPTION, None, "", "audit", False),
    (20, "인권 침해 → 인권담당관", Kind.HUMAN_RIGHTS, None, "", "human-rights", False),
    (30, "복지 위반 → 복지정책과", Kind.WELFARE, None, "", "welfare-policy", False),
    (40, "주차 → 주차계획과", "", "parking", "주차,불법주차,견인", "parking", False),
    (41, "주차 키워드", "", None, "주차,불법주차,견인", "parking", False),
    (50, "소음·악취 → 생활환경과", "", None, "소음,층간소음,악취,매연", "living-environment", False),
    (60, "가로등·도로 → 도로관리과", "", None, "가로등,도로,포트홀,보도블록", "road-management", False),
    (90, "단순 문의는 당일 처리", Kind.INQUIRY, None, "", "coordination-desk", True),
]

FAQ = [
    (
        "불법 주차 차량은 어떻게 신고하나요?",
        "응답소에서 '주차' 분야로 사진과 위치를 함께 신고하시면 주차계획과가 처리합니다.",
        "parking",
    ),
    (
        "층간소음 문제는 어디에 상담하나요?",
        "층간소음은 이웃사이센터 상담과 함께 생활환경과에 민원으로 접수하실 수 있습니다.",
        "noise",
    ),
    (
        "가로등이 꺼져 있으면 어떻게 하나요?",
        "가로등 위치(주소 또는 전봇대 번호)를 적어 신고하시면 도로관리과가 보수합니다.",
        "road",
    ),
    (
        "민원 처리 기한은 얼마인가요?",
        "질의 민원은 7일, 고충 민원은 7일, 제안은 14일(근무일 기준) 안에 답변합니다. 단순 민원은 당일 처리합니다.",
        None,
    ),
]

EXAMPLES = [
    (
        "아파트 앞 불법 주차로 통행이 어렵습니다",
        "매일 저녁 아파트 정문 앞에 불법 주차 차량이 많아 보행이 위험합니다.",
        "해당 구간을 주정차 단속 구역으로 지정하고 저녁 시간대 단속을 강화하였습니다.",
        "parking",
        "parking",
    ),
    (
        "공사장 소음이 너무 심합니다",
        "이른 아침부터 공사장 소음이 심해 잠을 잘 수 없습니다.",
        "현장 점검 결과 소음 기준을 초과하여 과태료를 부과하고 작업 시간을 조정하도록 조치하였습니다.",
        "noise",
        "living-environment",
    ),
    (
        "골목길 가로등이 고장났습니다",
        "골목길 가로등이 일주일째 꺼져 있어 밤길이 어둡습니다.",
        "가로등 안정기를 교체하여 정상 점등되었습니다.",
        "road",
        "road-management",
    ),
]

CASES = [
    ("citizen", Kind.COMPLAINT, "윗집 층간소음이 심합니다", "밤 11시 이후에도 뛰는 소리가 들립니다.", "11440", "noise"),
    (
        "citizen",
        Kind.COMPLAINT,
        "불법 주차 단속 요청",
        "망원시장 입구 불법 주차로 버스가 못 지나갑니다.",
        "11440",
        "parking",
    ),
    (
        "citizen2",
        Kind.COMPLAINT,
        "소방도로 불법 주차 신고",
        "합정역 7번 출구 뒤 골목 소방도로에 밤마다 차량이 세워져 있어 소방차가 못 들어갑니다.",
        "11440",
        "parking",
    ),
    (
        "citizen",
        Kind.COMPLAINT,
        "거주자우선주차구역 무단 주차",
        "성산동 거주자우선주차구역에 외부 차량이 사흘째 세워져 있습니다.",
        "11440",
        "parking",
    ),
    ("citizen2", Kind.INQUIRY, "대형 폐기물 배출 방법 문의", "소파를 버리려면 어떻게 신고하나요?", "11680", None),
    ("citizen2", Kind.PROPOSAL, "공원에 그늘막을 설치해 주세요", "어린이 놀이터에 그늘이 없습니다.", "11680", "safety"),
]


@transaction.atomic
def load():
    categories = {}
    for code, ko, en in CATEGORIES:
        categories[code], _ = Category.objects.update_or_create(code=code, defaults={"name_ko": ko, "name_en": en})
    for kind, days in SlaPolicy.DEFAULT_DAYS.items():
        SlaPolicy.objects.get_or_create(kind=kind, defaults={"business_days": days})
    departments = {d.code: d for d in Department.objects.all()}
    for priority, name, kind, category, keywords, department, simple in RULES:
        if department not in departments:
            continue
        RoutingRule.objects.update_or_create(
            name=name,
            defaults={
                "priority": priority,
                "kind": kind,
                "category": categories.get(category),
                "keywords": keywords,
                "department": departments[department],
                "marks_simple": simple,
            },
        )
    for order, (question, answer, category) in enumerate(FAQ):
        FaqEntry.objects.update_or_create(
            question=question, defaults={"answer": answer, "category": categories.get(category), "order": order}
        )
    for title, question, answer, category, department in EXAMPLES:
        PublishedExample.objects.update_or_create(
            title=title,
            defaults={
                "question": question,
                "answer": answer,
                "category": categories[category],
                "department": departments.get(department),
            },
        )
    officer = User.objects.filter(username="officer").first()
    for username, kind, title, text, district_code, category in CASES:
        citizen = User.objects.filter(username=username).first()
        if citizen is None or Case.objects.filter(citizen=citizen, title=title).exists():
            continue
        case = filing.case_file(
            citizen=citizen,
            filed_by=citizen,
            channel=Channel.WEB,
            kind=kind,
            title=title,
            text=text,
            category=categories.get(category),
            district=District.objects.filter(code=district_code).first(),
        )
        if officer is not None and case.department.code == "parking" and "망원" in text:
            services.case_answer(case=case, by=officer, text="현장 단속을 실시하고 상습 구역으로 지정하였습니다.")
            services.case_rate(case=case, by=citizen, score=4, comment="빠른 조치 감사합니다.")
