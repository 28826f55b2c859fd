"""The directory in the API: public, read-only, searchable, throttled, in the schema."""

import pytest
from rest_framework.test import APIClient

from civicportal.throttling import CellRateThrottle
from directory.api import DirectoryThrottle
from tests.directory.conftest import set_visibility

pytestmark = pytest.mark.django_db
LIST = "/api/v1/directory/departments/"


def codes(response):
    assert response.status_code == 200, response.content
    return [row["code"] for row in response.json()["results"]]


def test_the_list_is_public_paginated_and_ordered_as_the_tree(api_client, city):
    first = api_client.get(LIST)
    every = api_client.get(LIST, {"page_size": 100})

    assert first.json()["count"] == len(city)
    assert len(first.json()["results"]) == 20
    order = codes(every)
    transport = order.index("transport")  # depth first: a bureau, then its divisions by name
    assert order[0] == "seoul"
    assert order[transport : transport + 4] == ["transport", "bus-policy", "parking", "road-management"]


def test_a_department_in_the_list_carries_contact_and_what_it_handles(api_client, city):
    rows = {row["code"]: row for row in api_client.get(LIST, {"page_size": 100}).json()["results"]}

    parking = rows["parking"]
    assert parking["name_ko"] == "주차계획과" and parking["name_en"] == "Parking Planning Division"
    assert parking["kind"] == "division" and parking["parent"] == "transport"
    assert parking["phone"] == "02-2133-2370" and parking["address_ko"] == "서울특별시 중구 덕수궁길 15"
    assert [c["code"] for c in parking["handles"]["categories"]] == ["parking"]
    assert "불법주차" in parking["handles"]["keywords"]
    assert parking["page_url"] == "http://testserver/directory/parking/"
    assert rows["mapo-gu-office"]["handles"]["district"]["code"] == "11440"
    assert rows["coordination-desk"]["handles"]["takes_unrouted"] is True
    assert rows["audit"]["handles"]["kinds"] == ["corruption"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("주차", "parking"),
        ("가로등이", "road-management"),
        ("noise", "living-environment"),
        ("Mapo-gu", "mapo-gu-office"),
    ],
)
def test_search_in_korean_and_english(api_client, city, query, expected):
    assert codes(api_client.get(LIST, {"q": query})) == [expected]


def test_the_kind_filter_and_a_bad_kind(api_client, city):
    offices = api_client.get(LIST, {"kind": "district_office", "page_size": 100})
    bad = api_client.get(LIST, {"kind": "castle"})

    assert len(codes(offices)) == 25
    assert bad.status_code == 400 and bad.json()["fields"]["kind"] == ["Choose one of the department kinds."]


def test_the_name_is_in_the_language_of_the_request(city):
    korean = APIClient(HTTP_ACCEPT_LANGUAGE="ko").get(f"{LIST}parking/")
    english = APIClient(HTTP_ACCEPT_LANGUAGE="en").get(f"{LIST}parking/")

    assert korean.json()["name"] == "주차계획과" and english.json()["name"] == "Parking Planning Division"
    assert korean.json()["address"] == "서울특별시 중구 덕수궁길 15"


def test_detail_has_ancestors_children_and_roles_without_hidden_names(api_client, city, parking_officers):
    set_visibility(city["parking"], lists_names=False, head="shown")

    body = api_client.get(f"{LIST}parking/").json()
    transport = api_client.get(f"{LIST}transport/").json()

    assert [a["code"] for a in body["ancestors"]] == ["transport", "seoul"]
    assert "parking" in [c["code"] for c in transport["children"]]
    assert body["roles"] == [
        {"role": "Head of department", "count": 1, "names": ["최과장"]},
        {"role": "Officer", "count": 1, "names": []},
    ]
    text = str(body)
    for personal in ("박주무관", "park.officer@example.org", "choi.head@example.org", "1012345678", "parking_"):
        assert personal not in text


def test_unknown_department_is_a_json_404(api_client, city):
    response = api_client.get(f"{LIST}no-such-department/")

    assert response.status_code == 404 and response.json()["error"]


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_the_directory_is_read_only(api_client, city, administrator, method):
    api_client.force_authenticate(administrator)

    response = getattr(api_client, method)(f"{LIST}parking/", {"name_ko": "바뀜"}, format="json")

    assert response.status_code == 405
    city["parking"].refresh_from_db()
    assert city["parking"].name_ko == "주차계획과"


def test_the_api_is_throttled_per_address(city, monkeypatch):
    monkeypatch.setattr(CellRateThrottle, "timer", lambda self: 1_000_000.0)
    monkeypatch.setitem(DirectoryThrottle.THROTTLE_RATES, "directory", "3/minute")
    client, elsewhere = APIClient(REMOTE_ADDR="10.0.0.1"), APIClient(REMOTE_ADDR="10.0.0.2")

    statuses = [client.get(LIST, {"q": "주차"}).status_code for _ in range(4)]

    assert statuses == [200, 200, 200, 429]
    assert elsewhere.get(LIST).status_code == 200


def test_the_directory_is_in_the_openapi_schema(api_client):
    schema = api_client.get("/api/schema/", {"format": "json"}).json()

    assert {"/api/v1/directory/departments/", "/api/v1/directory/departments/{code}/"} <= set(schema["paths"])
    listing = schema["paths"]["/api/v1/directory/departments/"]["get"]
    assert {p["name"] for p in listing["parameters"]} >= {"q", "kind", "page"}
    assert "DepartmentKindEnum" in schema["components"]["schemas"]
    assert listing.get("security") in (None, [{}], [{"tokenAuth": []}, {"cookieAuth": []}, {}])


def test_the_detail_reads_in_a_bounded_number_of_queries(
    api_client, city, parking_officers, django_assert_max_num_queries
):
    with django_assert_max_num_queries(8):
        assert api_client.get(f"{LIST}parking/").status_code == 200
