"""CAP XML against the OASIS schema, the Atom feed, public and officer pages, the API."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from lxml import etree

from civicportal.notifications import alerts, cap
from civicportal.notifications.models import AlertDelivery, EmergencyAlert
from tests.factories import CitizenFactory, district
from tests.notifications.factories import approved_alert, make_alert

pytestmark = pytest.mark.django_db
CAP = "{urn:oasis:names:tc:emergency:cap:1.2}"


@pytest.fixture
def resident(db):
    return CitizenFactory(
        username="resident", full_name="홍길동", profile__mobile="+821012340000", profile__consent_sms=True
    )


@pytest.fixture
def sent_alert(author, approver, resident, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return approved_alert(author, approver, area_kind="districts", districts=[district("11440")])


def test_the_schema_accepts_the_real_sample_and_refuses_z_times():
    sample = (cap.XSD_PATH.parent / "CAP-v1.2.xsd").read_bytes()
    assert sample  # the XSD ships with the app
    valid = b"""<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>a</identifier><sender>s</sender>
    <sent>2026-01-01T00:00:00+09:00</sent><status>Actual</status><msgType>Alert</msgType><scope>Public</scope></alert>"""
    assert cap.validate(valid) == []
    assert cap.validate(valid.replace(b"+09:00", b"Z")) != []


@pytest.mark.parametrize(
    "area",
    [
        {"area_kind": "city"},
        {"area_kind": "districts"},
        {"area_kind": "circle", "circle_lat": Decimal("37.5663"), "circle_lon": Decimal("126.9779"), "radius_km": 3},
    ],
)
def test_cap_xml_of_every_area_is_valid(author, approver, area, client, django_capture_on_commit_callbacks):
    if area["area_kind"] == "districts":
        area = {**area, "districts": [district("11440"), district("11410")]}
    with django_capture_on_commit_callbacks(execute=True):
        alert = approved_alert(author, approver, **area)

    response = client.get(f"/alerts/{alert.identifier}.xml")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/cap+xml")
    assert cap.validate(response.content) == []
    doc = etree.fromstring(response.content)
    assert doc.findtext(f"{CAP}identifier") == alert.identifier
    assert doc.findtext(f"{CAP}sent").endswith("+09:00")
    assert [i.findtext(f"{CAP}language") for i in doc.findall(f"{CAP}info")] == ["ko-KR", "en-US"]
    info = doc.find(f"{CAP}info")
    assert info.findtext(f"{CAP}expires").endswith("+09:00")
    assert (info.findtext(f"{CAP}severity"), info.findtext(f"{CAP}urgency")) == ("Severe", "Immediate")
    if area["area_kind"] == "circle":
        assert info.findtext(f"{CAP}area/{CAP}circle") == "37.566300,126.977900 3.000"


def test_cap_xml_of_an_update_references_the_original(sent_alert, author, approver, client):
    update = approved_alert(
        author, approver, msg_type="Update", references=sent_alert, texts={"ko": {"headline": "갱신"}}
    )
    doc = client.get(f"/alerts/{update.identifier}.xml").content
    assert cap.validate(doc) == []
    root = etree.fromstring(doc)
    assert root.findtext(f"{CAP}msgType") == "Update"
    assert root.findtext(f"{CAP}references").split(",")[1] == sent_alert.identifier


def test_cap_xml_of_a_cancelled_alert_is_valid(author, approver, client):
    alert = approved_alert(author, approver)  # fan-out not run (on_commit not executed): still sending
    alerts.alert_cancel(alert=alert, by=approver)
    xml = client.get(f"/alerts/{alert.identifier}.xml").content
    assert cap.validate(xml) == []
    assert etree.fromstring(xml).findtext(f"{CAP}msgType") == "Alert"  # as sent; the Cancel is a message of its own
    cancel = EmergencyAlert.objects.get(references=alert, msg_type="Cancel")
    assert cap.validate(client.get(f"/alerts/{cancel.identifier}.xml").content) == []


def test_drafts_are_not_public(author, client):
    draft = make_alert(author)
    assert client.get(f"/alerts/{draft.identifier}.xml").status_code == 404
    assert client.get(f"/alerts/{draft.identifier}/").status_code == 404
    assert draft.identifier not in client.get("/alerts/").content.decode()


def test_atom_feed_lists_current_alerts_only(sent_alert, author, approver, client):
    expired = make_alert(author)
    EmergencyAlert.objects.filter(pk=expired.pk).update(
        status="sent",
        approved_at=timezone.now() - timedelta(days=2),
        expires=timezone.now() - timedelta(days=1),
        onset=timezone.now() - timedelta(days=2),
    )
    response = client.get("/alerts/feed.atom")
    assert response.status_code == 200
    feed = etree.fromstring(response.content)
    atom = "{http://www.w3.org/2005/Atom}"
    entries = feed.findall(f"{atom}entry")
    assert [e.findtext(f"{atom}id") for e in entries] == [f"tag:{cap.SENDER},2026:alert:{sent_alert.identifier}"]
    assert entries[0].find(f"{atom}link").get("href").endswith(f"/alerts/{sent_alert.identifier}.xml")


def test_public_page_shows_the_alert_without_personal_data(sent_alert, resident, client):
    page = client.get("/alerts/", HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert "마포구 호우 경보" in page
    detail = client.get(f"/alerts/{sent_alert.identifier}/", HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert "지하 공간을 피하세요" in detail
    for secret in ("홍길동", "resident", "+821012340000", "1234-0000"):
        assert secret not in page + detail


def test_citizen_sees_the_alert_in_the_inbox(sent_alert, resident, client):
    client.force_login(resident)
    page = client.get("/notifications/").content.decode()
    assert "마포구 호우 경보" in page
    outsider = CitizenFactory(username="outsider", profile__district=district("11680"))
    client.force_login(outsider)
    assert "마포구 호우 경보" not in client.get("/notifications/").content.decode()


# --- Officer pages ---------------------------------------------------------------------


def test_officer_writes_and_another_approves_through_the_pages(author, approver, resident, client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    client.force_login(author)
    assert b"data-map-picker" in client.get("/alerts/manage/new/").content
    now = timezone.localtime()
    form = {
        "msg_type": "Alert",
        "event": "지진",
        "category": "Geo",
        "severity": "Extreme",
        "urgency": "Immediate",
        "certainty": "Observed",
        "area_kind": "districts",
        "districts": [district("11440").pk],
        "channels": ["in_app", "sms"],
        "onset": now.strftime("%Y-%m-%dT%H:%M"),
        "expires": (now + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "headline_ko": "지진 발생",
        "submit": "1",
    }
    response = client.post("/alerts/manage/new/", form)
    assert response.status_code == 302
    alert = EmergencyAlert.objects.get()
    assert alert.status == "pending_approval"

    assert client.post(f"/alerts/manage/{alert.pk}/approve/").status_code == 302
    alert.refresh_from_db()
    assert alert.status == "pending_approval"  # the author cannot approve

    client.force_login(approver)
    assert b"Approve and send" in client.get(f"/alerts/manage/{alert.pk}/").content
    client.post(f"/alerts/manage/{alert.pk}/approve/")
    alert.refresh_from_db()
    assert alert.approver == approver
    progress = client.get(f"/alerts/manage/{alert.pk}/progress/")
    assert progress.status_code == 200
    panel = client.get(f"/alerts/manage/{alert.pk}/progress/?panel=1", HTTP_HX_REQUEST="true")
    assert b"<html" not in panel.content
    assert client.get("/alerts/manage/").status_code == 200

    # An all-clear to the same people, through the update form.
    client.force_login(author)
    assert client.get(f"/alerts/manage/{alert.pk}/update/").status_code == 200
    form.update(msg_type="Cancel", headline_ko="지진 경보 해제")
    del form["area_kind"], form["districts"]
    assert client.post(f"/alerts/manage/{alert.pk}/update/", form).status_code == 302
    all_clear = EmergencyAlert.objects.get(msg_type="Cancel")
    assert (all_clear.references, all_clear.status) == (alert, "pending_approval")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"expires": "2000-01-01T00:00"}, "The expiry must be after the start."),
        ({"area_kind": "circle", "circle_lat": "37.5", "circle_lon": "126.9", "radius_km": "-2"}, "greater than zero"),
        ({"area_kind": "districts", "districts": []}, "Choose at least one district."),
    ],
)
def test_the_form_shows_domain_errors_and_writes_nothing(author, client, change, message):
    client.force_login(author)
    now = timezone.localtime()
    form = {
        "msg_type": "Alert",
        "event": "e",
        "category": "Met",
        "severity": "Minor",
        "urgency": "Future",
        "certainty": "Likely",
        "area_kind": "city",
        "channels": ["in_app"],
        "onset": now.strftime("%Y-%m-%dT%H:%M"),
        "expires": (now + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "headline_ko": "h",
        **change,
    }
    response = client.post("/alerts/manage/new/", form)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not EmergencyAlert.objects.exists()


def test_officer_pages_are_hidden_from_citizens(resident, sent_alert, client):
    client.force_login(resident)
    for url in ("/alerts/manage/", "/alerts/manage/new/", f"/alerts/manage/{sent_alert.pk}/progress/"):
        assert client.get(url).status_code == 404
    assert client.post(f"/alerts/manage/{sent_alert.pk}/cancel/").status_code == 404
    sent_alert.refresh_from_db()
    assert sent_alert.status == "sent"


# --- API ------------------------------------------------------------------------------------


def api_alert(**overrides):
    now = timezone.now()
    body = {
        "event": "폭염",
        "category": "Met",
        "severity": "Moderate",
        "urgency": "Expected",
        "certainty": "Likely",
        "area_kind": "districts",
        "districts": ["11440"],
        "channels": ["in_app"],
        "onset": now.isoformat(),
        "expires": (now + timedelta(hours=3)).isoformat(),
        "texts": {"ko": {"headline": "폭염 경보"}, "en": {"headline": "Heat wave"}},
    }
    body.update(overrides)
    return body


def test_public_api_lists_published_alerts_anonymously(sent_alert, author, api_client):
    make_alert(author)  # a draft: not listed
    response = api_client.get("/api/v1/alerts/")
    assert response.status_code == 200
    assert [a["identifier"] for a in response.json()["results"]] == [sent_alert.identifier]
    detail = api_client.get(f"/api/v1/alerts/{sent_alert.identifier}/").json()
    assert "author" not in detail
    assert detail["texts"][0]["language"] == "ko"
    assert api_client.get("/api/v1/alerts/current/").json()["count"] == 1


def test_api_write_submit_approve(author, approver, resident, api_as, django_capture_on_commit_callbacks):
    created = api_as(author).post("/api/v1/alerts/", api_alert(submit=True), format="json")
    assert created.status_code == 201, created.json()
    identifier = created.json()["identifier"]
    assert created.json()["status"] == "pending_approval"

    refused = api_as(author).post(f"/api/v1/alerts/{identifier}/approve/")
    assert refused.status_code == 403
    assert AlertDelivery.objects.count() == 0

    with django_capture_on_commit_callbacks(execute=True):
        approved = api_as(approver).post(f"/api/v1/alerts/{identifier}/approve/")
    assert approved.status_code == 200
    again = api_as(approver).post(f"/api/v1/alerts/{identifier}/approve/")
    assert again.status_code == 200  # idempotent
    progress = api_as(approver).get(f"/api/v1/alerts/{identifier}/progress/").json()
    assert progress["percent"] == 100
    assert progress["targeted"] == 1

    inbox = api_as(resident).get("/api/v1/notifications/alerts/").json()
    assert [a["headline"] for a in inbox] == ["폭염 경보"]
    assert api_as(resident).get("/api/v1/notifications/unread_count/").json()["current_alerts"] == 1


@pytest.mark.parametrize(
    ("overrides", "status"),
    [
        ({"area_kind": "", "districts": []}, 400),
        ({"expires": (timezone.now() - timedelta(hours=1)).isoformat()}, 400),
        ({"texts": {"ko": {"headline": "경보"}, "de": {"headline": "Warnung"}}}, 400),
        ({"area_kind": "circle", "circle_lat": "37.5", "circle_lon": "126.9", "radius_km": "-1"}, 400),
        ({"districts": ["99999"]}, 400),
    ],
)
def test_api_refuses_bad_alerts_and_writes_nothing(author, api_as, overrides, status):
    response = api_as(author).post("/api/v1/alerts/", api_alert(**overrides), format="json")
    assert response.status_code == status
    assert response.json()["error"]
    assert not EmergencyAlert.objects.exists()


def test_api_refuses_citizens_writing_alerts(resident, api_as):
    response = api_as(resident).post("/api/v1/alerts/", api_alert(), format="json")
    assert response.status_code == 403
    assert not EmergencyAlert.objects.exists()


def test_api_cancel_of_a_fan_out_stops_it(author, approver, resident, api_as):
    alert = make_alert(author)
    alerts.alert_submit(alert=alert, by=author)
    alerts.alert_approve(alert=alert, by=approver)
    response = api_as(approver).post(f"/api/v1/alerts/{alert.identifier}/cancel/")
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    assert api_as(approver).post(f"/api/v1/alerts/{alert.identifier}/cancel/").status_code == 409


def test_schema_is_valid(client):
    assert client.get("/api/schema/").status_code == 200


def test_progress_adds_up_chunk_counters_without_counting_deliveries(api_as, approver, sent_alert):
    """A city-wide alert has two million delivery rows: a poll every 2 s must not count them."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        progress = api_as(approver).get(f"/api/v1/alerts/{sent_alert.identifier}/progress/").json()

    assert [(c["channel"], c["total"], c["sent"]) for c in progress["channels"]] == [("in_app", 1, 1), ("sms", 1, 1)]
    assert progress["percent"] == 100
    assert not [q["sql"] for q in queries if "notifications_alertdelivery" in q["sql"]]
