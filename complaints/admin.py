from django import forms
from django.contrib import admin, messages
from django.db import models
from django.utils.translation import gettext_lazy as _

from civicportal import limits
from civicportal.accounts.admin import NAME_COLUMNS
from civicportal.admin_mixins import AppendOnlyAdminMixin
from civicportal.errors import DomainError
from civicportal.files import CheckedFileInput, admin_file_link
from complaints import services, suggestions
from complaints.models import (
    Attachment,
    Case,
    CaseEvent,
    Category,
    FaqEntry,
    PublishedExample,
    Rating,
    RoutingModel,
    RoutingRule,
    RoutingSettings,
    SlaPolicy,
    TrackingCounter,
)


class AttachmentInline(admin.TabularInline):
    model = Attachment
    extra = 0
    readonly_fields = ["original_name", "kind", "content_type", "size", "file_link", "uploaded_at"]
    exclude = ["file"]
    can_delete = False

    @admin.display(description=_("file"))
    def file_link(self, attachment):
        return admin_file_link(attachment.download_url, attachment.file)


class CaseEventInline(AppendOnlyAdminMixin, admin.TabularInline):
    model = CaseEvent
    can_delete = False
    readonly_fields = [
        "at",
        "kind",
        "actor",
        "from_status",
        "to_status",
        "from_department",
        "to_department",
        "note",
        "is_internal",
    ]


