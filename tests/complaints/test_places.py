"""Where a case is, through every door that files one: the web form, the API, Open311 and
the 120 console's "turn into a case". A place typed as text gives the case its district and
dong and routes it to that district's office; a position goes by the boundary that contains
it; a position outside Seoul is refused with a clear error and nothing is written."""

import pytest
from django.urls import reverse

from complaints.models import Case, CaseEvent
from open311 import services as open311_services
from tests.callcenter.factories import ContactFactory
from tests.complaints.factories import CategoryFactory
from tests.factories import DepartmentFactory, district

pytestmark = pytest.mark.django_db

PLACE = "마포구 합정역 사거리"
OUTSIDE = {"lat": "37.4292", "lon": "126.9876"}  # Gwacheon, just south of Seoul
OUTSIDE_MESSAGE = "This position is outside Seoul"


@pytest.fixture
def gangnam_office(db):
    return DepartmentFactory(
        code="gangnam-gu-office",
        name_ko="강남구청",
        name_en="Gangnam-gu Office",
        kind="district_office",
        district=district("11680"),
    )


@pytest.fixture
def offices(mapo_office, gangnam_office, desk):
    return {"11440": mapo_office, "11680": gangnam_office}


def assert_in(case, code, dong, offices):
    assert (case.district.code, case.dong, case.department) == (code, dong, offices[code])


# --- the web form --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("place", "code", "dong", "english_dong"),
    [
        (PLACE, "11440", "합정동", "Hapjeong-dong"),
        ("망원동 골목에서", "11440", "망원동", "Mangwon-dong"),
        ("역삼역앞", "11680", "역삼동", "Yeoksam-dong"),
    ],
)
def test_web_filing_with_a_typed_place_routes_to_its_district(
    client, citizen, offices, place, code, dong, english_dong
):
    client.force_login(citizen)
    response = client.post(
        "/complaints/file/",
        {"kind": "complaint", "title": "가로등 고장", "text": "불이 꺼졌어요", "location_text": place},
    )
    case = Case.objects.get()
    assert response.status_code == 302
    assert_in(case, code, dong, offices)
    page = client.get(response["Location"]).content.decode()
    assert f'<dd id="case-district">{case.district.name} {english_dong}</dd>' in page


def test_web_filing_by_position_near_a_border_takes_the_containing_district(client, citizen, offices):
    client.force_login(citizen)
    client.post(
        "/complaints/file/",
        {"kind": "complaint", "title": "보도블록", "text": "깨졌어요", "lat": "37.5197", "lon": "127.0355"},
    )
    assert_in(Case.objects.get(), "11680", "압구정동", offices)  # not Seongdong, the nearest centroid


def test_web_filing_outside_seoul_is_refused_and_writes_nothing(client, citizen, offices):
    client.force_login(citizen)
    response = client.post("/complaints/file/", {"kind": "complaint", "title": "도로", "text": "파였어요", **OUTSIDE})
    assert response.status_code == 400
    assert OUTSIDE_MESSAGE in response.content.decode()
    assert (Case.objects.count(), CaseEvent.objects.count()) == (0, 0)


def test_a_chosen_district_is_kept_and_a_dong_of_another_district_is_dropped(client, citizen, offices):
    client.force_login(citizen)
    client.post(
        "/complaints/file/",
        {
            "kind": "complaint",
            "title": "소음",
            "text": "밤마다",
            "location_text": "역삼역",
            "district": district("11440").pk,
        },
    )
    case = Case.objects.get()
    assert (case.district.code, case.dong) == ("11440", "")


def test_a_chosen_district_settles_a_dong_name_found_in_several(client, citizen, offices):
    client.force_login(citizen)
    client.post(
        "/complaints/file/",
        {
            "kind": "complaint",
            "title": "소음",
            "text": "밤",
            "location_text": "신사동 가로수길",
            "district": district("11680").pk,
        },
    )
    assert_in(Case.objects.get(), "11680", "신사동", offices)


