"""CAP 1.2 (OASIS Common Alerting Protocol) XML of an emergency alert.

One ``<info>`` per language. Times are written with the Seoul offset (+09:00): the
schema's pattern rejects a trailing ``Z``."""

from pathlib import Path

from django.conf import settings
from django.utils import timezone
from lxml import etree

from civicportal.notifications.models import AreaKind, EmergencyAlert

CAP_NS = "urn:oasis:names:tc:emergency:cap:1.2"
XSD_PATH = Path(__file__).resolve().parent / "schemas" / "CAP-v1.2.xsd"
LANGUAGE_TAGS = {"ko": "ko-KR", "en": "en-US", "zh": "zh-CN", "ja": "ja-JP", "vi": "vi-VN", "mn": "mn-MN"}
SENDER = "alerts@seoul.civic-portal"
SENDER_NAME = {"ko": "서울특별시", "en": "Seoul Metropolitan Government"}


def cap_time(value) -> str:
    """2026-11-27T09:00:00+09:00 (never Z, never microseconds)."""
    return timezone.localtime(value).replace(microsecond=0).isoformat()


def _sub(parent, tag, text=None):
    element = etree.SubElement(parent, f"{{{CAP_NS}}}{tag}")
    if text is not None:
        element.text = str(text)
    return element


def _sent(alert):
    return alert.approved_at or alert.created_at


def area_description(alert, language="ko") -> str:
    if alert.area_kind == AreaKind.DISTRICTS or (alert.references_id and alert.districts.exists()):
        names = [d.name_en if language == "en" else d.name_ko for d in alert.districts.all()]
        return ", ".join(names) or ("Seoul" if language == "en" else "서울특별시")
    if alert.area_kind == AreaKind.CIRCLE:
        if language == "en":
            return f"Within {alert.radius_km:g} km of {alert.circle_lat}, {alert.circle_lon}"
        return f"{alert.circle_lat}, {alert.circle_lon} 반경 {alert.radius_km:g}km"
    return "Seoul" if language == "en" else "서울특별시 전역"


def alert_xml(alert: EmergencyAlert) -> bytes:
    root = etree.Element(f"{{{CAP_NS}}}alert", nsmap={None: CAP_NS})
    _sub(root, "identifier", alert.identifier)
    _sub(root, "sender", SENDER)
    _sub(root, "sent", cap_time(_sent(alert)))
    _sub(root, "status", "Actual")
    _sub(root, "msgType", alert.msg_type)
    _sub(root, "scope", "Public")
    # CAP orders children strictly: note, then references, after scope.
    if alert.status == EmergencyAlert.Status.CANCELLED:
        _sub(root, "note", "Cancelled by the sender: not all recipients were notified.")
    if alert.references_id:
        original = alert.references
        _sub(root, "references", f"{SENDER},{original.identifier},{cap_time(_sent(original))}")
    texts = list(alert.texts.all())
    web = f"{settings.SITE_URL}/alerts/{alert.identifier}/"
    for text in texts:
        info = _sub(root, "info")
        _sub(info, "language", LANGUAGE_TAGS.get(text.language, text.language))
        _sub(info, "category", alert.category)
        _sub(info, "event", alert.event)
        _sub(info, "urgency", alert.urgency)
        _sub(info, "severity", alert.severity)
        _sub(info, "certainty", alert.certainty)
        _sub(info, "onset", cap_time(alert.onset))
        _sub(info, "expires", cap_time(alert.expires))
        _sub(info, "senderName", SENDER_NAME["ko" if text.language == "ko" else "en"])
        _sub(info, "headline", text.headline)
        if text.description:
            _sub(info, "description", text.description)
        if text.instruction:
            _sub(info, "instruction", text.instruction)
        _sub(info, "web", web)
        area = _sub(info, "area")
        _sub(area, "areaDesc", area_description(alert, text.language))
        if alert.area_kind == AreaKind.CIRCLE and alert.radius_km:
            _sub(area, "circle", f"{alert.circle_lat},{alert.circle_lon} {alert.radius_km}")
        for district in alert.districts.all():
            geocode = _sub(area, "geocode")
            _sub(geocode, "valueName", "KR-ADMIN-SGG")
            _sub(geocode, "value", district.code)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


_schema = None


def schema() -> etree.XMLSchema:
    global _schema
    if _schema is None:
        _schema = etree.XMLSchema(etree.parse(str(XSD_PATH)))
    return _schema


def validate(xml: bytes) -> list[str]:
    """Errors of ``xml`` against the OASIS CAP 1.2 schema (empty when valid)."""
    document = etree.fromstring(xml)
    s = schema()
    if s.validate(document):
        return []
    return [str(e) for e in s.error_log]
