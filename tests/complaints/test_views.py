"""Browser pages through HTTP: the same flows and refusals as the API."""

import csv as _csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from complaints import services
from complaints.models import Case, CaseEvent, Rating, Status
from tests.complaints.factories import PublishedExampleFactory, file_case, image_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def as_user(client):
    def login(user):
        client.force_login(user)
        return client

    return login


def test_index_is_public(client):
    response = client.get("/complaints/")
    assert response.status_code == 200
    assert "/complaints/file/" in response.content.decode()


def test_filing_page_needs_login(client):
    assert client.get("/complaints/file/").status_code == 302


def test_citizen_files_with_a_photo_and_sees_the_tracking_page(as_user, citizen, parking_rule, department):
    photo = SimpleUploadedFile("street.jpg", image_bytes(), content_type="image/jpeg")
    response = as_user(citizen).post(
        "/complaints/file/",
        {
            "kind": "complaint",
            "title": "불법 주차",
            "text": "골목을 막았어요",
            "lat": "37.5663",
            "lon": "126.9019",
            "attachments": [photo],
        },
        follow=True,
    )

    case = Case.objects.get()
    assert response.redirect_chain[-1][0] == f"/complaints/c/{case.tracking_number}/"
    page = response.content.decode()
    assert case.tracking_number in page and department.name_en in page
    assert case.attachments.count() == 1 and case.district.code == "11440"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"kind": "complaint", "title": "제목", "text": ""}, "This field is required."),
        ({"kind": "complaint", "title": "제목", "text": "내용", "anonymous_reporter": "on"}, "Only corruption"),
        ({"kind": "complaint", "title": "제목", "text": "내용", "lat": "37.5"}, "both latitude"),
    ],
)
def test_bad_filing_shows_the_error_and_writes_nothing(as_user, citizen, parking_rule, data, message):
    response = as_user(citizen).post("/complaints/file/", data)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert Case.objects.count() == 0


def test_not_an_image_shows_the_error(as_user, citizen, parking_rule):
    fake = SimpleUploadedFile("photo.jpg", b"nope", content_type="image/jpeg")
    response = as_user(citizen).post(
        "/complaints/file/", {"kind": "complaint", "title": "t", "text": "x", "attachments": [fake]}
    )

    assert response.status_code == 400
    assert "is not a valid image" in response.content.decode()
    assert Case.objects.count() == 0


def test_my_cases_lists_only_mine(as_user, citizen, other_citizen, parking_rule):
    mine = file_case(citizen, title="내 민원")
    file_case(other_citizen, title="남의 민원")

    page = as_user(citizen).get("/complaints/mine/").content.decode()

    assert mine.tracking_number in page and "남의 민원" not in page


def test_other_citizen_gets_404_on_the_detail_page(as_user, other_citizen, citizen, parking_rule):
    case = file_case(citizen)
    assert as_user(other_citizen).get(f"/complaints/c/{case.tracking_number}/").status_code == 404


def test_attachment_download_is_gatekept(as_user, citizen, other_citizen, parking_rule, client):
    photo = SimpleUploadedFile("p.png", image_bytes("PNG"), content_type="image/png")
    case = file_case(citizen, attachments=[photo])
    url = f"/complaints/attachments/{case.attachments.get().pk}/"

    assert as_user(other_citizen).get(url).status_code == 404
    response = as_user(citizen).get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"] == 'inline; filename="p.png"'
    assert response["Cache-Control"] == "private, no-store"
    assert Client().get(url).status_code == 302  # anonymous: sign in first
    assert Client().get(f"/media/{case.attachments.get().file.name}").status_code == 404


