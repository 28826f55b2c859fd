"""The alerts in force under every page's header, and on the bell until read."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from civicportal.notifications import alert_selectors, alerts
from civicportal.notifications import demo as notifications_demo
from civicportal.notifications.models import AlertDelivery, EmergencyAlert
from tests.factories import CitizenFactory, district
from tests.notifications.factories import approved_alert, make_alert

pytestmark = pytest.mark.django_db
MAPO, GANGNAM = "11440", "11680"
CITY_HEADLINE = "서울 전역 한파 경보"
MAPO_HEADLINE = "마포구 호우 경보"
CITY_HALL = {"circle_lat": Decimal("37.566300"), "circle_lon": Decimal("126.977900"), "radius_km": Decimal("2")}


@pytest.fixture
def send(author, approver, django_capture_on_commit_callbacks):
    """send(headline, **fields) -> an alert approved and fanned out (after commit, as in production)."""

    def make(headline, **fields):
        with django_capture_on_commit_callbacks(execute=True):
            return approved_alert(author, approver, texts={"ko": {"headline": headline}}, **fields)

    return make


def banner(response):
    """The banner's HTML (empty when there is none)."""
    found = re.search(r'<section class="alert-banner".*?</section>', response.content.decode(), re.S)
    return found.group(0) if found else ""


def bell(response):
    """The bell's unread count, read from its accessible name."""
    found = re.search(r'class="bell"[^>]*aria-label="[^"]*?(\d+)', response.content.decode())
    return int(found.group(1))


def test_a_city_wide_alert_is_under_every_header_for_anonymous_visitors(send, client):
    alert = send(CITY_HEADLINE, area_kind="city", severity="Extreme")

    for url in ("/", "/complaints/", "/proposals/", "/alerts/", "/accounts/login/"):
        shown = banner(client.get(url))
        assert 'aria-label="Emergency alerts in force"' in shown, url  # a named region landmark
        assert "Emergency alert · Extreme" in shown  # the severity in words, not by colour alone
        assert CITY_HEADLINE in shown
        assert f'href="/alerts/{alert.identifier}/"' in shown


