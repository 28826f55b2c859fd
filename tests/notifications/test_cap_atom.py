"""CAP 1.2 and the Atom feed to the letter, through the URLs a client fetches: signed messages
that verify, each language block wholly in its language, Cancel and Update messages with
their references, and a feed valid under the RFC 4287 RELAX NG schema."""

from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlparse

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from lxml import etree
from signxml import InvalidSignature, XMLVerifier

from civicportal.notifications import alerts, cap
from civicportal.notifications.models import EmergencyAlert
from tests.factories import district
from tests.notifications.factories import (
    alert_approver,
    approved_alert,
    make_alert,
    make_key_and_certificate,
)

pytestmark = pytest.mark.django_db
CAP = "{urn:oasis:names:tc:emergency:cap:1.2}"
DS = "{http://www.w3.org/2000/09/xmldsig#}"
ATOM = "{http://www.w3.org/2005/Atom}"
ATOM_RNG = Path(__file__).parent / "schemas" / "atom.rng"

SIX_TEXTS = {
    "ko": {"headline": "마포구 호우 경보", "description": "시간당 50mm 비"},
    "en": {"headline": "Heavy rain warning", "description": "50 mm/h"},
    "zh": {"headline": "暴雨警报"},
    "ja": {"headline": "大雨警報"},
    "vi": {"headline": "Cảnh báo mưa lớn"},
    "mn": {"headline": "Аадар борооны сэрэмжлүүлэг"},
}


@pytest.fixture(scope="session")
def signing_pair():
    return make_key_and_certificate()


@pytest.fixture
def signing(settings, signing_pair, tmp_path):
    """Signing on: the key from the environment as PEM text, the certificate as a file path."""
    key_pem, cert_pem = signing_pair
    cert_file = tmp_path / "cap-cert.pem"
    cert_file.write_text(cert_pem)
    settings.CAP_SIGNING_KEY = key_pem
    settings.CAP_SIGNING_CERTIFICATE = str(cert_file)
    return cert_pem


def get_cap(client, alert) -> bytes:
    response = client.get(f"/alerts/{alert.identifier}.xml")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/cap+xml; charset=utf-8"
    return response.content


def infos(xml: bytes) -> dict:
    return {i.findtext(f"{CAP}language"): i for i in etree.fromstring(xml).findall(f"{CAP}info")}


# --- Signatures ----------------------------------------------------------------------


def test_signed_cap_verifies_after_parsing_and_validates(signing, author, approver, client):
    alert = approved_alert(author, approver, texts=SIX_TEXTS)

    xml = get_cap(client, alert)

    assert cap.validate(xml) == []
    root = etree.fromstring(xml)
    assert root[-1].tag == f"{DS}Signature"  # enveloped, the last child of <alert> (CAP 1.2 §3.3.4)
    assert root.find(f"{DS}Signature/{DS}SignedInfo/{DS}SignatureMethod").get("Algorithm").endswith("rsa-sha256")
    result = XMLVerifier().verify(xml, x509_cert=signing)
    assert etree.QName(result.signed_xml).localname == "alert"
    assert result.signed_xml.findtext(f"{CAP}identifier") == alert.identifier
    # The certificate travels with the message, so a recipient can check whose key signed it.
    assert root.find(f".//{DS}X509Certificate") is not None


def test_a_changed_signed_message_does_not_verify(signing, author, approver, client):
    alert = approved_alert(author, approver)
    xml = get_cap(client, alert)
    tampered = xml.replace("마포구 호우 경보".encode(), "마포구 호우 해제".encode())
    assert tampered != xml

    with pytest.raises(InvalidSignature):
        XMLVerifier().verify(tampered, x509_cert=signing)


def test_a_signature_does_not_verify_with_another_certificate(signing, author, approver, client):
    alert = approved_alert(author, approver)
    _other_key, other_cert = make_key_and_certificate("Someone else")

    with pytest.raises(InvalidSignature):
        XMLVerifier().verify(get_cap(client, alert), x509_cert=other_cert)


def test_signed_documents_are_signed_once_per_version(signing, author, approver, client, monkeypatch):
    alert = approved_alert(author, approver)
    calls = []
    real_sign = cap.sign
    monkeypatch.setattr(cap, "sign", lambda xml: calls.append(1) or real_sign(xml))

    first, second = get_cap(client, alert), get_cap(client, alert)
    assert (first, len(calls)) == (second, 1)

    alert.texts.filter(language="en").update(headline="Heavy rain warning, corrected")
    third = get_cap(client, alert)
    assert len(calls) == 2
    assert b"corrected" in third
    XMLVerifier().verify(third, x509_cert=signing)


