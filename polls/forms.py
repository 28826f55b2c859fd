from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from civicportal import limits
from civicportal.accounts.models import CitizenProfile, Department, District
from polls.models import Poll
from polls.uploads import clean_image


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


def _lines(text):
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class PollBaseForm(forms.Form):
    question = forms.CharField(label=_("Question"), max_length=300)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 4}), required=False)
    options = forms.CharField(
        label=_("Options"), widget=forms.Textarea(attrs={"rows": 4}), help_text=_("One option per line.")
    )
    multiple = forms.BooleanField(label=_("Several choices allowed"), required=False)
    max_choices = forms.IntegerField(label=_("Maximum choices"), min_value=1, initial=1)
    opens_at = forms.DateTimeField(label=_("Opens at"), widget=DateTimeInput())
    closes_at = forms.DateTimeField(label=_("Closes at"), widget=DateTimeInput())

    def clean_options(self):
        options = _lines(self.cleaned_data["options"])
        if len(options) < 2:
            raise ValidationError(_("A poll needs at least two options."))
        return options


class ProposalForm(PollBaseForm):
    department = forms.ModelChoiceField(
        label=_("Department (if you know it)"),
        queryset=Department.objects.filter(is_active=True).exclude(kind__in=Department.EXTERNAL_KINDS),
        required=False,
    )


class PollForm(PollBaseForm):
    image = forms.ImageField(label=_("Image"), required=False)
    results_visible_while_open = forms.BooleanField(label=_("Results visible while open"), required=False, initial=True)
    age_min = forms.IntegerField(label=_("Minimum age"), min_value=0, max_value=150, required=False)
    age_max = forms.IntegerField(label=_("Maximum age"), min_value=0, max_value=150, required=False)
    genders = forms.MultipleChoiceField(
        label=_("Genders (none = all)"),
        choices=CitizenProfile.Gender.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    districts = forms.ModelMultipleChoiceField(
        label=_("Districts (none = all)"), queryset=District.objects.all(), required=False
    )
    dongs = forms.CharField(label=_("Dongs, comma-separated (empty = all)"), required=False, max_length=500)
    center_lat = forms.DecimalField(label=_("Site latitude"), max_digits=9, decimal_places=6, required=False)
    center_lon = forms.DecimalField(label=_("Site longitude"), max_digits=9, decimal_places=6, required=False)
    radius_m = forms.IntegerField(label=_("Radius in metres"), min_value=1, required=False)
    qr_required = forms.BooleanField(label=_("Only people who scan the QR code at the site"), required=False)
    room_number = forms.CharField(label=_("Private room number"), max_length=20, required=False)
    room_password = forms.CharField(
        label=_("Private room password"), required=False, widget=forms.PasswordInput(render_value=False)
    )
    employees_only = forms.BooleanField(label=_("Employees only"), required=False)

    def clean_image(self):
        return clean_image(self.cleaned_data.get("image"))

    def targets(self):
        data = self.cleaned_data
        targets = {name: data.get(name) for name in ("age_min", "age_max", "center_lat", "center_lon", "radius_m")}
        targets.update(
            genders="".join(data.get("genders") or []),
            dongs=data.get("dongs") or "",
            qr_required=bool(data.get("qr_required")),
            employees_only=bool(data.get("employees_only")),
            room_number=data.get("room_number") or "",
        )
        if data.get("room_password"):
            targets["room_password"] = data["room_password"]
        return targets


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=[("approve", _("Approve")), ("reject", _("Reject"))], widget=forms.RadioSelect
    )
    reason = forms.CharField(
        label=_("Reason (sent to the citizen)"), max_length=limits.NOTE, widget=forms.Textarea(attrs={"rows": 3})
    )


class DrawForm(forms.Form):
    winners_count = forms.IntegerField(label=_("Number of winners"), min_value=1, max_value=10000)
    seed = forms.CharField(label=_("Seed (empty = random)"), required=False, max_length=64)


class MembersForm(forms.Form):
    identifiers = forms.CharField(
        label=_("Members"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("One username, email or mobile number per line."),
        required=False,
    )
    file = forms.FileField(label=_("or a text/CSV file"), required=False)

    def clean(self):
        data = super().clean()
        lines = _lines(data.get("identifiers"))
        upload = data.get("file")
        if upload:
            if upload.size > 2_000_000:
                raise ValidationError(_("The file is too large."))
            text = upload.read().decode("utf-8-sig", errors="replace")
            lines += [cell.strip() for line in text.splitlines() for cell in line.split(",")[:1] if cell.strip()]
        if not lines:
            raise ValidationError(_("Give at least one member."))
        data["lines"] = lines
        return data


class RoomForm(forms.Form):
    room_number = forms.CharField(label=_("Room number"), max_length=20)
    room_password = forms.CharField(
        label=_("Room password"), max_length=128, widget=forms.PasswordInput(attrs={"autocomplete": "off"})
    )


for _form in (PollBaseForm, ProposalForm, PollForm):
    limits.bind_form(_form, Poll)