def test_detail_discloses_officer_and_answer_and_rating_works(as_user, citizen, officer, parking_rule):
    case = file_case(citizen)
    services.case_answer(case=case, by=officer, text="단속반을 보냈습니다.")
    client = as_user(citizen)

    page = client.get(f"/complaints/c/{case.tracking_number}/").content.decode()
    rated = client.post(f"/complaints/c/{case.tracking_number}/rate/", {"score": "5", "comment": "빨라요"})

    assert "단속반을 보냈습니다." in page and officer.get_full_name() in page
    assert rated.status_code == 302 and Rating.objects.get().score == 5


@pytest.mark.parametrize("score", ["0", "6", ""])
def test_bad_rating_in_the_form_is_refused(as_user, citizen, officer, parking_rule, score):
    case = file_case(citizen)
    services.case_answer(case=case, by=officer, text="답변")

    response = as_user(citizen).post(f"/complaints/c/{case.tracking_number}/rate/", {"score": score})

    assert response.status_code == 400
    assert Rating.objects.count() == 0


def test_additional_answer_reopens(as_user, citizen, officer, parking_rule):
    case = file_case(citizen)
    services.case_answer(case=case, by=officer, text="답변")

    as_user(citizen).post(f"/complaints/c/{case.tracking_number}/additional-answer/", {"text": "더 알려주세요"})

    case.refresh_from_db()
    assert case.status == Status.REOPENED


def test_officer_answers_in_the_workspace(as_user, citizen, officer, parking_rule):
    case = file_case(citizen)
    client = as_user(officer)

    assert client.get(f"/complaints/work/{case.tracking_number}/").status_code == 200
    response = client.post(f"/complaints/work/{case.tracking_number}/", {"action": "answer", "text": "처리했습니다"})

    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.ANSWERED


def test_officer_of_other_department_gets_404_in_the_workspace(
    as_user, citizen, officer_of_other_department, parking_rule
):
    case = file_case(citizen)
    client = as_user(officer_of_other_department)

    assert client.get(f"/complaints/work/{case.tracking_number}/").status_code == 404
    posted = client.post(f"/complaints/work/{case.tracking_number}/", {"action": "answer", "text": "x"})

    assert posted.status_code == 404
    case.refresh_from_db()
    assert case.status == Status.RECEIVED


def test_transfer_without_reason_shows_the_error(as_user, citizen, officer, other_department, parking_rule):
    case = file_case(citizen)

    response = as_user(officer).post(
        f"/complaints/work/{case.tracking_number}/",
        {"action": "transfer", "to_department": other_department.pk, "reason": ""},
    )

    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    case.refresh_from_db()
    assert case.department.code == "parking"
    assert not CaseEvent.objects.filter(kind="transferred").exists()


def test_workspace_note_simple_duplicate_and_transfer(
    as_user, citizen, other_citizen, officer, mapo_office, parking_rule
):
    primary = file_case(citizen, lat="37.5663", lon="126.9019")
    case = file_case(other_citizen, lat="37.5663", lon="126.9019")
    client = as_user(officer)
    url = f"/complaints/work/{case.tracking_number}/"

    page = client.get(url).content.decode()
    assert primary.tracking_number in page  # shown as a similar open case
    client.post(url, {"action": "note", "text": "현장 확인"})
    client.post(url, {"action": "simple", "simple": "1"})
    client.post(url, {"action": "duplicate", "primary": primary.tracking_number})
    client.post(url, {"action": "transfer", "to_department": mapo_office.pk, "reason": "구청 소관"})

    case.refresh_from_db()
    assert case.is_simple and case.duplicate_of == primary and case.department == mapo_office
    assert list(case.events.values_list("kind", flat=True)) == [
        "filed",
        "routed",
        "note",
        "marked_simple",
        "duplicate",
        "transferred",
    ]


def test_queue_page_and_htmx_partial(as_user, citizen, officer, parking_rule):
    case = file_case(citizen)
    client = as_user(officer)

    full = client.get("/complaints/queue/")
    partial = client.get("/complaints/queue/?assigned=none", HTTP_HX_REQUEST="true")
    claimed = client.post(f"/complaints/work/{case.tracking_number}/claim/")

    assert case.tracking_number in full.content.decode()
    assert "<html" not in partial.content.decode() and case.tracking_number in partial.content.decode()
    assert claimed.status_code == 302
    case.refresh_from_db()
    assert case.officer == officer


