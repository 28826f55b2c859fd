from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "civicportal.accounts"
    label = "accounts"
    verbose_name = _("Accounts and departments")

    def ready(self):
        from django.db.models.signals import post_migrate

        from civicportal.accounts.signals import sync_role_groups

        post_migrate.connect(sync_role_groups, dispatch_uid="accounts.sync_role_groups")
