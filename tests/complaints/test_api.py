"""The REST API: citizens' and officers' flows, the gatekeeper, errors, the queue's query count."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from complaints import services
from complaints.models import Case, CaseEvent, Rating, Status
from tests.complaints.factories import bulk_cases, file_case, image_bytes

pytestmark = pytest.mark.django_db
BASE = "/api/v1/complaints"


def test_citizen_files_through_the_api(api_as, citizen, parking_rule, department):
    response = api_as(citizen).post(
        f"{BASE}/cases/", {"kind": "complaint", "title": "불법 주차", "text": "차량이 막고 있어요", "district": "11440"}
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    case = Case.objects.get(tracking_number=body["tracking_number"])
    assert case.channel == "mobile" and case.citizen == citizen and case.department == department
    assert body["department"] == department.name and body["status"] == "received" and body["sla"] == "on-time"


def test_filing_with_an_unknown_district_is_refused_and_writes_nothing(api_as, citizen, parking_rule):
    client = api_as(citizen)
    body = {"kind": "complaint", "title": "불법 주차", "text": "차량이 막고 있어요"}

    refused = client.post(f"{BASE}/cases/", {**body, "district": "99999"})
    accepted = client.post(f"{BASE}/cases/", {**body, "district": "11680"})

    assert refused.status_code == 400
    assert refused.json()["fields"] == {"district": ["Object with code=99999 does not exist."]}
    assert accepted.status_code == 201 and accepted.json()["district"] == "11680"
    assert Case.objects.count() == 1 and CaseEvent.objects.count() == 2


def test_filing_with_a_photo_through_multipart(api_as, citizen, parking_rule):
    from django.core.files.uploadedfile import SimpleUploadedFile

    photo = SimpleUploadedFile("p.jpg", image_bytes(), content_type="image/jpeg")
    response = api_as(citizen).post(
        f"{BASE}/cases/",
        {"kind": "complaint", "title": "주차", "text": "사진 첨부", "attachments": [photo]},
        format="multipart",
    )

    assert response.status_code == 201, response.json()
    assert Case.objects.get().attachments.count() == 1


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"kind": "complaint", "title": "제목", "text": ""}, "text"),
        ({"kind": "complaint", "title": "", "text": "내용"}, "title"),
        ({"kind": "bogus", "title": "제목", "text": "내용"}, "kind"),
        ({"kind": "complaint", "title": "제목", "text": "내용", "anonymous_reporter": True}, "anonymous_reporter"),
        ({"kind": "complaint", "title": "제목", "text": "내용", "lat": "37.5"}, "lat"),
    ],
)
def test_bad_filing_gets_400_and_writes_nothing(api_as, citizen, parking_rule, payload, field):
    response = api_as(citizen).post(f"{BASE}/cases/", payload)

    assert response.status_code == 400
    assert field in response.json()["fields"]
    assert Case.objects.count() == 0 and CaseEvent.objects.count() == 0


def test_attachment_that_is_not_an_image_gets_400(api_as, citizen, parking_rule):
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("p.jpg", b"not an image", content_type="image/jpeg")
    response = api_as(citizen).post(
        f"{BASE}/cases/", {"kind": "complaint", "title": "t", "text": "x", "attachments": [fake]}, format="multipart"
    )

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_attachment"
    assert Case.objects.count() == 0


def test_list_shows_only_my_cases(api_as, citizen, other_citizen, parking_rule):
    mine = file_case(citizen)
    file_case(other_citizen)

    response = api_as(citizen).get(f"{BASE}/cases/")

    assert [c["tracking_number"] for c in response.json()["results"]] == [mine.tracking_number]


def test_anonymous_user_gets_401(api_client, citizen, parking_rule):
    case = file_case(citizen)
    assert api_client.get(f"{BASE}/cases/{case.tracking_number}/").status_code == 401


@pytest.fixture
def case(citizen, parking_rule):
    return file_case(citizen)


# who may read a case: the citizen, the department's officers and head, the monitor, the administrator
@pytest.mark.parametrize(
    ("persona", "code"),
    [
        ("citizen", 200),
        ("other_citizen", 404),
        ("officer", 200),
        ("supervisor", 200),
        ("officer_of_other_department", 404),
        ("counsellor", 404),
        ("evaluator", 404),
        ("monitor", 200),
        ("administrator", 200),
    ],
)
def test_read_permission_matrix(request, api_as, case, persona, code):
    user = request.getfixturevalue(persona)
    assert api_as(user).get(f"{BASE}/cases/{case.tracking_number}/").status_code == code


# who may answer: only the department's officers (and head); others get 404 (cannot see) or 403
@pytest.mark.parametrize(
    ("persona", "code"),
    [
        ("citizen", 403),
        ("other_citizen", 404),
        ("officer", 200),
        ("supervisor", 200),
        ("officer_of_other_department", 404),
        ("monitor", 403),
    ],
)
def test_answer_permission_matrix(request, api_as, case, persona, code):
    user = request.getfixturevalue(persona)

    response = api_as(user).post(f"{BASE}/cases/{case.tracking_number}/answer/", {"text": "답변"})

    assert response.status_code == code
    case.refresh_from_db()
    assert (case.status == Status.ANSWERED) is (code == 200)


def test_guessing_a_tracking_number_or_id_tells_nothing(api_as, other_citizen, case):
    client = api_as(other_citizen)
    missing = client.get(f"{BASE}/cases/2026-9999999/")
    guessed = client.get(f"{BASE}/cases/{case.tracking_number}/")
    by_id = client.get(f"{BASE}/cases/{case.pk}/")

    assert missing.status_code == guessed.status_code == by_id.status_code == 404
    assert missing.json() == guessed.json()


def test_citizen_sees_no_internal_events(api_as, citizen, officer, case):
    services.case_add_note(case=case, by=officer, text="내부 메모")

    events = api_as(citizen).get(f"{BASE}/cases/{case.tracking_number}/").json()["events"]
    officer_events = api_as(officer).get(f"{BASE}/cases/{case.tracking_number}/").json()["events"]

    assert "note" not in [e["kind"] for e in events]
    assert "note" in [e["kind"] for e in officer_events]


def test_rate_and_additional_answer_through_the_api(api_as, citizen, officer, case):
    api_as(officer).post(f"{BASE}/cases/{case.tracking_number}/answer/", {"text": "처리"})
    client = api_as(citizen)

    rated = client.post(f"{BASE}/cases/{case.tracking_number}/rate/", {"score": 4, "comment": "감사"})
    again = client.post(f"{BASE}/cases/{case.tracking_number}/additional-answer/", {"text": "추가 질문"})

    assert rated.status_code == 201 and rated.json() == {"score": 4, "comment": "감사"}
    assert again.status_code == 200 and again.json()["status"] == "reopened"


@pytest.mark.parametrize("score", [0, 6])
def test_rating_out_of_range_gets_400(api_as, citizen, officer, case, score):
    services.case_answer(case=case, by=officer, text="처리")

    response = api_as(citizen).post(f"{BASE}/cases/{case.tracking_number}/rate/", {"score": score})

    assert response.status_code == 400 and response.json()["fields"] == {"score": ["Give a score from 1 to 5."]}
    assert Rating.objects.count() == 0


def test_rating_by_someone_else_gets_404(api_as, other_citizen, officer, case):
    services.case_answer(case=case, by=officer, text="처리")

    response = api_as(other_citizen).post(f"{BASE}/cases/{case.tracking_number}/rate/", {"score": 5})

    assert response.status_code == 404
    assert Rating.objects.count() == 0


def test_rating_by_the_officer_gets_403(api_as, officer, case):
    services.case_answer(case=case, by=officer, text="처리")

    response = api_as(officer).post(f"{BASE}/cases/{case.tracking_number}/rate/", {"score": 5})

    assert response.status_code == 403
    assert Rating.objects.count() == 0


def test_transfer_without_reason_gets_400_and_writes_nothing(api_as, officer, other_department, case):
    response = api_as(officer).post(
        f"{BASE}/cases/{case.tracking_number}/transfer/", {"to_department": other_department.code, "reason": ""}
    )

    assert response.status_code == 400 and "reason" in response.json()["fields"]
    case.refresh_from_db()
    assert case.department.code == "parking"
    assert not case.events.filter(kind__startswith="transferred").exists()


def test_transfer_outside_seoul_through_the_api(api_as, officer, ministry, case):
    response = api_as(officer).post(
        f"{BASE}/cases/{case.tracking_number}/transfer/", {"to_department": ministry.code, "reason": "법령 소관"}
    )

    assert response.status_code == 200 and response.json()["status"] == "transferred_out"


def test_assign_claim_and_notes(api_as, officer, supervisor, case):
    assigned = api_as(supervisor).post(f"{BASE}/cases/{case.tracking_number}/assign/", {"officer": officer.username})
    note = api_as(officer).post(f"{BASE}/cases/{case.tracking_number}/notes/", {"text": "현장 확인"})
    notes = api_as(officer).get(f"{BASE}/cases/{case.tracking_number}/notes/")

    assert assigned.status_code == 200 and assigned.json()["officer"] == officer.get_full_name()
    assert note.status_code == 201
    assert [n["note"] for n in notes.json()] == ["현장 확인"]


def test_notes_are_hidden_from_the_citizen(api_as, citizen, case):
    assert api_as(citizen).get(f"{BASE}/cases/{case.tracking_number}/notes/").status_code == 404
    assert api_as(citizen).post(f"{BASE}/cases/{case.tracking_number}/notes/", {"text": "x"}).status_code == 403
    assert not case.events.filter(kind="note").exists()


def test_claim_conflict_gets_409(api_as, officer, department, case):
    from tests.factories import officer_of

    colleague = officer_of(department, username="colleague")
    api_as(officer).post(f"{BASE}/cases/{case.tracking_number}/claim/")

    response = api_as(colleague).post(f"{BASE}/cases/{case.tracking_number}/claim/")

    assert response.status_code == 409
    case.refresh_from_db()
    assert case.officer == officer


def test_queue_is_for_officers_only(api_as, citizen):
    assert api_as(citizen).get(f"{BASE}/queue/").status_code == 403


def test_queue_lists_my_department_soonest_first(api_as, officer, department, other_department):
    bulk_cases(department, 3)
    bulk_cases(other_department, 2, start=100)

    response = api_as(officer).get(f"{BASE}/queue/")

    due = [c["due_at"] for c in response.json()["results"]]
    assert response.json()["count"] == 3 and due == sorted(due)


def test_queue_hides_the_anonymous_reporter(api_as, citizen, officer, department):
    from tests.complaints.factories import RoutingRuleFactory

    RoutingRuleFactory(kind="corruption", department=department)
    file_case(citizen, kind="corruption", anonymous_reporter=True)

    row = api_as(officer).get(f"{BASE}/queue/").json()["results"][0]

    assert row["reporter"] is None


def test_queue_filters(api_as, officer, department):
    bulk_cases(department, 4, officer=officer)
    bulk_cases(department, 2, start=100)

    client = api_as(officer)
    assert client.get(f"{BASE}/queue/?assigned=none").json()["count"] == 2
    assert client.get(f"{BASE}/queue/?assigned=me").json()["count"] == 4
    assert client.get(f"{BASE}/queue/?overdue=1").json()["count"] == 1  # only row i=3 is past due (now - 6 h)


def _queue_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_queue_query_count_does_not_grow_with_rows(api_as, client, officer, department, citizen):
    api = api_as(officer)
    client.force_login(officer)
    bulk_cases(department, 2, citizen=citizen, officer=officer)
    _queue_queries(client, "/complaints/queue/")  # the layout's alerts in force are cached from here on
    small_api = _queue_queries(api, f"{BASE}/queue/")
    small_page = _queue_queries(client, "/complaints/queue/")

    bulk_cases(department, 30, citizen=citizen, officer=officer, start=100)

    assert _queue_queries(api, f"{BASE}/queue/") == small_api
    assert _queue_queries(client, "/complaints/queue/") == small_page


def test_public_examples_and_faq_need_no_login(api_client, db):
    from tests.complaints.factories import FaqEntryFactory, PublishedExampleFactory

    PublishedExampleFactory(title="층간소음 민원", question="뛰는 소리", answer="안내")
    FaqEntryFactory(question="주차 단속 시간은?", answer="24시간")

    examples = api_client.get(f"{BASE}/examples/?q=소음")
    faq = api_client.get(f"{BASE}/faq/?q=주차")

    assert [e["title"] for e in examples.json()["results"]] == ["층간소음 민원"]
    assert [f["question"] for f in faq.json()["results"]] == ["주차 단속 시간은?"]


def test_schema_is_valid(client):
    response = client.get("/api/schema/")
    assert response.status_code == 200
    assert b"/api/v1/complaints/queue/" in response.content


def test_officer_files_a_walk_in_case_for_a_citizen(api_as, officer, citizen, parking_rule):
    response = api_as(officer).post(
        f"{BASE}/staff-cases/",
        {
            "channel": "social",
            "citizen": citizen.username,
            "kind": "complaint",
            "title": "주차",
            "text": "게시물",
            "source_url": "https://example.org/post/1",
        },
    )

    assert response.status_code == 201, response.json()
    case = Case.objects.get()
    assert (case.channel, case.citizen, case.filed_by, case.source_url) == (
        "social",
        citizen,
        officer,
        "https://example.org/post/1",
    )


def test_citizen_cannot_use_the_staff_filing(api_as, citizen, parking_rule):
    response = api_as(citizen).post(
        f"{BASE}/staff-cases/", {"channel": "visit", "kind": "complaint", "title": "t", "text": "x"}
    )

    assert response.status_code == 403
    assert Case.objects.count() == 0
