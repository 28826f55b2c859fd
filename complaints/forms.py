from django import forms
from django.utils.translation import gettext_lazy as _

from civicportal import limits
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
    title = forms.CharField(label=_("Title"), max_length=limits.TITLE)
    # Its limit is a setting: the browser is told in __init__, the filing service refuses.
    text = forms.CharField(label=_("Describe it"), widget=forms.Textarea(attrs={"rows": 6}))
    location_text = forms.CharField(
        label=_("Place"), max_length=limits.PLACE, required=False, help_text=_("e.g. the address or a nearby landmark")
    )
    district = forms.ModelChoiceField(
        label=_("District"),
        queryset=District.objects.all(),
        required=False,
        help_text=_("Leave empty: the place or the position on the map decides."),
    )
    lat = forms.DecimalField(label=_("Latitude"), required=False, max_digits=9, decimal_places=6)
    lon = forms.DecimalField(label=_("Longitude"), required=False, max_digits=9, decimal_places=6)
    anonymous_reporter = forms.BooleanField(
        label=_("Hide my identity from the handling officer"),
        required=False,
        help_text=_("Only for corruption and public-interest reports."),
    )
    text_is_public = forms.BooleanField(
        label=_("Publish my title and description"),
        required=False,
        initial=False,
        help_text=_(
            "If you tick this, anyone can read the title and description you write above, the handling "
            "department and the position on the map (rounded to about 100 m), on the portal and in the "
            "city's open data (Open311). Your name, phone and photos are never published. If you leave it "
            "empty, only the kind, topic, district, status and dates are public. Reports (corruption, public "
            "interest, human rights, welfare) are never published."
        ),
    )
    attachments = MultipleFileField(
        label=_("Photos, voice, video or documents"),
        required=False,
        help_text=_("Up to 5 files. Location data is removed from photos."),
        widget=MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp,audio/*,video/*,application/pdf"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["text"].widget.attrs["maxlength"] = str(limits.case_text())

    def clean_text(self):
        # The same rule as the filing service, worded for a field that carries its own label.
        text = self.cleaned_data["text"]
        try:
            limits.check_length(text, limits.case_text(), field="text")
        except limits.TooLong as exc:
            raise forms.ValidationError(exc.message) from None
        return text


class TrackForm(forms.Form):
    """Follow a case without an account: the tracking number and the access code from the receipt."""

    tracking_number = forms.CharField(
        label=_("Tracking number"),
        max_length=12,
        help_text=_("e.g. 2026-0000123"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric", "spellcheck": "false"}),
    )
    access_code = forms.CharField(
        label=_("Access code"),
        max_length=20,
        help_text=_("8 letters and digits, given at filing (e.g. K7MP-3QXA)."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}),
    )


class RateForm(forms.Form):
    score = forms.TypedChoiceField(
        label=_("How satisfied are you with the answer?"),
        choices=SATISFACTION_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment (optional)"),
        required=False,
        max_length=limits.COMMENT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class AdditionalAnswerForm(forms.Form):
    text = forms.CharField(
        label=_("What is missing from the answer?"), max_length=limits.NOTE, widget=forms.Textarea(attrs={"rows": 3})
    )


class AnswerForm(forms.Form):
    text = forms.CharField(
        label=_("Answer to the citizen"), max_length=limits.ANSWER, widget=forms.Textarea(attrs={"rows": 6})
    )


class NoteForm(forms.Form):
    text = forms.CharField(label=_("Internal note"), max_length=limits.NOTE, widget=forms.Textarea(attrs={"rows": 3}))


class TransferForm(forms.Form):
    to_department = forms.ModelChoiceField(
        label=_("Transfer to"),
        queryset=Department.objects.filter(is_active=True).order_by("kind", "name_ko"),
        help_text=_("Another department, a district office, a ministry or another local government."),
    )
    reason = forms.CharField(
        label=_("Reason (shown to the citizen)"), max_length=limits.NOTE, widget=forms.Textarea(attrs={"rows": 3})
    )


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

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Staff ask the citizen; the box records the citizen's answer, not the officer's.
        self.fields["text_is_public"].label = _("The citizen agrees to publish the title and description")

    def clean_citizen_username(self):
        username = self.cleaned_data["citizen_username"].strip()
        if not username:
            return None
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise forms.ValidationError(_("No account with this username."))
        return user
