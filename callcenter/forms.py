from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from callcenter.models import MESSAGE_MAX_CHARS, ArticleSuggestion, Contact, ContactEvent, KnowledgeArticle, Topic
from civicportal import limits
from civicportal.accounts.models import Department
from civicportal.accounts.scales import SATISFACTION_CHOICES

DATETIME = {"type": "datetime-local"}


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleImageField(forms.FileField):
    """Raw uploads; the service verifies each with Pillow (so the refusal message is one)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/*"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if not data:
            return []
        files = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleImageField, self).clean(f, initial) for f in files]


def topic_field(required=False):
    return forms.ModelChoiceField(
        Topic.objects.filter(is_active=True).select_related("parent__parent"),
        required=required,
        label=_("Topic"),
    )


class TopicChoiceMixin:
    def label_topics(self):
        if "topic" in self.fields:
            self.fields["topic"].label_from_instance = lambda t: t.path


SMS_CONSENT_CHOICES = [
    ("", _("Not asked")),
    ("yes", _("Yes, the caller agrees to text messages")),
    ("no", _("No, the caller does not want text messages")),
]


def sms_consent_field(**kwargs):
    return forms.TypedChoiceField(
        label=_("May 120 text the caller at this number?"),
        choices=SMS_CONSENT_CHOICES,
        coerce=lambda value: {"yes": True, "no": False}.get(value),
        empty_value=None,
        required=False,
        help_text=_("For a caller without an account: the tracking number and access code, a callback, the survey."),
        **kwargs,
    )


def transfer_departments():
    return Department.objects.filter(is_active=True).order_by("kind", "code")


class ContactLogForm(TopicChoiceMixin, forms.Form):
    channel = forms.ChoiceField(label=_("Channel"), choices=[("", "—")] + Contact.Channel.choices, required=False)
    # A plain field with a select: the service refuses a language the centre does not offer.
    language = forms.CharField(
        label=_("Language"),
        widget=forms.Select(choices=Contact.Language.choices),
        initial=Contact.Language.KOREAN,
        help_text=_("Foreign-language line: extension 9."),
    )
    caller_phone = forms.CharField(
        label=_("Caller phone"),
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off", "accesskey": "p"}),
        help_text=_("A citizen whose profile has this number is linked; otherwise the caller is anonymous."),
    )
    sms_consent = sms_consent_field()
    topic = topic_field()
    question = forms.CharField(label=_("Question"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    message_text = forms.CharField(
        label=_("SMS / MMS text"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 3, "data-max-chars": MESSAGE_MAX_CHARS}),
        help_text=_("At most 1,000 characters."),
    )
    images = MultipleImageField(label=_("MMS images"), required=False)
    answer = forms.CharField(
        label=_("Answer given"), required=False, widget=forms.Textarea(attrs={"rows": 3, "accesskey": "a"})
    )
    started_at = forms.DateTimeField(label=_("Started at"), widget=forms.DateTimeInput(attrs=DATETIME))
    ended_at = forms.DateTimeField(
        label=_("Ended at"), required=False, widget=forms.DateTimeInput(attrs=DATETIME), help_text=_("Empty: now.")
    )
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        required=False,
        choices=[("", _("Keep open"))] + [c for c in Contact.Outcome.choices if c[0] != Contact.Outcome.CASE],
        help_text=_("To file an Eung-Dap-So case, keep it open and use “turn into a case”."),
    )
    transferred_to = forms.ModelChoiceField(transfer_departments(), label=_("Transferred to"), required=False)
    callback_due_at = forms.DateTimeField(
        label=_("Callback due"), required=False, widget=forms.DateTimeInput(attrs=DATETIME)
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["transferred_to"].queryset = transfer_departments()
        self.fields["channel"].widget.attrs.update({"autofocus": True, "accesskey": "c"})
        if not self.is_bound:
            self.initial.setdefault("started_at", timezone.localtime().strftime("%Y-%m-%dT%H:%M:%S"))
        self.label_topics()


class CloseForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=[c for c in Contact.Outcome.choices if c[0] != Contact.Outcome.CASE]
    )
    answer = forms.CharField(label=_("Answer given"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    transferred_to = forms.ModelChoiceField(transfer_departments(), label=_("Transferred to"), required=False)
    callback_due_at = forms.DateTimeField(
        label=_("Callback due"), required=False, widget=forms.DateTimeInput(attrs=DATETIME)
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["transferred_to"].queryset = transfer_departments()


class CorrectionForm(TopicChoiceMixin, forms.Form):
    note = forms.CharField(label=_("What is corrected, and why"), widget=forms.Textarea(attrs={"rows": 2}))
    topic = topic_field()
    question = forms.CharField(label=_("Corrected question"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    answer = forms.CharField(label=_("Corrected answer"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    language = forms.ChoiceField(
        label=_("Corrected language"), required=False, choices=[("", "—")] + Contact.Language.choices
    )
    caller_phone = forms.CharField(label=_("Corrected caller phone"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.label_topics()


def case_kinds():
    """The kinds Eung-Dap-So accepts (read at form time: complaints stays a lazy import)."""
    from callcenter.case_link import case_kinds as kinds

    return kinds()


class CaseForm(forms.Form):
    title = forms.CharField(label=_("Case title"), max_length=limits.TITLE)
    text = forms.CharField(
        label=_("Case text"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Empty: the caller's question and message."),
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=case_kinds, initial="complaint")
    location_text = forms.CharField(label=_("Place"), max_length=limits.PLACE, required=False)
    lat = forms.DecimalField(label=_("Latitude"), required=False, max_digits=9, decimal_places=6)
    lon = forms.DecimalField(label=_("Longitude"), required=False, max_digits=9, decimal_places=6)
    text_is_public = forms.BooleanField(
        label=_("The caller agrees to publish the title and text"),
        required=False,
        help_text=_(
            "Ask: “May the city publish the title and description of your case (never your name or "
            "number)?” Without a yes, public pages show only the kind, topic, district, status and dates."
        ),
    )
    sms_consent = sms_consent_field()


class WebMessageForm(TopicChoiceMixin, forms.Form):
    message_text = forms.CharField(
        label=_("Your message"),
        widget=forms.Textarea(attrs={"rows": 6, "data-max-chars": MESSAGE_MAX_CHARS}),
        required=False,
        help_text=_("At most 1,000 characters. Do not include resident registration numbers."),
    )
    language = forms.CharField(label=_("Language of the answer"), widget=forms.Select(choices=Contact.Language.choices))
    topic = topic_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.label_topics()


class AnswerForm(forms.Form):
    answer = forms.CharField(label=_("Answer"), widget=forms.Textarea(attrs={"rows": 4}))


class SurveyForm(forms.Form):
    satisfaction = forms.TypedChoiceField(
        label=_("How satisfied are you?"),
        coerce=int,
        choices=SATISFACTION_CHOICES[::-1],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment"), required=False, max_length=limits.COMMENT, widget=forms.Textarea(attrs={"rows": 3})
    )


class ArticleForm(forms.ModelForm):
    class Meta:
        model = KnowledgeArticle
        fields = ["question", "answer", "language", "keywords", "department", "topic", "review_date", "published"]
        widgets = {"review_date": forms.DateInput(attrs={"type": "date"}), "answer": forms.Textarea(attrs={"rows": 6})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Most articles are Korean: a form (or a client) that does not say keeps that.
        self.fields["language"].required = False

    def clean_language(self):
        return self.cleaned_data.get("language") or KnowledgeArticle._meta.get_field("language").default


class SuggestionForm(forms.Form):
    question = forms.CharField(label=_("Question"), max_length=300)
    answer = forms.CharField(label=_("Answer"), widget=forms.Textarea(attrs={"rows": 6}))
    keywords = forms.CharField(label=_("Keywords"), required=False, max_length=300)
    reason = forms.CharField(label=_("Why"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class DecisionForm(forms.Form):
    note = forms.CharField(
        label=_("Note"), required=False, max_length=limits.NOTE, widget=forms.Textarea(attrs={"rows": 2})
    )


class StatisticsForm(forms.Form):
    date_from = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To"), widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to"):
            if data["date_to"] < data["date_from"]:
                raise forms.ValidationError(_("“To” is before “From”."))
            if (data["date_to"] - data["date_from"]).days > 366:
                raise forms.ValidationError(_("Choose at most a year."))
        return data


# message_text: the service refuses it with its own code (text_too_long), as SMS gateways count.
TEXTS = ("question", "answer")
for _form, _model, _fields in (
    (ContactLogForm, Contact, TEXTS),
    (CloseForm, Contact, TEXTS),
    (CorrectionForm, Contact, TEXTS),
    (CorrectionForm, ContactEvent, ("note",)),
    (WebMessageForm, Contact, TEXTS),
    (AnswerForm, Contact, TEXTS),
    (SuggestionForm, ArticleSuggestion, ("question", "answer", "keywords", "reason")),
):
    limits.bind_form(_form, _model, _fields)
