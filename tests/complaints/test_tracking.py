"""Following a case without an account: the tracking number and the access code, on the page
and in the API. A wrong code answers exactly as a missing case does; tries are throttled."""

import importlib
import re
import time

import pytest
from django.apps import apps
from django.test import Client

from civicportal.throttling import CellRateThrottle
from complaints import services
from complaints.models import ACCESS_CODE_ALPHABET, Case, new_access_code
from tests.complaints.factories import file_case

pytestmark = pytest.mark.django_db
PAGE = "/complaints/track/"
API = "/api/v1/complaints/track/"
PERSONAL = ("김시민", "집 앞에 불법 주차", "010", "citizen@")


@pytest.fixture
def answered_case(citizen, officer, parking_rule):
    case = file_case(citizen, lat="37.556621", lon="126.923812", location_text="망원동 12-3")
    services.case_answer(case=case, by=officer, text="견인 조치했습니다.")
    case.refresh_from_db()
    return case


def _strip_csrf(html):
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
    return re.sub(r'"X-CSRFToken": "[^"]+"', "", html)


def test_the_access_code_is_citizen_friendly_and_random():
    codes = {new_access_code() for _ in range(200)}

    assert len(codes) == 200
    assert all(len(c) == 8 and set(c) <= set(ACCESS_CODE_ALPHABET) for c in codes)
    assert not set("01OIL") & set(ACCESS_CODE_ALPHABET)


def test_the_receipt_page_shows_the_code_to_the_citizen_only(client, citizen, other_citizen, parking_rule):
    client.force_login(citizen)
    response = client.post(
        "/complaints/file/", {"kind": "complaint", "title": "주차", "text": "골목 주차"}, follow=True
    )
    case = Case.objects.get()
    page = response.content.decode()

    assert case.access_code_display in page and "/complaints/track/" in page
    client.force_login(other_citizen)
    assert client.get(case.get_absolute_url()).status_code == 404


