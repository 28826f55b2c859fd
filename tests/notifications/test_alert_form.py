"""The alert form has no dangerous defaults; times are checked by the service for every door;
the officer's pages read as sentences in the page's language."""

import re
from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from civicportal.notifications.models import EmergencyAlert
from tests.factories import CitizenFactory, district
from tests.notifications.factories import approved_alert

pytestmark = pytest.mark.django_db
FORM = "/alerts/manage/new/"


def form_data(**changes):
    now = timezone.localtime()
    data = {
        "msg_type": "Alert",
        "event": "강풍",
        "category": "Met",
        "severity": "Moderate",
        "urgency": "Expected",
        "certainty": "Likely",
        "area_kind": "districts",
        "districts": [district("11440").pk],
        "channels": ["in_app"],
        "onset": now.strftime("%Y-%m-%dT%H:%M"),
        "expires": (now + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "headline_ko": "마포구 강풍 주의",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def selected(html, name):
    """The value of the selected option of select ``name`` ("" when none is marked selected)."""
    select = re.search(rf'<select name="{name}".*?</select>', html, re.S).group(0)
    found = re.search(r'<option value="([^"]*)"[^>]*selected', select)
    return found.group(1) if found else ""


def field_value(html, name):
    return re.search(rf'<input type="datetime-local" name="{name}" value="([^"]*)"', html).group(1)


def test_the_vocabularies_start_empty_and_the_times_start_now(author, client):
    client.force_login(author)

    html = client.get(FORM).content.decode()

    for name in ("category", "severity", "urgency", "certainty"):
        assert selected(html, name) == "", name
        assert re.search(rf'<select name="{name}"[^>]*required', html), name
    onset = timezone.make_aware(datetime.strptime(field_value(html, "onset"), "%Y-%m-%dT%H:%M"))
    expires = timezone.make_aware(datetime.strptime(field_value(html, "expires"), "%Y-%m-%dT%H:%M"))
    assert abs(onset - timezone.now()) < timedelta(minutes=2)
    assert expires - onset == timedelta(hours=6)


@pytest.mark.parametrize("missing", ["category", "severity", "urgency", "certainty"])
def test_an_alert_without_a_chosen_vocabulary_is_refused_and_nothing_written(author, client, missing):
    client.force_login(author)

    response = client.post(FORM, form_data(**{missing: ""}))

    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert not EmergencyAlert.objects.exists()


@pytest.mark.parametrize(
    ("onset", "expires", "message"),
    [
        (-3, -1, "The expiry is in the past"),
        (2, 1, "The expiry must be after the start."),
        (1, 1, "The expiry must be after the start."),
    ],
)
def test_the_form_refuses_an_expiry_in_the_past_or_before_the_start(author, client, onset, expires, message):
    client.force_login(author)
    now = timezone.localtime()
    data = form_data(
        onset=(now + timedelta(hours=onset)).strftime("%Y-%m-%dT%H:%M"),
        expires=(now + timedelta(hours=expires)).strftime("%Y-%m-%dT%H:%M"),
        submit="1",
    )

    response = client.post(FORM, data)

    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert html.index(message) > html.index('name="expires"') - 2000  # shown at the expiry field
    assert not EmergencyAlert.objects.exists()


@pytest.mark.parametrize(
    ("onset", "expires"),
    [(-3, -1), (2, 1), (1, 1)],
)
def test_the_api_refuses_an_expiry_in_the_past_or_before_the_start(author, api_as, onset, expires):
    now = timezone.now()
    body = {
        "event": "강풍",
        "category": "Met",
        "severity": "Moderate",
        "urgency": "Expected",
        "certainty": "Likely",
        "area_kind": "city",
        "channels": ["in_app"],
        "onset": (now + timedelta(hours=onset)).isoformat(),
        "expires": (now + timedelta(hours=expires)).isoformat(),
        "texts": {"ko": {"headline": "강풍 주의"}},
        "submit": True,
    }

    response = api_as(author).post("/api/v1/alerts/", body, format="json")

    assert response.status_code == 400
    assert "expir" in str(response.json()).lower()
    assert not EmergencyAlert.objects.exists()


def test_the_api_requires_the_vocabularies(author, api_as):
    now = timezone.now()
    body = {
        "event": "강풍",
        "category": "Met",
        "area_kind": "city",
        "channels": ["in_app"],
        "onset": now.isoformat(),
        "expires": (now + timedelta(hours=1)).isoformat(),
        "texts": {"ko": {"headline": "강풍 주의"}},
    }

    response = api_as(author).post("/api/v1/alerts/", body, format="json")

    assert response.status_code == 400
    assert not EmergencyAlert.objects.exists()


def test_a_good_alert_is_still_accepted(author, client):
    client.force_login(author)

    response = client.post(FORM, form_data())

    assert response.status_code == 302
    assert EmergencyAlert.objects.get().severity == "Moderate"


def test_the_labels_say_what_they_are_in_korean(author, client):
    client.force_login(author)

    html = client.get(FORM, HTTP_ACCEPT_LANGUAGE="ko").content.decode()

    assert re.search(r"<legend>\s*발송 채널", html)
    assert "상담 채널" not in html
    assert "발효 시각" in html
    assert "만료 시각" in html
    assert "선택하세요" in html


def test_the_officer_history_reads_as_sentences(author, approver, client, django_capture_on_commit_callbacks):
    CitizenFactory(username="resident")
    with django_capture_on_commit_callbacks(execute=True):
        alert = approved_alert(author, approver, area_kind="city")
    client.force_login(approver)

    for language in ("ko", "en"):
        html = client.get(f"/alerts/manage/{alert.pk}/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
        timeline = re.search(r'<ol class="timeline">.*?</ol>', html, re.S).group(0)
        for code in ("pending_approval", "approved →", "→", "fan-out", "chunks", "draft Alert", "Alert<"):
            assert code not in timeline, (language, code)
        facts = re.search(r'<dl class="facts">.*?</dl>', html, re.S).group(0)
        assert "(e.g." not in facts
        assert "(예:" not in facts
    korean = client.get(f"/alerts/manage/{alert.pk}/", HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert f"{author} 님이 경보 초안을 작성했습니다." in korean
    assert f"{approver} 님이 경보를 승인했습니다." in korean
    assert "발송 대상을 1개 묶음으로 나누었습니다." in korean
    assert "(기상)" in korean
    english = client.get(f"/alerts/manage/{alert.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f"{author} asked for approval." in english
    assert "Sending finished" in english
    assert "(Meteorological)" in english


def _admin_form_data(response):
    """The admin change form's data as the page shows it (main form and inline formsets)."""
    data = {}
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        data.update({management.add_prefix(k): v for k, v in management.initial.items()})
        forms += list(formset.forms)
    for form in forms:
        for name, field in form.fields.items():
            value = form.initial.get(name, field.initial)
            if value is None:
                continue
            if hasattr(value, "all"):  # a many-to-many manager or queryset
                value = [obj.pk for obj in value.all()]
            elif isinstance(value, list):
                value = [getattr(v, "pk", v) for v in value]
            elif hasattr(value, "pk"):
                value = value.pk
            if isinstance(value, datetime):
                local = timezone.localtime(value)
                data[form.add_prefix(name) + "_0"] = local.strftime("%Y-%m-%d")
                data[form.add_prefix(name) + "_1"] = local.strftime("%H:%M:%S")
            else:
                data[form.add_prefix(name)] = value
    return data


@pytest.mark.parametrize(("onset", "expires"), [(-3, -1), (2, 1)])
def test_admin_refuses_the_same_times_and_changes_nothing(author, administrator, client, onset, expires):
    from tests.notifications.factories import make_alert

    draft = make_alert(author)
    before = (draft.onset, draft.expires)
    client.force_login(administrator)
    url = f"/admin/notifications/emergencyalert/{draft.pk}/change/"
    data = _admin_form_data(client.get(url))
    now = timezone.localtime()
    for field, hours in (("onset", onset), ("expires", expires)):
        moved = now + timedelta(hours=hours)
        data[f"{field}_0"], data[f"{field}_1"] = moved.strftime("%Y-%m-%d"), moved.strftime("%H:%M:%S")
    data["channels"] = '["in_app"]'

    response = client.post(url, data)

    assert response.status_code == 200
    assert "expiry" in str(response.context["adminform"].form.errors["expires"])
    draft.refresh_from_db()
    assert (draft.onset, draft.expires) == before
