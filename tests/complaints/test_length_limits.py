"""Every free text of a case has a limit, refused alike by the form, the API and Open311:
at the limit it is accepted, one character over it is refused with the limit named and
nothing written. Titles are refused, never cut."""

import pytest

from civicportal import limits
from complaints import services
from complaints.models import Case, CaseEvent, Rating
from open311 import services as open311_services
from tests.complaints.factories import file_case

pytestmark = pytest.mark.django_db
API = "/api/v1/complaints"
TEXT = limits.CASE_TEXT_DEFAULT


def named(limit, message) -> bool:
    """The message names the limit (the services write 4,000; DRF and Django forms 4000)."""
    return str(limit).replace(",", "") in message.replace(",", "")


def filing(title="불법 주차", text="차량이 막고 있어요", place=""):
    return {"kind": "complaint", "title": title, "text": text, "location_text": place}


OVER = [
    pytest.param({"title": "가" * (limits.TITLE + 1)}, "title", "200", id="title"),
    pytest.param({"text": "가" * (TEXT + 1)}, "text", "4,000", id="text"),
    pytest.param({"place": "가" * (limits.PLACE + 1)}, "location_text", "200", id="place"),
]
AT = [
    pytest.param({"title": "가" * limits.TITLE}, id="title"),
    pytest.param({"text": "가" * TEXT}, id="text"),
    pytest.param({"place": "가" * limits.PLACE}, id="place"),
]


def test_limits_are_what_the_documentation_says():
    assert (limits.TITLE, limits.PLACE, limits.case_text(), limits.ANSWER, limits.NOTE, limits.COMMENT) == (
        200,
        200,
        4000,
        8000,
        2000,
        2000,
    )


# --- the form ---------------------------------------------------------------------------------


def test_the_form_tells_the_browser_each_limit(client, citizen):
    client.force_login(citizen)

    page = client.get("/complaints/file/").content.decode()

    assert 'name="title" maxlength="200"' in page
    assert 'maxlength="4000"' in page and 'name="location_text" maxlength="200"' in page


@pytest.mark.parametrize(("given", "field", "limit"), OVER)
def test_the_form_refuses_one_character_over_the_limit(client, citizen, parking_rule, given, field, limit):
    client.force_login(citizen)

    response = client.post("/complaints/file/", filing(**given))

    assert response.status_code == 400
    errors = response.context["form"].errors[field]
    assert any(named(limit, error) for error in errors), errors
    assert Case.objects.count() == 0


@pytest.mark.parametrize("given", AT)
def test_the_form_accepts_a_text_at_the_limit(client, citizen, parking_rule, given):
    client.force_login(citizen)

    response = client.post("/complaints/file/", filing(**given))

    assert response.status_code == 302
    case = Case.objects.get()
    assert (case.title, case.text, case.location_text) == (
        given.get("title", "불법 주차"),
        given.get("text", "차량이 막고 있어요"),
        given.get("place", ""),
    )


def test_a_city_chooses_its_case_text_limit(client, api_as, citizen, parking_rule, settings):
    settings.CASE_TEXT_MAX_CHARS = 100
    client.force_login(citizen)

    page = client.get("/complaints/file/").content.decode()
    form = client.post("/complaints/file/", filing(text="가" * 101))
    api = api_as(citizen).post(f"{API}/cases/", filing(text="가" * 101))

    assert 'maxlength="100"' in page
    assert form.status_code == 400 and form.context["form"].errors["text"] == ["At most 100 characters (this has 101)."]
    assert api.status_code == 400 and api.json() == {
        "error": "too_long",
        "detail": "Text: at most 100 characters (this has 101).",
        "fields": {"text": ["Text: at most 100 characters (this has 101)."]},
    }
    assert Case.objects.count() == 0
    assert api_as(citizen).post(f"{API}/cases/", filing(text="가" * 100)).status_code == 201


def test_the_limit_is_given_in_korean(client, citizen, parking_rule, settings):
    settings.CASE_TEXT_MAX_CHARS = 1000
    client.force_login(citizen)

    response = client.post("/complaints/file/", filing(text="가" * 1001), HTTP_ACCEPT_LANGUAGE="ko")

    assert "최대 1,000자" in response.content.decode()
    assert Case.objects.count() == 0


# --- the API ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("given", "field", "limit"), OVER)
def test_the_api_refuses_one_character_over_the_limit(api_as, citizen, parking_rule, given, field, limit):
    response = api_as(citizen).post(f"{API}/cases/", filing(**given))

    assert response.status_code == 400
    assert named(limit, response.json()["fields"][field][0])
    assert Case.objects.count() == 0


@pytest.mark.parametrize("given", AT)
def test_the_api_accepts_a_text_at_the_limit(api_as, citizen, parking_rule, given):
    response = api_as(citizen).post(f"{API}/cases/", filing(**given))

    assert response.status_code == 201, response.json()
    assert Case.objects.get().title == given.get("title", "불법 주차")


def test_the_schema_documents_the_limits(api_client):
    schema = api_client.get("/api/schema/", HTTP_ACCEPT="application/json").json()

    properties = schema["components"]["schemas"]["FileCaseRequest"]["properties"]
    assert properties["title"]["maxLength"] == 200 and properties["text"]["maxLength"] == 4000


