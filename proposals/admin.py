from django.contrib import admin

from civicportal.admin_mixins import AppendOnlyAdminMixin
from civicportal.uploads import CleanImagesForm
from proposals.models import (
    Comment,
    Decision,
    Evaluation,
    EvaluatorAssignment,
    ImplementationUpdate,
    PanelMember,
    Proposal,
    ProposalEvent,
    ProposalImage,
    ProposalRevision,
    ProposalVote,
    ThemedCall,
)


@admin.register(ThemedCall)
class ThemedCallAdmin(admin.ModelAdmin):
    list_display = ("title", "department", "opens_at", "closes_at", "status")
    list_filter = ("status", "department")
    search_fields = ("title", "description")
    raw_id_fields = ("created_by",)
    date_hierarchy = "opens_at"


class ProposalImageInline(admin.TabularInline):
    model = ProposalImage
    form = CleanImagesForm
    extra = 0


class ProposalEventInline(AppendOnlyAdminMixin, admin.TabularInline):
    model = ProposalEvent
    can_delete = False
    readonly_fields = ("kind", "from_status", "to_status", "actor", "note", "created_at")


@admin.register(Proposal)
class ProposalAdmin(admin.ModelAdmin):
    list_display = ("id", "title", "status", "vote_count", "department", "submitted_at", "decided_at")
    list_filter = ("status", "department", "themed_call")
    search_fields = ("title", "problem", "idea", "author__username")
    raw_id_fields = ("author", "themed_call")
    readonly_fields = ("vote_count", "submitted_at", "reviewed_at", "decided_at", "status")
    date_hierarchy = "submitted_at"
    inlines = [ProposalImageInline, ProposalEventInline]


@admin.register(ProposalVote)
class ProposalVoteAdmin(AppendOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("proposal", "voter", "created_at")
    search_fields = ("voter__username", "proposal__title")
    raw_id_fields = ("proposal", "voter", "proposal_author")
    list_filter = ("created_at",)


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ("proposal", "author", "created_at", "hidden")
    list_filter = ("hidden",)
    search_fields = ("text", "author__username")
    raw_id_fields = ("proposal", "author")
    actions = ["hide"]

    @admin.action(description="Hide selected comments")
    def hide(self, request, queryset):
        queryset.update(hidden=True)


@admin.register(PanelMember)
class PanelMemberAdmin(admin.ModelAdmin):
    list_display = ("user", "panel", "expertise", "active")
    list_filter = ("panel", "active")
    search_fields = ("user__username", "user__full_name", "expertise")
    raw_id_fields = ("user",)


@admin.register(EvaluatorAssignment)
class EvaluatorAssignmentAdmin(admin.ModelAdmin):
    list_display = ("proposal", "evaluator", "assigned_at", "reminded_at")
    list_filter = ("evaluator__panel",)
    search_fields = ("proposal__title", "evaluator__user__username")
    raw_id_fields = ("proposal", "evaluator", "assigned_by")


@admin.register(Evaluation)
class EvaluationAdmin(admin.ModelAdmin):
    list_display = ("assignment", "necessity", "effectiveness", "feasibility", "budget", "created_at")
    list_filter = ("assignment__evaluator__panel",)
    search_fields = ("comment", "assignment__proposal__title")
    raw_id_fields = ("assignment",)


@admin.register(ProposalRevision)
class ProposalRevisionAdmin(admin.ModelAdmin):
    list_display = ("proposal", "revised_by", "consent", "created_at", "answered_at")
    list_filter = ("consent",)
    search_fields = ("title", "original_title")
    raw_id_fields = ("proposal", "revised_by")


@admin.register(Decision)
class DecisionAdmin(admin.ModelAdmin):
    list_display = ("proposal", "outcome", "required_budget", "decided_by", "decided_at")
    list_filter = ("outcome", "reason_validity", "reason_effectiveness", "reason_budget", "reason_ordinances")
    search_fields = ("proposal__title", "summary", "reasons")
    raw_id_fields = ("proposal", "decided_by")
    date_hierarchy = "decided_at"


@admin.register(ImplementationUpdate)
class ImplementationUpdateAdmin(admin.ModelAdmin):
    list_display = ("proposal", "author", "completed", "created_at")
    list_filter = ("completed",)
    search_fields = ("text", "proposal__title")
    raw_id_fields = ("proposal", "author")


@admin.register(ProposalEvent)
class ProposalEventAdmin(AppendOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("proposal", "kind", "from_status", "to_status", "actor", "created_at")
    list_filter = ("kind", "to_status")
    search_fields = ("proposal__title", "note")
    raw_id_fields = ("proposal", "actor")
