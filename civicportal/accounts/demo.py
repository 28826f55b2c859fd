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

CITY_HALL = ("서울특별시 중구 세종대로 110", "110 Sejong-daero, Jung-gu, Seoul")
SEOSOMUN = ("서울특별시 중구 덕수궁길 15", "15 Deoksugung-gil, Jung-gu, Seoul")
SEJONG = ("세종특별자치시 도움6로 11 정부세종청사", "11 Doum 6-ro, Sejong (Government Complex Sejong)")
# The directory's demo contacts (code: phone, (address in Korean, in English)); lists_officer_names
# is on for the parking division only, so the demo shows both ways.
CONTACTS = {
    "seoul": ("02-120", CITY_HALL),
    "citizen-communication": ("02-2133-6400", CITY_HALL),
    "coordination-desk": ("02-2133-6450", CITY_HALL),
    "transport": ("02-2133-2200", SEOSOMUN),
    "parking": ("02-2133-2370", SEOSOMUN),
    "road-management": ("02-2133-8040", SEOSOMUN),
    "bus-policy": ("02-2133-2280", SEOSOMUN),
    "culture": ("02-2133-2500", CITY_HALL),
    "culture-policy": ("02-2133-2510", CITY_HALL),
    "green-city": ("02-2133-2000", SEOSOMUN),
    "parks": ("02-2133-2040", SEOSOMUN),
    "water-circulation": ("02-2133-3800", SEOSOMUN),
    "river-management": ("02-2133-3880", SEOSOMUN),
    "climate-environment": ("02-2133-3500", SEOSOMUN),
    "living-environment": ("02-2133-3600", SEOSOMUN),
    "welfare": ("02-2133-7300", CITY_HALL),
    "welfare-policy": ("02-2133-7310", CITY_HALL),
    "safety": ("02-2133-8000", CITY_HALL),
    "disaster-safety": ("02-2133-8510", CITY_HALL),
    "audit": ("02-2133-3030", CITY_HALL),
    "human-rights": ("02-2133-6380", CITY_HALL),
    "policy-planning": ("02-2133-6600", CITY_HALL),
    "fire-disaster": ("02-3706-1114", ("서울특별시 중구 세종대로 4길 5", "5 Sejong-daero 4-gil, Jung-gu, Seoul")),
    "water-works": ("02-3146-1114", ("서울특별시 중구 서소문로 50", "50 Seosomun-ro, Jung-gu, Seoul")),
    "dasan-120": ("02-120", ("서울특별시 동대문구 천호대로 4", "4 Cheonho-daero, Dongdaemun-gu, Seoul")),
    "moi": ("044-205-1000", ("세종특별자치시 도움6로 42", "42 Doum 6-ro, Sejong")),
    "molit": ("1599-0001", SEJONG),
    "me": ("1577-8866", SEJONG),
    "acrc": ("110", ("세종특별자치시 도움5로 20", "20 Doum 5-ro, Sejong")),
    "gyeonggi": ("031-120", ("경기도 수원시 영통구 도청로 30", "30 Docheong-ro, Yeongtong-gu, Suwon, Gyeonggi-do")),
    "incheon": ("032-120", ("인천광역시 남동구 정각로 29", "29 Jeonggak-ro, Namdong-gu, Incheon")),
}
LISTS_OFFICER_NAMES = {"parking"}
# District offices by district code: phone, street in Korean, street in English.
DISTRICT_OFFICE_CONTACTS = {
    "11110": ("02-2148-1114", "삼봉로 43", "43 Sambong-ro"),
    "11140": ("02-3396-4114", "창경궁로 17", "17 Changgyeonggung-ro"),
    "11170": ("02-2199-6114", "녹사평대로 150", "150 Noksapyeong-daero"),
    "11200": ("02-2286-5114", "고산자로 270", "270 Gosanja-ro"),
    "11215": ("02-450-1114", "자양로 117", "117 Jayang-ro"),
    "11230": ("02-2127-4114", "천호대로 145", "145 Cheonho-daero"),
    "11260": ("02-2094-0114", "봉화산로 179", "179 Bonghwasan-ro"),
    "11290": ("02-2241-3114", "보문로 168", "168 Bomun-ro"),
    "11305": ("02-901-6114", "도봉로89길 13", "13 Dobong-ro 89-gil"),
    "11320": ("02-2091-2114", "마들로 656", "656 Madeul-ro"),
    "11350": ("02-2116-3114", "노해로 437", "437 Nohae-ro"),
    "11380": ("02-351-6114", "은평로 195", "195 Eunpyeong-ro"),
    "11410": ("02-330-1114", "연희로 248", "248 Yeonhui-ro"),
    "11440": ("02-3153-8114", "월드컵로 212", "212 World Cup-ro"),
    "11470": ("02-2620-3114", "목동동로 105", "105 Mokdongdong-ro"),
    "11500": ("02-2600-6114", "화곡로 302", "302 Hwagok-ro"),
    "11530": ("02-860-2114", "가마산로 245", "245 Gamasan-ro"),
    "11545": ("02-2627-2114", "시흥대로73길 70", "70 Siheung-daero 73-gil"),
    "11560": ("02-2670-3114", "당산로 123", "123 Dangsan-ro"),
    "11590": ("02-820-1114", "장승배기로 161", "161 Jangseungbaegi-ro"),
    "11620": ("02-879-5114", "관악로 145", "145 Gwanak-ro"),
    "11650": ("02-2155-6114", "남부순환로 2584", "2584 Nambusunhwan-ro"),
    "11680": ("02-3423-5114", "학동로 426", "426 Hakdong-ro"),
    "11710": ("02-2147-2114", "올림픽로 326", "326 Olympic-ro"),
    "11740": ("02-3425-5114", "성내로 25", "25 Seongnae-ro"),
}


def contact_fields(code):
    phone, (address_ko, address_en) = CONTACTS.get(code, ("", ("", "")))
    return {
        "phone": phone,
        "address_ko": address_ko,
        "address_en": address_en,
        "lists_officer_names": code in LISTS_OFFICER_NAMES,
    }


def district_office_contact_fields(district):
    phone, street_ko, street_en = DISTRICT_OFFICE_CONTACTS.get(district.code, ("", "", ""))
    if not phone:
        return {}
    return {
        "phone": phone,
        "address_ko": f"서울특별시 {district.name_ko} {street_ko}",
        "address_en": f"{street_en}, {district.name_en}, Seoul",
    }


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
            code=code,
            defaults={
                "name_ko": ko,
                "name_en": en,
                "kind": kind,
                "parent": by_code.get(parent),
                **contact_fields(code),
            },
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
                **district_office_contact_fields(district),
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
