from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DirectoryConfig(AppConfig):
    name = "directory"
    verbose_name = _("City directory")

    def ready(self):
        # Cache invalidation only (not domain flow): the tree page is cached; an admin edit of
        # what it shows starts a new version at once.
        from django.db.models.signals import post_delete, post_save

        from civicportal.accounts.models import Department, District
        from complaints.models import Category, RoutingRule
        from directory.selectors import directory_changed

        for model in (Department, District, RoutingRule, Category):
            for signal in (post_save, post_delete):
                signal.connect(directory_changed, sender=model, dispatch_uid=f"directory-{signal}-{model.__name__}")
