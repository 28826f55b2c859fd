"""A GENERATED history of Seoul cases for learned routing (there is no public one).

    .venv/bin/python bench/routing_history.py --cases 1000 --show 5

Every case is made up: varied Korean templates and vocabulary per topic, for the portal's real
department tree (``civicportal/accounts/demo.py``: headquarters divisions, agencies and the 25
district offices). Each case is first routed the way the portal routes today (the demo's
first-match keyword rules, else the district office, else the coordination desk), then lands,
after zero or more transfers, in the department that owns the topic; that department is the
label. Misroutes are realistic ones: keyword rules that catch the wrong thing ("도로" in a
parking complaint, "주차" in an enforcement case that the district office handles), topics no
rule knows (buses, water, parks) that wait at the desk, citizens choosing a wrong category,
a small share of cases that an officer handed on for reasons the text does not show, and
topics that drift over the year (electric scooters grow, heat-wave complaints are seasonal).

Plain Python (no Django); nouns come from the portal's own analyser (kiwipiepy), analysed
once per distinct sentence.
"""

import argparse
import functools
import random
import string
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DISTRICTS = [
    ("11110", "종로구", "Jongno-gu", ["청운효자동", "사직동", "혜화동", "창신동"]),
    ("11140", "중구", "Jung-gu", ["명동", "회현동", "신당동", "황학동"]),
    ("11170", "용산구", "Yongsan-gu", ["이태원동", "한남동", "후암동", "이촌동"]),
    ("11200", "성동구", "Seongdong-gu", ["성수동", "왕십리동", "금호동", "옥수동"]),
    ("11215", "광진구", "Gwangjin-gu", ["자양동", "구의동", "화양동", "중곡동"]),
    ("11230", "동대문구", "Dongdaemun-gu", ["회기동", "청량리동", "장안동", "전농동"]),
    ("11260", "중랑구", "Jungnang-gu", ["면목동", "상봉동", "망우동", "신내동"]),
    ("11290", "성북구", "Seongbuk-gu", ["성북동", "정릉동", "길음동", "돈암동"]),
    ("11305", "강북구", "Gangbuk-gu", ["미아동", "수유동", "번동", "우이동"]),
    ("11320", "도봉구", "Dobong-gu", ["창동", "방학동", "쌍문동", "도봉동"]),
    ("11350", "노원구", "Nowon-gu", ["상계동", "중계동", "하계동", "공릉동"]),
    ("11380", "은평구", "Eunpyeong-gu", ["불광동", "응암동", "녹번동", "진관동"]),
    ("11410", "서대문구", "Seodaemun-gu", ["신촌동", "연희동", "홍제동", "북가좌동"]),
    ("11440", "마포구", "Mapo-gu", ["서교동", "합정동", "망원동", "공덕동"]),
    ("11470", "양천구", "Yangcheon-gu", ["목동", "신정동", "신월동"]),
    ("11500", "강서구", "Gangseo-gu", ["화곡동", "등촌동", "가양동", "방화동"]),
    ("11530", "구로구", "Guro-gu", ["구로동", "신도림동", "개봉동", "오류동"]),
    ("11545", "금천구", "Geumcheon-gu", ["가산동", "독산동", "시흥동"]),
    ("11560", "영등포구", "Yeongdeungpo-gu", ["여의동", "당산동", "문래동", "신길동"]),
    ("11590", "동작구", "Dongjak-gu", ["노량진동", "상도동", "흑석동", "사당동"]),
    ("11620", "관악구", "Gwanak-gu", ["신림동", "봉천동", "남현동"]),
    ("11650", "서초구", "Seocho-gu", ["서초동", "반포동", "방배동", "양재동"]),
    ("11680", "강남구", "Gangnam-gu", ["역삼동", "삼성동", "대치동", "압구정동"]),
    ("11710", "송파구", "Songpa-gu", ["잠실동", "가락동", "문정동", "방이동"]),
    ("11740", "강동구", "Gangdong-gu", ["천호동", "길동", "암사동", "명일동"]),
]


