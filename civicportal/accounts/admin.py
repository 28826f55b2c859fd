from django import forms
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, pgettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from civicportal.accounts import business_calendar
from civicportal.accounts.models import (
    CitizenProfile,
    ClosureDay,
    Department,
    DepartmentMembership,
    District,
    PolicyPage,
    User,
)
from civicportal.audit.admin import PersonalDataReadAdminMixin


def in_language(field_name, language):
    """A changelist column for a field written in one language whatever the admin's
    (``name_en``): the value carries its lang attribute (WCAG 3.1.2)."""

    def column(obj):
        return format_html('<span lang="{}">{}</span>', language, getattr(obj, field_name))

    column.short_description = _meta_label(field_name)
    column.admin_order_field = field_name
    column.__name__ = field_name
    return column


def _meta_label(field_name):
    labels = {
        "name_ko": _("name (Korean)"),
        "name_en": _("name (English)"),
        "title_ko": _("title (Korean)"),
        "title_en": _("title (English)"),
    }
    return labels.get(field_name, field_name)


NAME_COLUMNS = [in_language("name_ko", "ko"), in_language("name_en", "en")]


# Django stores a permission's name in English when it migrates ("Can view case"): the
# admin names it from the model's translated verbose name and this action instead.
PERMISSION_ACTIONS = {
    "add": pgettext_lazy("permission", "add"),
    "change": pgettext_lazy("permission", "change"),
    "delete": pgettext_lazy("permission", "delete"),
    "view": pgettext_lazy("permission", "view"),
}


def permission_label(permission):
    app_label, model_name = permission.content_type.app_label, permission.content_type.model
    try:
        model = apps.get_model(app_label, model_name)
    except LookupError:
        return permission.name
    action = permission.codename.split("_", 1)[0]
    if permission.codename == f"{action}_{model_name}" and action in PERMISSION_ACTIONS:
        what = pgettext("permission", "%(model)s: %(action)s") % {
            "model": model._meta.verbose_name,
            "action": PERMISSION_ACTIONS[action],
        }
    else:
        what = gettext(permission.name)  # custom permissions: their names are in the catalogue
    return f"{apps.get_app_config(app_label).verbose_name} | {what}"


class PermissionsField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return permission_label(obj)


class PermissionLabelsMixin:
    """Permissions named in the reader's language on the form and, for a reader who may
    only view (the monitor), in the read-only list as well."""

    permissions_field = "permissions"

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        return permissions_formfield(db_field, request, super().formfield_for_manytomany(db_field, request, **kwargs))

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or self.has_change_permission(request, obj):
            return fieldsets
        shown = []
        for name, options in fieldsets:
            fields = [
                "permission_names" if field == self.permissions_field else field for field in options.get("fields", ())
            ]
            shown.append((name, {**options, "fields": fields}))
        return shown

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "permission_names"]

    @admin.display(description=_("permissions"))
    def permission_names(self, obj):
        permissions = getattr(obj, self.permissions_field).select_related("content_type")
        return format_html_join(mark_safe("<br>"), "{}", ((permission_label(p),) for p in permissions)) or "—"


def permissions_formfield(db_field, request, formfield):
    if formfield is not None and db_field.name in ("permissions", "user_permissions"):
        formfield = PermissionsField(
            queryset=formfield.queryset.select_related("content_type"),
            required=False,
            widget=formfield.widget,
            label=formfield.label,
            help_text=formfield.help_text,
        )
    return formfield


class MembershipInline(admin.TabularInline):
    model = DepartmentMembership
    extra = 0
    autocomplete_fields = ["department"]


class ProfileInline(admin.StackedInline):
    model = CitizenProfile
    can_delete = False
    extra = 0
    autocomplete_fields = ["district"]
    readonly_fields = ["mobile_masked"]
    exclude = ["mobile"]


@admin.register(User)
class UserAdmin(PermissionLabelsMixin, PersonalDataReadAdminMixin, BaseUserAdmin):
    permissions_field = "user_permissions"
    list_display = ["username", "full_name", "email", "is_staff", "is_active", "date_joined"]
    list_filter = ["is_staff", "is_superuser", "is_active", "groups", "memberships__department"]
    search_fields = ["username", "full_name", "email"]
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("Portal"), {"fields": ("full_name",)}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "email", "full_name", "password1", "password2")}),
    )
    inlines = [ProfileInline, MembershipInline]


admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(PermissionLabelsMixin, BaseGroupAdmin):
    pass


@admin.register(District)
class DistrictAdmin(admin.ModelAdmin):
    list_display = ["code", *NAME_COLUMNS, "lat", "lon"]
    search_fields = ["code", "name_ko", "name_en"]


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["code", *NAME_COLUMNS, "kind", "parent", "district", "phone", "is_active"]
    list_filter = ["kind", "is_active", "lists_officer_names"]
    search_fields = ["code", "name_ko", "name_en"]
    autocomplete_fields = ["parent", "district"]
    list_select_related = ["parent", "district"]
    actions = ["deactivate", "activate"]

    @admin.action(description=_("Deactivate the selected departments"))
    def deactivate(self, request, queryset):
        queryset.update(is_active=False)

    @admin.action(description=_("Activate the selected departments"))
    def activate(self, request, queryset):
        queryset.update(is_active=True)


@admin.register(DepartmentMembership)
class DepartmentMembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "department", "is_head", "name_in_directory", "since"]
    list_filter = ["is_head", "name_in_directory", "department__kind"]
    search_fields = ["user__username", "user__full_name", "department__name_ko", "department__name_en"]
    autocomplete_fields = ["user", "department"]


@admin.register(CitizenProfile)
class CitizenProfileAdmin(PersonalDataReadAdminMixin, admin.ModelAdmin):
    list_display = ["user", "district", "gender", "birth_year", "preferred_language", "mobile_masked"]
    list_filter = ["district", "gender", "preferred_language", "consent_sms", "consent_email"]
    search_fields = ["user__username", "user__full_name", "user__email", "dong"]
    autocomplete_fields = ["user", "district"]
    list_select_related = ["user", "district"]
    readonly_fields = ["mobile_masked"]

    def personal_data_subject(self, obj):
        return obj.user


@admin.register(ClosureDay)
class ClosureDayAdmin(admin.ModelAdmin):
    list_display = ["date", "name", "is_closed"]
    list_filter = ["is_closed"]
    search_fields = ["name"]
    date_hierarchy = "date"

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        business_calendar.clear_cache()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        business_calendar.clear_cache()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        business_calendar.clear_cache()


@admin.register(PolicyPage)
class PolicyPageAdmin(admin.ModelAdmin):
    """The terms of use and the privacy notice: one page each, edited here, never deleted."""

    list_display = ["kind", in_language("title_ko", "ko"), in_language("title_en", "en"), "updated_at"]
    readonly_fields = ["updated_at"]

    def has_add_permission(self, request):
        return not PolicyPage.objects.filter(kind__in=PolicyPage.Kind.values).count() >= len(PolicyPage.Kind.values)

    def has_delete_permission(self, request, obj=None):
        return False
