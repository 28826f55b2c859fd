"""Shared pieces of the Django admin.

``AppendOnlyAdminMixin`` is for evidence: ballots and their choices, vote tallies, every event
table, deliveries, the personal-data access log and the audit logs. Rows are written by the
services only; in admin everyone, superusers included, may look but not add, change or
delete (the add, change-POST and delete URLs answer 403 and the bulk delete action is gone).
A forged ballot or a back-dated event would make counts and audits lie.
"""


class AppendOnlyAdminMixin:
    """Read-only admin for an append-only model. Put it first in the bases of a
    ``ModelAdmin`` or an inline (``TabularInline``/``StackedInline``)."""

    append_only = True
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions
