"""120 Dasan: the counselling record of every contact, the knowledge base and daily summaries."""

from django.conf import settings
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civicportal import limits
from civicportal.accounts.models import BilingualNameMixin, Department, mask_mobile

MESSAGE_MAX_CHARS = limits.SMS_TEXT
FOREIGN_LANGUAGE_EXTENSION = 9


class Topic(BilingualNameMixin):
    """A node of the counselling category tree (e.g. Transport > Parking > Towing)."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        constraints = [models.CheckConstraint(condition=~Q(parent=F("id")), name="topic_not_own_parent")]

    @property
    def path(self):
        node, names = self, []
        while node is not None:
            names.append(node.name)
            node = node.parent
        return " › ".join(reversed(names))


class ContactQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status=Contact.Status.OPEN)

    def closed(self):
        return self.filter(status=Contact.Status.CLOSED)

    def callbacks_pending(self):
        return self.filter(outcome=Contact.Outcome.CALLBACK, callback_done_at__isnull=True)

    def web_messages_waiting(self):
        return self.filter(channel=Contact.Channel.WEB_MESSAGE, status=Contact.Status.OPEN, counsellor__isnull=True)

    def of_caller(self, user):
        return self.filter(caller=user)


class Contact(models.Model):
    """One contact with the centre, logged as it happens. Once closed it is never edited:
    corrections are ``ContactEvent`` rows."""

    class Channel(models.TextChoices):
        VOICE = "voice", _("Voice call")
        SMS_MMS = "sms_mms", _("SMS / MMS")
        VIDEO = "video", _("Video chat")
        SIGN_LANGUAGE = "sign_language", _("Sign language (video)")
        TEXT_CHAT = "text_chat", _("Text chat")
        SOCIAL_MEDIA = "social_media", _("Social media")
        WALK_IN = "walk_in", _("Walk-in")
        WEB_MESSAGE = "web_message", _("Web message")

    class Language(models.TextChoices):
        KOREAN = "ko", _("Korean")
        ENGLISH = "en", _("English")
        CHINESE = "zh", _("Chinese")
        JAPANESE = "ja", _("Japanese")
        VIETNAMESE = "vi", _("Vietnamese")
        MONGOLIAN = "mn", _("Mongolian")

    class Outcome(models.TextChoices):
        ANSWERED = "answered", _("Answered on the spot")
        TRANSFERRED = "transferred", _("Transferred to a department")
        CASE = "case", _("Turned into an Eung-Dap-So case")
        CALLBACK = "callback", _("Callback needed")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    language = models.CharField(_("language"), max_length=2, choices=Language.choices, default=Language.KOREAN)
    caller = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("caller (citizen account)"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="callcenter_contacts",
    )
    caller_phone = models.CharField(_("caller phone (E.164)"), max_length=20, blank=True, db_index=True)
    # The caller's answer when asked whether 120 may text them at this number (tracking number,
    # callback, survey). None: not asked; no consent, no text message.
    sms_consent = models.BooleanField(_("caller agreed to text messages"), null=True, blank=True)
    sms_consent_at = models.DateTimeField(_("text-message consent recorded at"), null=True, blank=True)
    counsellor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("counsellor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="callcenter_contacts_handled",
    )
    topic = models.ForeignKey(
        Topic, verbose_name=_("topic"), null=True, blank=True, on_delete=models.PROTECT, related_name="contacts"
    )
    question = models.TextField(_("question"), blank=True, max_length=limits.CONTACT_TEXT)
    answer = models.TextField(_("answer given"), blank=True, max_length=limits.CONTACT_TEXT)
    message_text = models.TextField(
        _("SMS / message text"),
        blank=True,
        max_length=MESSAGE_MAX_CHARS,
        validators=[MaxLengthValidator(MESSAGE_MAX_CHARS)],
    )
    started_at = models.DateTimeField(_("started at"), default=timezone.now, db_index=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    duration_seconds = models.PositiveIntegerField(_("duration (seconds)"), null=True, blank=True, editable=False)
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices, blank=True)
    transferred_to = models.ForeignKey(
        Department,
        verbose_name=_("transferred to"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="callcenter_transfers",
    )
    # The case lives in complaints/; kept as plain values so this app's schema does not depend on it.
    case_tracking_number = models.CharField(_("case tracking number"), max_length=40, blank=True, db_index=True)
    case_id = models.BigIntegerField(_("case id"), null=True, blank=True)
    callback_due_at = models.DateTimeField(_("callback due at"), null=True, blank=True)
    callback_claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("callback claimed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="callcenter_callbacks",
    )
    callback_claimed_at = models.DateTimeField(_("callback claimed at"), null=True, blank=True)
    callback_done_at = models.DateTimeField(_("callback done at"), null=True, blank=True)
    survey_sent_at = models.DateTimeField(_("survey sent at"), null=True, blank=True)
    satisfaction = models.PositiveSmallIntegerField(
        _("satisfaction (1-5)"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    satisfaction_comment = models.TextField(_("satisfaction comment"), blank=True, max_length=limits.COMMENT)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    objects = ContactQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        indexes = [
            models.Index(fields=["status", "counsellor"], name="cc_contact_status_idx"),
            models.Index(fields=["outcome", "callback_due_at"], name="cc_contact_callback_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(ended_at__gte=F("started_at")), name="contact_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(
                    channel__in=[
                        "voice",
                        "sms_mms",
                        "video",
                        "sign_language",
                        "text_chat",
                        "social_media",
                        "walk_in",
                        "web_message",
                    ]
                ),
                name="contact_channel_known",
            ),
            models.CheckConstraint(
                condition=Q(language__in=["ko", "en", "zh", "ja", "vi", "mn"]), name="contact_language_offered"
            ),
            models.CheckConstraint(
                condition=Q(satisfaction__isnull=True) | Q(satisfaction__gte=1, satisfaction__lte=5),
                name="contact_satisfaction_1_to_5",
            ),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("message_text"), MESSAGE_MAX_CHARS), name="contact_message_max_1000"
            ),
            models.CheckConstraint(
                condition=~Q(outcome="transferred") | Q(transferred_to__isnull=False),
                name="contact_transfer_has_department",
            ),
            models.CheckConstraint(condition=Q(status="open") | ~Q(outcome=""), name="contact_closed_has_outcome"),
        ]

    def __str__(self):
        return f"#{self.pk} {self.get_channel_display()}"

    @property
    def is_closed(self):
        return self.status == self.Status.CLOSED

    @property
    def is_foreign_language(self):
        return self.language != self.Language.KOREAN

    @property
    def caller_phone_masked(self):
        return mask_mobile(self.caller_phone)

    @property
    def may_be_texted(self) -> bool:
        """A caller without an account may be texted only with their recorded consent."""
        return bool(self.caller_phone) and self.sms_consent is True

    @property
    def duration(self):
        if self.ended_at is None:
            return None
        return self.ended_at - self.started_at

    def compute_duration(self):
        self.duration_seconds = (
            None if self.ended_at is None else int((self.ended_at - self.started_at).total_seconds())
        )


def contact_image_path(instance, filename):
    now = timezone.now()
    return f"callcenter/{now:%Y/%m}/{filename}"


class ContactImage(models.Model):
    """An MMS image, verified with Pillow and re-encoded without its metadata."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="images", verbose_name=_("contact"))
    image = models.ImageField(_("image"), upload_to=contact_image_path, width_field="width", height_field="height")
    width = models.PositiveIntegerField(_("width"), default=0, editable=False)
    height = models.PositiveIntegerField(_("height"), default=0, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("contact image")
        verbose_name_plural = _("contact images")

    @property
    def image_url(self) -> str:
        """The checked view that serves the file to those who may see the contact."""
        if self.pk is None:
            return ""
        return reverse("callcenter:contact_image", kwargs={"pk": self.contact_id, "image": self.pk})


class AppendOnlyError(Exception):
    pass


class ContactEvent(models.Model):
    """Append-only history of a contact: logged, closed, corrected, turned into a case..."""

    class Kind(models.TextChoices):
        LOGGED = "logged", _("Logged")
        UPDATED = "updated", _("Updated while open")
        CLOSED = "closed", _("Closed")
        CORRECTED = "corrected", _("Correction")
        CASE_CREATED = "case_created", _("Turned into a case")
        CALLBACK_CLAIMED = "callback_claimed", _("Callback claimed")
        CALLBACK_DONE = "callback_done", _("Callback done")
        SURVEY_SENT = "survey_sent", _("Survey sent")
        SURVEY_ANSWERED = "survey_answered", _("Survey answered")
        SMS_CONSENT = "sms_consent", _("Text-message consent recorded")
        SMS_SENT = "sms_sent", _("Text message sent")
        SMS_NOT_SENT = "sms_not_sent", _("Text message not sent")

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="events", verbose_name=_("contact"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("actor"),
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    note = models.TextField(_("note"), blank=True, max_length=limits.NOTE)
    data = models.JSONField(_("data"), default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("contact event")
        verbose_name_plural = _("contact events")

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("Contact events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Contact events are append-only.")


class KnowledgeArticleQuerySet(models.QuerySet):
    def published(self):
        return self.filter(published=True)

    def review_overdue(self, today=None):
        return self.filter(review_date__lt=today or timezone.localdate())


class KnowledgeArticle(models.Model):
    question = models.CharField(_("question"), max_length=limits.QUESTION)
    answer = models.TextField(_("answer"), max_length=limits.ANSWER)
    # The language the article is written in: pages mark it (lang attribute) so that an
    # English article for foreign residents is read out in English on a Korean page.
    language = models.CharField(
        _("language"), max_length=2, choices=Contact.Language.choices, default=Contact.Language.KOREAN
    )
    keywords = models.CharField(
        _("keywords"), max_length=limits.KEYWORDS, blank=True, help_text=_("Separated by commas.")
    )
    department = models.ForeignKey(
        Department, verbose_name=_("department"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    topic = models.ForeignKey(
        Topic, verbose_name=_("topic"), null=True, blank=True, on_delete=models.SET_NULL, related_name="articles"
    )
    review_date = models.DateField(_("review by"))
    published = models.BooleanField(_("published"), default=True)
    # Nouns of question, answer and keywords (kiwipiepy), for full-text search in Korean.
    search_nouns = models.TextField(_("search nouns"), blank=True, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = KnowledgeArticleQuerySet.as_manager()

    class Meta:
        ordering = ["question"]
        verbose_name = _("knowledge-base article")
        verbose_name_plural = _("knowledge-base articles")

    def __str__(self):
        return self.question

    @property
    def review_overdue(self):
        return self.review_date < timezone.localdate()


class ArticleSuggestion(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    article = models.ForeignKey(
        KnowledgeArticle, on_delete=models.CASCADE, related_name="suggestions", verbose_name=_("article")
    )
    suggested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("suggested by")
    )
    question = models.CharField(_("proposed question"), max_length=limits.QUESTION)
    answer = models.TextField(_("proposed answer"), max_length=limits.ANSWER)
    keywords = models.CharField(_("proposed keywords"), max_length=limits.KEYWORDS, blank=True)
    reason = models.TextField(_("reason"), blank=True, max_length=limits.NOTE)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True, max_length=limits.NOTE)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("article suggestion")
        verbose_name_plural = _("article suggestions")


class DailySummary(models.Model):
    """Per Seoul day and dimension (total, hour, channel, language, topic, outcome): one row
    per key. Recomputing a day replaces its rows, so the numbers never double."""

    class Dimension(models.TextChoices):
        TOTAL = "total", _("Total")
        HOUR = "hour", _("Hour")
        CHANNEL = "channel", _("Channel")
        LANGUAGE = "language", _("Language")
        TOPIC = "topic", _("Topic")
        OUTCOME = "outcome", _("Outcome")

    day = models.DateField(_("day"))
    dimension = models.CharField(_("dimension"), max_length=10, choices=Dimension.choices)
    key = models.CharField(_("key"), max_length=60, blank=True)
    contacts = models.PositiveIntegerField(_("contacts"), default=0)
    timed_contacts = models.PositiveIntegerField(_("timed contacts"), default=0)
    handled_seconds = models.BigIntegerField(_("handled seconds"), default=0)
    answered_on_spot = models.PositiveIntegerField(_("answered on spot"), default=0)
    satisfaction_sum = models.PositiveIntegerField(_("satisfaction sum"), default=0)
    satisfaction_count = models.PositiveIntegerField(_("satisfaction count"), default=0)
    computed_at = models.DateTimeField(_("computed at"), default=timezone.now)

    class Meta:
        ordering = ["day", "dimension", "key"]
        verbose_name = _("daily summary")
        verbose_name_plural = _("daily summaries")
        constraints = [
            models.UniqueConstraint(fields=["day", "dimension", "key"], name="one_summary_row_per_day_dimension_key")
        ]
