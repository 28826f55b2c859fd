from django import forms
from django.utils.translation import gettext_lazy as _

from callcenter.chat.models import Kind, Queue
from callcenter.forms import TopicChoiceMixin, topic_field
from callcenter.models import Contact
from civicportal import limits


class StartForm(TopicChoiceMixin, forms.Form):
    """Start a live conversation: the topic first, then how and in which language."""

    topic = topic_field(required=True)
    kind = forms.ChoiceField(label=_("How"), choices=Kind.choices, initial=Kind.TEXT, widget=forms.RadioSelect)
    language = forms.ChoiceField(
        label=_("Language of the conversation"), choices=Contact.Language.choices, initial=Contact.Language.KOREAN
    )
    name = forms.CharField(label=_("Your name"), max_length=100, required=False)
    phone = forms.CharField(
        label=_("Mobile phone (optional)"),
        max_length=20,
        required=False,
        help_text=_("Only if you agree below: for the transcript, a callback or the satisfaction survey."),
    )
    sms_consent = forms.BooleanField(label=_("120 may send me text messages at this number"), required=False)

    def __init__(self, *args, anonymous=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.label_topics()
        if anonymous:
            self.fields["name"].required = True
        else:
            for name in ("name", "phone", "sms_consent"):
                del self.fields[name]


class LeaveMessageForm(forms.Form):
    message_text = forms.CharField(
        label=_("Your message"), max_length=limits.SMS_TEXT, widget=forms.Textarea(attrs={"rows": 5})
    )
    phone = forms.CharField(label=_("Mobile phone"), max_length=20, required=False)
    sms_consent = forms.BooleanField(label=_("120 may send me text messages at this number"), required=False)

    def __init__(self, *args, ask_phone=False, **kwargs):
        super().__init__(*args, **kwargs)
        if not ask_phone:
            del self.fields["phone"]
            del self.fields["sms_consent"]


class LeaveNewMessageForm(TopicChoiceMixin, LeaveMessageForm):
    """Leave a message without a conversation (e.g. outside the interpreters' hours)."""

    topic = topic_field(required=True)
    language = forms.ChoiceField(label=_("Language"), choices=Contact.Language.choices, initial=Contact.Language.KOREAN)
    name = forms.CharField(label=_("Your name"), max_length=100, required=False)

    def __init__(self, *args, ask_phone=False, **kwargs):
        super().__init__(*args, ask_phone=ask_phone, **kwargs)
        self.label_topics()
        if not ask_phone:  # signed in: the account says who writes
            del self.fields["name"]


class TranscriptForm(forms.Form):
    channel = forms.ChoiceField(
        label=_("Send me the transcript"),
        choices=[("email", _("by email")), ("sms", _("by text message"))],
        widget=forms.RadioSelect,
    )


class TransferForm(forms.Form):
    to_counsellor = forms.ModelChoiceField(queryset=None, label=_("To a colleague"), required=False)
    to_queue = forms.ChoiceField(label=_("Or back to a queue"), choices=[("", "—"), *Queue.choices], required=False)

    def __init__(self, *args, colleagues=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_counsellor"].queryset = colleagues


class SeatForm(forms.Form):
    capacity = forms.IntegerField(label=_("Conversations at once"), min_value=1, max_value=20)
    languages = forms.MultipleChoiceField(
        label=_("Languages"), choices=Contact.Language.choices, widget=forms.CheckboxSelectMultiple
    )
    sign_language = forms.BooleanField(label=_("Sign-language interpreter"), required=False)