def office(code) -> str:
    """The district office's department code, as ``civicportal.accounts.demo`` names it."""
    return _OFFICES[code]


_OFFICES = {c: f"{en.lower()}-office" for c, _ko, en, _d in DISTRICTS}


LOCAL = "@district"  # the topic belongs to the district office of the case's district

PLACES = [
    "{dong} {n}번지 앞",
    "{dong} 주민센터 근처",
    "{dong} 초등학교 정문 앞",
    "{district} {dong} 아파트 단지 입구",
    "{dong} 사거리",
    "{dong} 시장 골목",
    "{district} {dong} 지하철역 {n}번 출구 앞",
    "{dong} 빌라 밀집 지역",
    "{dong} 어린이공원 옆",
    "{district} 구청 뒤편 이면도로",
]
WHEN = ["매일 저녁", "주말마다", "새벽 시간에", "출근 시간에", "며칠째", "한 달 넘게"]
WHEN += ["어제부터", "지난주부터", "밤마다", ""]
CLOSINGS = [
    "빠른 조치 부탁드립니다.",
    "확인 부탁드립니다.",
    "조치해 주시기 바랍니다.",
    "여러 번 신고했는데 아직 해결되지 않았습니다.",
    "주민들이 많이 불편해하고 있습니다.",
    "아이들이 다니는 길이라 걱정됩니다.",
    "어르신들이 다니기 위험합니다.",
    "담당 부서에서 꼭 살펴봐 주세요.",
    "사진 첨부합니다.",
    "답변 기다리겠습니다.",
    "",
]
# Sentences that belong to no topic: they make texts share words across topics.
NOISE = [
    "도로 옆이라 차량 통행도 많습니다.",
    "근처에 주차된 차들도 많습니다.",
    "공원 가는 길입니다.",
    "민원을 넣어도 구청과 시청이 서로 미룹니다.",
    "안전 문제가 걱정됩니다.",
    "환경 미화가 필요해 보입니다.",
    "버스 정류장 바로 옆입니다.",
]

