"""What becomes public is the citizen's choice: the web form, the API, Open311 and the public
reads (Open311 requests, published examples) all follow ``Case.public_fields``."""

import pytest
from django.contrib.admin.sites import site
from django.db import IntegrityError, transaction
from django.test import RequestFactory

from complaints.models import Case, CaseEvent, Kind, PublishedExample
from open311 import services as open311_services
from tests.complaints.factories import CategoryFactory, file_case

pytestmark = pytest.mark.django_db
SECRET_TITLE = "우리 집 3층 누수 때문에 아이가 아파요"
SECRET_TEXT = "저는 망원동 12-3 에 사는 김시민입니다"
OPEN311 = "/open311/v2"


def _form(**extra):
    data = {"kind": "complaint", "title": SECRET_TITLE, "text": SECRET_TEXT, "lat": "37.5563", "lon": "126.9019"}
    data.update(extra)
    return data


def _open311_read(client, number):
    response = client.get(f"{OPEN311}/requests/{number}.json")
    assert response.status_code == 200, response.content
    return response.json()[0], response.content.decode()


def test_the_form_says_what_becomes_public_and_starts_unticked(client, citizen):
    client.force_login(citizen)
    page = client.get("/complaints/file/").content.decode()

    assert 'name="text_is_public"' in page and 'name="text_is_public" checked' not in page
    assert "anyone can read the title and description" in page
    assert "only the kind, topic, district, status and dates are public" in page


def test_a_case_filed_on_the_web_is_not_public_by_default(client, citizen, parking_rule):
    client.force_login(citizen)
    client.post("/complaints/file/", _form())
    case = Case.objects.get()
    client.logout()

    item, raw = _open311_read(client, case.tracking_number)

    assert case.text_is_public is False
    assert SECRET_TITLE not in raw and SECRET_TEXT not in raw and "126.9" not in raw
    assert item["description"] == "" and item["agency_responsible"] == ""
    assert "lat" not in item and "long" not in item  # absent, as the specification types them
    assert item["status"] == "open" and item["address"] == case.district.name_en
    assert item["requested_datetime"] and item["expected_datetime"]


def test_a_citizen_who_chose_to_publish_is_shown(client, citizen, parking_rule):
    client.force_login(citizen)
    client.post("/complaints/file/", _form(text_is_public="on"))
    case = Case.objects.get()
    client.logout()

    item, _raw = _open311_read(client, case.tracking_number)

    assert case.text_is_public is True
    assert item["description"] == SECRET_TITLE
    assert item["agency_responsible"] == case.department.name_en
    assert (item["lat"], item["long"]) == (37.556, 126.902)


@pytest.mark.parametrize("kind", [Kind.CORRUPTION, Kind.PUBLIC_INTEREST, Kind.HUMAN_RIGHTS, Kind.WELFARE])
def test_a_report_cannot_be_made_public_on_the_form(client, citizen, kind):
    client.force_login(citizen)

    response = client.post("/complaints/file/", _form(kind=kind, text_is_public="on"))

    assert response.status_code == 400
    assert "never published" in response.content.decode()
    assert Case.objects.count() == 0 and CaseEvent.objects.count() == 0


@pytest.mark.parametrize("kind", [Kind.CORRUPTION, Kind.HUMAN_RIGHTS, Kind.WELFARE])
def test_a_report_is_never_in_a_public_read(client, citizen, kind):
    case = file_case(citizen, kind=kind, title=SECRET_TITLE)

    one = client.get(f"{OPEN311}/requests/{case.tracking_number}.json")
    listed = client.get(f"{OPEN311}/requests.json")

    assert one.status_code == 404
    assert listed.status_code == 200 and case.tracking_number not in listed.content.decode()
    assert SECRET_TITLE not in listed.content.decode()


def test_the_database_refuses_a_public_report(citizen):
    case = file_case(citizen, kind=Kind.WELFARE)

    with pytest.raises(IntegrityError), transaction.atomic():
        Case.objects.filter(pk=case.pk).update(text_is_public=True)
    case.refresh_from_db()
    assert case.text_is_public is False


def test_the_api_takes_the_choice_and_defaults_to_not_public(api_as, citizen, parking_rule):
    client = api_as(citizen)
    body = {"kind": "complaint", "title": SECRET_TITLE, "text": SECRET_TEXT}

    private = client.post("/api/v1/complaints/cases/", body)
    public = client.post("/api/v1/complaints/cases/", {**body, "text_is_public": True})
    refused = client.post("/api/v1/complaints/cases/", {**body, "kind": "corruption", "text_is_public": True})

    assert private.status_code == 201 and private.json()["text_is_public"] is False
    assert public.status_code == 201 and public.json()["text_is_public"] is True
    assert refused.status_code == 400 and refused.json()["fields"]["text_is_public"]
    assert Case.objects.count() == 2


def test_open311_post_takes_the_reporter_choice(client, citizen):
    _app, key = open311_services.application_create(name="Street Fix")
    CategoryFactory(code="streetlight", name_ko="가로등", name_en="Street light")
    base = {"api_key": key, "service_code": "streetlight", "lat": "37.5563", "long": "126.9019"}

    hidden = client.post(f"{OPEN311}/requests.json", {**base, "description": SECRET_TITLE})
    chosen = {**base, "description": "가로등 고장", "description_public": "true"}
    shown = client.post(f"{OPEN311}/requests.json", chosen)
    refused = client.post(f"{OPEN311}/requests.json", {**base, "description": "x", "description_public": "maybe"})

    assert hidden.status_code == 201 and shown.status_code == 201
    assert refused.status_code == 400 and "description_public" in refused.json()[0]["description"]
    listed = client.get(f"{OPEN311}/requests.json").content.decode()
    assert "가로등 고장" in listed and SECRET_TITLE not in listed
    assert Case.objects.count() == 2


def test_only_cases_their_citizens_made_public_become_examples(citizen, officer, administrator):
    private = file_case(citizen, title=SECRET_TITLE)
    public = file_case(citizen, title="공원 벤치 파손", text_is_public=True)
    for case in (private, public):
        Case.objects.filter(pk=case.pk).update(answered_at=case.filed_at, answer="고쳤습니다")
    request = RequestFactory().post("/admin/complaints/case/")
    request.user = administrator
    request._messages = _Messages()
    case_admin = site._registry[Case]

    case_admin.publish_as_example(request, Case.objects.filter(pk__in=[private.pk, public.pk]))

    assert list(PublishedExample.objects.values_list("title", flat=True)) == ["공원 벤치 파손"]
    assert any("1 case(s) skipped" in message for message in request._messages.texts)


class _Messages:
    def __init__(self):
        self.texts = []

    def add(self, level, message, extra_tags=""):
        self.texts.append(str(message))
