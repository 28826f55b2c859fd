"""The seam to Eung-Dap-So (complaints/): turning a contact into a case.

``complaints`` is imported lazily so this app neither depends on it at import time
nor in its migrations; the contact keeps the case's tracking number and id as plain
values. Tests replace ``_case_file`` with a fake."""

from django.conf import settings
from django.urls import reverse


def _case_file(**kwargs):
    from complaints.filing import case_file

    return case_file(**kwargs)


def file_case_from_contact(
    *, contact, counsellor, title, text, kind, location_text="", lat=None, lon=None, text_is_public=False
):
    """File a case for ``contact`` through complaints' service, channel "120"; return the case
    (which has ``tracking_number`` and ``pk``)."""
    return _case_file(
        citizen=contact.caller,
        kind=kind,
        title=title,
        text=text,
        location_text=location_text,
        lat=lat,
        lon=lon,
        channel="120",
        filed_by=counsellor,
        text_is_public=text_is_public,
        # The link back: the case's source is the counselling record it came from.
        source_url=f"{settings.SITE_URL}{reverse('callcenter:contact_detail', args=[contact.pk])}",
    )


def access_code_of(case_id) -> str:
    """The access code of a case filed from a contact, for the counsellor to read out again."""
    from complaints.models import Case

    case = Case.objects.filter(pk=case_id).only("access_code").first() if case_id else None
    return case.access_code_display if case else ""


def track_path() -> str:
    """The page where anyone follows a case with its tracking number and access code."""
    return reverse("complaints:track")


def case_kinds():
    from complaints.models import Kind

    return Kind.choices