# topic: department (LOCAL = the district office), category code or "", kind weights,
# titles, sentences with {place}/{when}/{x} slots, words for {x}, share of cases, seasonal months
TOPICS = [
    dict(
        name="illegal_parking",
        department=LOCAL,
        category="parking",
        titles=["불법 주차 단속 요청", "{x} 불법주차 신고", "상습 불법 주정차 차량", "{x} 주차 때문에 통행 불가"],
        sentences=[
            "{place}에 {when} {x} 불법 주차 차량이 있습니다.",
            "{place} {x} 불법주정차로 보행자가 차도로 걸어야 합니다.",
            "{when} {x} 차량이 소화전 앞에 주차되어 있습니다.",
            "단속 카메라 설치나 견인을 요청합니다.",
            "{place}에 화물차가 밤새 주차되어 있습니다.",
        ],
        words=["승용차", "화물차", "트럭", "오토바이", "관광버스", "택배 차량", "캠핑카", "렌터카"],
        share=9,
    ),
    dict(
        name="parking_policy",
        department="parking",
        category="parking",
        titles=["거주자 우선주차 {x}", "공영주차장 {x} 문의", "{x} 주차 요금 개선 제안"],
        sentences=[
            "거주자 우선주차 구획 {x} 기준이 불합리합니다.",
            "공영주차장 {x} 요금 체계를 개선해 주세요.",
            "{place} 공영주차장 확충 계획이 있는지 궁금합니다.",
            "주차장 공유 사업 {x}에 대해 알고 싶습니다.",
        ],
        words=["배정", "신청", "요금", "월정기권", "감면", "전기차 충전구역", "야간 개방"],
        share=4,
    ),
    dict(
        name="street_light",
        department="road-management",
        category="road",
        titles=["가로등 고장 신고", "{x} 가로등이 꺼져 있어요", "보안등 수리 요청"],
        sentences=[
            "{place} 가로등이 {when} 꺼져 있습니다.",
            "{place} 보안등이 깜빡거려 밤길이 어둡습니다.",
            "{x} 가로등 전구가 나갔습니다.",
            "가로등 {x} 기둥이 기울어져 있습니다.",
        ],
        words=["골목", "횡단보도", "산책로 입구", "버스 정류장", "육교", "교차로"],
        share=7,
    ),
    dict(
        name="pothole",
        department="road-management",
        category="road",
        titles=["도로 파손 신고", "포트홀 보수 요청", "{x} 도로 꺼짐"],
        sentences=[
            "{place} 도로에 포트홀이 생겨 {x} 바퀴가 손상되었습니다.",
            "{place} 아스팔트가 파여 있어 위험합니다.",
            "{when} 도로 포장이 들떠 있습니다.",
            "차선 도색이 지워져 {x} 운전자가 혼란스러워합니다.",
        ],
        words=["자동차", "자전거", "오토바이", "버스", "택시"],
        share=5,
    ),
    dict(
        name="sidewalk",
        department=LOCAL,
        category="road",
        titles=["보도블록 파손", "인도 {x} 정비 요청", "보행로 턱 개선 요청"],
        sentences=[
            "{place} 보도블록이 깨져 {x} 넘어질 뻔했습니다.",
            "{place} 인도 턱이 높아 {x} 다니기 어렵습니다.",
            "보행로에 {x} 적치물이 쌓여 있습니다.",
        ],
        words=["유모차가", "휠체어가", "어르신이", "아이가", "자전거가"],
        share=4,
    ),
    dict(
        name="floor_noise",
        department="living-environment",
        category="noise",
        titles=["층간소음 상담 요청", "{x} 층간소음 문제", "윗집 소음 때문에 잠을 못 잡니다"],
        sentences=[
            "윗집에서 {when} {x} 소리가 납니다.",
            "층간소음 때문에 가족이 잠을 못 잡니다.",
            "이웃사이센터 상담을 받고 싶습니다.",
            "{x} 소음 측정을 요청합니다.",
        ],
        words=["발망치", "가구 끄는", "운동기구", "세탁기", "피아노", "강아지 짖는"],
        share=4,
    ),
    dict(
        name="construction_noise",
        department=LOCAL,
        category="noise",
        titles=["공사장 소음 민원", "{x} 공사 소음과 먼지", "새벽 공사 소음"],
        sentences=[
            "{place} 공사장에서 {when} {x} 소음이 심합니다.",
            "공사 현장 {x} 작업 시간이 허가 시간을 넘깁니다.",
            "비산먼지 때문에 창문을 열 수 없습니다.",
        ],
        words=["철거", "굴착기", "항타기", "콘크리트 타설", "리모델링"],
        share=4,
    ),
    dict(
        name="odour_air",
        department="living-environment",
        category="environment",
        titles=["악취 민원", "{x} 냄새 신고", "미세먼지 배출 사업장 신고"],
        sentences=[
            "{place}에서 {when} {x} 악취가 납니다.",
            "{x} 매연이 심해 숨쉬기 힘듭니다.",
            "사업장 대기오염 배출 점검을 요청합니다.",
        ],
        words=["음식점", "하수구", "공장", "인쇄소", "세탁공장", "축사"],
        share=4,
    ),
    dict(
        name="trash",
        department=LOCAL,
        category="environment",
        titles=["쓰레기 무단투기 신고", "{x} 쓰레기 수거 요청", "대형 폐기물 방치"],
        sentences=[
            "{place}에 {when} 쓰레기가 무단투기되어 있습니다.",
            "{x} 수거가 제때 되지 않아 냄새가 납니다.",
            "대형 폐기물 {x}이 방치되어 있습니다.",
            "재활용품 분리수거 장소가 지저분합니다.",
        ],
        words=["음식물 쓰레기", "재활용품", "종량제 봉투", "소파", "매트리스", "냉장고"],
        share=7,
    ),
    dict(
        name="bus",
        department="bus-policy",
        category="",
        titles=["{x}번 버스 배차 간격", "버스 기사 불친절", "버스 정류장 {x}"],
        sentences=[
            "{x}번 버스 배차 간격이 너무 깁니다.",
            "{when} 버스가 정류장을 그냥 지나갑니다.",
            "버스 기사가 난폭 운전을 합니다.",
            "{place} 버스 정류장에 승차대 설치를 요청합니다.",
            "심야버스 노선을 {place}까지 연장해 주세요.",
        ],
        words=["143", "472", "7011", "N26", "마을", "6411", "701"],
        share=6,
    ),
    dict(
        name="scooter",
        department="road-management",
        category="",
        titles=["전동킥보드 방치", "공유 킥보드 {x}", "개인형 이동장치 주차"],
        sentences=[
            "{place}에 공유 전동킥보드가 {when} 방치되어 있습니다.",
            "전동킥보드가 {x} 쓰러져 통행을 막습니다.",
            "개인형 이동장치 견인을 요청합니다.",
        ],
        words=["인도에", "점자블록 위에", "횡단보도 앞에", "버스 정류장에"],
        share=3,
        growth=True,
    ),
    dict(
        name="parks",
        department="parks",
        category="",
        titles=["공원 {x} 보수 요청", "놀이터 시설 점검", "산책로 정비 요청"],
        sentences=[
            "{place} 공원의 {x}이 고장 났습니다.",
            "놀이터 {x} 시설이 낡아 아이들이 다칠까 걱정입니다.",
            "산책로에 {x} 잡초가 무성합니다.",
            "공원 화장실 청소를 요청합니다.",
        ],
        words=["운동기구", "그네", "미끄럼틀", "벤치", "음수대", "정자"],
        share=4,
    ),
    dict(
        name="river",
        department="river-management",
        category="",
        titles=["{x} 하천 정비", "한강 자전거도로 {x}", "하천 산책로 침수"],
        sentences=[
            "{x} 산책로가 비 온 뒤 침수되었습니다.",
            "한강 자전거도로 {x} 구간 포장이 깨졌습니다.",
            "하천에 {when} 부유물이 떠다닙니다.",
        ],
        words=["홍제천", "불광천", "안양천", "중랑천", "탄천", "양재천"],
        share=3,
    ),
    dict(
        name="water",
        department="water-works",
        category="",
        titles=["수돗물 {x}", "상수도 요금 문의", "누수 신고"],
        sentences=[
            "{when} 수돗물에서 {x}가 나옵니다.",
            "{place} 상수도관 누수로 물이 흘러넘칩니다.",
            "이번 달 수도 요금이 {x} 너무 많이 나왔습니다.",
            "단수 예고 없이 물이 끊겼습니다.",
        ],
        words=["녹물", "흙냄새", "이물질", "소독약 냄새", "두 배나", "갑자기"],
        share=4,
    ),
    dict(
        name="welfare",
        department="welfare-policy",
        category="welfare",
        titles=["{x} 지원 문의", "기초생활수급 신청", "돌봄 서비스 요청"],
        sentences=[
            "{x} 지원을 받을 수 있는지 알고 싶습니다.",
            "혼자 사는 어르신 돌봄 서비스를 신청하고 싶습니다.",
            "기초생활수급 자격 기준이 궁금합니다.",
            "장애인 활동지원 시간을 늘려 주세요.",
        ],
        words=["긴급 생계비", "주거급여", "월세", "의료비", "한부모 가정", "청년 수당"],
        share=3,
    ),
    dict(
        name="culture",
        department="culture-policy",
        category="",
        titles=["{x} 축제 소음과 운영", "도서관 {x} 건의", "공연장 이용 문의"],
        sentences=[
            "{x} 축제 운영 시간이 너무 늦습니다.",
            "구립 도서관 {x} 운영 시간을 늘려 주세요.",
            "공공 공연장 대관 절차가 궁금합니다.",
        ],
        words=["한강", "거리 예술", "불꽃", "야시장", "책 읽는 서울광장"],
        share=2,
    ),
    dict(
        name="sinkhole",
        department="disaster-safety",
        category="safety",
        titles=["싱크홀 의심 신고", "축대 붕괴 위험", "{x} 안전 점검 요청"],
        sentences=[
            "{place} 땅이 {x} 꺼져 있습니다.",
            "{place} 축대에 금이 가 붕괴가 걱정됩니다.",
            "노후 건물 {x} 안전 점검을 요청합니다.",
            "폭우 때 {place}가 매번 침수됩니다.",
        ],
        words=["움푹", "갑자기", "조금씩", "균열과 함께"],
        share=3,
    ),
    dict(
        name="heat",
        department="disaster-safety",
        category="safety",
        titles=["무더위 쉼터 {x}", "폭염 대책 요청", "그늘막 설치 요청"],
        sentences=[
            "{place} 횡단보도에 그늘막 설치를 요청합니다.",
            "무더위 쉼터 {x} 운영 시간을 늘려 주세요.",
            "폭염에 어르신들이 쉴 곳이 없습니다.",
        ],
        words=["경로당", "주민센터", "도서관", "은행"],
        share=2,
        summer=True,
    ),
    dict(
        name="fire",
        department="fire-disaster",
        category="safety",
        titles=["소방차 진입 불가", "화재 위험 {x}", "소화전 {x}"],
        sentences=[
            "{place} 골목이 좁아 소방차가 들어갈 수 없습니다.",
            "{x} 화재 위험이 있어 점검을 요청합니다.",
            "소화전이 {x} 가려져 있습니다.",
        ],
        words=["전선 뭉치", "가스통", "불법 증축", "적치물로", "간판으로"],
        share=2,
    ),
]

