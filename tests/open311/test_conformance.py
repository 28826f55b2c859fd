"""GeoReport v2 to the letter: any input a client can send gets the specification's answer.

Errors are a list of code/description (JSON, or XML as asked) with the right status, never
a 500 or the site's HTML page; types and content types as in the specification's examples.
CI runs these on PostgreSQL too, where dates with offsets beyond +/-15:59 used to fail."""

import io
from xml.etree import ElementTree as ET

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from complaints.models import Attachment, Case
from open311.models import ServiceRequest
from tests.complaints.factories import image_bytes

pytestmark = pytest.mark.django_db
BASE = "/open311/v2"


def form(key, **extra):
    data = {
        "api_key": key,
        "service_code": "pothole",
        "lat": "37.556621",
        "long": "126.923812",
        "description": "홍대입구역 앞 도로가 파였어요",
        "attribute[size]": "large",
    }
    data.update(extra)
    return {name: value for name, value in data.items() if value is not None}


def json_error(response, status):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert [set(item) for item in body] == [{"code", "description"}]
    assert body[0]["code"] == status
    return body[0]["description"]


def xml_error(response, status):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "text/xml"
    root = ET.fromstring(response.content)
    assert root.tag == "errors"
    assert [child.tag for child in root] == ["error"]
    assert root.findtext("error/code") == str(status)
    return root.findtext("error/description")


BAD_DATES = [
    "2026-13-01T00:00:00",  # month 13
    "2026-02-30T00:00:00+09:00",  # 30 February
    "2026-11-26T25:00:00+09:00",  # hour 25
    "2026-11-26T09:61:00+09:00",
    "2026-11-26T09:00:00+24:00",  # no offset at all
    "0001-01-01T00:00:00+09:00",  # before the calendar once in UTC
    "9999-12-31T23:59:59-09:00",  # after it
    "yesterday",
    "2026-11-26T09:00:00+09:00junk",
]


@pytest.mark.parametrize("value", BAD_DATES)
@pytest.mark.parametrize("name", ["start_date", "end_date"])
def test_an_invalid_date_is_a_400_in_the_specification_format(client, pothole, name, value):
    description = json_error(client.get(f"{BASE}/requests.json", {name: value}), 400)
    assert name in description
    xml_error(client.get(f"{BASE}/requests.xml", {name: value}), 400)


@pytest.mark.parametrize(
    "value",
    [
        "2026-11-26T09:00:00-16:00",  # RFC 3339 allows them; PostgreSQL refused them (DataError)
        "2026-11-26T09:00:00+23:59",
        "2026-11-26T09:00:00+15:59",
        "2026-11-26T09:00:00-12:00",
        "2026-11-26T09:00:00Z",
        "2026-11-26T09:00:00",
    ],
)
def test_any_valid_offset_is_accepted_on_every_database(client, pothole, value):
    response = client.get(f"{BASE}/requests.json", {"start_date": value})
    assert response.status_code == 200, response.content
    assert response.json() == []


def test_lists_of_codes_are_bounded(client, pothole):
    codes = ",".join(f"code{n}" for n in range(101))
    assert "100" in json_error(client.get(f"{BASE}/requests.json", {"service_code": codes}), 400)
    codes = ",".join(f"code{n}" for n in range(100))
    assert client.get(f"{BASE}/requests.json", {"service_code": codes}).status_code == 200


def test_a_date_range_may_not_span_more_than_90_days(client, pothole):
    params = {"start_date": "2026-01-01T00:00:00+09:00", "end_date": "2026-04-02T00:00:00+09:00"}
    assert "90 days" in json_error(client.get(f"{BASE}/requests.json", params), 400)
    params["end_date"] = "2026-03-31T00:00:00+09:00"
    assert client.get(f"{BASE}/requests.json", params).status_code == 200


def test_one_sided_dates_are_a_90_day_window(client, pothole, app_key):
    number = client.post(f"{BASE}/requests.json", form(app_key)).json()[0]["service_request_id"]
    filed = Case.objects.get(tracking_number=number).filed_at

    def ids(**params):
        return [r["service_request_id"] for r in client.get(f"{BASE}/requests.json", params).json()]

    iso = lambda moment: moment.isoformat()  # noqa: E731
    from datetime import timedelta

    assert ids(start_date=iso(filed - timedelta(days=1))) == [number]
    assert ids(start_date=iso(filed - timedelta(days=91))) == []
    assert ids(end_date=iso(filed + timedelta(days=1))) == [number]
    assert ids(end_date=iso(filed + timedelta(days=91))) == []


