"""The audit trail: who read whose personal data, and (django-auditlog) every change."""

from dataclasses import dataclass

from civicportal.audit.models import PersonalDataAccess


@dataclass(frozen=True)
class Read:
    """One citizen's personal data shown on one object, and what was shown (the purpose)."""

    subject: object  # a User, a user id, or None (a caller without an account)
    obj: object
    purpose: str


def client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") if request is not None else None


def _row(actor, read: Read, ip) -> PersonalDataAccess | None:
    subject_id = getattr(read.subject, "pk", read.subject)
    if subject_id is not None and subject_id == actor.pk:
        return None  # citizens reading their own data are not logged
    obj = read.obj
    return PersonalDataAccess(
        actor=actor,
        subject_id=subject_id,
        object_type=obj._meta.label_lower if hasattr(obj, "_meta") else str(type(obj).__name__),
        object_id=str(getattr(obj, "pk", obj))[:60],
        purpose=read.purpose[:200],
        ip_address=ip,
    )


def record_personal_data_read(*, actor, subject, obj, purpose: str, request=None) -> PersonalDataAccess | None:
    """Log that ``actor`` saw ``subject``'s personal data on ``obj``.

    Citizens reading their own data are not logged; anonymous actors cannot read it."""
    if not getattr(actor, "is_authenticated", False):
        return None
    row = _row(actor, Read(subject, obj, purpose), client_ip(request))
    if row is not None:
        row.save()
    return row


def record_personal_data_reads(*, actor, reads, request=None) -> int:
    """Log every read of a page listing several citizens with one INSERT (never a query
    per row). Returns how many rows were written."""
    if not getattr(actor, "is_authenticated", False):
        return 0
    ip = client_ip(request)
    rows = [row for row in (_row(actor, read, ip) for read in reads) if row is not None]
    if rows:
        PersonalDataAccess.objects.bulk_create(rows)
    return len(rows)
