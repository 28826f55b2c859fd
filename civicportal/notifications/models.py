import re

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop, pgettext_lazy

from civicportal import limits


class Channel(models.TextChoices):
    IN_APP = "in_app", _("In-app inbox")
    EMAIL = "email", _("Email")
    SMS = "sms", _("SMS")
    PUSH = "push", _("Push")


# Channels an emergency alert can use per citizen (social accounts are separate broadcasts).
ALERT_CHANNELS = [Channel.IN_APP, Channel.SMS, Channel.PUSH, Channel.EMAIL]


class NotificationQuerySet(models.QuerySet):
    def inbox_of(self, user):
        return self.filter(recipient=user, in_inbox=True)

    def unread(self):
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """What the city told one person. The row is the record; deliveries carry it out."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("recipient"),
    )
    # A person without an account (a 120 caller), reached by SMS at this number (E.164) under
    # the consent recorded where the number was given. Such a notification has no inbox.
    phone = models.CharField(_("phone (no account)"), max_length=20, blank=True)
    kind = models.CharField(_("kind"), max_length=60, help_text=_("e.g. complaints.answered"))
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body"), blank=True)
    link = models.CharField(_("link"), max_length=500, blank=True)
    urgent = models.BooleanField(_("urgent"), default=False)
    in_inbox = models.BooleanField(_("shown in the inbox"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notification_inbox"),
            models.Index(
                fields=["recipient"], condition=Q(read_at__isnull=True, in_inbox=True), name="notification_unread"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(recipient__isnull=False) & Q(phone=""))
                | (Q(recipient__isnull=True) & ~Q(phone="") & Q(in_inbox=False)),
                name="notification_to_account_or_bare_phone",
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def to_display(self) -> str:
        """The recipient as staff see it: the account, or the bare number masked."""
        if self.recipient_id:
            return str(self.recipient)
        from civicportal.accounts.models import mask_mobile

        return mask_mobile(self.phone)


class Delivery(models.Model):
    """One attempt-tracked delivery of a notification on one channel."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        SKIPPED = "skipped", _("Skipped")

    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("notification")
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    next_attempt_at = models.DateTimeField(
        _("next attempt at"),
        null=True,
        blank=True,
        help_text=_("Not before this time: quiet hours or back-off after a temporary failure."),
    )
    # While "sending": the claim holds until then. A worker killed between the claim and the
    # gateway's answer leaves the row "sending"; past its lease the sweep takes it again (the
    # gateway receives the same idempotency key, so a send that did go out is not repeated).
    lease_until = models.DateTimeField(_("claimed until"), null=True, blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            models.UniqueConstraint(fields=["notification", "channel"], name="one_delivery_per_channel"),
        ]
        indexes = [
            models.Index(fields=["status"], name="delivery_status"),
            models.Index(fields=["next_attempt_at"], condition=Q(status="queued"), name="delivery_due"),
            models.Index(fields=["lease_until"], condition=Q(status="sending"), name="delivery_lease"),
        ]

    def __str__(self):
        return f"{self.notification_id}/{self.channel}: {self.status}"


