"""The place resolver (civicportal.accounts.geo) and the look-up the map picker calls: a
position goes to the district whose boundary contains it, a typed place to the district and
dong it names, a position outside Seoul gets a clear answer."""

import csv
from decimal import Decimal

import pytest

from civicportal.accounts import geo
from civicportal.accounts.districts import CSV, district_at

LOOKUP = "/accounts/districts/at/"


def nearest_centroid(lat, lon):
    with open(CSV, encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    return min(rows, key=lambda r: (float(r["lat"]) - lat) ** 2 + (float(r["lon"]) - lon) ** 2)["code"]


# Points well inside one district (over 1 km from its border) whose nearest district
# centroid is another district's: the old look-up put them on the wrong side.
BORDER_CASES = [
    ((37.5197, 127.0355), "11680", "압구정동", "11200"),  # Apgujeong is Gangnam, not Seongdong
    ((37.5005, 127.0024), "11650", "반포2동", "11170"),  # Banpo is Seocho, not Yongsan
    ((37.5474, 126.8475), "11500", "우장산동", "11470"),  # Ujangsan is Gangseo, not Yangcheon
]


@pytest.mark.parametrize(("position", "code", "dong", "centroid_says"), BORDER_CASES)
def test_a_position_goes_to_the_district_whose_boundary_contains_it(position, code, dong, centroid_says):
    assert nearest_centroid(*position) == centroid_says  # the case the centroid gets wrong
    assert geo.locate(*position) == geo.Place(district_code=code, dong=dong, source="position")


@pytest.mark.parametrize(
    "position",
    [
        (35.1796, 129.0756),  # Busan
        (37.4292, 126.9876),  # Gwacheon: inside the box round Seoul, outside its boundary
        (37.4780, 126.8646),  # Gwangmyeong
    ],
)
def test_a_position_outside_seoul_is_outside_not_a_wrong_district(position):
    place = geo.locate(*position)
    assert (place.outside, place.district_code, place.dong) == (True, None, "")


@pytest.mark.parametrize(
    ("text", "code", "dong"),
    [
        ("마포구 합정역 사거리", "11440", "합정동"),
        ("합정역 7번 출구 앞", "11440", "합정동"),
        ("망원동에서 밤마다 소음", "11440", "망원동"),  # 망원1동 and 망원2동 together
        ("서울 마포구 망원1동 주민센터", "11440", "망원1동"),
        ("서교동길 12", "11440", "서교동"),
        ("마포구합정동", "11440", "합정동"),  # no space between the district and the dong
        ("  마포구   양화로 160 ", "11440", ""),  # a district and a street: the district only
        ("역삼역 4번 출구", "11680", "역삼동"),
        ("강남구 신사동 가로수길", "11680", "신사동"),
        ("관악구 신사동", "11620", "신사동"),
        ("Mapo-gu, near Hapjeong station", "11440", ""),
    ],
)
def test_a_typed_place_resolves_to_its_district_and_dong(text, code, dong):
    assert geo.place_from_text(text) == geo.Place(district_code=code, dong=dong, source="text")


@pytest.mark.parametrize(
    "text",
    [
        "",
        "신사동 가로수길",  # 신사동 is in Gangnam, Gwanak and Eunpyeong: no guess
        "주차 집중구역",  # 중구 inside a word is not Jung-gu
        "홍길동 씨 집 앞",  # 길동 inside a name is not Gil-dong
        "부산 해운대",
    ],
)
def test_a_typed_place_that_names_no_place_in_seoul_gives_nothing(text):
    assert geo.place_from_text(text) == geo.NOWHERE


def test_a_position_wins_over_the_text_and_the_text_completes_its_dong():
    hapjeong = (Decimal("37.5495"), Decimal("126.9137"))
    assert geo.resolve(lat=hapjeong[0], lon=hapjeong[1], text="강남구 역삼역").district_code == "11440"
    assert geo.resolve(text="강남구 역삼역").district_code == "11680"


@pytest.mark.django_db
def test_district_at_returns_the_district_row():
    assert district_at(Decimal("37.5197"), Decimal("127.0355")).name_ko == "강남구"
    assert district_at(Decimal("37.4292"), Decimal("126.9876")) is None
    assert district_at(None, None) is None


@pytest.mark.django_db
def test_lookup_by_position_near_a_border(client):
    response = client.get(LOOKUP, {"lat": "37.5197", "lon": "127.0355"}, HTTP_ACCEPT_LANGUAGE="ko")
    assert response.status_code == 200
    assert response.json() == {
        "district": {"code": "11680", "name": "강남구"},
        "dong": "압구정동",
        "dong_name": "압구정동",
        "outside": False,
        "centre": None,
    }


@pytest.mark.django_db
def test_lookup_by_typed_place_gives_a_point_to_show(client):
    response = client.get(LOOKUP, {"place": "마포구 합정역 사거리"}, HTTP_ACCEPT_LANGUAGE="ko")
    body = response.json()
    assert (body["district"], body["dong"], body["outside"]) == ({"code": "11440", "name": "마포구"}, "합정동", False)
    lat, lon = body["centre"]
    assert geo.locate(lat, lon).dong == "합정동"


@pytest.mark.django_db
def test_lookup_by_a_place_that_is_nowhere(client):
    response = client.get(LOOKUP, {"place": "부산 해운대"})
    assert response.status_code == 200
    assert response.json() == {"district": None, "dong": "", "dong_name": "", "outside": False, "centre": None}


@pytest.mark.django_db
def test_lookup_names_the_dong_in_the_readers_language(client):
    body = client.get(LOOKUP, {"place": "합정역"}, HTTP_ACCEPT_LANGUAGE="en").json()
    assert (body["district"]["name"], body["dong"], body["dong_name"]) == ("Mapo-gu", "합정동", "Hapjeong-dong")
