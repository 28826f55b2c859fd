from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from callcenter.chat.models import Conversation, CounsellorSeat, InterpreterHours, Message, Note
from callcenter.models import Contact


class CounsellorSeatForm(forms.ModelForm):
    """The languages as ticks with their names (stored as codes)."""

    languages = forms.MultipleChoiceField(
        label=_("languages"), choices=Contact.Language.choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = CounsellorSeat
        fields = ["counsellor", "capacity", "languages", "sign_language"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["languages"] = sorted(self.instance.language_codes)

    def clean_languages(self):
        return ",".join(self.cleaned_data["languages"])


@admin.register(InterpreterHours)
class InterpreterHoursAdmin(admin.ModelAdmin):
    list_display = ["weekday", "starts", "ends"]
    list_filter = ["weekday"]


@admin.register(CounsellorSeat)
class CounsellorSeatAdmin(admin.ModelAdmin):
    form = CounsellorSeatForm
    list_display = ["counsellor", "capacity", "language_names", "sign_language", "updated_at"]
    list_filter = ["sign_language"]
    search_fields = ["counsellor__username", "counsellor__full_name"]
    autocomplete_fields = ["counsellor"]
    readonly_fields = ["language_names"]

    @admin.display(description=_("languages"))
    def language_names(self, seat):
        return seat.language_names

    def get_fields(self, request, obj=None):
        if obj is not None and not self.has_change_permission(request, obj):
            return ["counsellor", "capacity", "language_names", "sign_language"]  # the languages in words
        return ["counsellor", "capacity", "languages", "sign_language"]


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