@pytest.mark.parametrize(
    "params",
    [
        {"service_code": "pot\x00hole"},
        {"service_request_id": "\x00"},
        {"status": "open\x00"},
        {"jurisdiction_id": "seoul.go.kr\x00"},
        {"x\x00": "1"},
    ],
)
def test_a_nul_character_in_any_parameter_is_a_400(client, pothole, params):
    json_error(client.get(f"{BASE}/requests.json", params), 400)


def test_a_nul_character_in_a_path_or_a_post_is_a_400_and_writes_nothing(client, pothole, app_key):
    json_error(client.get(f"{BASE}/tokens/%00.json"), 400)
    json_error(client.get(f"{BASE}/requests/%00.json"), 400)
    json_error(client.get(f"{BASE}/services/%00.json"), 400)
    json_error(client.post(f"{BASE}/requests.json", form(app_key, description="도로\x00파임")), 400)
    assert Case.objects.count() == 0


@pytest.mark.parametrize("lat", ["NaN", "Infinity", "-inf", "sNaN", "1e999999", "91", "37,5"])
def test_a_position_that_is_no_number_is_refused_and_writes_nothing(client, pothole, app_key, lat):
    description = json_error(client.post(f"{BASE}/requests.json", form(app_key, lat=lat)), 400)
    assert "position" in description or "lat" in description
    assert Case.objects.count() == ServiceRequest.objects.count() == 0


@pytest.mark.parametrize("value", ["2026-13-01T00:00:00", "2026-02-30T10:00:00+09:00", "soon"])
def test_an_invalid_datetime_attribute_is_refused_and_writes_nothing(client, pothole, app_key, value):
    from open311.models import ServiceAttribute

    ServiceAttribute.objects.create(category=pothole, code="seen", description="When?", datatype="datetime", order=2)
    description = json_error(client.post(f"{BASE}/requests.json", form(app_key, **{"attribute[seen]": value})), 400)
    assert "attribute[seen]" in description
    assert Case.objects.count() == 0
    response = client.post(f"{BASE}/requests.json", form(app_key, **{"attribute[seen]": "2026-11-26T09:00:00+09:00"}))
    assert response.status_code == 201


def test_a_blank_description_falls_back_to_the_service_name(client, pothole, app_key):
    response = client.post(f"{BASE}/requests.json", form(app_key, description=" \n "))
    assert response.status_code == 201, response.content
    assert Case.objects.get().title == "도로 파임"


@pytest.mark.parametrize("path", ["requests.csv", "services.html", "discovery.JSON", "requests/2026.txt"])
def test_an_unknown_format_is_a_404_in_the_specification_format(client, pothole, path):
    assert "format" in json_error(client.get(f"{BASE}/{path}"), 404)


@pytest.mark.parametrize(
    ("path", "check"),
    [("nothing.json", json_error), ("nothing.xml", xml_error), ("requests", json_error), ("a/b/c.xml", xml_error)],
)
def test_an_unknown_url_is_a_404_in_the_specification_format(client, path, check):
    check(client.get(f"{BASE}/{path}"), 404)


@pytest.mark.parametrize("path", ["discovery", "services", "services/pothole", "requests/2026000001", "tokens/x"])
@pytest.mark.parametrize("method", ["put", "patch", "delete", "post"])
def test_a_wrong_method_on_a_read_endpoint_is_a_405(client, pothole, path, method):
    response = getattr(client, method)(f"{BASE}/{path}.xml")
    xml_error(response, 405)
    assert response["Allow"] == "GET, HEAD, OPTIONS"


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PROPFIND", "BREW"])
def test_any_other_method_on_requests_is_a_405_and_writes_nothing(pothole, app_key, method):
    # enforce_csrf_checks: a browser-session CSRF refusal must not stand in for the 405.
    client = Client(enforce_csrf_checks=True)
    response = client.generic(
        method,
        f"{BASE}/requests.json",
        "&".join(f"{k}={v}" for k, v in form(app_key).items()),
        content_type="application/x-www-form-urlencoded",
    )
    assert "not allowed" in json_error(response, 405)
    assert response["Allow"] == "GET, HEAD, POST, OPTIONS"
    assert Case.objects.count() == 0