# The first-match keyword rules of the baseline: the demo's (complaints/demo.py) plus the few a
# city would add for its busiest topics. Keywords also match place names ("어린이공원 옆").
RULES = [
    ("kind", "inquiry", "coordination-desk"),
    ("category", "parking", "parking"),
    ("keywords", ("주차", "불법주차", "견인"), "parking"),
    ("keywords", ("소음", "층간소음", "악취", "매연"), "living-environment"),
    ("keywords", ("가로등", "도로", "포트홀", "보도블록"), "road-management"),
    ("keywords", ("버스",), "bus-policy"),
    ("keywords", ("수돗물", "누수", "상수도"), "water-works"),
    ("keywords", ("공원", "놀이터"), "parks"),
    ("keywords", ("쓰레기", "무단투기"), "@office"),
    ("keywords", ("복지", "수급", "돌봄"), "welfare-policy"),
    ("keywords", ("싱크홀", "축대", "침수"), "disaster-safety"),
    ("keywords", ("소방", "화재", "소화전"), "fire-disaster"),
]


def first_rule(*, kind, category, district, text) -> str | None:
    """The department of the first matching rule, or None."""
    for condition, value, department in RULES:
        if condition == "kind" and kind == value:
            return department
        if condition == "category" and category == value:
            return department
        if condition == "keywords" and any(word in text for word in value):
            return office(district) if department == "@office" and district else department
    return None