@pytest.fixture
def case(citizen, parking_rule):
    return file_case(citizen)


@pytest.fixture
def answered(case, officer):
    return services.case_answer(case=case, by=officer, text="처리했습니다")


@pytest.mark.parametrize(
    ("path", "field", "limit"),
    [("answer", "text", limits.ANSWER), ("notes", "text", limits.NOTE)],
)
def test_officers_texts_are_refused_over_their_limit(api_as, officer, case, path, field, limit):
    client = api_as(officer)
    url = f"{API}/cases/{case.tracking_number}/{path}/"
    events = CaseEvent.objects.count()

    refused = client.post(url, {field: "가" * (limit + 1)})

    assert refused.status_code == 400 and named(limit, refused.json()["fields"][field][0])
    case.refresh_from_db()
    assert case.answer == "" and CaseEvent.objects.count() == events
    assert client.post(url, {field: "가" * limit}).status_code in (200, 201)


def test_a_transfer_reason_over_its_limit_is_refused(api_as, officer, other_department, case):
    url = f"{API}/cases/{case.tracking_number}/transfer/"

    refused = api_as(officer).post(url, {"to_department": other_department.code, "reason": "가" * (limits.NOTE + 1)})

    assert refused.status_code == 400 and named(2000, refused.json()["fields"]["reason"][0])
    case.refresh_from_db()
    assert case.department.code == "parking"
    ok = api_as(officer).post(url, {"to_department": other_department.code, "reason": "가" * limits.NOTE})
    assert ok.status_code == 200


def test_a_rating_comment_and_a_follow_up_over_their_limits_are_refused(api_as, citizen, answered):
    client = api_as(citizen)
    number = answered.tracking_number

    comment = client.post(f"{API}/cases/{number}/rate/", {"score": 4, "comment": "가" * (limits.COMMENT + 1)})
    follow_up = client.post(f"{API}/cases/{number}/additional-answer/", {"text": "가" * (limits.NOTE + 1)})

    assert comment.status_code == 400 and named(2000, comment.json()["fields"]["comment"][0])
    assert follow_up.status_code == 400 and named(2000, follow_up.json()["fields"]["text"][0])
    answered.refresh_from_db()
    assert Rating.objects.count() == 0 and answered.status == "answered"
    assert client.post(f"{API}/cases/{number}/rate/", {"score": 4, "comment": "가" * limits.COMMENT}).status_code == 201


def test_the_officers_forms_refuse_over_the_limit(client, officer, case):
    client.force_login(officer)

    response = client.post(f"/complaints/work/{case.tracking_number}/", {"action": "note", "text": "가" * 2001})

    assert response.status_code == 400
    assert not CaseEvent.objects.filter(kind=CaseEvent.Kind.NOTE).exists()


# --- Open311 ----------------------------------------------------------------------------------


@pytest.fixture
def parking(db):
    from complaints.models import Category

    return Category.objects.create(code="parking", name_ko="불법 주정차", name_en="Illegal parking")


@pytest.fixture
def app_key(db):
    _app, raw = open311_services.application_create(name="Street Fix", contact_email="dev@streetfix.example")
    return raw


def open311_post(client, key, **extra):
    data = {"api_key": key, "service_code": "parking", "lat": "37.556621", "long": "126.923812"}
    return client.post("/open311/v2/requests.json", {**data, **extra})


def test_open311_refuses_a_description_over_the_limit_in_its_error_format(client, app_key, parking):
    response = open311_post(client, app_key, description="가" * (TEXT + 1))

    assert response.status_code == 400
    assert response.json() == [{"code": 400, "description": "Description: at most 4,000 characters (this has 4,001)."}]
    assert Case.objects.count() == 0


def test_open311_refuses_an_address_over_the_limit(client, app_key, parking):
    response = open311_post(client, app_key, description="불법 주차", address_string="가" * (limits.PLACE + 1))

    assert response.status_code == 400 and "200" in response.json()[0]["description"]
    assert Case.objects.count() == 0


def test_open311_accepts_a_description_at_the_limit(client, app_key, parking):
    response = open311_post(client, app_key, description="가" * TEXT)

    assert response.status_code in (200, 201)
    assert Case.objects.get().text == "가" * TEXT


# --- admin ------------------------------------------------------------------------------------


def test_admin_refuses_a_case_text_over_the_limit(client, administrator, case, settings):
    settings.CASE_TEXT_MAX_CHARS = 50
    client.force_login(administrator)
    url = f"/admin/complaints/case/{case.pk}/change/"
    page = client.get(url)
    form = page.context["adminform"].form
    data = {
        name: value
        for name, value in form.initial.items()
        if name in form.fields and value is not None and not isinstance(value, list | tuple)
    }
    data |= {"text": "가" * 51, "department": case.department_id, "citizen": case.citizen_id}
    data |= {"filed_by": case.filed_by_id, "attachments-TOTAL_FORMS": 0, "attachments-INITIAL_FORMS": 0}
    data |= {"events-TOTAL_FORMS": 0, "events-INITIAL_FORMS": 0}

    response = client.post(url, data)

    assert 'maxlength="50"' in page.content.decode()
    assert response.status_code == 200
    assert "at most 50 characters" in response.content.decode()
    case.refresh_from_db()
    assert case.text == "집 앞에 불법 주차 차량이 있습니다."
