"""Every error under /api/ is JSON of the one shape, whichever layer refused (DEBUG=false)."""

import json
from urllib.parse import quote

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from complaints.models import Case

pytestmark = pytest.mark.django_db
CASES = "/api/v1/complaints/cases/"
settings_for_fuzz = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.fixture(autouse=True)
def _production(settings):
    settings.DEBUG = False


def assert_error_shape(response, status, code):
    assert response.status_code == status, response.content[:200]
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["error"] == code and isinstance(body["detail"], str) and body["detail"]
    return body


def test_a_json_body_over_the_memory_limit_is_a_json_413_and_nothing_is_written(settings, api_as, citizen):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = json.dumps({"kind": "complaint", "title": "주차", "text": "가" * 2000})

    response = api_as(citizen).post(CASES, body, content_type="application/json")

    assert_error_shape(response, 413, "too_large")
    assert Case.objects.count() == 0


def test_a_form_body_over_the_memory_limit_is_a_json_413(settings, api_as, citizen):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000

    response = api_as(citizen).post(
        CASES, {"kind": "complaint", "title": "주차", "text": "가" * 2000}, format="multipart"
    )

    # Multipart bodies may be larger in all (attachments), but their fields still are not.
    assert_error_shape(response, 413, "too_large")
    assert Case.objects.count() == 0


def test_a_multipart_body_over_the_request_limit_is_refused_before_it_is_read(settings, api_as, citizen):
    settings.MAX_REQUEST_BYTES = 500

    response = api_as(citizen).post(
        CASES, {"kind": "complaint", "title": "주차", "text": "가" * 400}, format="multipart"
    )

    body = assert_error_shape(response, 413, "too_large")
    assert "500 bytes" in body["detail"]
    assert Case.objects.count() == 0


def test_too_many_fields_is_a_json_400(settings, api_as, citizen):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    fields = {f"f{i}": "x" for i in range(20)} | {"kind": "complaint", "title": "주차", "text": "내용"}

    response = api_as(citizen).post(CASES, fields, format="multipart")

    assert_error_shape(response, 400, "too_many_fields")
    assert Case.objects.count() == 0


def test_too_many_form_encoded_fields_is_a_json_400(settings, api_as, citizen):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    body = "&".join(f"f{i}=x" for i in range(20)) + "&kind=complaint&title=x&text=y"

    response = api_as(citizen).post(CASES, body, content_type="application/x-www-form-urlencoded")

    assert_error_shape(response, 400, "too_many_fields")
    assert Case.objects.count() == 0


def test_a_content_length_that_is_not_a_number_is_a_json_400(api_as, citizen):
    response = api_as(citizen).post(CASES, "{}", content_type="application/json", CONTENT_LENGTH="many")

    assert_error_shape(response, 400, "invalid")


def test_an_unknown_api_path_is_a_json_404():
    response = Client().get("/api/v1/no-such-thing/")

    assert_error_shape(response, 404, "not_found")


def test_an_unknown_path_outside_the_api_is_still_the_html_page():
    response = Client().get("/no-such-thing/")

    assert response.status_code == 404 and response["Content-Type"].startswith("text/html")


def test_a_wrong_method_is_a_json_405_with_allow(api_as, citizen):
    response = api_as(citizen).put(CASES, {"title": "x"})

    assert_error_shape(response, 405, "method_not_allowed")
    assert "POST" in response["Allow"]


def test_a_session_post_without_csrf_token_is_a_json_403(citizen):
    client = Client(enforce_csrf_checks=True)
    client.force_login(citizen)

    response = client.post(CASES, {"kind": "complaint", "title": "주차", "text": "내용"})

    assert_error_shape(response, 403, "permission_denied")
    assert Case.objects.count() == 0


def test_a_disallowed_host_is_a_json_400():
    response = Client().get("/api/v1/me/", HTTP_HOST="evil.example")

    assert_error_shape(response, 400, "invalid")


def test_a_server_error_is_a_json_500(settings):
    settings.ROOT_URLCONF = "tests.api.urls_failing"

    response = Client(raise_request_exception=False).get("/api/v1/failing/")

    body = assert_error_shape(response, 500, "server_error")
    assert "a defect" not in json.dumps(body)


def test_the_schema_documents_413_on_writes(api_client):
    schema = api_client.get("/api/schema/", HTTP_ACCEPT="application/json").json()

    post = schema["paths"]["/api/v1/complaints/cases/"]["post"]
    assert post["responses"]["413"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}


@pytest.mark.parametrize("method", ["get", "post", "put", "patch", "delete", "options", "head"])
@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/complaints/cases/",
        "/api/v1/complaints/cases/2026-0000001/",
        "/api/v1/polls/",
        "/api/v1/proposals/",
        "/api/v1/callcenter/contacts/",
        "/api/v1/alerts/",
        "/api/v1/me/",
        "/api/v1/nothing/here/",
        "/api/v2/",
    ],
)
def test_every_error_under_the_api_is_json_of_one_shape(api_as, citizen, method, path):
    response = getattr(api_as(citizen), method)(path)

    if response.status_code >= 400 and method != "head":
        assert_error_shape(response, response.status_code, response.json()["error"])


@settings_for_fuzz
@given(
    segment=st.text(st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]), min_size=1, max_size=30),
    method=st.sampled_from(["get", "post", "put", "patch", "delete"]),
    prefix=st.sampled_from(
        ["/api/v1/x-", "/api/v1/complaints/cases/", "/api/v1/proposals/", "/api/v1/polls/", "/api/v1/alerts/x-"]
    ),
)
def test_any_unknown_path_under_the_api_answers_an_error_in_json(segment, method, prefix):
    response = getattr(Client(), method)(prefix + quote(segment, safe="") + "/")

    assert response.status_code >= 400
    assert_error_shape(response, response.status_code, response.json()["error"])