def test_the_banner_is_in_the_page_language(author, approver, client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        approved_alert(author, approver, area_kind="city")  # Korean and English texts

    korean = banner(client.get("/", HTTP_ACCEPT_LANGUAGE="ko"))
    english = banner(client.get("/", HTTP_ACCEPT_LANGUAGE="en"))

    assert 'aria-label="발효 중인 재난 경보"' in korean
    assert "재난 경보 · 심각" in korean
    assert "마포구 호우 경보" in korean
    assert "Emergency alert · Severe" in english
    assert "Heavy rain warning in Mapo-gu" in english


def test_a_district_alert_is_shown_to_its_residents_only(send, client):
    resident = CitizenFactory(username="mapo_resident")  # Mapo-gu
    elsewhere = CitizenFactory(username="gangnam_resident", profile__district=district(GANGNAM))
    send(MAPO_HEADLINE, area_kind="districts", districts=[district(MAPO)])

    assert banner(client.get("/")) == ""  # anonymous: no district known
    client.force_login(elsewhere)
    assert banner(client.get("/")) == ""
    client.force_login(resident)
    assert MAPO_HEADLINE in banner(client.get("/"))
    assert MAPO_HEADLINE in banner(client.get("/notifications/"))


def test_a_circle_alert_needs_a_consented_home_location_inside(send, client):
    near = {"home_lat": Decimal("37.570000"), "home_lon": Decimal("126.980000")}  # about 0.5 km away
    inside = CitizenFactory(
        username="inside", profile__location_consent=True, **{f"profile__{k}": v for k, v in near.items()}
    )
    no_consent = CitizenFactory(username="no_consent", profile__location_consent=False)
    outside = CitizenFactory(
        username="outside",
        profile__location_consent=True,
        profile__home_lat=Decimal("37.650000"),  # about 9 km north
        profile__home_lon=Decimal("126.980000"),
    )
    send("시청 일대 가스 누출", area_kind="circle", **CITY_HALL)

    client.force_login(inside)
    assert "시청 일대 가스 누출" in banner(client.get("/"))
    for other in (no_consent, outside):
        client.force_login(other)
        assert banner(client.get("/")) == "", other.username


def test_the_banner_goes_at_the_expiry(send, client):
    alert = send(CITY_HEADLINE, area_kind="city")
    assert CITY_HEADLINE in banner(client.get("/"))  # now in the cache as well

    with time_machine.travel(alert.expires + timedelta(seconds=1)):
        assert banner(client.get("/")) == ""


def test_the_banner_goes_when_the_alert_is_cancelled(author, approver, client, django_capture_on_commit_callbacks):
    alert = approved_alert(author, approver, area_kind="city")  # approved, its fan-out still to run
    assert alert.status == "sending"
    assert "Heavy rain warning" in banner(client.get("/"))
    client.force_login(approver)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/alerts/manage/{alert.pk}/cancel/")

    assert response.status_code == 302
    assert EmergencyAlert.objects.get(pk=alert.pk).status == "cancelled"
    assert banner(client.get("/")) == ""


def test_the_banner_goes_when_the_all_clear_goes_out(
    send, author, approver, client, django_capture_on_commit_callbacks
):
    original = send(CITY_HEADLINE, area_kind="city")
    assert CITY_HEADLINE in banner(client.get("/"))
    all_clear = alerts.alert_create(
        author=author,
        event="한파",
        category="Met",
        severity="Minor",
        urgency="Past",
        certainty="Observed",
        texts={"ko": {"headline": "한파 경보 해제"}},
        channels=["in_app"],
        onset=timezone.now(),
        expires=timezone.now() + timedelta(hours=1),
        msg_type="Cancel",
        references=original,
    )
    alerts.alert_submit(alert=all_clear, by=author)
    assert CITY_HEADLINE in banner(client.get("/"))  # not yet approved: still in force

    with django_capture_on_commit_callbacks(execute=True):
        alerts.alert_approve(alert=all_clear, by=approver)

    assert banner(client.get("/")) == ""
    listed = client.get("/alerts/").content.decode()
    current = listed[: listed.index('id="recent-h"')]
    assert "한파 경보 해제" in current  # the all-clear itself is listed while it lasts
    assert CITY_HEADLINE not in current
    assert CITY_HEADLINE in listed[listed.index('id="recent-h"') :]


def test_an_update_takes_the_place_of_the_original(send, author, approver, client, django_capture_on_commit_callbacks):
    original = send(CITY_HEADLINE, area_kind="city")
    update = alerts.alert_create(
        author=author,
        event="한파",
        category="Met",
        severity="Extreme",
        urgency="Immediate",
        certainty="Observed",
        texts={"ko": {"headline": "한파 경보 격상"}},
        channels=["in_app"],
        onset=timezone.now(),
        expires=timezone.now() + timedelta(hours=3),
        msg_type="Update",
        references=original,
    )
    alerts.alert_submit(alert=update, by=author)
    with django_capture_on_commit_callbacks(execute=True):
        alerts.alert_approve(alert=update, by=approver)

    shown = banner(client.get("/"))

    assert "한파 경보 격상" in shown
    assert CITY_HEADLINE not in shown


def test_drafts_and_waiting_alerts_are_not_shown(author, client):
    alert = make_alert(author, area_kind="city")
    assert banner(client.get("/")) == ""
    alerts.alert_submit(alert=alert, by=author)
    assert banner(client.get("/")) == ""


def test_the_bell_counts_an_alert_in_force_until_it_is_read_in_the_inbox(send, client):
    resident = CitizenFactory(username="mapo_resident", profile__consent_in_app=True)
    client.force_login(resident)
    assert bell(client.get("/")) == 0
    alert = send(MAPO_HEADLINE, area_kind="districts", districts=[district(MAPO)])

    assert bell(client.get("/")) == 1
    inbox = client.get("/notifications/").content.decode()
    assert MAPO_HEADLINE in inbox
    response = client.post(f"/notifications/alerts/{alert.identifier}/read/")

    assert response.status_code == 302
    assert bell(client.get("/")) == 0
    assert MAPO_HEADLINE in banner(client.get("/"))  # read, but still in force: the banner stays
    assert AlertDelivery.objects.get(user=resident, channel="in_app").read_at is not None


def test_opening_the_alert_reads_it(send, client):
    resident = CitizenFactory(username="mapo_resident")
    alert = send(MAPO_HEADLINE, area_kind="districts", districts=[district(MAPO)])
    client.force_login(resident)
    assert bell(client.get("/")) == 1

    client.get(f"/alerts/{alert.identifier}/")

    assert bell(client.get("/")) == 0


def test_mark_all_as_read_includes_alerts(send, client):
    resident = CitizenFactory(username="mapo_resident")
    send(MAPO_HEADLINE, area_kind="districts", districts=[district(MAPO)])
    client.force_login(resident)
    assert bell(client.get("/")) == 1

    client.post("/notifications/read-all/")

    assert bell(client.get("/")) == 0


def test_reading_is_one_persons_own(send, client):
    resident = CitizenFactory(username="mapo_resident")
    neighbour = CitizenFactory(username="mapo_neighbour")
    alert = send(MAPO_HEADLINE, area_kind="districts", districts=[district(MAPO)])
    client.force_login(neighbour)

    client.post(f"/notifications/alerts/{alert.identifier}/read/")

    client.force_login(resident)
    assert bell(client.get("/")) == 1
    assert AlertDelivery.objects.get(user=resident, channel="in_app").read_at is None


def test_reading_an_unknown_or_unpublished_alert_is_404_and_writes_nothing(author, client):
    resident = CitizenFactory(username="mapo_resident")
    draft = make_alert(author)
    client.force_login(resident)

    assert client.post("/notifications/alerts/KR-SEOUL-NONE/read/").status_code == 404
    assert client.post(f"/notifications/alerts/{draft.identifier}/read/").status_code == 404
    assert not AlertDelivery.objects.filter(read_at__isnull=False).exists()


def test_the_bell_stops_counting_at_the_expiry(send, client):
    resident = CitizenFactory(username="mapo_resident")
    alert = send(MAPO_HEADLINE, area_kind="districts", districts=[district(MAPO)])
    client.force_login(resident)
    assert bell(client.get("/")) == 1

    with time_machine.travel(alert.expires + timedelta(minutes=1)):
        assert bell(client.get("/")) == 0


def test_the_api_counts_unread_alerts_like_the_bell(send, api_as):
    resident = CitizenFactory(username="mapo_resident")
    send(MAPO_HEADLINE, area_kind="districts", districts=[district(MAPO)])
    assert api_as(resident).get("/api/v1/notifications/unread_count/").json()["unread_alerts"] == 1

    api_as(resident).post("/api/v1/notifications/read_all/")

    assert api_as(resident).get("/api/v1/notifications/unread_count/").json()["unread_alerts"] == 0


def test_the_citizens_alert_list_marks_expired_alerts(send, client):
    resident = CitizenFactory(username="mapo_resident")
    past = send("지난 호우 경보", area_kind="districts", districts=[district(MAPO)])
    EmergencyAlert.objects.filter(pk=past.pk).update(expires=timezone.now() - timedelta(minutes=1))
    send(MAPO_HEADLINE, area_kind="districts", districts=[district(MAPO)])
    client.force_login(resident)

    inbox = client.get("/notifications/").content.decode()
    public = client.get("/alerts/").content.decode()

    for page in (inbox, public):
        items = re.findall(r"<li class=\"note urgent\">.*?</li>|<article .*?</article>", page, re.S)
        (past_item,) = [i for i in items if "지난 호우 경보" in i]
        (current_item,) = [i for i in items if MAPO_HEADLINE in i]
        assert "Expired" in past_item
        assert "Expired" not in current_item
    assert "This alert has expired" in client.get(f"/alerts/{past.identifier}/").content.decode()


def test_the_banner_reads_the_database_once_per_cache_period(send, django_assert_num_queries):
    resident = CitizenFactory(username="mapo_resident")
    send(CITY_HEADLINE, area_kind="city")
    send(MAPO_HEADLINE, area_kind="districts", districts=[district(MAPO)])
    alert_selectors.forget_current_now()
    anonymous = AnonymousUser()

    with django_assert_num_queries(4):  # cancels, alerts in force, their texts and districts
        assert len(alert_selectors.alerts_for_viewer(anonymous)) == 1
    with django_assert_num_queries(0):
        assert len(alert_selectors.alerts_for_viewer(anonymous)) == 1
    with django_assert_num_queries(1):  # the citizen's district and home
        assert len(alert_selectors.alerts_for_viewer(resident)) == 2


def test_no_alert_in_force_costs_no_query_once_cached(django_assert_num_queries):
    resident = CitizenFactory(username="mapo_resident")
    alert_selectors.alerts_in_force()

    with django_assert_num_queries(0):
        assert alert_selectors.alerts_for_viewer(resident) == []
        assert alert_selectors.unread_alert_count(resident) == 0


def test_the_demo_data_has_one_alert_in_force_for_mapo_whenever_it_is_loaded(client):
    from civicportal.accounts import demo

    with time_machine.travel(timezone.now() - timedelta(days=30)):
        demo.load_all()
        notifications_demo.load()
    demo.load_all()
    notifications_demo.load()  # again, a month later: idempotent, and moved to now

    in_force = EmergencyAlert.objects.current(timezone.now())
    assert [a.identifier for a in in_force] == [notifications_demo.IN_FORCE_IDENTIFIER]
    alert = in_force.get()
    assert list(alert.districts.values_list("code", flat=True)) == [MAPO]
    assert alert.onset <= timezone.now() < alert.expires
    assert alert.texts.get(language="ko").headline.startswith("[마포구]")
    client.force_login(CitizenFactory._meta.model.objects.get(username="citizen"))
    assert "[마포구]" in banner(client.get("/", HTTP_ACCEPT_LANGUAGE="ko"))
