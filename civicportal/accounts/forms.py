from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import UsernameField
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from civicportal.accounts.models import CitizenProfile, User, normalise_mobile


class SignUpForm(forms.Form):
    username = UsernameField(label=_("Username"), max_length=150)
    full_name = forms.CharField(label=_("Name"), max_length=150, required=False)
    email = forms.EmailField(label=_("Email"))
    password1 = forms.CharField(
        label=_("Password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("Password (again)"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    terms = forms.BooleanField(label=_("I agree to the terms of use"))
    privacy = forms.BooleanField(label=_("I agree that my personal data is kept and used as the privacy notice says"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.label_suffix = ""  # "…에 동의합니다:" reads wrong; the labels stand alone
        # Each consent box links to what it consents to (a new tab keeps the form filled in).
        link = '<a href="{}" target="_blank" rel="noopener">{}</a>'
        self.fields["terms"].help_text = format_html(
            link, reverse("terms"), _("Read the terms of use (opens in a new tab)")
        )
        self.fields["privacy"].help_text = format_html(
            link, reverse("privacy"), _("Read the privacy notice (opens in a new tab)")
        )

    def clean_username(self):
        username = self.cleaned_data["username"]
        if User.objects.filter(username__iexact=username).exists():
            raise ValidationError(_("This username is taken."))
        return username

    def clean_email(self):
        email = self.cleaned_data["email"].lower()
        if User.objects.filter(email__iexact=email).exists():
            raise ValidationError(_("An account with this email already exists."))
        return email

    def clean(self):
        cleaned = super().clean()
        p1, p2 = cleaned.get("password1"), cleaned.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("The two passwords do not match."))
        elif p1:
            try:
                password_validation.validate_password(
                    p1, User(username=cleaned.get("username", ""), email=cleaned.get("email", ""))
                )
            except ValidationError as exc:
                self.add_error("password1", exc)
        return cleaned


class ProfileForm(forms.ModelForm):
    full_name = forms.CharField(label=_("Name"), max_length=150, required=False)
    mobile = forms.CharField(
        label=_("Mobile number"),
        required=False,
        help_text=_("e.g. 010-1234-5678"),
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )

    class Meta:
        model = CitizenProfile
        fields = [
            "birth_year",
            "gender",
            "district",
            "dong",
            "mobile",
            "preferred_language",
            "consent_in_app",
            "consent_email",
            "consent_sms",
            "consent_push",
            "quiet_hours_start",
            "quiet_hours_end",
            "location_consent",
            "home_lat",
            "home_lon",
        ]
        widgets = {
            "quiet_hours_start": forms.TimeInput(attrs={"type": "time"}),
            "quiet_hours_end": forms.TimeInput(attrs={"type": "time"}),
        }

    field_order = ["full_name"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.label_suffix = ""
        self.fields["full_name"].initial = self.instance.user.full_name
        if self.instance.mobile:
            self.initial["mobile"] = self.instance.mobile_masked
            self.fields["mobile"].help_text = _("Leave as shown to keep your number.")

    def clean_birth_year(self):
        year = self.cleaned_data.get("birth_year")
        if year and not (1900 <= year <= timezone.localdate().year):
            raise ValidationError(_("Enter a birth year between 1900 and this year."))
        return year

    def clean_mobile(self):
        raw = self.cleaned_data.get("mobile", "").strip()
        if not raw:
            return ""
        if self.instance.mobile and raw == self.instance.mobile_masked:
            return self.instance.mobile
        return normalise_mobile(raw)

    def clean(self):
        cleaned = super().clean()
        has_location = cleaned.get("home_lat") is not None or cleaned.get("home_lon") is not None
        if has_location and not cleaned.get("location_consent"):
            self.add_error("location_consent", _("Agree to store your home location, or leave it empty."))
        if (cleaned.get("home_lat") is None) != (cleaned.get("home_lon") is None):
            self.add_error("home_lon", _("Give both latitude and longitude."))
        return cleaned


class MobileCodeForm(forms.Form):
    code = forms.RegexField(
        label=_("Verification code"),
        regex=r"^\s*\d{6}\s*$",
        max_length=8,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )
