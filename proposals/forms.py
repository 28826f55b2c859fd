from django import forms
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from civicportal import limits
from civicportal.accounts.language import OwnLanguageSelect
from civicportal.accounts.models import Department, District
from civicportal.accounts.scales import SCORE_CHOICES as EXPERT_SCORES
from proposals.models import (
    SCORE_MAX,
    SCORE_MIN,
    Comment,
    Decision,
    Evaluation,
    ImplementationUpdate,
    PanelMember,
    Proposal,
    ProposalRevision,
    ThemedCall,
)


class MultipleImageInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleImageField(forms.FileField):
    widget = MultipleImageInput

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleImageField, self).clean(d, initial) for d in data if d]
        return [super().clean(data, initial)] if data else []


NEEDED_TO_SUBMIT = _("Needed to submit; a draft may leave it empty.")


class ProposalForm(forms.Form):
    themed_call = forms.ModelChoiceField(
        label=_("Themed call"),
        queryset=ThemedCall.objects.none(),
        required=False,
        empty_label=_("None: a general proposal"),
        widget=OwnLanguageSelect,
    )
    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        widget=forms.TextInput(
            attrs={
                # Progressive enhancement: similar proposals appear while typing.
                "hx-get": reverse_lazy("proposals:similar"),
                "hx-trigger": "keyup changed delay:600ms",
                "hx-target": "#similar-hint",
                "hx-swap": "innerHTML",
                "aria-describedby": "similar-hint",
            }
        ),
    )
    problem = forms.CharField(
        label=_("The problem"), help_text=NEEDED_TO_SUBMIT, widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    idea = forms.CharField(
        label=_("Your idea"), help_text=NEEDED_TO_SUBMIT, widget=forms.Textarea(attrs={"rows": 5}), required=False
    )
    expected_effect = forms.CharField(
        label=_("Expected effect"), help_text=NEEDED_TO_SUBMIT, widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    department = forms.ModelChoiceField(
        label=_("Department (if you know it)"),
        queryset=Department.objects.filter(is_active=True).exclude(kind__in=Department.EXTERNAL_KINDS),
        required=False,
        empty_label=_("Let the city decide"),
    )
    district = forms.ModelChoiceField(label=_("District"), queryset=District.objects.all(), required=False)
    location_text = forms.CharField(label=_("Place (optional)"), max_length=200, required=False)
    images = MultipleImageField(
        label=_("Images (optional, up to 5)"),
        required=False,
        widget=MultipleImageInput(attrs={"accept": "image/*"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["themed_call"].queryset = ThemedCall.objects.open_at()

    def service_data(self):
        data = dict(self.cleaned_data)
        data.pop("images", None)
        return data


class CommentForm(forms.Form):
    text = forms.CharField(label=_("Your comment"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class AssignForm(forms.Form):
    evaluators = forms.ModelMultipleChoiceField(
        label=_("Evaluators"),
        queryset=PanelMember.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["evaluators"].queryset = PanelMember.objects.filter(active=True).select_related("user")
        self.fields["evaluators"].label_from_instance = lambda seat: (
            f"{seat.user.get_full_name() or seat.user.username} — {seat.get_panel_display()}"
        )


SCORE_CHOICES = [(value, label) for value, label in EXPERT_SCORES if SCORE_MIN <= value <= SCORE_MAX]


class EvaluationForm(forms.Form):
    necessity = forms.TypedChoiceField(
        label=_("Necessity"), choices=SCORE_CHOICES, coerce=int, widget=forms.RadioSelect
    )
    effectiveness = forms.TypedChoiceField(
        label=_("Effectiveness"), choices=SCORE_CHOICES, coerce=int, widget=forms.RadioSelect
    )
    feasibility = forms.TypedChoiceField(
        label=_("Feasibility"), choices=SCORE_CHOICES, coerce=int, widget=forms.RadioSelect
    )
    budget = forms.TypedChoiceField(
        label=_("Budget appropriateness"), choices=SCORE_CHOICES, coerce=int, widget=forms.RadioSelect
    )
    comment = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 4}))


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=Decision.Outcome.choices, widget=forms.RadioSelect)
    summary = forms.CharField(label=_("Opinion of the department"), widget=forms.Textarea(attrs={"rows": 4}))
    necessity = forms.CharField(
        label=_("Necessity (if adopted)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    effectiveness = forms.CharField(
        label=_("Effectiveness (if adopted)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    feasibility = forms.CharField(
        label=_("Feasibility (if adopted)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    required_budget = forms.IntegerField(label=_("Required budget in won (if adopted)"), required=False, min_value=0)
    reason_validity = forms.BooleanField(label=_("Reason: validity"), required=False)
    reason_effectiveness = forms.BooleanField(label=_("Reason: effectiveness"), required=False)
    reason_budget = forms.BooleanField(label=_("Reason: budget"), required=False)
    reason_ordinances = forms.BooleanField(label=_("Reason: ordinances or law"), required=False)
    reasons = forms.CharField(
        label=_("Reasons (if not adopted)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class RevisionForm(forms.Form):
    title = forms.CharField(label=_("Revised title"), max_length=200)
    problem = forms.CharField(label=_("Revised problem"), widget=forms.Textarea(attrs={"rows": 3}))
    idea = forms.CharField(label=_("Revised idea"), widget=forms.Textarea(attrs={"rows": 4}))
    expected_effect = forms.CharField(label=_("Revised expected effect"), widget=forms.Textarea(attrs={"rows": 3}))
    note = forms.CharField(label=_("Why the revision"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ImplementationForm(forms.Form):
    text = forms.CharField(label=_("Progress"), widget=forms.Textarea(attrs={"rows": 3}))
    completed = forms.BooleanField(label=_("Implementation completed"), required=False)


class ThemedCallForm(forms.Form):
    department = forms.ModelChoiceField(label=_("Department"), queryset=Department.objects.none())
    title = forms.CharField(label=_("Theme"), max_length=200)
    description = forms.CharField(label=_("What ideas are you looking for?"), widget=forms.Textarea(attrs={"rows": 4}))
    opens_at = forms.DateTimeField(
        label=_("Opens at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    )
    closes_at = forms.DateTimeField(
        label=_("Closes at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    )

    def __init__(self, *args, department_ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = Department.objects.filter(pk__in=department_ids)


for _form, _model in (
    (ProposalForm, Proposal),
    (CommentForm, Comment),
    (EvaluationForm, Evaluation),
    (DecisionForm, Decision),
    (RevisionForm, ProposalRevision),
    (ImplementationForm, ImplementationUpdate),
    (ThemedCallForm, ThemedCall),
):
    limits.bind_form(_form, _model)