def test_a_rule_still_wins_over_the_district_office(client, citizen, offices, parking_rule, department):
    client.force_login(citizen)
    client.post(
        "/complaints/file/", {"kind": "complaint", "title": "불법 주차", "text": "막혀요", "location_text": PLACE}
    )
    case = Case.objects.get()
    assert (case.district.code, case.dong, case.department) == ("11440", "합정동", department)


# --- the API -------------------------------------------------------------------------------


def test_api_filing_with_a_typed_place(api_as, citizen, offices):
    response = api_as(citizen).post(
        "/api/v1/complaints/cases/",
        {"kind": "complaint", "title": "가로등", "text": "꺼졌어요", "location_text": PLACE},
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["district"], body["dong"], body["department"]) == ("11440", "합정동", offices["11440"].name)


def test_api_filing_outside_seoul_is_a_400_and_writes_nothing(api_as, citizen, offices):
    response = api_as(citizen).post(
        "/api/v1/complaints/cases/", {"kind": "complaint", "title": "도로", "text": "파였어요", **OUTSIDE}
    )
    assert response.status_code == 400
    assert OUTSIDE_MESSAGE in str(response.json())
    assert Case.objects.count() == 0


# --- Open311 -------------------------------------------------------------------------------


@pytest.fixture
def app_key(db):
    CategoryFactory(code="streetlight", name_ko="가로등", name_en="Street light")
    _app, raw = open311_services.application_create(name="Street Fix", contact_email="dev@streetfix.example")
    return raw


def open311_post(client, key, **location):
    return client.post(
        "/open311/v2/requests.json",
        {"api_key": key, "service_code": "streetlight", "description": "가로등이 꺼졌어요", **location},
    )


def test_open311_address_string_routes_to_its_district(client, app_key, offices):
    response = open311_post(client, app_key, address_string="서울 마포구 합정역 7번 출구")
    assert response.status_code == 201
    assert_in(Case.objects.get(), "11440", "합정동", offices)


def test_open311_position_outside_seoul_is_an_error_in_the_spec_format(client, app_key, offices):
    response = open311_post(client, app_key, lat=OUTSIDE["lat"], long=OUTSIDE["lon"])
    assert response.status_code == 400
    assert OUTSIDE_MESSAGE in response.json()[0]["description"]
    assert Case.objects.count() == 0


# --- the 120 console -----------------------------------------------------------------------


def test_120_turn_into_case_with_the_callers_words_routes_to_the_district(client, counsellor, citizen, offices):
    contact = ContactFactory(counsellor=counsellor, caller=citizen)
    client.force_login(counsellor)
    response = client.post(
        reverse("callcenter:contact_case", args=[contact.pk]),
        {"case-title": "가로등 고장", "case-kind": "complaint", "case-location_text": "합정역 사거리"},
    )
    assert response.status_code == 302
    assert_in(Case.objects.get(), "11440", "합정동", offices)


def test_120_turn_into_case_outside_seoul_is_refused_and_the_contact_stays_open(client, counsellor, citizen, offices):
    contact = ContactFactory(counsellor=counsellor, caller=citizen)
    client.force_login(counsellor)
    response = client.post(
        reverse("callcenter:contact_case", args=[contact.pk]),
        {"case-title": "가로등 고장", "case-kind": "complaint", "case-lat": OUTSIDE["lat"], "case-lon": OUTSIDE["lon"]},
    )
    assert response.status_code == 400
    assert OUTSIDE_MESSAGE in response.content.decode()
    contact.refresh_from_db()
    assert (contact.status, contact.case_tracking_number, Case.objects.count()) == ("open", "", 0)


def test_120_api_turn_into_case_with_the_callers_words_routes_to_the_district(api_as, counsellor, citizen, offices):
    contact = ContactFactory(counsellor=counsellor, caller=citizen)
    response = api_as(counsellor).post(
        f"/api/v1/callcenter/contacts/{contact.pk}/case/",
        {"title": "보도블록 파손", "location_text": "역삼역 4번 출구 앞"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert_in(Case.objects.get(), "11680", "역삼동", offices)