def test_post_needs_no_csrf_token_and_options_lists_the_methods(pothole, app_key):
    client = Client(enforce_csrf_checks=True)
    assert client.post(f"{BASE}/requests.json", form(app_key)).status_code == 201
    response = client.options(f"{BASE}/requests.json")
    assert response.status_code == 200
    assert response["Allow"] == "GET, HEAD, POST, OPTIONS"
    assert client.head(f"{BASE}/services.json").status_code == 200


def test_discovery_gives_a_url_to_append_endpoints_to(client, pothole):
    url = client.get(f"{BASE}/discovery.json").json()["endpoints"][0]["url"]
    assert not url.endswith("/")
    for appended in (f"{url}/services.json", f"{url}//services.json", f"{url}/services/pothole.xml"):
        response = client.get(appended.removeprefix("http://testserver"))
        assert response.status_code == 200, appended
    assert ET.fromstring(client.get(f"{BASE}/discovery.xml").content).findtext("endpoints/endpoint/url") == url


@pytest.mark.parametrize(("fmt", "content_type"), [("json", "application/json"), ("xml", "text/xml")])
@pytest.mark.parametrize("path", ["discovery", "services", "services/pothole", "requests"])
def test_content_types_are_exactly_the_specifications(client, pothole, fmt, content_type, path):
    response = client.get(f"{BASE}/{path}.{fmt}")
    assert response.status_code == 200
    assert response["Content-Type"] == content_type


def test_xml_declares_utf8_and_keeps_korean(client, pothole):
    body = client.get(f"{BASE}/services.xml").content
    assert body.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    assert ET.fromstring(body).findtext("service/service_name") in ("도로 파임", "Pothole")


def test_position_and_media_are_numbers_and_urls_or_absent(client, pothole, app_key):
    placed = client.post(f"{BASE}/requests.json", form(app_key, description_public="true")).json()[0][
        "service_request_id"
    ]
    unplaced = client.post(
        f"{BASE}/requests.json",
        form(app_key, lat=None, long=None, address_string="서울 어딘가", description_public="true"),
    ).json()[0]["service_request_id"]
    by_id = {r["service_request_id"]: r for r in client.get(f"{BASE}/requests.json").json()}
    assert isinstance(by_id[placed]["lat"], float) and isinstance(by_id[placed]["long"], float)
    for absent in ("lat", "long", "media_url"):
        assert absent not in by_id[unplaced]
    assert None not in by_id[unplaced].values()
    xml = ET.fromstring(client.get(f"{BASE}/requests/{unplaced}.xml").content)
    assert xml.find("request/lat") is None and xml.find("request/media_url") is None
    created = client.post(f"{BASE}/requests.json", form(app_key)).json()[0]
    assert "account_id" not in created  # none was given: absent, not null


def test_an_unreadable_or_oversized_body_is_refused_in_the_specification_format(client, pothole, app_key, settings):
    json_error(client.post(f"{BASE}/requests.json", b"garbage", content_type="multipart/form-data"), 400)
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    many = {**form(app_key), **{f"attribute[x{n}]": "1" for n in range(10)}}
    xml_error(client.post(f"{BASE}/requests.xml", many), 400)
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    xml_error(client.post(f"{BASE}/requests.xml", form(app_key, description="가" * 1000)), 413)
    assert Case.objects.count() == 0


