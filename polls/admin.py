from django.contrib import admin

from civicportal.admin_mixins import AppendOnlyAdminMixin
from civicportal.uploads import CleanImagesForm
from polls.models import (
    Ballot,
    BallotChoice,
    LotDraw,
    OptionTally,
    Poll,
    PollEvent,
    PollMember,
    PollOption,
    PollTally,
)
from polls.services import forget_hot_poll


class PollOptionInline(admin.TabularInline):
    model = PollOption
    form = CleanImagesForm
    extra = 0
    readonly_fields = ["votes"]

    def get_queryset(self, request):
        return super().get_queryset(request).with_votes()


class PollEventInline(AppendOnlyAdminMixin, admin.TabularInline):
    model = PollEvent
    readonly_fields = ["kind", "actor", "note", "created_at"]


@admin.register(Poll)
class PollAdmin(admin.ModelAdmin):
    form = CleanImagesForm

    def get_queryset(self, request):
        return super().get_queryset(request).with_totals()

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        forget_hot_poll(form.instance.pk)

    list_display = ["question", "department", "kind", "approval", "opens_at", "closes_at", "total_ballots"]
    list_filter = ["kind", "approval", "multiple", "employees_only", "qr_required", "department"]
    search_fields = ["question", "description", "room_number"]
    raw_id_fields = ["created_by", "decided_by"]
    filter_horizontal = ["districts"]
    readonly_fields = ["total_ballots", "opened_notified_at", "created_at", "updated_at", "room_password", "qr_salt"]
    date_hierarchy = "opens_at"
    inlines = [PollOptionInline, PollEventInline]


@admin.register(PollOption)
class PollOptionAdmin(admin.ModelAdmin):
    form = CleanImagesForm
    list_display = ["text", "poll", "position", "votes"]
    search_fields = ["text", "poll__question"]
    raw_id_fields = ["poll"]
    readonly_fields = ["votes"]

    def get_queryset(self, request):
        return super().get_queryset(request).with_votes()

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        forget_hot_poll(obj.poll_id)


class BallotChoiceInline(AppendOnlyAdminMixin, admin.TabularInline):
    model = BallotChoice
    raw_id_fields = ["option"]


@admin.register(Ballot)
class BallotAdmin(AppendOnlyAdminMixin, admin.ModelAdmin):
    """Ballots are evidence: read-only here (changing one would desynchronise the counters)."""

    list_display = ["pk", "poll", "voter", "created_at", "age_band", "gender", "district"]
    list_filter = ["age_band", "gender", "district"]
    search_fields = ["poll__question", "voter__username"]
    raw_id_fields = ["poll", "voter"]
    inlines = [BallotChoiceInline]


@admin.register(BallotChoice)
class BallotChoiceAdmin(AppendOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["ballot", "option"]
    raw_id_fields = ["ballot", "option"]
    search_fields = ["option__text"]


@admin.register(PollMember)
class PollMemberAdmin(admin.ModelAdmin):
    list_display = ["identifier", "poll", "user"]
    list_filter = [("user", admin.EmptyFieldListFilter)]
    search_fields = ["identifier", "poll__question", "user__username"]
    raw_id_fields = ["poll", "user"]


@admin.register(PollEvent)
class PollEventAdmin(AppendOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["poll", "kind", "actor", "created_at"]
    list_filter = ["kind"]
    search_fields = ["poll__question", "note"]
    raw_id_fields = ["poll", "actor"]


@admin.register(LotDraw)
class LotDrawAdmin(AppendOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["poll", "winners_count", "seed", "drawn_by", "drawn_at"]
    search_fields = ["poll__question", "seed"]
    raw_id_fields = ["poll", "drawn_by"]


@admin.register(PollTally)
class PollTallyAdmin(AppendOnlyAdminMixin, admin.ModelAdmin):
    """The ballot counter of a poll, in shards: written by the vote service only."""

    list_display = ["poll", "shard", "ballots"]
    search_fields = ["poll__question"]
    list_select_related = ["poll"]


@admin.register(OptionTally)
class OptionTallyAdmin(AppendOnlyAdminMixin, admin.ModelAdmin):
    """The vote counter of an option, in shards: written by the vote service only."""

    list_display = ["option", "shard", "votes"]
    search_fields = ["option__text", "option__poll__question"]
    list_select_related = ["option"]
