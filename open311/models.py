"""Open311 GeoReport v2: the applications allowed to file, and what they sent."""

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


def hash_key(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class Application(models.Model):
    """A third-party application with an API key (issued in admin; shown once)."""

    name = models.CharField(_("name"), max_length=100)
    contact_email = models.EmailField(_("contact email"), blank=True)
    key_prefix = models.CharField(_("key prefix"), max_length=8, editable=False, db_index=True)
    key_hash = models.CharField(_("key hash"), max_length=64, unique=True, editable=False)
    service_account = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="open311_application",
        editable=False,
        verbose_name=_("service account"),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("Open311 application")
        verbose_name_plural = _("Open311 applications")

    def __str__(self):
        return self.name

    @staticmethod
    def new_key() -> str:
        return secrets.token_urlsafe(32)


class ServiceAttribute(models.Model):
    """An extra question a category asks Open311 clients (GeoReport "service definition")."""

    class Datatype(models.TextChoices):
        STRING = "string", "string"
        NUMBER = "number", "number"
        DATETIME = "datetime", "datetime"
        TEXT = "text", "text"
        SINGLEVALUELIST = "singlevaluelist", "singlevaluelist"
        MULTIVALUELIST = "multivaluelist", "multivaluelist"

    category = models.ForeignKey(
        "complaints.Category", on_delete=models.CASCADE, related_name="open311_attributes", verbose_name=_("category")
    )
    code = models.SlugField(_("code"), max_length=40)
    description = models.CharField(_("question"), max_length=200)
    datatype = models.CharField(_("datatype"), max_length=20, choices=Datatype.choices, default=Datatype.STRING)
    datatype_description = models.CharField(_("datatype description"), max_length=200, blank=True)
    required = models.BooleanField(_("required"), default=False)
    order = models.PositiveSmallIntegerField(_("order"), default=1)
    values = models.JSONField(
        _("values"), default=list, blank=True, help_text=_('For lists: [{"key": "a", "name": "A"}, ...]')
    )

    class Meta:
        ordering = ["category", "order", "code"]
        verbose_name = _("Open311 service attribute")
        verbose_name_plural = _("Open311 service attributes")
        constraints = [models.UniqueConstraint(fields=["category", "code"], name="open311_attribute_code_unique")]

    def __str__(self):
        return f"{self.category.code}/{self.code}"


class ServiceRequest(models.Model):
    """What an application sent with a case (the reporter's contact stays private here)."""

    case = models.OneToOneField(
        "complaints.Case", on_delete=models.CASCADE, related_name="open311_request", verbose_name=_("case")
    )
    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, related_name="requests", verbose_name=_("application")
    )
    token = models.CharField(_("token"), max_length=40, unique=True)
    attributes = models.JSONField(_("attributes"), default=dict, blank=True)
    address_string = models.CharField(_("address"), max_length=300, blank=True)
    media_url = models.URLField(_("media URL"), max_length=500, blank=True)
    email = models.EmailField(_("reporter email"), blank=True)
    first_name = models.CharField(_("reporter first name"), max_length=100, blank=True)
    last_name = models.CharField(_("reporter last name"), max_length=100, blank=True)
    phone = models.CharField(_("reporter phone"), max_length=40, blank=True)
    device_id = models.CharField(_("device id"), max_length=100, blank=True)
    account_id = models.CharField(_("account id"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("Open311 request")
        verbose_name_plural = _("Open311 requests")

    def __str__(self):
        return self.token
