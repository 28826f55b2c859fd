"""Object rules of notifications and emergency alerts (autodiscovered by ``rules``)."""

import rules

from civicportal.accounts.permissions import is_administrator, is_alert_approver, is_alert_author, is_monitor


@rules.predicate
def is_alert_author_of(user, alert):
    return alert is not None and alert.author_id == getattr(user, "pk", None)


@rules.predicate
def has_immediate_right(user):
    # A Django model permission (granted per user or group in admin), not a role.
    return user.has_perm("notifications.send_immediately")


# Four eyes: an approver who is not the author; the author only with the "immediate" right.
may_approve = (is_alert_approver & ~is_alert_author_of) | (is_alert_author_of & has_immediate_right)

rules.add_perm("notifications.write_alert", is_alert_author | is_administrator)
rules.add_perm("notifications.submit_alert", is_alert_author_of | is_administrator)
rules.add_perm("notifications.approve_alert", may_approve)
rules.add_perm("notifications.cancel_alert", is_alert_author_of | is_alert_approver | is_administrator)
rules.add_perm("notifications.view_alert_progress", is_alert_author | is_alert_approver | is_monitor | is_administrator)