def test_unsigned_mode_publishes_valid_cap_and_says_so(settings, author, approver, client):
    settings.CAP_SIGNING_KEY = settings.CAP_SIGNING_CERTIFICATE = ""
    alert = approved_alert(author, approver)

    xml = get_cap(client, alert)

    assert cap.validate(xml) == []
    assert etree.fromstring(xml).find(f".//{DS}Signature") is None
    feed = client.get("/alerts/feed.atom", HTTP_ACCEPT_LANGUAGE="en").content
    assert "The CAP messages are not signed." in etree.fromstring(feed).findtext(f"{ATOM}subtitle")
    with pytest.raises(SystemCheckError, match="notifications.W001"):
        call_command("check", deploy=True, fail_level="WARNING", tags=["security"])


def test_signed_mode_feed_does_not_say_unsigned(signing, client):
    feed = client.get("/alerts/feed.atom", HTTP_ACCEPT_LANGUAGE="en").content
    assert "not signed" not in etree.fromstring(feed).findtext(f"{ATOM}subtitle")


@pytest.mark.parametrize("broken", ["only_key", "mismatch", "missing_file", "not_pem"])
def test_a_broken_signing_setup_stops_the_checks(broken, settings, signing_pair, tmp_path):
    key_pem, cert_pem = signing_pair
    settings.CAP_SIGNING_KEY, settings.CAP_SIGNING_CERTIFICATE = {
        "only_key": (key_pem, ""),
        "mismatch": (make_key_and_certificate()[0], cert_pem),
        "missing_file": (key_pem, str(tmp_path / "nowhere.pem")),
        "not_pem": (str(tmp_path / "key.pem"), cert_pem),
    }[broken]
    (tmp_path / "key.pem").write_text("not a key")

    with pytest.raises(SystemCheckError, match="notifications.E001"):
        call_command("check")


# --- Each language block complete --------------------------------------------------


def test_every_language_block_has_its_own_event_area_and_sender(author, approver, client):
    alert = approved_alert(
        author, approver, texts=SIX_TEXTS, area_kind="districts", districts=[district("11440"), district("11410")]
    )

    blocks = infos(get_cap(client, alert))

    # Districts come in the order of the Korean reader's list (가나다), the same in every block.
    expected = {
        "ko-KR": ("호우", "마포구, 서대문구", "서울특별시"),
        "en-US": ("Heavy rain", "Mapo-gu, Seodaemun-gu", "Seoul Metropolitan Government"),
        "zh-CN": ("暴雨", "麻浦区、西大门区", "首尔特别市"),
        "ja-JP": ("大雨", "麻浦区、西大門区", "ソウル特別市"),
        "vi-VN": ("Mưa lớn", "Quận Mapo, Quận Seodaemun", "Chính quyền Thành phố Seoul"),
        "mn-MN": ("Аадар бороо", "Мапо дүүрэг, Сөдэмун дүүрэг", "Сөүл хотын захиргаа"),
    }
    found = {
        language: (
            info.findtext(f"{CAP}event"),
            info.findtext(f"{CAP}area/{CAP}areaDesc"),
            info.findtext(f"{CAP}senderName"),
        )
        for language, info in blocks.items()
    }
    assert found == expected


@pytest.mark.parametrize(
    ("area", "expected"),
    [
        (
            {"area_kind": "city"},
            {"ko-KR": "서울특별시 전역", "zh-CN": "首尔特别市全境", "vi-VN": "Toàn thành phố Seoul"},
        ),
        (
            {"area_kind": "circle", "circle_lat": "37.5663", "circle_lon": "126.9779", "radius_km": 3},
            {
                "ko-KR": "37.566300, 126.977900 반경 3km",
                "ja-JP": "37.566300, 126.977900 から半径 3 km 以内",
                "mn-MN": "37.566300, 126.977900 цэгээс 3 км радиуст",
            },
        ),
    ],
)
def test_city_and_circle_areas_are_described_in_each_language(area, expected, author, approver, client):
    alert = approved_alert(author, approver, texts=SIX_TEXTS, **area)
    blocks = infos(get_cap(client, alert))
    assert {lang: blocks[lang].findtext(f"{CAP}area/{CAP}areaDesc") for lang in expected} == expected


