"""Factories and helpers for notifications and emergency-alert tests."""

from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from django.utils import timezone

from civicportal.accounts.models import Role
from civicportal.notifications import alerts
from tests.factories import UserFactory


def alert_author(username="alert_author"):
    return UserFactory(username=username, roles=[Role.OFFICER, Role.ALERT_AUTHOR])


def alert_approver(username="alert_approver"):
    return UserFactory(username=username, roles=[Role.OFFICER, Role.ALERT_APPROVER])


def alert_fields(**overrides):
    now = timezone.now()
    fields = {
        "event": "호우",
        "category": "Met",
        "severity": "Severe",
        "urgency": "Immediate",
        "certainty": "Observed",
        "texts": {
            "ko": {
                "headline": "마포구 호우 경보",
                "description": "시간당 50mm 비",
                "instruction": "지하 공간을 피하세요",
            },
            "en": {
                "headline": "Heavy rain warning in Mapo-gu",
                "description": "50 mm/h",
                "instruction": "Avoid basements",
            },
        },
        "area_kind": "city",
        "channels": ["in_app", "sms"],
        "onset": now - timedelta(minutes=1),
        "expires": now + timedelta(hours=6),
    }
    fields.update(overrides)
    return fields


def make_alert(author=None, **overrides):
    return alerts.alert_create(author=author or alert_author(), **alert_fields(**overrides))


def approved_alert(author=None, approver=None, **overrides):
    """An alert written, submitted and approved (the fan-out runs in eager Celery after commit)."""
    author = author or alert_author()
    alert = make_alert(author, **overrides)
    alerts.alert_submit(alert=alert, by=author)
    return alerts.alert_approve(alert=alert, by=approver or alert_approver())


def make_key_and_certificate(common_name="Seoul CAP signing (test)"):
    """A CAP signing key and its self-signed certificate, both PEM text."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    return key_pem, certificate.public_bytes(serialization.Encoding.PEM).decode()


def write_key_and_certificate(folder):
    """The pair as files in ``folder``: (key path, certificate path)."""
    key_pem, cert_pem = make_key_and_certificate()
    key_path, cert_path = folder / "cap-signing.key", folder / "cap-signing.crt"
    key_path.write_text(key_pem)
    cert_path.write_text(cert_pem)
    return key_path, cert_path
