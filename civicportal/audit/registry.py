"""Models whose every change is recorded by django-auditlog (actor, time, field diff).

Programs register their administrative models (routing rules, SLA policies, polls...)
in their own AppConfig.ready() with ``auditlog.register``; high-volume rows (ballots,
votes, deliveries) are deliberately not registered."""

from auditlog.registry import auditlog


def register_kernel_models():
    from django.contrib.auth.models import Group

    from civicportal.accounts.models import CitizenProfile, ClosureDay, Department, DepartmentMembership, User

    auditlog.register(User, exclude_fields=["password", "last_login"])
    auditlog.register(CitizenProfile, mask_fields=["mobile"])
    auditlog.register(Department)
    auditlog.register(DepartmentMembership)
    auditlog.register(ClosureDay)
    auditlog.register(Group)
