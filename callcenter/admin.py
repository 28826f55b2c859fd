from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from callcenter import selectors
from callcenter.models import (
    ArticleSuggestion,
    Contact,
    ContactEvent,
    ContactImage,
    DailySummary,
    KnowledgeArticle,
    Topic,
)
from callcenter.search import article_nouns
from civicportal.accounts.admin import NAME_COLUMNS
from civicportal.admin_mixins import AppendOnlyAdminMixin
from civicportal.files import admin_file_link
from civicportal.uploads import CleanImagesForm


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["code", *NAME_COLUMNS, "parent", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["code", "name_ko", "name_en"]
    autocomplete_fields = ["parent"]


class ContactImageInline(admin.TabularInline):
    model = ContactImage
    form = CleanImagesForm
    extra = 0
    readonly_fields = ["image_link", "width", "height", "created_at"]
    exclude = ["image"]
    can_delete = False

    @admin.display(description=_("image"))
    def image_link(self, image):
        return admin_file_link(image.image_url, image.image)


class ContactEventInline(AppendOnlyAdminMixin, admin.TabularInline):
    model = ContactEvent
    readonly_fields = ["kind", "actor", "at", "note", "data"]


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "started_at",
        "channel",
        "language",
        "counsellor",
        "topic",
        "outcome",
        "status",
        "case_tracking_number",
    ]
    list_filter = ["channel", "language", "outcome", "status", "topic"]
    search_fields = ["=id", "caller_phone", "case_tracking_number", "question", "caller__username"]
    raw_id_fields = ["caller", "counsellor", "callback_claimed_by", "transferred_to", "topic"]
    date_hierarchy = "started_at"
    readonly_fields = ["duration_seconds", "created_at", "closed_at", "case_id", "case_tracking_number"]
    inlines = [ContactImageInline, ContactEventInline]

    def has_delete_permission(self, request, obj=None):
        # The counselling record loses nothing: contacts are never deleted.
        return False

    def get_readonly_fields(self, request, obj=None):
        # A closed record is never edited, not even here: corrections are events.
        if obj is not None and obj.is_closed:
            return [f.name for f in obj._meta.fields]
        return self.readonly_fields


@admin.register(ContactEvent)
class ContactEventAdmin(AppendOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["contact", "kind", "actor", "at"]
    list_filter = ["kind"]
    search_fields = ["=contact__id", "note"]
    raw_id_fields = ["contact", "actor"]


@admin.register(KnowledgeArticle)
class KnowledgeArticleAdmin(admin.ModelAdmin):
    list_display = ["question", "language", "department", "topic", "review_date", "published"]
    list_filter = ["published", "department", "topic"]
    search_fields = ["question", "keywords", "answer"]
    raw_id_fields = ["department", "topic"]

    def save_model(self, request, obj, form, change):
        obj.search_nouns = article_nouns(obj)
        super().save_model(request, obj, form, change)


@admin.register(ArticleSuggestion)
class ArticleSuggestionAdmin(admin.ModelAdmin):
    list_display = ["article", "suggested_by", "status", "created_at", "decided_by"]
    list_filter = ["status"]
    search_fields = ["question", "reason", "article__question"]
    raw_id_fields = ["article", "suggested_by", "decided_by"]


@admin.register(DailySummary)
class DailySummaryAdmin(admin.ModelAdmin):
    list_display = ["day", "dimension", "key", "contacts", "answered_on_spot", "computed_at"]
    list_filter = ["dimension"]
    search_fields = ["key"]
    date_hierarchy = "day"
    actions = ["recompute"]

    @admin.action(description=_("Recompute the selected days"))
    def recompute(self, request, queryset):
        days = sorted(set(queryset.values_list("day", flat=True)))
        for day in days:
            selectors.daily_summary_recompute(day)
        self.message_user(request, _("%(n)d days recomputed.") % {"n": len(days)}, messages.SUCCESS)