def fallback(district) -> str:
    """No rule matched: the district office, else the coordination desk (as the portal does)."""
    return office(district) if district else "coordination-desk"


def rules_route(*, kind, category, district, text) -> str:
    return first_rule(kind=kind, category=category, district=district, text=text) or fallback(district)


def _fill(template, rng, topic, district_ko, dong, pieces=None):
    """``template`` with its slots filled; when ``pieces`` is a list, the literal parts and
    slot values that make up the sentence are appended to it (for composed nouns)."""
    place_template = rng.choice(PLACES)
    n = rng.randint(1, 300)
    place = place_template.format(dong=dong, district=district_ko, n=n)
    when, x = rng.choice(WHEN), rng.choice(topic["words"])
    if pieces is not None:
        values = {"dong": dong, "district": district_ko, "n": str(n), "when": when, "x": x}
        for literal, slot in _parsed(template):
            pieces.append(literal)
            if slot == "place":
                for place_literal, place_slot in _parsed(place_template):
                    pieces.append(place_literal)
                    if place_slot:
                        pieces.append(values[place_slot])
            elif slot:
                pieces.append(values[slot])
    return " ".join(template.format(place=place, when=when, x=x, district=district_ko).split())


def _vary(sentence, rng):
    """What people type: dropped spaces, no final period, a doubled word."""
    roll = rng.random()
    if roll < 0.08:
        words = sentence.split()
        if len(words) > 2:
            i = rng.randrange(len(words) - 1)
            words[i : i + 2] = [words[i] + words[i + 1]]
        return " ".join(words)
    if roll < 0.15:
        return sentence.rstrip(".")
    return sentence


