"""CAP 1.2 (OASIS Common Alerting Protocol) XML of an emergency alert.

One ``<info>`` per language, each wholly in that language (event, area, sender included).
Times are written with the Seoul offset (+09:00): the schema's pattern rejects a trailing
``Z``. A message, once published, does not change: a cancel or an update is a message of
its own that names the earlier ones in ``references``.

Signing (CAP 1.2 §3.3.4): with ``CAP_SIGNING_KEY`` and ``CAP_SIGNING_CERTIFICATE`` set, every
document carries an enveloped XML Signature (RSA-SHA256, exclusive canonicalisation, the
certificate in ``KeyInfo``) as the last child of ``<alert>``. Without them the documents are
published unsigned and ``manage.py check --deploy`` says so."""

import hashlib
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from lxml import etree

from civicportal.notifications import alert_vocabulary as vocabulary
from civicportal.notifications.models import AreaKind, EmergencyAlert, MsgType

CAP_NS = "urn:oasis:names:tc:emergency:cap:1.2"
DS_NS = "http://www.w3.org/2000/09/xmldsig#"
CONTENT_TYPE = "application/cap+xml"
XSD_PATH = Path(__file__).resolve().parent / "schemas" / "CAP-v1.2.xsd"
LANGUAGE_TAGS = {"ko": "ko-KR", "en": "en-US", "zh": "zh-CN", "ja": "ja-JP", "vi": "vi-VN", "mn": "mn-MN"}
SENDER = "alerts@seoul.civic-portal"
SENDER_NAME = vocabulary.SENDER_NAME
WITHDRAWAL_NOTE = "Withdrawn by the sender before every recipient was notified: disregard the cancelled message."
SIGNED_CACHE_SECONDS = 24 * 3600


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
    """The area in ``language``: district names, the circle, or the whole city."""
    if alert.area_kind == AreaKind.DISTRICTS or (alert.references_id and alert.districts.exists()):
        districts = list(alert.districts.all())
        if districts:
            return vocabulary.district_list(districts, language)
        return vocabulary.WHOLE_CITY.get(language, vocabulary.WHOLE_CITY["en"])
    if alert.area_kind == AreaKind.CIRCLE:
        template = vocabulary.CIRCLE.get(language, vocabulary.CIRCLE["en"])
        radius = f"{Decimal(str(alert.radius_km)).normalize():f}"
        return template.format(lat=alert.circle_lat, lon=alert.circle_lon, radius=radius)
    return vocabulary.WHOLE_CITY.get(language, vocabulary.WHOLE_CITY["en"])


def event_name(alert, text) -> str:
    """The event in the text's language: what the author wrote for it, else the vocabulary's
    name, else the event as written (an event outside the vocabulary without a translation)."""
    return (getattr(text, "event", "") or "").strip() or event_in(alert, text.language)


def event_in(alert, language: str) -> str:
    """The event in ``language``: the name an author gave in that language's text, else the
    vocabulary's, else as written (also for the pages, in Korean or English)."""
    given = next((t.event for t in alert.texts.all() if t.language == language and t.event), "")
    return given or vocabulary.event_name(alert.event, language) or alert.event


def _reference(message) -> str:
    return f"{SENDER},{message.identifier},{cap_time(_sent(message))}"


def referenced_messages(alert) -> list:
    """The earlier messages ``alert`` names in ``references``.

    A withdrawal names the one message it withdraws. An update or an all-clear names the
    original and every update published before it (its predecessor included), oldest first,
    leaving out messages that were themselves withdrawn."""
    if not alert.references_id:
        return []
    if alert.withdrawal:
        return [alert.references]
    root = alert.root()
    earlier = (
        EmergencyAlert.objects.published()
        .filter(references=root, withdrawal=False, approved_at__lt=_sent(alert))
        .exclude(pk=alert.pk)
        .exclude(status=EmergencyAlert.Status.CANCELLED)
        .order_by("approved_at", "pk")
    )
    return [root, *earlier]


