"""120 live counselling: a conversation IS a 120 contact (one-to-one), its messages, notes,
the counsellors' seats (capacity, skills) and the sign-language interpreters' hours."""

import uuid

from django.conf import settings
from django.db import connections, models, router
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from callcenter.models import Contact
from civicportal import limits


class Kind(models.TextChoices):
    TEXT = "text", _("Text chat")
    VIDEO = "video", _("Video counselling")
    SIGN_LANGUAGE = "sign_language", _("Sign-language video counselling")


# The contact channel each kind of conversation is recorded under.
CHANNEL_OF_KIND = {
    Kind.TEXT: Contact.Channel.TEXT_CHAT,
    Kind.VIDEO: Contact.Channel.VIDEO,
    Kind.SIGN_LANGUAGE: Contact.Channel.SIGN_LANGUAGE,
}
MEDIA_KINDS = frozenset({Kind.VIDEO, Kind.SIGN_LANGUAGE})


class Queue(models.TextChoices):
    """The skill queues counsellors pick conversations from."""

    KOREAN = "korean", _("Korean")
    FOREIGN = "foreign", _("Foreign language")
    SIGN_LANGUAGE = "sign_language", _("Sign language")


def queue_for(*, kind: str, language: str) -> str:
    if kind == Kind.SIGN_LANGUAGE:
        return Queue.SIGN_LANGUAGE
    return Queue.KOREAN if language == Contact.Language.KOREAN else Queue.FOREIGN


class ConversationQuerySet(models.QuerySet):
    def waiting(self):
        return self.filter(status=Conversation.Status.WAITING)

    def active(self):
        return self.filter(status=Conversation.Status.ACTIVE)

    def live(self):
        return self.exclude(status=Conversation.Status.ENDED)

    def of_counsellor(self, user):
        return self.filter(counsellor=user, status=Conversation.Status.ACTIVE)

    def grace_expired(self, now):
        return self.filter(status=Conversation.Status.ACTIVE, grace_until__lte=now)

    def take_seq(self, pk, *, counsellor_id=None) -> int | None:
        """The next message number of a conversation that has not ended (and, with
        ``counsellor_id``, is that counsellor's), or None. One conditional UPDATE ... RETURNING:
        the row stays locked until the transaction ends, so numbers never repeat."""
        model = self.model
        table, pk_column = model._meta.db_table, model._meta.pk.column
        seq, status = model._meta.get_field("last_seq").column, model._meta.get_field("status").column
        connection = connections[router.db_for_write(model)]
        quote = connection.ops.quote_name
        sql = (
            f"UPDATE {quote(table)} SET {quote(seq)} = {quote(seq)} + 1 "  # noqa: S608 - our names
            f"WHERE {quote(pk_column)} = %s AND {quote(status)} <> %s"
        )
        params = [model._meta.pk.get_db_prep_value(pk, connection), Conversation.Status.ENDED.value]
        if counsellor_id is not None:
            sql += f" AND {quote(model._meta.get_field('counsellor').column)} = %s"
            params.append(counsellor_id)
        with connection.cursor() as cursor:
            cursor.execute(sql + f" RETURNING {quote(seq)}", params)
            row = cursor.fetchone()
        return row[0] if row else None


