"""Keep the role groups and their model permissions in step with the code after migrate.

(Infrastructure, not domain flow: permissions only exist after post_migrate.)"""

from django.contrib.auth.models import Group, Permission

from civicportal.accounts.models import Role


def sync_role_groups(**kwargs):
    for role in Role:
        Group.objects.get_or_create(name=role.value)
    # The monitor reads everything in admin and changes nothing.
    monitor = Group.objects.get(name=Role.MONITOR)
    monitor.permissions.set(Permission.objects.filter(codename__startswith="view_"))
    administrator = Group.objects.get(name=Role.ADMINISTRATOR)
    administrator.permissions.set(Permission.objects.exclude(content_type__app_label__in=["auth", "authtoken"]))