class SocialChannelAccount(models.Model):
    """One of the city's social media accounts that relays emergency alerts.

    Each account names its own backend class (dotted path) and its settings, so a
    new platform is a new backend, not a code change here."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    platform = models.CharField(_("platform"), max_length=40, help_text=_("e.g. X, Facebook, KakaoTalk channel"))
    handle = models.CharField(_("account handle"), max_length=100, blank=True)
    backend = models.CharField(
        _("backend"), max_length=200, default="civicportal.notifications.backends.ConsoleSocialBackend"
    )
    endpoint_url = models.URLField(_("endpoint URL"), blank=True, help_text=_("For the HTTP webhook backend."))
    token = models.CharField(_("access token"), max_length=500, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    relays_alerts = models.BooleanField(_("relays emergency alerts"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("social channel account")
        verbose_name_plural = _("social channel accounts")

    def __str__(self):
        return f"{self.name} ({self.platform})"


# --- Emergency alerts (CAP 1.2 vocabularies) -------------------------------------------


class Category(models.TextChoices):
    GEO = "Geo", _("Geophysical")
    MET = "Met", _("Meteorological")
    SAFETY = "Safety", _("General safety")
    SECURITY = "Security", _("Security")
    RESCUE = "Rescue", _("Rescue and recovery")
    FIRE = "Fire", _("Fire")
    HEALTH = "Health", _("Health")
    ENV = "Env", _("Environment")
    TRANSPORT = "Transport", _("Transport")
    INFRA = "Infra", _("Infrastructure")
    CBRNE = "CBRNE", _("Chemical, biological, radiological, nuclear, explosive")
    OTHER = "Other", _("Other")


class Severity(models.TextChoices):
    EXTREME = "Extreme", _("Extreme")
    SEVERE = "Severe", _("Severe")
    MODERATE = "Moderate", _("Moderate")
    MINOR = "Minor", _("Minor")
    UNKNOWN = "Unknown", _("Unknown")


class Urgency(models.TextChoices):
    IMMEDIATE = "Immediate", _("Immediate")
    EXPECTED = "Expected", _("Expected")
    FUTURE = "Future", _("Future")
    PAST = "Past", _("Past")
    UNKNOWN = "Unknown", _("Unknown")


class Certainty(models.TextChoices):
    OBSERVED = "Observed", _("Observed")
    LIKELY = "Likely", _("Likely")
    POSSIBLE = "Possible", _("Possible")
    UNLIKELY = "Unlikely", _("Unlikely")
    UNKNOWN = "Unknown", _("Unknown")


class MsgType(models.TextChoices):
    ALERT = "Alert", _("Alert")
    UPDATE = "Update", _("Update")
    CANCEL = "Cancel", _("Cancel (all clear)")


class AreaKind(models.TextChoices):
    CITY = "city", _("Whole city")
    DISTRICTS = "districts", _("Districts")
    CIRCLE = "circle", _("Circle around a point")


ALERT_LANGUAGES = [
    ("ko", _("Korean")),
    ("en", _("English")),
    ("zh", _("Chinese")),
    ("ja", _("Japanese")),
    ("vi", _("Vietnamese")),
    ("mn", _("Mongolian")),
]


class EmergencyAlertQuerySet(models.QuerySet):
    def published(self):
        """What the public may see: alerts that went (or are going) out, cancelled ones included."""
        return self.filter(
            status__in=[EmergencyAlert.Status.SENDING, EmergencyAlert.Status.SENT, EmergencyAlert.Status.CANCELLED],
            approved_at__isnull=False,
        )

    def current(self, now):
        return self.published().filter(
            status__in=[EmergencyAlert.Status.SENDING, EmergencyAlert.Status.SENT], expires__gt=now
        )


class EmergencyAlert(models.Model):
    """An emergency alert (one CAP <alert>), written by an author and approved by a second person."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PENDING_APPROVAL = "pending_approval", _("Waiting for approval")
        APPROVED = "approved", _("Approved")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        CANCELLED = "cancelled", _("Cancelled")

    identifier = models.CharField(_("identifier"), max_length=80, unique=True)
    msg_type = models.CharField(_("message type"), max_length=10, choices=MsgType.choices, default=MsgType.ALERT)
    references = models.ForeignKey(
        "self",
        verbose_name=_("updates or cancels"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="follow_ups",
    )
    event = models.CharField(_("event"), max_length=limits.ALERT_EVENT, help_text=_("e.g. Heavy rain, Earthquake"))
    category = models.CharField(_("category"), max_length=10, choices=Category.choices)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices)
    urgency = models.CharField(_("urgency"), max_length=10, choices=Urgency.choices)
    certainty = models.CharField(_("certainty"), max_length=10, choices=Certainty.choices)
    area_kind = models.CharField(_("area"), max_length=10, choices=AreaKind.choices)
    districts = models.ManyToManyField("accounts.District", verbose_name=_("districts"), blank=True)
    circle_lat = models.DecimalField(
        _("centre latitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    circle_lon = models.DecimalField(
        _("centre longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    radius_km = models.DecimalField(_("radius (km)"), max_digits=7, decimal_places=3, null=True, blank=True)
    channels = models.JSONField(_("channels"), default=list, help_text=_("in_app, sms, push, email, social"))
    onset = models.DateTimeField(_("start"))
    expires = models.DateTimeField(_("expiry"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), on_delete=models.PROTECT, related_name="alerts_written"
    )
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approver"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="alerts_approved",
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    sending_started_at = models.DateTimeField(_("sending started at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    targeted_count = models.PositiveIntegerField(_("targeted citizens"), default=0)
    withdrawal = models.BooleanField(
        pgettext_lazy("emergency alert", "withdrawal"),
        default=False,
        help_text=_("A Cancel message published when an officer stopped the alert it refers to."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = EmergencyAlertQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("emergency alert")
        verbose_name_plural = _("emergency alerts")
        # Stored in English by migrate; the admin shows gettext(name), hence the marker.
        permissions = [("send_immediately", gettext_noop("Can send an emergency alert without a second approval"))]
        constraints = [
            models.CheckConstraint(condition=Q(expires__gt=models.F("onset")), name="alert_expires_after_onset"),
            models.CheckConstraint(
                condition=Q(radius_km__isnull=True) | Q(radius_km__gt=0), name="alert_radius_positive"
            ),
            models.CheckConstraint(
                condition=~Q(area_kind="circle")
                | (Q(circle_lat__isnull=False) & Q(circle_lon__isnull=False) & Q(radius_km__isnull=False)),
                name="alert_circle_complete",
            ),
            models.CheckConstraint(
                condition=Q(msg_type="Alert") | Q(references__isnull=False), name="alert_update_references_original"
            ),
        ]
        indexes = [models.Index(fields=["status", "expires"], name="alert_status_expires")]

    def __str__(self):
        return f"{self.identifier} {self.event}"

    def clean(self):
        """The times, for every form over the model (admin): the same rule as ``alert_create``."""
        from django.core.exceptions import ValidationError
        from django.utils import timezone

        super().clean()
        if self.onset is None or self.expires is None:
            return
        if self.expires <= self.onset:
            raise ValidationError({"expires": _("The expiry must be after the start.")})
        if self.status in (self.Status.DRAFT, self.Status.PENDING_APPROVAL) and self.expires <= timezone.now():
            raise ValidationError(
                {"expires": _("The expiry is in the past: an alert must be in force when it goes out.")}
            )

    def root(self):
        """The original alert an update or cancel message refers to (following the chain)."""
        node, seen = self, set()
        while node.references_id and node.pk not in seen:
            seen.add(node.pk)
            node = node.references
        return node

    def text_for(self, language):
        """The AlertText in ``language``, falling back to Korean."""
        texts = {t.language: t for t in self.texts.all()}
        return texts.get(language) or texts.get("ko")

    @property
    def is_current(self):
        from django.utils import timezone

        return self.status in (self.Status.SENDING, self.Status.SENT) and self.expires > timezone.now()

    @property
    def is_expired(self):
        """Past its expiry: no longer in force, whatever its status."""
        from django.utils import timezone

        return self.expires <= timezone.now()


class AlertText(models.Model):
    """Headline, description and instruction of an alert in one language (Korean required)."""

    alert = models.ForeignKey(EmergencyAlert, on_delete=models.CASCADE, related_name="texts", verbose_name=_("alert"))
    language = models.CharField(_("language"), max_length=2, choices=ALERT_LANGUAGES)
    headline = models.CharField(_("headline"), max_length=limits.ALERT_HEADLINE)
    event = models.CharField(
        _("event in this language"),
        max_length=limits.ALERT_EVENT,
        blank=True,
        help_text=_("Empty: the event vocabulary names it, or the event is given as written."),
    )
    description = models.TextField(_("description"), blank=True, max_length=limits.ALERT_DESCRIPTION)
    instruction = models.TextField(_("instruction"), blank=True, max_length=limits.ALERT_INSTRUCTION)

    class Meta:
        ordering = ["alert", "id"]
        verbose_name = _("alert text")
        verbose_name_plural = _("alert texts")
        constraints = [models.UniqueConstraint(fields=["alert", "language"], name="one_alert_text_per_language")]

    def __str__(self):
        return f"{self.alert_id} [{self.language}] {self.headline}"


class AlertChunk(models.Model):
    """One key range [first_user_id, last_user_id] of an alert's fan-out, handled by one task.

    ``counts`` ({channel: {status: n}}) is recounted from the chunk's delivery rows whenever a
    task finishes with the chunk, so progress adds up a hundred small rows instead of counting
    millions of deliveries; ``retry_at`` is when the chunk next has work (a retry after
    back-off, or a claim whose lease runs out), so the sweep reads chunks, not deliveries."""

    alert = models.ForeignKey(EmergencyAlert, on_delete=models.CASCADE, related_name="chunks", verbose_name=_("alert"))
    first_user_id = models.BigIntegerField(_("first user id"))
    last_user_id = models.BigIntegerField(_("last user id"))
    queued_at = models.DateTimeField(_("queued at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    counts = models.JSONField(_("deliveries by channel and status"), default=dict, blank=True)
    retry_at = models.DateTimeField(_("next work due at"), null=True, blank=True)

    class Meta:
        ordering = ["alert", "first_user_id"]
        verbose_name = _("alert fan-out chunk")
        verbose_name_plural = _("alert fan-out chunks")
        constraints = [models.UniqueConstraint(fields=["alert", "first_user_id"], name="one_chunk_per_range_start")]
        indexes = [models.Index(fields=["retry_at"], condition=Q(retry_at__isnull=False), name="alert_chunk_due")]

    def __str__(self):
        return f"{self.alert_id}: {self.first_user_id}-{self.last_user_id}"


class AlertDelivery(models.Model):
    """The alert for one citizen on one channel. The unique constraint is the exactly-once guarantee
    of the row; the claim (``sending`` under a task's ``claim_token``) is the guarantee of the send.

    Indexes are few on purpose: a city-wide alert writes two million rows. The unique
    (alert, user, channel) index serves the key-range work of the fan-out and the alert's
    foreign key; the inbox index serves the citizen's inbox and the user's foreign key."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Delivered")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    # No index of their own: the unique constraint and the inbox index start with these columns.
    # No foreign-key constraint in the database either: its per-row check (which also locks the
    # user's row) doubled the cost of writing a fan-out. The rows are built by the database from
    # the user table in the same statement, and deleting a user or an alert goes through the
    # ORM, which deletes the deliveries with it (CASCADE).
    alert = models.ForeignKey(
        EmergencyAlert,
        on_delete=models.CASCADE,
        related_name="deliveries",
        db_index=False,
        db_constraint=False,
        verbose_name=_("alert"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="alert_deliveries",
        db_index=False,
        db_constraint=False,
        verbose_name=_("user"),
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    language = models.CharField(_("language"), max_length=2, default="ko")
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True, default="")
    created_at = models.DateTimeField(_("created at"))
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    address = models.CharField(
        _("address"), max_length=254, blank=True, default="", help_text=_("Where it was sent: number or email.")
    )
    claim_token = models.BigIntegerField(
        _("claim"), null=True, blank=True, help_text=_("The task run that holds the row while it is sending.")
    )
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    read_at = models.DateTimeField(
        _("read at"), null=True, blank=True, help_text=_("In-app only: when the citizen read the alert.")
    )

    class Meta:
        verbose_name = _("alert delivery")
        verbose_name_plural = _("alert deliveries")
        constraints = [
            models.UniqueConstraint(fields=["alert", "user", "channel"], name="one_alert_delivery_per_channel"),
        ]
        indexes = [models.Index(fields=["user", "channel", "-created_at"], name="alert_delivery_inbox")]

    def __str__(self):
        return f"{self.alert_id}/{self.user_id}/{self.channel}: {self.status}"

    @property
    def idempotency_key(self):
        return f"alert-{self.alert_id}-{self.user_id}-{self.channel}"


class AlertBroadcast(models.Model):
    """The alert posted once on one social channel account."""

    alert = models.ForeignKey(
        EmergencyAlert, on_delete=models.CASCADE, related_name="broadcasts", verbose_name=_("alert")
    )
    account = models.ForeignKey(
        SocialChannelAccount, on_delete=models.PROTECT, related_name="broadcasts", verbose_name=_("account")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=AlertDelivery.Status.choices, default=AlertDelivery.Status.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("alert broadcast")
        verbose_name_plural = _("alert broadcasts")
        constraints = [models.UniqueConstraint(fields=["alert", "account"], name="one_broadcast_per_account")]

    def __str__(self):
        return f"{self.alert_id} -> {self.account}: {self.status}"


class AlertEvent(models.Model):
    """Append-only timeline of an alert: who changed what, when."""

    alert = models.ForeignKey(EmergencyAlert, on_delete=models.CASCADE, related_name="events", verbose_name=_("alert"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, verbose_name=_("actor")
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)
    from_status = models.CharField(_("from"), max_length=20, blank=True)
    to_status = models.CharField(_("to"), max_length=20, blank=True)
    note = models.TextField(_("note"), blank=True, max_length=limits.NOTE)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("alert event")
        verbose_name_plural = _("alert events")

    def __str__(self):
        return f"{self.alert_id} {self.from_status}->{self.to_status}"

    def sentence(self) -> str:
        """The event as a sentence in the active language, for the officer's timeline."""
        from django.utils.translation import gettext, ngettext

        S = EmergencyAlert.Status
        actor = str(self.actor) if self.actor_id else ""
        fanout = _FANOUT_NOTE.match(self.note or "")
        if fanout and not self.to_status:
            n = int(fanout.group(1))
            if n == 0:
                return gettext("No one lives in the area: there was no one to send to.")
            return ngettext(
                "The recipients were split into %(n)d part for sending.",
                "The recipients were split into %(n)d parts for sending.",
                n,
            ) % {"n": n}
        if self.to_status == S.DRAFT and not self.from_status:
            kind = {
                MsgType.UPDATE: gettext("%(actor)s wrote a draft update."),
                MsgType.CANCEL: gettext("%(actor)s wrote a draft all clear."),
            }.get(self.note, gettext("%(actor)s wrote the draft alert."))
            return kind % {"actor": actor or gettext("Someone")}
        sentences = {
            (S.DRAFT, S.PENDING_APPROVAL): gettext("%(actor)s asked for approval."),
            (S.PENDING_APPROVAL, S.APPROVED): gettext("%(actor)s approved the alert."),
            (S.PENDING_APPROVAL, S.SENDING): gettext("%(actor)s approved the alert and sending started."),
            (S.APPROVED, S.SENDING): gettext("Sending started."),
            (S.SENDING, S.SENT): gettext("Sending finished: every targeted citizen was handled."),
        }
        text = sentences.get((self.from_status, self.to_status))
        if text is None and self.to_status == S.CANCELLED:
            text = gettext("%(actor)s cancelled the alert.") if actor else gettext("The alert was cancelled.")
        if text is None:
            names = dict(S.choices)
            text = gettext("The status changed from “%(from)s” to “%(to)s”.") % {
                "from": names.get(self.from_status, self.from_status or "—"),
                "to": names.get(self.to_status, self.to_status or "—"),
            }
        elif "%(actor)s" in text:
            text = text % {"actor": actor or gettext("Someone")}
        extra = self.note if self.note and self.note not in MsgType.values and self.note != "demo" else ""
        return f"{text} {extra}".strip()


_FANOUT_NOTE = re.compile(r"^fan-out: (\d+) chunks?$")
