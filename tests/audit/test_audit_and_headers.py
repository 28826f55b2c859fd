"""Security headers, CORS, and the audit trail."""

import pytest
from auditlog.models import LogEntry

from civicportal.accounts.models import Department
from civicportal.audit.models import PersonalDataAccess
from civicportal.audit.services import record_personal_data_read

pytestmark = pytest.mark.django_db


def test_pages_carry_the_security_headers(client):
    response = client.get("/")
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


def test_forms_carry_a_csrf_token(client):
    assert "csrfmiddlewaretoken" in client.get("/accounts/login/").content.decode()


def test_a_post_without_csrf_token_is_refused(citizen):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(citizen)
    response = strict.post("/notifications/read-all/")
    assert response.status_code == 403


def test_cors_only_for_configured_origins(client, settings):
    settings.CORS_ALLOWED_ORIGINS = ["https://app.example.org"]
    allowed = client.get("/api/v1/me/", HTTP_ORIGIN="https://app.example.org")
    assert allowed["Access-Control-Allow-Origin"] == "https://app.example.org"
    other = client.get("/api/v1/me/", HTTP_ORIGIN="https://evil.example.com")
    assert "Access-Control-Allow-Origin" not in other
    page = client.get("/", HTTP_ORIGIN="https://app.example.org")
    assert "Access-Control-Allow-Origin" not in page


def test_administrative_changes_are_logged_with_their_actor(admin_client, admin_user):
    department = Department.objects.create(code="new-division", name_ko="신설과", name_en="New", kind="division")
    admin_client.post(
        f"/admin/accounts/department/{department.pk}/change/",
        {"code": "new-division", "name_ko": "바뀐과", "name_en": "New", "kind": "division", "is_active": "on"},
    )
    entry = LogEntry.objects.get_for_object(department).filter(action=LogEntry.Action.UPDATE).get()
    assert entry.actor == admin_user
    assert entry.changes_dict["name_ko"] == ["신설과", "바뀐과"]


def test_personal_data_reads_are_logged_but_not_ones_own(officer, citizen):
    record_personal_data_read(actor=officer, subject=citizen, obj=citizen.profile, purpose="case 2026-0000001")
    record_personal_data_read(actor=citizen, subject=citizen, obj=citizen.profile, purpose="my page")
    rows = list(PersonalDataAccess.objects.values_list("actor__username", "subject__username", "purpose"))
    assert rows == [("officer", "citizen", "case 2026-0000001")]


def test_the_audit_log_is_read_only_in_admin(admin_client, officer, citizen):
    access = record_personal_data_read(actor=officer, subject=citizen, obj=citizen.profile, purpose="check")
    assert admin_client.get("/admin/audit/personaldataaccess/").status_code == 200
    assert admin_client.post(f"/admin/audit/personaldataaccess/{access.pk}/delete/", {"post": "yes"}).status_code == 403
    assert PersonalDataAccess.objects.filter(pk=access.pk).exists()


@pytest.mark.parametrize(
    ("method", "path", "data", "content_type"),
    [
        ("get", "/api/v1/proposals/similar/?title=a%00b", None, None),
        ("post", "/api/v1/me/", '{"full_name": "a\\u0000b"}', "application/json"),
        ("post", "/accounts/login/", {"username": "a\x00b", "password": "x"}, None),
    ],
)
def test_nul_characters_are_refused_before_they_reach_the_database(client, citizen, method, path, data, content_type):
    client.force_login(citizen)
    kwargs = {"content_type": content_type} if content_type else {}
    response = getattr(client, method)(path, data, **kwargs) if data is not None else client.get(path)
    assert response.status_code == 400
    citizen.refresh_from_db()
    assert "\x00" not in citizen.full_name