def _topic_weights(month_index, months):
    weights = []
    for topic in TOPICS:
        weight = topic["share"]
        if topic.get("growth"):
            weight *= 0.3 + 2.0 * month_index / max(1, months - 1)
        if topic.get("summer"):
            weight *= 3.0 if month_index % 12 in (5, 6, 7) else 0.3
        weights.append(weight)
    return weights


def generate(n, *, seed=16, start=datetime(2025, 11, 1, tzinfo=UTC), months=13, analyse=True):
    """``n`` generated cases spread evenly over ``months`` months from ``start``, oldest first.

    Each is a dict: title, text, nouns, kind, category, district, filed_at, filed_department
    (where the rules alone send it), department (the one that finally answered: the label)
    and transfers (how many times it moved before the answer). ``analyse``: each distinct
    sentence through the noun analyser (exact, slow at scale); see ``iter_generate`` for the
    large sizes."""
    rows = list(iter_generate(n, seed=seed, start=start, months=months, nouns=None))
    if analyse:
        add_nouns(rows)
    return rows


def iter_generate(n, *, seed=16, start=datetime(2025, 11, 1, tzinfo=UTC), months=13, nouns="composed"):
    """The cases of ``generate`` one at a time (the same texts for the same seed), so that a
    million of them need not be held at once. ``nouns="composed"``: a sentence's nouns are
    those of its pieces (each template's literal parts and each slot value, analysed once and
    cached), in order; a sentence is not analysed whole, so a space a citizen dropped is
    analysed as if it were there. ``nouns=None`` leaves them empty (``add_nouns`` fills them)."""
    rng = random.Random(seed)
    span = timedelta(days=30.4 * months)
    weights = {}
    for i in range(n):
        filed_at = start + span * (i / max(1, n))
        month_index = int(months * i / max(1, n))
        if month_index not in weights:
            weights[month_index] = _topic_weights(month_index, months)
        topic = rng.choices(TOPICS, weights=weights[month_index])[0]
        code, district_ko, _en, dongs = rng.choice(DISTRICTS)
        dong = rng.choice(dongs)
        count = rng.choice((1, 2, 2, 3, 3, 4))
        templates = rng.sample(topic["sentences"], k=min(count, len(topic["sentences"])))
        pieces = [] if nouns == "composed" else None
        sentences = [_vary(_fill(s, rng, topic, district_ko, dong, pieces), rng) for s in templates]
        if rng.random() < 0.3:
            at = rng.randrange(len(sentences) + 1)
            noise = rng.choice(NOISE)
            sentences.insert(at, noise)
            if pieces is not None:
                pieces.append(noise)
        closing = rng.choice(CLOSINGS)
        if closing:
            sentences.append(closing)
            if pieces is not None:
                pieces.append(closing)
        title_pieces = [] if pieces is not None else None
        title = _fill(rng.choice(topic["titles"]), rng, topic, district_ko, dong, title_pieces)
        kind = "inquiry" if rng.random() < 0.06 else ("proposal" if rng.random() < 0.05 else "complaint")
        category = topic["category"] if rng.random() < 0.45 else ""
        if category and rng.random() < 0.12:
            category = rng.choice(["parking", "noise", "road", "environment", "welfare", "safety"])
        label = office(code) if topic["department"] == LOCAL else topic["department"]
        if rng.random() < 0.03:  # handed on for reasons the text does not show
            label = office(code) if topic["department"] != LOCAL else rng.choice(["parking", "road-management"])
        text = " ".join(sentences)
        rule = first_rule(kind=kind, category=category, district=code, text=f"{title} {text}")
        filed = rule or fallback(code)
        transfers = 0 if filed == label else (1 if rng.random() < 0.85 else 2)
        yield {
            "title": title,
            "text": text,
            "sentences": [title, *sentences],
            "nouns": _composed_nouns(title_pieces + pieces) if pieces is not None else "",
            "kind": kind,
            "category": category,
            "district": code,
            "dong": dong,
            "filed_at": filed_at,
            "filed_department": filed,
            "rule_matched": rule is not None,
            "department": label,
            "transfers": transfers,
            "topic": topic["name"],
        }


