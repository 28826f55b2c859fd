"""Open311 GeoReport v2 through HTTP: discovery, services, requests, tokens, errors."""

from xml.etree import ElementTree as ET

import pytest

from complaints.filing import case_file
from complaints.models import Case, Kind
from open311.models import ServiceRequest

pytestmark = pytest.mark.django_db
BASE = "/open311/v2"


def post_request(client, key, **extra):
    data = {
        "api_key": key,
        "service_code": "pothole",
        "lat": "37.556621",
        "long": "126.923812",
        "description": "홍대입구역 앞 도로가 파였어요",
        "attribute[size]": "large",
        "email": "reporter@example.org",
        "first_name": "길동",
        "last_name": "홍",
        "phone": "010-1234-5678",
    }
    data.update(extra)
    data = {key: value for key, value in data.items() if value is not None}
    return client.post(f"{BASE}/requests.json", data)


def test_discovery_in_both_formats(client):
    body = client.get(f"{BASE}/discovery.json").json()
    assert body["endpoints"][0]["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert body["endpoints"][0]["url"] == "http://testserver/open311/v2"
    root = ET.fromstring(client.get(f"{BASE}/discovery.xml").content)
    assert root.tag == "discovery"
    assert root.find("endpoints/endpoint/format") is not None or root.find("endpoints/endpoint/formats") is not None


def test_services_list_and_definition(client, pothole, parking):
    services = client.get(f"{BASE}/services.json").json()
    by_code = {s["service_code"]: s for s in services}
    assert by_code["pothole"]["metadata"] is True
    assert by_code["parking"]["metadata"] is False
    assert by_code["pothole"]["type"] == "realtime"
    definition = client.get(f"{BASE}/services/pothole.json").json()
    assert definition["service_code"] == "pothole"
    attribute = definition["attributes"][0]
    assert (attribute["code"], attribute["required"], attribute["datatype"]) == ("size", True, "singlevaluelist")
    assert [v["key"] for v in attribute["values"]] == ["small", "large"]
    xml = ET.fromstring(client.get(f"{BASE}/services.xml").content)
    assert xml.tag == "services"
    assert sorted(s.findtext("service_code") for s in xml.findall("service")) == ["parking", "pothole"]


def test_unknown_service_is_a_404_in_the_specification_error_format(client, pothole):
    response = client.get(f"{BASE}/services/nothing.json")
    assert response.status_code == 404
    assert response.json()[0]["code"] == 404
    xml = ET.fromstring(client.get(f"{BASE}/services/nothing.xml").content)
    assert xml.tag == "errors"
    assert xml.findtext("error/code") == "404"


def test_post_files_an_ordinary_case_on_the_open311_channel(client, pothole, app_key):
    response = post_request(client, app_key)
    assert response.status_code == 201, response.content
    body = response.json()[0]
    case = Case.objects.get(tracking_number=body["service_request_id"])
    assert case.channel == "open311"
    assert case.citizen is None
    assert case.category == pothole
    assert case.district.name_en == "Mapo-gu"
    assert "size: large" in case.text
    assert case.events.count() >= 2  # filed and routed, like any case
    stored = ServiceRequest.objects.get(case=case)
    assert stored.email == "reporter@example.org"
    token = client.get(f"{BASE}/tokens/{body['token']}.json").json()[0]
    assert token["service_request_id"] == case.tracking_number


def test_public_reads_show_no_personal_data_and_round_the_position(client, pothole, app_key):
    number = post_request(client, app_key, description_public="true").json()[0]["service_request_id"]
    detail = client.get(f"{BASE}/requests/{number}.json")
    text = detail.content.decode()
    for secret in ("reporter@example.org", "길동", "1234-5678", "126.923812"):
        assert secret not in text
    item = detail.json()[0]
    assert item["status"] == "open"
    assert item["service_code"] == "pothole"
    assert (item["lat"], item["long"]) == (37.557, 126.924)
    assert item["agency_responsible"]
    xml = ET.fromstring(client.get(f"{BASE}/requests/{number}.xml").content)
    assert xml.findtext("request/service_request_id") == number


@pytest.mark.parametrize(
    ("change", "status", "fragment"),
    [
        ({"api_key": ""}, 403, "api_key"),
        ({"api_key": "not-a-key"}, 403, "api_key"),
        ({"service_code": ""}, 400, "service_code"),
        ({"service_code": "nothing"}, 404, "service_code"),
        ({"lat": "", "long": ""}, 400, "location"),
        ({"lat": "north"}, 400, "lat"),
        ({"attribute[size]": ""}, 400, "attribute[size]"),
        ({"attribute[size]": "enormous"}, 400, "attribute[size]"),
        ({"attribute[colour]": "red"}, 400, "Unknown attribute"),
        ({"media_url": "javascript:alert(1)"}, 400, "media_url"),
        ({"description": ""}, 200, ""),  # the attribute answers are enough of a description
    ],
)
def test_bad_posts_get_the_specification_error_and_write_nothing(client, pothole, app_key, change, status, fragment):
    before = Case.objects.count()
    response = post_request(client, app_key, **change)
    if status == 200:
        assert response.status_code == 201
        return
    assert response.status_code == status
    error = response.json()[0]
    assert error["code"] == status
    assert fragment in error["description"]
    assert Case.objects.count() == before
    assert ServiceRequest.objects.count() == 0


def test_an_address_can_replace_the_position(client, pothole, app_key):
    response = post_request(client, app_key, lat="", long="", address_string="서울 마포구 양화로 160")
    assert response.status_code == 201
    case = Case.objects.get()
    assert case.location_text == "서울 마포구 양화로 160"


def test_filters_of_the_requests_list(client, pothole, parking, app_key, officer):
    first = post_request(client, app_key).json()[0]["service_request_id"]
    second = post_request(client, app_key, service_code="parking", **{"attribute[size]": None}).json()[0][
        "service_request_id"
    ]
    Case.objects.filter(tracking_number=second).update(status="closed")

    def ids(**params):
        return [r["service_request_id"] for r in client.get(f"{BASE}/requests.json", params).json()]

    assert sorted(ids()) == sorted([first, second])
    assert ids(status="open") == [first]
    assert ids(status="closed") == [second]
    assert ids(service_code="parking") == [second]
    assert sorted(ids(service_request_id=f"{first},{second}")) == sorted([first, second])
    assert ids(start_date="2000-01-01T00:00:00+09:00", end_date="2000-02-01T00:00:00+09:00") == []
    assert client.get(f"{BASE}/requests.json", {"status": "lost"}).status_code == 400
    assert client.get(f"{BASE}/requests.json", {"start_date": "yesterday"}).status_code == 400


def test_confidential_reports_are_never_listed(client, citizen, pothole):
    report = case_file(
        citizen=citizen, kind=Kind.CORRUPTION, title="뇌물 제보", text="...", channel="web", filed_by=citizen
    )
    assert report.tracking_number not in client.get(f"{BASE}/requests.json").content.decode()
    assert client.get(f"{BASE}/requests/{report.tracking_number}.json").status_code == 404


def test_wrong_jurisdiction_is_refused(client, pothole):
    response = client.get(f"{BASE}/services.json", {"jurisdiction_id": "boston.gov"})
    assert response.status_code == 404
    assert client.get(f"{BASE}/services.json", {"jurisdiction_id": "seoul.go.kr"}).status_code == 200


def test_posts_are_throttled_per_application(client, pothole, app_key, monkeypatch):
    from open311 import services

    monkeypatch.setattr(services, "POSTS_PER_MINUTE", 2)
    assert post_request(client, app_key).status_code == 201
    assert post_request(client, app_key).status_code == 201
    response = post_request(client, app_key)
    assert response.status_code == 429
    assert response["Retry-After"] == "60"
    assert response.json()[0]["code"] == 429
    assert Case.objects.count() == 2


def test_a_citizen_cannot_use_the_open311_channel_in_the_portal(citizen):
    from civicportal.errors import NotAllowed

    with pytest.raises(NotAllowed):
        case_file(citizen=None, kind="complaint", title="x", text="y", channel="open311", filed_by=citizen)


def test_admin_issues_a_key_shown_once(admin_client):
    from open311.models import Application

    response = admin_client.post(
        "/admin/open311/application/add/",
        {"name": "Mobile 311", "contact_email": "a@b.org", "is_active": "on"},
        follow=True,
    )
    assert response.status_code == 200
    shown = [str(m) for m in response.context["messages"]]
    app = Application.objects.get(name="Mobile 311")
    assert any(app.key_prefix in m for m in shown)
    assert app.key_hash not in " ".join(shown)