def unsigned_xml(alert: EmergencyAlert) -> bytes:
    root = etree.Element(f"{{{CAP_NS}}}alert", nsmap={None: CAP_NS})
    _sub(root, "identifier", alert.identifier)
    _sub(root, "sender", SENDER)
    _sub(root, "sent", cap_time(_sent(alert)))
    _sub(root, "status", "Actual")
    _sub(root, "msgType", alert.msg_type)
    _sub(root, "scope", "Public")
    # CAP orders children strictly: note, then references, after scope.
    if alert.withdrawal:
        _sub(root, "note", WITHDRAWAL_NOTE)
    references = referenced_messages(alert)
    if references:
        _sub(root, "references", " ".join(_reference(m) for m in references))
    web = f"{settings.SITE_URL}/alerts/{alert.identifier}/"
    districts = list(alert.districts.all())
    for text in alert.texts.all():
        info = _sub(root, "info")
        _sub(info, "language", LANGUAGE_TAGS.get(text.language, text.language))
        _sub(info, "category", alert.category)
        _sub(info, "event", event_name(alert, text))
        if alert.msg_type == MsgType.CANCEL and not alert.withdrawal:
            # An all-clear: the threat is over (CAP 1.2 responseType "AllClear").
            _sub(info, "responseType", "AllClear")
        _sub(info, "urgency", alert.urgency)
        _sub(info, "severity", alert.severity)
        _sub(info, "certainty", alert.certainty)
        _sub(info, "onset", cap_time(alert.onset))
        _sub(info, "expires", cap_time(alert.expires))
        _sub(info, "senderName", SENDER_NAME.get(text.language, SENDER_NAME["en"]))
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
        for district in districts:
            geocode = _sub(area, "geocode")
            _sub(geocode, "valueName", "KR-ADMIN-SGG")
            _sub(geocode, "value", district.code)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


# --- Signing -------------------------------------------------------------------------


def _pem(value: str, setting: str) -> bytes:
    """A setting holds the PEM itself (from the environment) or the path of a PEM file."""
    value = value.strip()
    if value.startswith("-----BEGIN"):
        return value.replace("\\n", "\n").encode()
    try:
        return Path(value).expanduser().read_bytes()
    except OSError as exc:
        raise ImproperlyConfigured(f"{setting}: cannot read {value!r} ({exc.strerror}).") from exc


@lru_cache(maxsize=4)
def _load_signing(key_setting: str, cert_setting: str, password: str):
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    try:
        key = serialization.load_pem_private_key(
            _pem(key_setting, "CAP_SIGNING_KEY"), password=password.encode() or None
        )
    except (ValueError, TypeError) as exc:
        raise ImproperlyConfigured(f"CAP_SIGNING_KEY is not a PEM private key that opens: {exc}") from exc
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ImproperlyConfigured("CAP_SIGNING_KEY must be an RSA key (CAP signatures here are RSA-SHA256).")
    try:
        cert = x509.load_pem_x509_certificate(_pem(cert_setting, "CAP_SIGNING_CERTIFICATE"))
    except ValueError as exc:
        raise ImproperlyConfigured(f"CAP_SIGNING_CERTIFICATE is not a PEM certificate: {exc}") from exc
    if cert.public_key().public_numbers() != key.public_key().public_numbers():
        raise ImproperlyConfigured("CAP_SIGNING_CERTIFICATE does not belong to CAP_SIGNING_KEY.")
    cert_pem = cert.public_bytes(serialization.Encoding.PEM).decode()
    return key, cert_pem, cert.fingerprint(hashes.SHA256()).hex()


def signing_material():
    """(key, certificate PEM, certificate fingerprint), or None in unsigned mode.
    Raises ImproperlyConfigured when only one of the two is set or they do not fit."""
    key = getattr(settings, "CAP_SIGNING_KEY", "") or ""
    cert = getattr(settings, "CAP_SIGNING_CERTIFICATE", "") or ""
    if not key and not cert:
        return None
    if not (key and cert):
        raise ImproperlyConfigured("Set both CAP_SIGNING_KEY and CAP_SIGNING_CERTIFICATE, or neither.")
    return _load_signing(key, cert, getattr(settings, "CAP_SIGNING_KEY_PASSWORD", "") or "")


def is_signed() -> bool:
    return signing_material() is not None


def sign(xml: bytes) -> bytes:
    """``xml`` with an enveloped signature, or unchanged in unsigned mode."""
    material = signing_material()
    if material is None:
        return xml
    from signxml import CanonicalizationMethod, DigestAlgorithm, SignatureMethod, XMLSigner

    key, cert_pem, _fingerprint = material
    signer = XMLSigner(
        signature_algorithm=SignatureMethod.RSA_SHA256,
        digest_algorithm=DigestAlgorithm.SHA256,
        c14n_algorithm=CanonicalizationMethod.EXCLUSIVE_XML_CANONICALIZATION_1_0,
    )
    signed = signer.sign(etree.fromstring(xml), key=key, cert=cert_pem)
    # Serialised as signed: re-indenting would change the signed content.
    return etree.tostring(signed, xml_declaration=True, encoding="UTF-8")


def alert_xml(alert: EmergencyAlert) -> bytes:
    """The CAP document of ``alert``, signed when a key is configured.

    Signed documents are cached by the hash of the unsigned document and the certificate, so a
    message is signed once per version (and again after a key rotation)."""
    xml = unsigned_xml(alert)
    material = signing_material()
    if material is None:
        return xml
    key = f"cap:signed:{material[2][:16]}:{hashlib.sha256(xml).hexdigest()}"
    signed = cache.get(key)
    if signed is None:
        signed = sign(xml)
        cache.set(key, signed, SIGNED_CACHE_SECONDS)
    return signed


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