def test_the_acknowledgement_carries_the_tracking_number_and_code(
    citizen, parking_rule, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        case = file_case(citizen)
    note = citizen.notifications.get(kind="complaints.filed")

    assert case.tracking_number in note.title
    assert case.access_code_display in note.body and "/complaints/track/" in note.body


def test_right_code_shows_status_department_deadline_and_answer(client, answered_case):
    response = client.post(
        PAGE, {"tracking_number": answered_case.tracking_number, "access_code": answered_case.access_code_display}
    )
    page = response.content.decode()

    assert response.status_code == 200
    assert "Answered" in page and answered_case.department.name_en in page
    assert answered_case.due_at.astimezone().strftime("%Y-%m-%d") in page
    assert "견인 조치했습니다." in page
    for secret in (*PERSONAL, "망원동 12-3", "37.556", answered_case.title):
        assert secret not in page
    assert response["Cache-Control"] == "private, no-store"


def test_the_code_is_accepted_as_people_type_it(client, answered_case):
    typed = answered_case.access_code.lower()[:4] + " " + answered_case.access_code.lower()[4:]

    response = client.post(PAGE, {"tracking_number": answered_case.tracking_number, "access_code": typed})

    assert response.status_code == 200 and "견인 조치했습니다." in response.content.decode()


def test_a_wrong_code_answers_exactly_as_a_missing_case(client, answered_case):
    wrong_code = "A" * 8 if answered_case.access_code != "A" * 8 else "B" * 8
    wrong = client.post(PAGE, {"tracking_number": answered_case.tracking_number, "access_code": wrong_code})
    missing = client.post(PAGE, {"tracking_number": "2099-9999999", "access_code": wrong_code})

    assert wrong.status_code == missing.status_code == 404
    # Only the tracking number typed back into the form differs.
    assert _strip_csrf(wrong.content.decode()).replace(answered_case.tracking_number, "N") == _strip_csrf(
        missing.content.decode()
    ).replace("2099-9999999", "N")
    assert "견인" not in wrong.content.decode()


def test_the_api_shows_nothing_personal_and_hides_a_wrong_code(client, answered_case):
    right = client.post(
        API,
        {"tracking_number": answered_case.tracking_number, "access_code": answered_case.access_code},
        content_type="application/json",
    )
    wrong = client.post(
        API,
        {"tracking_number": answered_case.tracking_number, "access_code": "ZZZZZZZZ"},
        content_type="application/json",
    )
    missing = client.post(
        API, {"tracking_number": "2099-9999999", "access_code": "ZZZZZZZZ"}, content_type="application/json"
    )

    body = right.json()
    assert right.status_code == 200
    assert body["status"] == "answered" and body["department"] == answered_case.department.name_en
    assert body["answer"] == "견인 조치했습니다." and body["title"] is None
    assert set(body) == {
        "tracking_number",
        "kind",
        "category",
        "status",
        "status_label",
        "department",
        "district",
        "title",
        "filed_at",
        "due_at",
        "answered_at",
        "answer",
    }
    for secret in (*PERSONAL, "망원동", "37.556"):
        assert secret not in right.content.decode()
    assert wrong.status_code == missing.status_code == 404
    assert wrong.content == missing.content


def test_a_chosen_public_title_is_shown_to_the_holder(client, citizen):
    case = file_case(citizen, title="공원 벤치 파손", text_is_public=True)

    body = client.post(
        API, {"tracking_number": case.tracking_number, "access_code": case.access_code}, content_type="application/json"
    ).json()

    assert body["title"] == "공원 벤치 파손"


def test_wrong_and_missing_take_comparable_time(client, answered_case):
    def timed(number):
        started = time.perf_counter()
        Client().post(API, {"tracking_number": number, "access_code": "ZZZZZZZZ"}, content_type="application/json")
        return time.perf_counter() - started

    from django.core.cache import cache

    wrong, missing = [], []
    for _round in range(9):
        cache.clear()  # the throttle is not what is measured
        wrong.append(timed(answered_case.tracking_number))
        missing.append(timed("2099-9999999"))
    # Same query, same comparison: medians within a factor of 3 (generous for a shared machine).
    wrong.sort(), missing.sort()
    assert wrong[4] < missing[4] * 3 and missing[4] < wrong[4] * 3


def test_tries_are_throttled_per_address_on_the_page_and_the_api(client, answered_case, monkeypatch):
    # The clock stands still: on a slow machine ten requests could take long enough to earn
    # the next try back (10 a minute is one every 6 s after the first ten).
    monkeypatch.setattr(CellRateThrottle, "timer", lambda self: 1_000_000.0)
    wrong = {"tracking_number": answered_case.tracking_number, "access_code": "ZZZZZZZZ"}
    statuses = [client.post(PAGE, wrong).status_code for _ in range(10)]

    page = client.post(PAGE, {**wrong, "access_code": answered_case.access_code})
    api = client.post(API, wrong, content_type="application/json")
    elsewhere = Client(REMOTE_ADDR="10.0.0.9").post(
        API, {**wrong, "access_code": answered_case.access_code}, content_type="application/json"
    )

    assert statuses == [404] * 10
    assert page.status_code == 429 and "견인" not in page.content.decode()
    assert "Too many tries" in page.content.decode()
    assert api.status_code == 429
    assert elsewhere.status_code == 200


def test_the_track_page_needs_no_account_and_prefills_the_number(client):
    response = client.get(f"{PAGE}?number=2026-0000123")

    assert response.status_code == 200
    assert 'value="2026-0000123"' in response.content.decode()


def test_bad_input_is_a_clear_error_not_a_500(client):
    page = client.post(PAGE, {"tracking_number": "", "access_code": ""})
    api = client.post(API, {"tracking_number": "x" * 50}, content_type="application/json")

    assert page.status_code == 400 and "This field is required." in page.content.decode()
    assert api.status_code == 400 and api.json()["error"] == "invalid"


def test_existing_cases_get_their_own_codes_from_the_data_migration(citizen):
    first, second = file_case(citizen), file_case(citizen)
    Case.objects.update(access_code="")

    backfill = importlib.import_module("complaints.migrations.0006_backfill_case_access_codes").backfill
    backfill(apps, None)

    codes = set(Case.objects.values_list("access_code", flat=True))
    assert len(codes) == 2 and "" not in codes
    assert {first.pk, second.pk} == set(Case.objects.values_list("pk", flat=True))


def test_the_api_gives_the_code_to_the_citizen_who_filed_only(api_as, citizen, officer, parking_rule):
    case = file_case(citizen)

    own = api_as(citizen).get(f"/api/v1/complaints/cases/{case.tracking_number}/").json()
    staff = api_as(officer).get(f"/api/v1/complaints/cases/{case.tracking_number}/").json()

    assert own["access_code"] == case.access_code_display
    assert staff["access_code"] is None


def test_staff_filing_for_a_citizen_gets_the_code_to_hand_over(client, officer, parking_rule):
    client.force_login(officer)
    page = client.get("/complaints/file-for-citizen/").content.decode()
    response = client.post(
        "/complaints/file-for-citizen/",
        {"channel": "visit", "kind": "complaint", "title": "주차", "text": "골목 주차", "text_is_public": "on"},
        follow=True,
    )

    case = Case.objects.get()
    assert "The citizen agrees to publish" in page
    assert case.text_is_public is True and case.access_code_display in response.content.decode()