class Conversation(models.Model):
    """A live conversation between a citizen and the centre. Its transcript and metadata are
    its 120 contact record (``contact``); nothing of the audio or video is ever stored."""

    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting")
        ACTIVE = "active", _("Active")
        ENDED = "ended", _("Ended")

    id = models.UUIDField(_("conversation id"), primary_key=True, default=uuid.uuid4, editable=False)
    contact = models.OneToOneField(
        Contact, on_delete=models.PROTECT, related_name="conversation", verbose_name=_("contact")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.TEXT)
    language = models.CharField(
        _("language"), max_length=2, choices=Contact.Language.choices, default=Contact.Language.KOREAN
    )
    queue = models.CharField(_("queue"), max_length=16, choices=Queue.choices, default=Queue.KOREAN)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.WAITING)
    citizen = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("citizen"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="chat_conversations",
    )
    citizen_name = models.CharField(_("citizen's name"), max_length=100, blank=True)
    # sha256 of the anonymous citizen's token (secrets.token_urlsafe); empty for a signed-in citizen.
    token_hash = models.CharField(_("token hash"), max_length=64, blank=True, editable=False)
    counsellor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("counsellor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="chat_conversations_handled",
    )
    queued_at = models.DateTimeField(_("queued at"), default=timezone.now, db_index=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    # The counsellor's connection dropped: back to the queue at this moment unless they return.
    grace_until = models.DateTimeField(_("counsellor's grace period ends"), null=True, blank=True)
    last_seq = models.PositiveIntegerField(_("last message number"), default=0)
    citizen_read_seq = models.PositiveIntegerField(_("read by the citizen up to"), default=0)
    counsellor_read_seq = models.PositiveIntegerField(_("read by the counsellor up to"), default=0)
    transcript_sent_to = models.CharField(_("transcript sent by"), max_length=10, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ConversationQuerySet.as_manager()

    class Meta:
        ordering = ["queued_at"]
        verbose_name = _("live conversation")
        verbose_name_plural = _("live conversations")
        indexes = [models.Index(fields=["status", "queue", "queued_at"], name="chat_conv_queue_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["text", "video", "sign_language"]), name="chat_conversation_kind_known"
            ),
            models.CheckConstraint(
                condition=~Q(status="active") | Q(counsellor__isnull=False), name="chat_active_has_counsellor"
            ),
            models.CheckConstraint(
                condition=Q(citizen__isnull=False) | ~Q(token_hash=""), name="chat_citizen_or_token"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} #{self.contact_id}"

    @property
    def is_media(self) -> bool:
        return self.kind in MEDIA_KINDS

    @property
    def group(self) -> str:
        return f"callcenter.chat.{self.pk}"

    @property
    def staff_group(self) -> str:
        return f"callcenter.chat.{self.pk}.staff"


class Message(models.Model):
    class Sender(models.TextChoices):
        CITIZEN = "citizen", _("Citizen")
        COUNSELLOR = "counsellor", _("Counsellor")

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages", verbose_name=_("conversation")
    )
    seq = models.PositiveIntegerField(_("number"))
    client_id = models.CharField(_("client id"), max_length=64)
    sender = models.CharField(_("from"), max_length=10, choices=Sender.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    text = models.TextField(_("text"), blank=True, max_length=limits.SMS_TEXT)
    image = models.ImageField(
        _("image"), upload_to="callcenter/chat/%Y/%m/", blank=True, width_field="width", height_field="height"
    )
    width = models.PositiveIntegerField(_("width"), default=0, editable=False)
    height = models.PositiveIntegerField(_("height"), default=0, editable=False)
    article_id = models.BigIntegerField(_("knowledge-base article"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)

    class Meta:
        ordering = ["conversation", "seq"]
        verbose_name = _("chat message")
        verbose_name_plural = _("chat messages")
        constraints = [
            models.UniqueConstraint(fields=["conversation", "seq"], name="chat_message_seq_unique"),
            # A retried message (same client id) is stored once, whatever the race.
            models.UniqueConstraint(fields=["conversation", "client_id"], name="chat_message_client_id_unique"),
        ]


class Note(models.Model):
    """An internal note of the centre about a conversation: never shown to the citizen."""

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="notes", verbose_name=_("conversation")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("author")
    )
    text = models.TextField(_("text"), max_length=limits.NOTE)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("internal note")
        verbose_name_plural = _("internal notes")


class CounsellorSeat(models.Model):
    """How many conversations a counsellor takes at once and which queues they serve, set by
    the head of the centre. A counsellor without a seat takes the defaults (Korean, 3 at once)."""

    DEFAULT_CAPACITY = 3

    counsellor = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="chat_seat", verbose_name=_("counsellor")
    )
    capacity = models.PositiveSmallIntegerField(_("conversations at once"), default=DEFAULT_CAPACITY)
    languages = models.CharField(
        _("languages"), max_length=40, default="ko", help_text=_("Language codes separated by commas, e.g. ko,en,zh.")
    )
    sign_language = models.BooleanField(_("sign-language interpreter"), default=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("counsellor's seat")
        verbose_name_plural = _("counsellors' seats")
        constraints = [models.CheckConstraint(condition=Q(capacity__lte=20), name="chat_seat_capacity_at_most_20")]

    def __str__(self):
        return str(self.counsellor)

    @property
    def language_codes(self) -> set[str]:
        return {code.strip() for code in self.languages.split(",") if code.strip()}

    @property
    def language_names(self) -> str:
        """The languages in words, in the reader's language (the codes are for the machine)."""
        from callcenter.models import Contact

        labels = dict(Contact.Language.choices)
        return ", ".join(str(labels.get(code, code)) for code in sorted(self.language_codes, key=list(labels).index))

    def serves(self, queue: str, language: str) -> bool:
        if queue == Queue.SIGN_LANGUAGE:
            return self.sign_language
        return language in self.language_codes


class InterpreterHours(models.Model):
    """When sign-language interpreters are on duty (Seoul time), set in admin."""

    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("Monday")
        TUESDAY = 1, _("Tuesday")
        WEDNESDAY = 2, _("Wednesday")
        THURSDAY = 3, _("Thursday")
        FRIDAY = 4, _("Friday")
        SATURDAY = 5, _("Saturday")
        SUNDAY = 6, _("Sunday")

    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    starts = models.TimeField(_("from"))
    ends = models.TimeField(_("until"))

    class Meta:
        ordering = ["weekday", "starts"]
        verbose_name = _("sign-language interpreters' hours")
        verbose_name_plural = _("sign-language interpreters' hours")
        constraints = [models.CheckConstraint(condition=Q(ends__gt=models.F("starts")), name="chat_hours_end_after")]

    def __str__(self):
        return f"{self.get_weekday_display()} {self.starts:%H:%M}–{self.ends:%H:%M}"