def test_queue_is_not_for_citizens(as_user, citizen):
    assert as_user(citizen).get("/complaints/queue/").status_code == 404


def test_examples_search_page(client, db):
    PublishedExampleFactory(title="층간소음 민원", question="뛰는 소리", answer="안내")
    PublishedExampleFactory(title="가로등 고장", question="어두워요", answer="교체")

    page = client.get("/complaints/examples/?q=가로등이").content.decode()

    assert "가로등 고장" in page and "층간소음 민원" not in page


def test_board_for_the_monitor_only(as_user, monitor, citizen, parking_rule):
    file_case(citizen, lat="37.5663", lon="126.9019")

    assert as_user(citizen).get("/complaints/board/").status_code == 404
    page = as_user(monitor).get("/complaints/board/").content.decode()
    partial = as_user(monitor).get("/complaints/board/", HTTP_HX_REQUEST="true").content.decode()

    assert "김시민" not in page  # the citizen's name never appears
    assert "Mapo-gu" in page and "<html" not in partial


def test_report_and_csv(as_user, monitor, citizen, officer, parking_rule):
    case = file_case(citizen)
    services.case_answer(case=case, by=officer, text="답변")
    services.case_rate(case=case, by=citizen, score=4)
    year = case.filed_at.year
    client = as_user(monitor)

    page = client.get(f"/complaints/report/?year={year}")
    csv = client.get(f"/complaints/report.csv?year={year}")

    assert page.status_code == 200 and 'id="report-data"' in page.content.decode()
    text = csv.content.decode("utf-8-sig")
    assert csv["Content-Type"].startswith("text/csv")
    rows = {(row[0], row[1]): row for row in _csv.reader(io.StringIO(text))}
    assert rows[("section", "key")] == ["section", "key", "label", "value"]
    assert rows[("kind", "complaint")][3] == "1"
    assert rows[("summary", "cases")][3] == "1"
    # The key column holds keys: the satisfaction's count is a row of its own, not a key.
    assert rows[("summary", "satisfaction_average")][3] == "4.00"
    assert rows[("summary", "satisfaction_count")][3] == "1"
    assert all(not key.isdigit() for section, key in rows if section != "period")
    page_text = page.content.decode()
    assert 'id="chart-kinds-title"' in page_text and 'aria-labelledby="chart-kinds-title"' in page_text


def test_report_rejects_bad_period(as_user, monitor):
    assert as_user(monitor).get("/complaints/report/?year=abc").status_code == 404
    assert as_user(monitor).get("/complaints/report/?year=2026&month=13").status_code == 404


def test_officer_files_for_a_citizen_in_the_browser(as_user, officer, citizen, parking_rule):
    client = as_user(officer)
    assert client.get("/complaints/file-for-citizen/").status_code == 200

    response = client.post(
        "/complaints/file-for-citizen/",
        {
            "channel": "visit",
            "citizen_username": citizen.username,
            "kind": "complaint",
            "title": "방문 민원",
            "text": "주차 문제",
        },
    )

    assert response.status_code == 302
    case = Case.objects.get()
    assert case.channel == "visit" and case.citizen == citizen and case.filed_by == officer


def test_staff_filing_with_unknown_citizen_is_refused(as_user, officer, parking_rule):
    response = as_user(officer).post(
        "/complaints/file-for-citizen/",
        {"channel": "visit", "citizen_username": "nobody", "kind": "complaint", "title": "t", "text": "x"},
    )

    assert response.status_code == 400 and "No account with this username." in response.content.decode()
    assert Case.objects.count() == 0


def test_citizen_cannot_open_the_staff_filing_page(as_user, citizen):
    assert as_user(citizen).get("/complaints/file-for-citizen/").status_code == 404