_PIECE_NOUNS: dict[str, list[str]] = {}


@functools.cache
def _parsed(template) -> list[tuple[str, str | None]]:
    return [(literal, slot) for literal, slot, _spec, _conversion in string.Formatter().parse(template)]


def _composed_nouns(pieces) -> str:
    from civicportal.nouns import nouns_list

    seen = {}
    for piece in pieces:
        words = _PIECE_NOUNS.get(piece)
        if words is None:
            words = _PIECE_NOUNS[piece] = nouns_list(piece)
        for word in words:
            seen.setdefault(word, None)
    return " ".join(seen)


def add_nouns(rows):
    """The nouns of each case, as ``civicportal.nouns.nouns_of`` would store them, analysed
    once per distinct sentence (the analyser is the slow part; a case's nouns are the union of
    its sentences' nouns in order)."""
    from civicportal.nouns import _analyser

    distinct = list({s for row in rows for s in row["sentences"]})
    tags = ("NNG", "NNP", "SL", "SH", "SN")
    nouns = {}
    for sentence, tokens in zip(distinct, _analyser().tokenize(distinct), strict=True):
        nouns[sentence] = [t.form.lower() for t in tokens if t.tag in tags]
    for row in rows:
        seen = []
        for sentence in row["sentences"]:
            for word in nouns[sentence]:
                if word not in seen:
                    seen.append(word)
        row["nouns"] = " ".join(seen)
    return rows


def departments() -> list[str]:
    """Every department code the generated history uses."""
    codes = {t["department"] for t in TOPICS if t["department"] != LOCAL}
    codes |= {office(code) for code, *_rest in DISTRICTS}
    return sorted(codes | {"coordination-desk", "parking", "road-management"})


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=1000)
    parser.add_argument("--show", type=int, default=5)
    args = parser.parse_args()
    rows = generate(args.cases)
    for row in rows[: args.show]:
        print(row["filed_at"].date(), row["kind"], row["category"] or "-", row["district"])
        print("  ", row["title"], "|", row["text"])
        print("   nouns:", row["nouns"])
        print("   rules →", row["filed_department"], "| answered by", row["department"])
    misrouted = sum(1 for row in rows if row["filed_department"] != row["department"])
    print(f"{len(rows)} generated cases, {misrouted / len(rows):.1%} misrouted by the rules alone")


if __name__ == "__main__":
    main()
