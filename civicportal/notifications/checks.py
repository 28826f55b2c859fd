"""System checks of the CAP signing settings: a broken key stops the start, a missing one is said."""

from django.core import checks
from django.core.exceptions import ImproperlyConfigured


@checks.register()
def cap_signing_configured(app_configs, **kwargs):
    from civicportal.notifications import cap

    try:
        cap.signing_material()
    except ImproperlyConfigured as exc:
        return [checks.Error(str(exc), id="notifications.E001")]
    return []


@checks.register(checks.Tags.security, deploy=True)
def cap_signed_in_production(app_configs, **kwargs):
    from civicportal.notifications import cap

    try:
        signed = cap.is_signed()
    except ImproperlyConfigured:
        return []  # notifications.E001 says what is wrong
    if signed:
        return []
    return [
        checks.Warning(
            "CAP alerts are published unsigned: aggregators that accept only signed messages will refuse them.",
            hint="Set CAP_SIGNING_KEY and CAP_SIGNING_CERTIFICATE (docs/notifications.md, 'Signed CAP').",
            id="notifications.W001",
        )
    ]
