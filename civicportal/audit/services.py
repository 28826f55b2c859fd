"""The audit trail: who read whose personal data, and (django-auditlog) every change."""

from civicportal.audit.models import PersonalDataAccess


def record_personal_data_read(*, actor, subject, obj, purpose: str, request=None) -> PersonalDataAccess | None:
    """Log that ``actor`` saw ``subject``'s personal data on ``obj``.

    Citizens reading their own data are not logged; anonymous actors cannot read it."""
    if not getattr(actor, "is_authenticated", False):
        return None
    if subject is not None and getattr(subject, "pk", subject) == actor.pk:
        return None
    ip = request.META.get("REMOTE_ADDR") if request is not None else None
    return PersonalDataAccess.objects.create(
        actor=actor,
        subject_id=getattr(subject, "pk", subject),
        object_type=obj._meta.label_lower if hasattr(obj, "_meta") else str(type(obj).__name__),
        object_id=str(getattr(obj, "pk", obj)),
        purpose=purpose[:200],
        ip_address=ip,
    )