def test_an_event_named_per_language_through_the_api_is_used(author, api_as, client):
    texts = {
        "ko": {"headline": "싱크홀 발생", "event": ""},
        "en": {"headline": "Sinkhole on Mapo-daero", "event": "Sinkhole"},
        "vi": {"headline": "Hố sụt trên đường Mapo-daero", "event": "Hố sụt"},
    }
    now = datetime.now(UTC)
    response = api_as(author).post(
        "/api/v1/alerts/",
        {
            "event": "싱크홀",
            "category": "Infra",
            "severity": "Moderate",
            "urgency": "Immediate",
            "certainty": "Observed",
            "area_kind": "city",
            "channels": ["in_app"],
            "onset": now.isoformat(),
            "expires": (now + timedelta(hours=2)).isoformat(),
            "texts": texts,
            "submit": True,
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    alert = EmergencyAlert.objects.get(identifier=response.json()["identifier"])
    alerts.alert_approve(alert=alert, by=alert_approver())

    blocks = infos(get_cap(client, alert))

    assert {lang: info.findtext(f"{CAP}event") for lang, info in blocks.items()} == {
        "ko-KR": "싱크홀",
        "en-US": "Sinkhole",
        "vi-VN": "Hố sụt",
    }


def test_a_known_event_written_in_english_is_named_in_korean_too(author, approver, client):
    alert = approved_alert(author, approver, event="heavy rain", texts=SIX_TEXTS)
    blocks = infos(get_cap(client, alert))
    assert (blocks["ko-KR"].findtext(f"{CAP}event"), blocks["ja-JP"].findtext(f"{CAP}event")) == ("호우", "大雨")


# --- Cancel is a Cancel; Update references its predecessors --------------------------


def test_cancelling_a_published_alert_publishes_a_cap_cancel(signing, author, approver, api_as, client):
    alert = approved_alert(author, approver, texts=SIX_TEXTS)  # fan-out not run: still sending
    original_xml = get_cap(client, alert)

    response = api_as(approver).post(f"/api/v1/alerts/{alert.identifier}/cancel/")

    assert response.status_code == 200
    cancel = EmergencyAlert.objects.get(msg_type="Cancel", references=alert)
    xml = get_cap(client, cancel)
    assert cap.validate(xml) == []
    XMLVerifier().verify(xml, x509_cert=signing)
    root = etree.fromstring(xml)
    assert root.findtext(f"{CAP}msgType") == "Cancel"
    assert root.findtext(f"{CAP}identifier") != alert.identifier
    alert.refresh_from_db()
    assert root.findtext(f"{CAP}references") == f"{cap.SENDER},{alert.identifier},{cap.cap_time(alert.approved_at)}"
    assert root.findtext(f"{CAP}note").startswith("Withdrawn by the sender")
    blocks = infos(xml)
    assert blocks["zh-CN"].findtext(f"{CAP}headline") == "[已撤回] 暴雨警报"
    assert blocks["ko-KR"].find(f"{CAP}responseType") is None  # withdrawn, not "the threat is over"
    # The original message stays what was sent: a published CAP message never changes.
    assert get_cap(client, alert) == original_xml
    assert etree.fromstring(original_xml).findtext(f"{CAP}msgType") == "Alert"
    # The feed carries the Cancel (how an aggregator learns of it), not the withdrawn alert.
    feed = etree.fromstring(client.get("/alerts/feed.atom").content)
    hrefs = [link.get("href") for link in feed.iter(f"{ATOM}link") if link.get("type") == cap.CONTENT_TYPE]
    assert [urlparse(h).path for h in hrefs] == [f"/alerts/{cancel.identifier}.xml"]
    assert cancel.status == "sent" and cancel.channels == [] and not cancel.deliveries.exists()


def test_cancelling_a_draft_publishes_nothing(author, approver):
    draft = make_alert(author)
    count = EmergencyAlert.objects.count()

    alerts.alert_cancel(alert=draft, by=approver)

    assert EmergencyAlert.objects.count() == count
    assert not EmergencyAlert.objects.published().filter(pk=draft.pk).exists()


def test_a_refused_cancel_publishes_nothing(author, approver, api_as):
    alert = approved_alert(author, approver)
    EmergencyAlert.objects.filter(pk=alert.pk).update(status="sent")
    count = EmergencyAlert.objects.count()

    response = api_as(approver).post(f"/api/v1/alerts/{alert.identifier}/cancel/")

    assert response.status_code == 409
    assert EmergencyAlert.objects.count() == count


def test_updates_and_the_all_clear_reference_every_earlier_message(author, approver, client):
    original = approved_alert(author, approver, texts=SIX_TEXTS)
    first = approved_alert(author, approver, msg_type="Update", references=original, texts={"ko": {"headline": "1"}})
    second = approved_alert(author, approver, msg_type="Update", references=first, texts={"ko": {"headline": "2"}})
    all_clear = approved_alert(author, approver, msg_type="Cancel", references=second, texts=SIX_TEXTS)

    def references(alert):
        xml = get_cap(client, alert)
        assert cap.validate(xml) == []
        return etree.fromstring(xml).findtext(f"{CAP}references")

    def ref(alert):
        alert.refresh_from_db()
        return f"{cap.SENDER},{alert.identifier},{cap.cap_time(alert.approved_at)}"

    assert references(original) is None
    assert references(first) == ref(original)
    assert references(second) == f"{ref(original)} {ref(first)}"
    assert references(all_clear) == f"{ref(original)} {ref(first)} {ref(second)}"
    blocks = infos(get_cap(client, all_clear))
    assert {info.findtext(f"{CAP}responseType") for info in blocks.values()} == {"AllClear"}
    assert len(blocks) == 6


# --- Atom as RFC 4287 says ---------------------------------------------------------


def test_the_feed_is_valid_rfc_4287(signing, author, approver, client):
    alert = approved_alert(author, approver, texts=SIX_TEXTS)
    update = approved_alert(author, approver, msg_type="Update", references=alert, texts={"ko": {"headline": "갱신"}})
    alerts.alert_cancel(alert=make_alert(author), by=approver)  # a draft: not in the feed

    for language in ("ko", "en"):
        response = client.get("/alerts/feed.atom", HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 200
        assert response["Content-Type"].startswith("application/atom+xml")
        feed = etree.fromstring(response.content)

        schema = etree.RelaxNG(etree.parse(str(ATOM_RNG)))
        assert schema.validate(feed), schema.error_log
        # The two Schematron rules of RFC 4287 Appendix B, which RELAX NG does not run:
        assert feed.findtext(f"{ATOM}author/{ATOM}name") == cap.SENDER_NAME[language]
        entries = feed.findall(f"{ATOM}entry")
        assert len(entries) == 2
        for entry in entries:
            assert entry.find(f"{ATOM}link[@rel='alternate']") is not None
        ids = [e.findtext(f"{ATOM}id") for e in entries]
        assert ids == [f"tag:{cap.SENDER},2026:alert:{a.identifier}" for a in (update, alert)]
        assert all(urlparse(i).scheme == "tag" for i in [*ids, feed.findtext(f"{ATOM}id")])
        for entry, message in zip(entries, (update, alert), strict=True):
            cap_links = entry.findall(f"{ATOM}link[@type='application/cap+xml']")
            assert [urlparse(link.get("href"))[:3] for link in cap_links] == [
                ("http", "testserver", f"/alerts/{message.identifier}.xml")
            ]
            page = entry.find(f"{ATOM}link[@type='text/html']").get("href")
            assert page == f"http://testserver/alerts/{message.identifier}/"


def test_entry_ids_are_stable(author, approver, client):
    alert = approved_alert(author, approver)

    def ids():
        feed = etree.fromstring(client.get("/alerts/feed.atom").content)
        return [e.findtext(f"{ATOM}id") for e in feed.findall(f"{ATOM}entry")]

    first = ids()
    alert.texts.filter(language="ko").update(headline="마포구 호우 경보 (정정)")
    assert ids() == first == [f"tag:{cap.SENDER},2026:alert:{alert.identifier}"]


def test_an_empty_feed_is_valid(client):
    feed = etree.fromstring(client.get("/alerts/feed.atom").content)
    schema = etree.RelaxNG(etree.parse(str(ATOM_RNG)))
    assert schema.validate(feed), schema.error_log
    assert feed.find(f"{ATOM}author/{ATOM}name") is not None


def test_the_cancel_message_has_working_pages(author, approver, client):
    alert = approved_alert(author, approver)
    alerts.alert_cancel(alert=alert, by=approver)
    cancel = EmergencyAlert.objects.get(references=alert, msg_type="Cancel")

    page = client.get(f"/alerts/{cancel.identifier}/", HTTP_ACCEPT_LANGUAGE="ko")
    assert page.status_code == 200
    assert "[취소] 마포구 호우 경보" in page.content.decode()
    api = client.get(f"/api/v1/alerts/{cancel.identifier}/").json()
    assert (api["msg_type"], api["references"]) == ("Cancel", alert.identifier)
    client.force_login(approver)
    assert client.get(f"/alerts/manage/{cancel.pk}/").status_code == 200
    assert client.get(f"/alerts/manage/{cancel.pk}/progress/").status_code == 200


def test_the_alert_pages_name_the_event_in_the_page_language(author, approver, client):
    alert = approved_alert(author, approver)  # event "호우"

    english = client.get(f"/alerts/{alert.identifier}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    korean = client.get(f"/alerts/{alert.identifier}/", HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    listing = client.get("/alerts/", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "<dd>Heavy rain (" in english and "호우" not in english.split('class="facts"')[1].split("</dl>")[0]
    assert "<dd>호우 (" in korean
    assert '<p class="meta">Heavy rain ·' in listing