class CaseAdminForm(forms.ModelForm):
    """The case's text limit is a setting, so it is checked here rather than by the model
    (ModelAdmin gives the model and the fields)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "text" in self.fields:
            self.fields["text"].widget.attrs["maxlength"] = str(limits.case_text())

    def clean_text(self):
        text = self.cleaned_data["text"]
        try:
            limits.check_field(Case, "text", text, limit=limits.case_text())
        except DomainError as exc:
            raise forms.ValidationError(exc.message) from None
        return text


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    form = CaseAdminForm
    list_display = [
        "tracking_number",
        "title",
        "kind",
        "channel",
        "status",
        "department",
        "officer",
        "due_at",
        "filed_at",
    ]
    list_filter = ["status", "kind", "channel", "is_simple", "text_is_public", "department", "district", "category"]
    search_fields = ["tracking_number", "title"]
    raw_id_fields = ["citizen", "filed_by", "officer", "answered_by", "duplicate_of"]
    autocomplete_fields = ["department"]
    readonly_fields = [
        "tracking_number",
        "filed_at",
        "clock_started_at",
        "warn_at",
        "warned_at",
        "escalated_at",
        "answer_round",
        "nouns",
        "text_is_public",
    ]
    date_hierarchy = "filed_at"
    list_select_related = ["department", "officer"]
    inlines = [AttachmentInline, CaseEventInline]
    actions = ["reroute", "publish_as_example"]

    @admin.action(description=_("Run routing again"))
    def reroute(self, request, queryset):
        for case in queryset:
            try:
                services.case_route(case=case, by=request.user)
            except DomainError as exc:
                self.message_user(request, f"{case.tracking_number}: {exc.message}", messages.ERROR)

    @admin.action(description=_("Publish as an example (review and anonymise the text after)"))
    def publish_as_example(self, request, queryset):
        # Only what the citizen chose to make public becomes an example, and never a report.
        answered = queryset.filter(answered_at__isnull=False)
        chosen = answered.public().filter(text_is_public=True)
        skipped = answered.count() - chosen.count()
        if skipped:
            self.message_user(
                request,
                _("%(n)d case(s) skipped: their citizens did not choose to publish the title and text.")
                % {"n": skipped},
                messages.WARNING,
            )
        for case in chosen:
            PublishedExample.objects.get_or_create(
                case=case,
                defaults={
                    "title": case.title,
                    "question": case.text,
                    "answer": case.answer,
                    "category": case.category,
                    "department": case.department,
                    "is_published": False,
                },
            )
        self.message_user(request, _("Drafts created, unpublished: anonymise them, then publish."))


@admin.register(CaseEvent)
class CaseEventAdmin(AppendOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["case", "kind", "at", "actor", "from_status", "to_status", "is_internal"]
    list_filter = ["kind", "is_internal"]
    search_fields = ["case__tracking_number", "note"]
    raw_id_fields = ["case", "actor", "from_department", "to_department"]


@admin.register(Attachment)
class AttachmentAdmin(admin.ModelAdmin):
    list_display = ["original_name", "case", "kind", "content_type", "size", "uploaded_at"]
    list_filter = ["kind"]
    search_fields = ["original_name", "case__tracking_number"]
    raw_id_fields = ["case"]
    formfield_overrides = {models.FileField: {"widget": CheckedFileInput(url_attribute="download_url")}}


@admin.register(Rating)
class RatingAdmin(AppendOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["case", "answer_round", "score", "rated_at"]
    list_filter = ["score"]
    search_fields = ["case__tracking_number", "comment"]
    raw_id_fields = ["case"]


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):
    list_display = [
        "priority",
        "name",
        "kind",
        "category",
        "keywords",
        "district",
        "department",
        "marks_simple",
        "is_active",
    ]
    list_editable = ["is_active"]
    list_display_links = ["priority", "name"]
    list_filter = ["is_active", "kind", "marks_simple", "department"]
    search_fields = ["name", "keywords"]
    autocomplete_fields = ["department"]


@admin.register(SlaPolicy)
class SlaPolicyAdmin(admin.ModelAdmin):
    list_display = ["kind", "business_days"]
    list_filter = ["kind"]
    search_fields = ["kind"]


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["code", *NAME_COLUMNS]
    list_filter = ["code"]
    search_fields = ["code", "name_ko", "name_en"]


@admin.register(FaqEntry)
class FaqEntryAdmin(admin.ModelAdmin):
    list_display = ["question", "category", "is_published", "order"]
    list_filter = ["is_published", "category"]
    search_fields = ["question", "answer"]


@admin.register(PublishedExample)
class PublishedExampleAdmin(admin.ModelAdmin):
    list_display = ["title", "category", "department", "is_published", "published_at"]
    list_filter = ["is_published", "category", "department"]
    search_fields = ["title", "question", "answer"]
    raw_id_fields = ["case"]


@admin.register(TrackingCounter)
class TrackingCounterAdmin(admin.ModelAdmin):
    list_display = ["year", "last"]
    list_filter = ["year"]
    search_fields = ["year"]

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(RoutingModel)
class RoutingModelAdmin(admin.ModelAdmin):
    """Versions of the learned routing: trained by the nightly task, never edited by hand."""

    list_display = [
        "version",
        "is_active",
        "trained_at",
        "case_count",
        "department_count",
        "top1_accuracy",
        "top3_accuracy",
        "window_start",
        "window_end",
        "size",
    ]
    list_filter = ["is_active", "classifier"]
    search_fields = ["version"]
    readonly_fields = [f for f in list_display if f != "is_active"] + [
        "held_out_count",
        "classifier",
        "training_seconds",
        "is_active",
    ]
    exclude = ["pipeline"]
    actions = ["activate", "switch_off"]

    def get_queryset(self, request):
        return super().get_queryset(request).defer("pipeline")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False if obj is not None else super().has_change_permission(request, obj)

    @admin.action(description=_("Use this version (roll back or forward to it)"), permissions=["change"])
    def activate(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, _("Choose exactly one version."), messages.ERROR)
            return
        model = queryset.get()
        suggestions.routing_model_activate(routing_model=model, by=request.user)
        self.message_user(request, _("Version %(version)s is now in use.") % {"version": model.version})

    @admin.action(description=_("Switch learned routing off (rules only)"), permissions=["change"])
    def switch_off(self, request, queryset):
        suggestions.routing_model_switch_off(by=request.user)
        self.message_user(request, _("Learned routing is off: cases are routed by the rules alone."))


@admin.register(RoutingSettings)
class RoutingSettingsAdmin(admin.ModelAdmin):
    list_display = ["__str__", "enabled", "threshold", "auto_activate", "window_days", "min_cases"]
    list_filter = ["enabled"]
    search_fields = ["threshold"]
    readonly_fields = ["training_started_at"]

    def has_add_permission(self, request):
        return not RoutingSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False
