"""Staff reads of citizens' personal data are logged, through the doors staff use.

Each wired view writes exactly one row (who, whose, which object, what was shown, IP);
a citizen reading their own data writes none; a report whose reporter is hidden from
the officer writes none; a list naming citizens writes one INSERT per page."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from callcenter.models import Contact
from civicportal.audit.models import PersonalDataAccess
from complaints.models import RoutingRule
from tests.complaints.factories import file_case

pytestmark = pytest.mark.django_db


def rows():
    return list(
        PersonalDataAccess.objects.order_by("pk").values_list(
            "actor__username", "subject__username", "object_type", "object_id", "purpose", "ip_address"
        )
    )


@pytest.fixture
def case(citizen, department):
    RoutingRule.objects.create(name="parking", keywords="주차", department=department, priority=1)
    return file_case(citizen, location_text="망원로 1길 23")


@pytest.fixture
def hidden_report(citizen, department):
    RoutingRule.objects.create(name="reports", keywords="뇌물", department=department, priority=1)
    return file_case(citizen, kind="corruption", title="뇌물 신고", text="뇌물을 받았습니다", anonymous_reporter=True)


def test_the_case_workspace_logs_one_read(client, officer, case):
    client.force_login(officer)
    response = client.get(f"/complaints/work/{case.tracking_number}/")
    assert response.status_code == 200
    assert "김시민" in response.content.decode()
    assert rows() == [
        (
            "officer",
            "citizen",
            "complaints.case",
            str(case.pk),
            f"case {case.tracking_number}: reporter's name, text and place (workspace)",
            "127.0.0.1",
        )
    ]


def test_a_report_with_a_hidden_reporter_is_not_logged(client, api_as, officer, hidden_report):
    client.force_login(officer)
    assert client.get(f"/complaints/work/{hidden_report.tracking_number}/").status_code == 200
    assert api_as(officer).get(f"/api/v1/complaints/cases/{hidden_report.tracking_number}/").status_code == 200
    assert rows() == []


def test_the_case_api_logs_the_officers_read_but_not_the_citizens_own(api_as, officer, citizen, case):
    assert api_as(citizen).get(f"/api/v1/complaints/cases/{case.tracking_number}/").status_code == 200
    assert rows() == []
    assert api_as(officer).get(f"/api/v1/complaints/cases/{case.tracking_number}/").status_code == 200
    assert [r[:2] + r[4:5] for r in rows()] == [
        ("officer", "citizen", f"case {case.tracking_number}: text and place (API)")
    ]


def test_the_case_page_logs_a_monitors_read_but_not_the_citizens_own(client, monitor, citizen, case):
    client.force_login(citizen)
    assert client.get(f"/complaints/c/{case.tracking_number}/").status_code == 200
    assert rows() == []
    client.force_login(monitor)
    assert client.get(f"/complaints/c/{case.tracking_number}/").status_code == 200
    assert [r[:3] for r in rows()] == [("monitor", "citizen", "complaints.case")]


def test_the_queue_api_logs_its_page_with_one_insert(api_as, officer, citizen, other_citizen, department):
    RoutingRule.objects.create(name="parking", keywords="주차", department=department, priority=1)
    file_case(citizen)
    file_case(other_citizen)
    client = api_as(officer)
    client.get("/api/v1/complaints/queue/")  # warm the per-process caches
    PersonalDataAccess.objects.all().delete()
    with CaptureQueriesContext(connection) as two:
        assert client.get("/api/v1/complaints/queue/").json()["count"] == 2
    assert sorted(r[1] for r in rows()) == ["citizen", "other_citizen"]
    for _ in range(3):
        file_case(citizen)
    with CaptureQueriesContext(connection) as five:
        assert client.get("/api/v1/complaints/queue/").json()["count"] == 5
    assert len(five.captured_queries) == len(two.captured_queries)
    inserts = [q["sql"] for q in five.captured_queries if q["sql"].startswith('INSERT INTO "audit_')]
    assert len(inserts) == 1
    assert PersonalDataAccess.objects.count() == 2 + 5


def test_the_caller_lookup_logs_the_citizen_found(client, counsellor, citizen):
    citizen.profile.mobile = "+821098765432"
    citizen.profile.save()
    client.force_login(counsellor)
    response = client.get("/callcenter/console/lookup/", {"caller_phone": "010-9876-5432"})
    assert "김시민" in response.content.decode()
    assert rows() == [
        ("counsellor", "citizen", "accounts.user", str(citizen.pk), "caller lookup by phone: name", "127.0.0.1")
    ]


def test_a_lookup_that_finds_no_one_is_not_logged(client, counsellor):
    client.force_login(counsellor)
    assert client.get("/callcenter/console/lookup/", {"caller_phone": "010-1111-2222"}).status_code == 200
    assert rows() == []


@pytest.fixture
def contact(citizen):
    return Contact.objects.create(
        channel=Contact.Channel.WEB_MESSAGE, caller=citizen, caller_phone="+821098765432", message_text="문의합니다"
    )


def test_the_contact_page_logs_a_counsellors_read_but_not_the_callers_own(client, counsellor, citizen, contact):
    client.force_login(citizen)
    assert client.get(f"/callcenter/contacts/{contact.pk}/").status_code == 200
    assert rows() == []
    client.force_login(counsellor)
    assert client.get(f"/callcenter/contacts/{contact.pk}/").status_code == 200
    assert [r[:5] for r in rows()] == [
        (
            "counsellor",
            "citizen",
            "callcenter.contact",
            str(contact.pk),
            f"contact {contact.pk}: caller's name and masked phone (contact page)",
        )
    ]


def test_the_contact_api_logs_a_counsellors_read_but_not_the_callers_own(api_as, counsellor, citizen, contact):
    assert api_as(citizen).get(f"/api/v1/callcenter/contacts/{contact.pk}/").status_code == 200
    assert rows() == []
    assert api_as(counsellor).get(f"/api/v1/callcenter/contacts/{contact.pk}/").status_code == 200
    assert [r[:2] + r[4:5] for r in rows()] == [
        ("counsellor", "citizen", f"contact {contact.pk}: caller and masked phone (API)")
    ]


def test_a_contact_without_account_or_phone_is_not_logged(api_as, counsellor):
    contact = Contact.objects.create(channel=Contact.Channel.WALK_IN, question="길 안내")
    assert api_as(counsellor).get(f"/api/v1/callcenter/contacts/{contact.pk}/").status_code == 200
    assert rows() == []


def test_admin_change_pages_of_citizens_log_one_read(client, administrator, citizen):
    client.force_login(administrator)
    assert client.get(f"/admin/accounts/citizenprofile/{citizen.profile.pk}/change/").status_code == 200
    assert client.get(f"/admin/accounts/user/{citizen.pk}/change/").status_code == 200
    assert client.get("/admin/accounts/user/").status_code == 200  # the list is not logged
    assert [r[:4] for r in rows()] == [
        ("administrator", "citizen", "accounts.citizenprofile", str(citizen.profile.pk)),
        ("administrator", "citizen", "accounts.user", str(citizen.pk)),
    ]


def test_administrators_filter_the_log_by_reader(client, administrator, officer, counsellor, case, contact):
    client.force_login(officer)
    client.get(f"/complaints/work/{case.tracking_number}/")
    client.force_login(counsellor)
    client.get(f"/callcenter/contacts/{contact.pk}/")
    client.force_login(administrator)
    response = client.get("/admin/audit/personaldataaccess/", {"actor__id__exact": officer.pk})
    assert response.status_code == 200
    assert [a.actor.username for a in response.context["cl"].result_list] == ["officer"]
    assert client.get("/admin/audit/personaldataaccess/", {"object_type": "callcenter.contact"}).status_code == 200