def test_an_unexpected_failure_is_a_500_in_the_specification_format(pothole, monkeypatch):
    from open311 import services

    def broken(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(services, "requests_query", broken)
    client = Client(raise_request_exception=False)
    description = json_error(client.get(f"{BASE}/requests.json"), 500)
    assert "database" not in description
    xml_error(client.get(f"{BASE}/requests.xml"), 500)


# --- media -------------------------------------------------------------------------------


def named(data, name):
    upload = io.BytesIO(data)
    upload.name = name
    return upload


def photo(name="pothole.jpg", **kwargs):
    return named(image_bytes(**kwargs), name)


def test_a_posted_photo_is_cleaned_attached_and_served_by_the_checked_view(client, pothole, app_key):
    response = client.post(f"{BASE}/requests.json", {**form(app_key, description_public="true"), "media": photo()})
    assert response.status_code == 201, response.content
    case = Case.objects.get(tracking_number=response.json()[0]["service_request_id"])
    attachment = case.attachments.get()
    assert attachment.kind == "image"
    item = client.get(f"{BASE}/requests/{case.tracking_number}.json").json()[0]
    assert item["media_url"] == f"http://testserver{BASE}/media/{attachment.pk}"
    listed = client.get(f"{BASE}/requests.xml").content
    assert ET.fromstring(listed).findtext("request/media_url") == item["media_url"]
    served = client.get(item["media_url"])
    assert served.status_code == 200
    assert served["Content-Type"] == "image/jpeg"
    assert served["X-Content-Type-Options"] == "nosniff"
    image = Image.open(io.BytesIO(b"".join(served.streaming_content)))
    assert not image.getexif()  # the camera's GPS position was removed


def test_a_photo_of_a_request_not_made_public_is_neither_listed_nor_served(client, pothole, app_key):
    response = client.post(f"{BASE}/requests.json", {**form(app_key), "media": photo()})
    case = Case.objects.get(tracking_number=response.json()[0]["service_request_id"])
    attachment = case.attachments.get()
    item = client.get(f"{BASE}/requests/{case.tracking_number}.json").json()[0]
    assert "media_url" not in item
    assert item.get("description", "") == ""
    assert client.get(f"{BASE}/media/{attachment.pk}").status_code == 404


@pytest.mark.parametrize(
    ("upload", "fragment"),
    [
        (lambda: named(b"%PDF-1.4 not a photo", "report.pdf"), "photo"),
        (lambda: named(b"\xff\xd8\xff\xe0 truncated", "fake.jpg"), "not a valid image"),
        (lambda: photo(name="anim.gif", fmt="GIF", exif=False), "JPEG"),
    ],
)
def test_a_media_that_is_no_photo_is_refused_and_writes_nothing(client, pothole, app_key, upload, fragment):
    media = upload()
    response = client.post(f"{BASE}/requests.json", {**form(app_key), "media": media})
    assert fragment in json_error(response, 400)
    assert Case.objects.count() == ServiceRequest.objects.count() == Attachment.objects.count() == 0


def test_files_other_than_one_media_are_refused(client, pothole, app_key):
    response = client.post(f"{BASE}/requests.json", {**form(app_key), "picture": photo()})
    assert "media" in json_error(response, 400)
    response = client.post(f"{BASE}/requests.json", {**form(app_key), "media": [photo(), photo(name="b.jpg")]})
    assert "media" in json_error(response, 400)
    assert Case.objects.count() == 0


def test_the_media_view_serves_no_photo_a_citizen_attached_on_the_web(client, citizen, pothole):
    from complaints.filing import case_file

    case = case_file(
        citizen=citizen,
        kind="complaint",
        title="집 앞 도로",
        text="사진 첨부",
        channel="web",
        filed_by=citizen,
        attachments=[SimpleUploadedFile("home.jpg", image_bytes(), content_type="image/jpeg")],
    )
    attachment = case.attachments.get()
    json_error(client.get(f"{BASE}/media/{attachment.pk}"), 404)
    assert "media_url" not in client.get(f"{BASE}/requests/{case.tracking_number}.json").json()[0]
    json_error(client.get(f"{BASE}/media/99999999"), 404)


def test_the_list_reads_its_photos_in_a_fixed_number_of_queries(client, pothole, app_key):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def list_queries():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"{BASE}/requests.json").status_code == 200
        return len(queries)

    for _ in range(2):
        client.post(f"{BASE}/requests.json", {**form(app_key, description_public="true"), "media": photo()})
    few = list_queries()
    for _ in range(3):
        client.post(f"{BASE}/requests.json", {**form(app_key, description_public="true"), "media": photo()})
    assert list_queries() == few
    assert all("media_url" in item for item in client.get(f"{BASE}/requests.json").json())
