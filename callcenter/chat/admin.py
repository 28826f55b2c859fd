from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from callcenter.chat.models import Conversation, CounsellorSeat, InterpreterHours, Message, Note


@admin.register(InterpreterHours)
class InterpreterHoursAdmin(admin.ModelAdmin):
    list_display = ["weekday", "starts", "ends"]
    list_filter = ["weekday"]


@admin.register(CounsellorSeat)
class CounsellorSeatAdmin(admin.ModelAdmin):
    list_display = ["counsellor", "capacity", "languages", "sign_language", "updated_at"]
    list_filter = ["sign_language"]
    search_fields = ["counsellor__username", "counsellor__full_name"]
    autocomplete_fields = ["counsellor"]


class MessageInline(admin.TabularInline):
    model = Message
    extra = 0
    can_delete = False
    fields = ["seq", "sender", "author", "text", "image", "sent_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class NoteInline(admin.TabularInline):
    model = Note
    extra = 0
    can_delete = False
    fields = ["author", "text", "created_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Conversation)
class ConversationAdmin(admin.ModelAdmin):
    """Read-only: a conversation changes through the console, never by hand."""

    list_display = ["contact", "kind", "language", "queue", "status", "counsellor", "queued_at", "ended_at"]
    list_filter = ["status", "kind", "queue", "language"]
    search_fields = ["contact__id", "citizen_name", "counsellor__username"]
    date_hierarchy = "queued_at"
    inlines = [MessageInline, NoteInline]
    readonly_fields = [f.name for f in Conversation._meta.fields]
    list_select_related = ["contact", "counsellor"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("messages"))
    def message_count(self, conversation):
        return conversation.last_seq
