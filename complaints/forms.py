from django import forms
from django.utils.translation import gettext_lazy as _

from civicportal.accounts.models import Department, District, User
from civicportal.accounts.scales import SATISFACTION_CHOICES
from complaints.models import Category, Kind


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(d, initial) for d in data if d]
        return [super().clean(data, initial)] if data else []


class CaseFileForm(forms.Form):
    kind = forms.ChoiceField(label=_("What is it?"), choices=Kind.choices, initial=Kind.COMPLAINT)
    category = forms.ModelChoiceField(label=_("Topic"), queryset=Category.objects.all(), required=False)
    title = forms.CharField(label=_("Title"), max_length=200)
    text = forms.CharField(label=_("Describe it"), widget=forms.Textarea(attrs={"rows": 6}))
    location_text = forms.CharField(
        label=_("Place"), max_length=200, required=False, help_text=_("e.g. the address or a nearby landmark")
    )
    district = forms.ModelChoiceField(
        label=_("District"),
        queryset=District.objects.all(),
        required=False,
        help_text=_("Leave empty to derive it from the position."),
    )
    lat = forms.DecimalField(label=_("Latitude"), required=False, max_digits=9, decimal_places=6)
    lon = forms.DecimalField(label=_("Longitude"), required=False, max_digits=9, decimal_places=6)
    anonymous_reporter = forms.BooleanField(
        label=_("Hide my identity from the handling officer"),
        required=False,
        help_text=_("Only for corruption and public-interest reports."),
    )
    attachments = MultipleFileField(
        label=_("Photos, voice, video or documents"),
        required=False,
        help_text=_("Up to 5 files. Location data is removed from photos."),
        widget=MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp,audio/*,video/*,application/pdf"}),
    )


class RateForm(forms.Form):
    score = forms.TypedChoiceField(
        label=_("How satisfied are you with the answer?"),
        choices=SATISFACTION_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(label=_("Comment (optional)"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class AdditionalAnswerForm(forms.Form):
    text = forms.CharField(label=_("What is missing from the answer?"), widget=forms.Textarea(attrs={"rows": 3}))


class AnswerForm(forms.Form):
    text = forms.CharField(label=_("Answer to the citizen"), widget=forms.Textarea(attrs={"rows": 6}))


class NoteForm(forms.Form):
    text = forms.CharField(label=_("Internal note"), widget=forms.Textarea(attrs={"rows": 3}))


class TransferForm(forms.Form):
    to_department = forms.ModelChoiceField(
        label=_("Transfer to"),
        queryset=Department.objects.filter(is_active=True).order_by("kind", "name_ko"),
        help_text=_("Another department, a district office, a ministry or another local government."),
    )
    reason = forms.CharField(label=_("Reason (shown to the citizen)"), widget=forms.Textarea(attrs={"rows": 3}))


class AssignForm(forms.Form):
    officer = forms.ModelChoiceField(label=_("Assign to"), queryset=User.objects.none())

    def __init__(self, *args, department=None, **kwargs):
        super().__init__(*args, **kwargs)
        if department is not None:
            self.fields["officer"].queryset = User.objects.filter(memberships__department=department).order_by(
                "full_name"
            )


class DuplicateForm(forms.Form):
    primary = forms.CharField(label=_("Tracking number of the primary case"), max_length=12)


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Keywords"), required=False, max_length=100)


STAFF_CHANNEL_CHOICES = [
    ("visit", _("Walk-in visit")),
    ("email", _("Email")),
    ("social", _("Social media")),
    ("120", _("120 call centre")),
]


class StaffCaseFileForm(CaseFileForm):
    """An officer or counsellor files for a citizen (walk-in, email, social media, phone)."""

    channel = forms.ChoiceField(label=_("Channel"), choices=STAFF_CHANNEL_CHOICES)
    citizen_username = forms.CharField(
        label=_("Citizen's account (username)"), required=False, help_text=_("Leave empty if they have none.")
    )
    source_url = forms.URLField(label=_("Link to the post or message"), required=False, assume_scheme="https")

    field_order = ["channel", "citizen_username", "source_url"]

    def clean_citizen_username(self):
        username = self.cleaned_data["citizen_username"].strip()
        if not username:
            return None
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise forms.ValidationError(_("No account with this username."))
        return user
