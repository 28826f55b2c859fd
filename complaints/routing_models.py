"""The learned routing's records: each fitted model as a version, and the switches an
administrator sets. Imported by ``complaints.models`` (one app, two modules by concept)."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class RoutingModel(models.Model):
    """One trained version of the learned routing. Only the portal writes it (the nightly task,
    ``complaints.suggestions.routing_model_train``): the pipeline bytes are unpickled on load,
    so they must never come from anywhere else."""

    version = models.PositiveIntegerField(_("version"), unique=True)
    trained_at = models.DateTimeField(_("trained at"))
    window_start = models.DateTimeField(_("training window from"))
    window_end = models.DateTimeField(_("training window to"))
    case_count = models.PositiveIntegerField(_("cases learned from"))
    department_count = models.PositiveIntegerField(_("departments"))
    held_out_count = models.PositiveIntegerField(
        _("held-out cases"), default=0, help_text=_("The latest cases of the window, kept aside to measure accuracy.")
    )
    top1_accuracy = models.FloatField(_("top-1 accuracy"), null=True, blank=True)
    top3_accuracy = models.FloatField(_("top-3 accuracy"), null=True, blank=True)
    classifier = models.CharField(_("classifier"), max_length=20)
    training_seconds = models.FloatField(_("training time (s)"), default=0)
    size = models.PositiveIntegerField(_("size (bytes)"), default=0)
    is_active = models.BooleanField(_("active"), default=False)
    pipeline = models.BinaryField(_("fitted pipeline"), editable=False)

    class Meta:
        ordering = ["-version"]
        verbose_name = _("routing model")
        verbose_name_plural = _("routing models")
        constraints = [
            models.UniqueConstraint(fields=["is_active"], condition=Q(is_active=True), name="one_active_routing_model"),
        ]

    def __str__(self):
        return f"v{self.version}"


class RoutingSettings(models.Model):
    """One row (pk 1): whether the learned routing is used, and how sure it must be."""

    enabled = models.BooleanField(
        _("learned routing on"),
        default=True,
        help_text=_("Off: cases are routed by the rules alone and no suggestion is shown."),
    )
    threshold = models.FloatField(
        _("confidence threshold"),
        default=0.8,
        validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
        help_text=_(
            "A case that no rule routes goes to the suggested department when the model is at least this "
            "sure (0 to 1; 1 means never); below it, the case is routed as before and officers see the "
            "suggestions."
        ),
    )
    auto_activate = models.BooleanField(
        _("activate new versions"),
        default=True,
        help_text=_("Off after a rollback: new versions are still trained but wait for an administrator."),
    )
    window_days = models.PositiveIntegerField(
        _("training window (days)"), default=365, validators=[MinValueValidator(30), MaxValueValidator(3650)]
    )
    min_cases = models.PositiveIntegerField(
        _("minimum answered cases"),
        default=200,
        validators=[MinValueValidator(10)],
        help_text=_("No model is trained from fewer answered cases."),
    )
    training_started_at = models.DateTimeField(_("training started at"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("learned routing settings")
        verbose_name_plural = _("learned routing settings")
        constraints = [
            models.CheckConstraint(condition=Q(pk=1), name="routing_settings_single_row"),
            models.CheckConstraint(condition=Q(threshold__gte=0) & Q(threshold__lte=1), name="routing_threshold_0_1"),
        ]

    def __str__(self):
        return str(self._meta.verbose_name)

    @classmethod
    def load(cls) -> "RoutingSettings":
        return cls.objects.get_or_create(pk=1)[0]
