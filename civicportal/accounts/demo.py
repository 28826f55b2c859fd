"""The demo organisation and accounts (used by load_demo_data and the browser tests)."""

from django.db import transaction

from civicportal.accounts import services
from civicportal.accounts.models import CitizenProfile, Department, District, Role, User

DEMO_PASSWORD = "civic-demo-2026"

K = Department.Kind
# (code, Korean, English, kind, parent code)
DEPARTMENTS = [
    ("seoul", "서울특별시", "Seoul Metropolitan Government", K.HEADQUARTERS, None),
    ("citizen-communication", "시민소통기획관", "Citizen Communication Bureau", K.BUREAU, "seoul"),
    ("coordination-desk", "민원총괄과", "Civil Petitions Coordination Desk", K.DIVISION, "citizen-communication"),
    ("transport", "도시교통실", "Urban Transportation Office", K.BUREAU, "seoul"),
    ("parking", "주차계획과", "Parking Planning Division", K.DIVISION, "transport"),
    ("road-management", "도로관리과", "Road Management Division", K.DIVISION, "transport"),
    ("bus-policy", "버스정책과", "Bus Policy Division", K.DIVISION, "transport"),
    ("culture", "문화본부", "Culture Headquarters", K.BUREAU, "seoul"),
    ("culture-policy", "문화정책과", "Culture Policy Division", K.DIVISION, "culture"),
    ("green-city", "푸른도시여가국", "Green City and Leisure Bureau", K.BUREAU, "seoul"),
    ("parks", "공원여가정책과", "Parks and Leisure Policy Division", K.DIVISION, "green-city"),
    ("water-circulation", "물순환안전국", "Water Circulation and Safety Bureau", K.BUREAU, "seoul"),
    ("river-management", "하천관리과", "River Management Division", K.DIVISION, "water-circulation"),
    ("climate-environment", "기후환경본부", "Climate and Environment Headquarters", K.BUREAU, "seoul"),
    ("living-environment", "생활환경과", "Living Environment Division", K.DIVISION, "climate-environment"),
    ("welfare", "복지정책실", "Welfare Policy Office", K.BUREAU, "seoul"),
    ("welfare-policy", "복지정책과", "Welfare Policy Division", K.DIVISION, "welfare"),
    ("safety", "안전총괄실", "Safety Management Office", K.BUREAU, "seoul"),
    ("disaster-safety", "재난안전정책과", "Disaster Safety Policy Division", K.DIVISION, "safety"),
    ("audit", "감사위원회", "Audit Committee (corruption reports)", K.BUREAU, "seoul"),
    ("human-rights", "인권담당관", "Human Rights Office", K.DIVISION, "seoul"),
    ("policy-planning", "정책기획관", "Policy Planning Office (Oasis)", K.BUREAU, "seoul"),
    ("fire-disaster", "소방재난본부", "Fire and Disaster Headquarters", K.AGENCY, "seoul"),
    ("water-works", "상수도사업본부", "Waterworks Headquarters", K.AGENCY, "seoul"),
    ("dasan-120", "120다산콜재단", "120 Dasan Call Foundation", K.CALL_CENTRE, "seoul"),
    # Outside Seoul: where a case can be transferred.
    ("moi", "행정안전부", "Ministry of the Interior and Safety", K.MINISTRY, None),
    ("molit", "국토교통부", "Ministry of Land, Infrastructure and Transport", K.MINISTRY, None),
    ("me", "기후에너지환경부", "Ministry of Climate, Energy and Environment", K.MINISTRY, None),
    ("acrc", "국민권익위원회", "Anti-Corruption and Civil Rights Commission", K.MINISTRY, None),
    ("gyeonggi", "경기도", "Gyeonggi Province", K.LOCAL_GOVERNMENT, None),
    ("incheon", "인천광역시", "Incheon Metropolitan City", K.LOCAL_GOVERNMENT, None),
]

# username, full name, roles, department code, head?
ACCOUNTS = [
    ("citizen", "김시민", [Role.CITIZEN], None, False),
    ("citizen2", "이서울", [Role.CITIZEN], None, False),
    ("officer", "박주무관", [Role.OFFICER], "parking", False),
    ("supervisor", "최과장", [Role.OFFICER, Role.SUPERVISOR], "parking", True),
    ("officer_env", "정주무관", [Role.OFFICER], "living-environment", False),
    ("desk", "한주무관", [Role.OFFICER], "coordination-desk", False),
    ("counsellor", "윤상담사", [Role.COUNSELLOR], "dasan-120", False),
    ("evaluator", "장전문위원", [Role.EVALUATOR], None, False),
    ("monitor", "시장실 모니터", [Role.MONITOR], None, False),
    ("alerts", "재난담당관", [Role.OFFICER, Role.ALERT_AUTHOR], "disaster-safety", False),
    ("alerts_approver", "재난안전과장", [Role.OFFICER, Role.ALERT_APPROVER], "disaster-safety", True),
    ("admin", "시스템 관리자", [Role.ADMINISTRATOR], None, False),
]


def department_officer(department_code):
    """The demo officer of a department that owns demo content but has no login of its own
    in ``ACCOUNTS`` (bus policy owns the night-bus poll, parks the park poll...)."""
    department = Department.objects.get(code=department_code)
    user, created = User.objects.get_or_create(
        username=f"officer-{department_code}",
        defaults={"full_name": f"{department.name_ko} 주무관", "email": f"officer-{department_code}@example.org"},
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
        services.grant_role(user=user, role=Role.OFFICER, department=department, is_head=False)
        CitizenProfile.objects.get_or_create(user=user)
    return user


def district_office_code(district):
    return f"{district.name_en.lower()}-office"


@transaction.atomic
def load_departments():
    by_code = {}
    for code, ko, en, kind, parent in DEPARTMENTS:
        by_code[code], _ = Department.objects.update_or_create(
            code=code, defaults={"name_ko": ko, "name_en": en, "kind": kind, "parent": by_code.get(parent)}
        )
    for district in District.objects.all():
        Department.objects.update_or_create(
            code=district_office_code(district),
            defaults={
                "name_ko": f"{district.name_ko}청",
                "name_en": f"{district.name_en} Office",
                "kind": K.DISTRICT_OFFICE,
                "parent": by_code["seoul"],
                "district": district,
            },
        )
    return by_code


@transaction.atomic
def load_accounts():
    mapo = District.objects.filter(code="11440").first()
    created_users = []
    for username, name, roles, department_code, is_head in ACCOUNTS:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={"full_name": name, "email": f"{username}@example.org"},
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            created_users.append(username)
        if username == "admin":
            user.is_staff = user.is_superuser = True
        if Role.MONITOR in roles:
            user.is_staff = True  # reads everything in admin, changes nothing
        user.save()
        department = Department.objects.get(code=department_code) if department_code else None
        for role in roles:
            services.grant_role(
                user=user, role=role, department=department if role != Role.CITIZEN else None, is_head=is_head
            )
        CitizenProfile.objects.get_or_create(
            user=user,
            defaults={"birth_year": 1990, "gender": "F", "district": mapo, "dong": "서교동"}
            if Role.CITIZEN in roles
            else {},
        )
    return created_users


def load_all():
    from civicportal.accounts.districts import load_districts
    from civicportal.accounts.models import PolicyPage
    from civicportal.accounts.policy_texts import load_policy_pages

    load_districts(District)
    load_departments()
    load_policy_pages(PolicyPage)  # the terms and the privacy notice, unless an administrator wrote them
    return load_accounts()
