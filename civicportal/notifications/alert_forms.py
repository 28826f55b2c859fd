from datetime import timedelta

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from civicportal import limits
from civicportal.accounts.models import District
from civicportal.notifications.models import (
    ALERT_LANGUAGES,
    AreaKind,
    Category,
    Certainty,
    MsgType,
    Severity,
    Urgency,
)

CHANNEL_CHOICES = [
    ("in_app", _("Portal inbox")),
    ("sms", _("SMS / LMS")),
    ("push", _("Push")),
    ("email", _("Email")),
    ("social", _("City social media accounts")),
]
_TEXT_FIELDS = ("headline_", "description_", "instruction_")
# The CAP vocabularies start on an empty choice: a wrong severity or certainty that no one chose
# is worse than an error asking for one.
CHOOSE = [("", pgettext_lazy("alert form", "Choose…"))]
# The form names each category with examples; pages show the category's name alone.
CATEGORY_CHOICES = [
    *CHOOSE,
    (Category.GEO, _("Geophysical (e.g. earthquake)")),
    (Category.MET, _("Meteorological (e.g. flood, heat)")),
    (Category.SAFETY, Category.SAFETY.label),
    (Category.SECURITY, Category.SECURITY.label),
    (Category.RESCUE, Category.RESCUE.label),
    (Category.FIRE, Category.FIRE.label),
    (Category.HEALTH, Category.HEALTH.label),
    (Category.ENV, _("Environment (e.g. fine dust)")),
    (Category.TRANSPORT, Category.TRANSPORT.label),
    (Category.INFRA, _("Infrastructure (e.g. power, water)")),
    (Category.CBRNE, Category.CBRNE.label),
    (Category.OTHER, Category.OTHER.label),
]
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]


def default_duration() -> timedelta:
    """How long a new alert stays in force unless its author says otherwise."""
    return timedelta(hours=getattr(settings, "ALERT_DEFAULT_HOURS", 6))


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class AlertForm(forms.Form):
    """An alert, or (``update_of`` given) an update / all-clear that goes to the same people."""

    msg_type = forms.ChoiceField(label=_("Message type"), choices=MsgType.choices, initial=MsgType.ALERT)
    event = forms.CharField(
        label=_("Event"), max_length=limits.ALERT_EVENT, help_text=_("e.g. Heavy rain, Earthquake, Fine dust")
    )
    category = forms.ChoiceField(label=_("Category"), choices=CATEGORY_CHOICES)
    severity = forms.ChoiceField(label=_("Severity"), choices=CHOOSE + Severity.choices)
    urgency = forms.ChoiceField(label=_("Urgency"), choices=CHOOSE + Urgency.choices)
    certainty = forms.ChoiceField(label=_("Certainty"), choices=CHOOSE + Certainty.choices)
    area_kind = forms.ChoiceField(
        label=_("Area"), choices=AreaKind.choices, widget=forms.RadioSelect, initial=AreaKind.DISTRICTS
    )
    districts = forms.ModelMultipleChoiceField(
        label=_("Districts"), queryset=District.objects.all(), required=False, widget=forms.CheckboxSelectMultiple
    )
    circle_lat = forms.DecimalField(label=_("Centre latitude"), required=False, max_digits=9, decimal_places=6)
    circle_lon = forms.DecimalField(label=_("Centre longitude"), required=False, max_digits=9, decimal_places=6)
    radius_km = forms.DecimalField(label=_("Radius (km)"), required=False, max_digits=7, decimal_places=3)
    channels = forms.MultipleChoiceField(
        label=pgettext_lazy("alert form", "Send on these channels"),
        choices=CHANNEL_CHOICES,
        initial=["in_app", "sms"],
        widget=forms.CheckboxSelectMultiple,
    )
    onset = forms.DateTimeField(
        label=pgettext_lazy("alert form", "In force from"),
        input_formats=DATETIME_FORMATS,
        widget=DateTimeLocalInput(),
        help_text=_("Seoul time."),
    )
    expires = forms.DateTimeField(
        label=pgettext_lazy("alert form", "In force until (expiry)"),
        input_formats=DATETIME_FORMATS,
        widget=DateTimeLocalInput(),
        help_text=_("Seoul time. The alert leaves every page at this time; it must be later than the start."),
    )

    def __init__(self, *args, update_of=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.update_of = update_of
        now = timezone.localtime().replace(second=0, microsecond=0)
        self.fields["onset"].initial = now
        self.fields["expires"].initial = now + default_duration()
        if update_of is not None and update_of.expires > now:
            self.fields["expires"].initial = timezone.localtime(update_of.expires)  # an update keeps the end
        for code, name in ALERT_LANGUAGES:
            required = code == "ko"
            self.fields[f"headline_{code}"] = forms.CharField(
                label=_("Headline (%(language)s)") % {"language": name},
                max_length=limits.ALERT_HEADLINE,
                required=required,
            )
            self.fields[f"description_{code}"] = forms.CharField(
                label=_("Description (%(language)s)") % {"language": name},
                required=False,
                max_length=limits.ALERT_DESCRIPTION,
                widget=forms.Textarea(attrs={"rows": 3}),
            )
            self.fields[f"instruction_{code}"] = forms.CharField(
                label=_("Instruction (%(language)s)") % {"language": name},
                required=False,
                max_length=limits.ALERT_INSTRUCTION,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
        if update_of is not None:
            for name in ("area_kind", "districts", "circle_lat", "circle_lon", "radius_km"):
                del self.fields[name]
            self.fields["msg_type"].choices = [
                (MsgType.UPDATE, MsgType.UPDATE.label),
                (MsgType.CANCEL, MsgType.CANCEL.label),
            ]
        else:
            self.fields["msg_type"].widget = forms.HiddenInput()

    def main_fields(self):
        """The visible fields other than the texts in each language."""
        return [f for f in self.visible_fields() if not f.name.startswith(_TEXT_FIELDS)]

    def language_groups(self):
        """(code, name, fields, open) per language: Korean, then the optional ones, each open
        when it holds text or an error (a phone shows the optional ones folded)."""
        groups = []
        for code, name in ALERT_LANGUAGES:
            fields = [self[f"{prefix}{code}"] for prefix in _TEXT_FIELDS]
            filled = any(f.value() or f.errors for f in fields)
            groups.append({"code": code, "name": name, "fields": fields, "open": code == "ko" or filled})
        return groups

    def texts(self):
        data = self.cleaned_data
        return {
            code: {
                "headline": data.get(f"headline_{code}", ""),
                "description": data.get(f"description_{code}", ""),
                "instruction": data.get(f"instruction_{code}", ""),
            }
            for code, _name in ALERT_LANGUAGES
            if data.get(f"headline_{code}")
        }

    def service_kwargs(self):
        data = self.cleaned_data
        kwargs = {
            "event": data["event"],
            "category": data["category"],
            "severity": data["severity"],
            "urgency": data["urgency"],
            "certainty": data["certainty"],
            "texts": self.texts(),
            "channels": data["channels"],
            "onset": data["onset"],
            "expires": data["expires"],
            "msg_type": data.get("msg_type") or MsgType.ALERT,
        }
        if self.update_of is not None:
            kwargs["references"] = self.update_of
        else:
            kwargs.update(
                area_kind=data["area_kind"],
                districts=list(data["districts"]),
                circle_lat=data["circle_lat"],
                circle_lon=data["circle_lon"],
                radius_km=data["radius_km"],
            )
        return kwargs
