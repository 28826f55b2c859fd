from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class QueuedTask(models.Model):
    """A task queued after a commit and not yet done (deleted when it succeeds)."""

    name = models.CharField(_("task"), max_length=200)
    args = models.JSONField(_("arguments"), default=list)
    created_at = models.DateTimeField(_("queued at"), default=timezone.now)
    next_try_at = models.DateTimeField(_("sent again after"), db_index=True)
    attempts = models.PositiveSmallIntegerField(_("times sent"), default=1)

    class Meta:
        ordering = ["next_try_at"]
        verbose_name = _("queued task")
        verbose_name_plural = _("queued tasks")

    def __str__(self):
        return f"{self.name}{tuple(self.args)}"
