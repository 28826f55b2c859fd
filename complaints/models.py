"""Eung-Dap-So: cases (complaints, proposals, reports), their timeline, routing and SLA data."""

import secrets
from datetime import timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import connection, models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from civicportal import limits
from civicportal.errors import Conflict


class Kind(models.TextChoices):
    COMPLAINT = "complaint", _("Complaint")
    PROPOSAL = "proposal", _("Proposal")
    INQUIRY = "inquiry", _("Inquiry")
    CORRUPTION = "corruption", _("Corruption report")
    PUBLIC_INTEREST = "public_interest", _("Public-interest report")
    HUMAN_RIGHTS = "human_rights", _("Human-rights violation")
    WELFARE = "welfare", _("Welfare violation")


# Reports whose reporter may stay unknown to the handling officer (whistle-blower protection).
CONFIDENTIAL_KINDS = {Kind.CORRUPTION, Kind.PUBLIC_INTEREST}
# Reports that never appear on a public page or API, whatever the reporter chose: their mere
# existence in a district can point at a person.
PRIVATE_KINDS = {Kind.CORRUPTION, Kind.PUBLIC_INTEREST, Kind.HUMAN_RIGHTS, Kind.WELFARE}

# The access code that follows a case without an account: 8 characters from an alphabet
# without look-alikes (no 0/O, 1/I/L), easy to read out on the phone. 31^8 is about 10^12
# codes, and tries are throttled per address.
ACCESS_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
ACCESS_CODE_LENGTH = 8


def new_access_code() -> str:
    return "".join(secrets.choice(ACCESS_CODE_ALPHABET) for _position in range(ACCESS_CODE_LENGTH))


def normalise_access_code(raw) -> str:
    """What a person typed, as stored: upper case, without spaces or hyphens."""
    return "".join(ch for ch in str(raw or "").upper() if ch.isalnum())[: ACCESS_CODE_LENGTH * 2]


class Channel(models.TextChoices):
    WEB = "web", _("Web")
    MOBILE = "mobile", _("Mobile app")
    CALL_CENTRE = "120", _("120 call centre")
    VISIT = "visit", _("Walk-in visit")
    EMAIL = "email", _("Email")
    SOCIAL = "social", _("Social media")
    OPEN311 = "open311", _("Open311")


# Channels on which someone files for a citizen (a counsellor, an officer or an import).
STAFF_CHANNELS = {Channel.CALL_CENTRE, Channel.VISIT, Channel.EMAIL, Channel.SOCIAL}


class Status(models.TextChoices):
    RECEIVED = "received", _("Received")
    ASSIGNED = "assigned", _("Assigned to an officer")
    ANSWERED = "answered", _("Answered")
    REOPENED = "reopened", _("Additional answer requested")
    CLOSED = "closed", _("Closed")
    TRANSFERRED_OUT = "transferred_out", _("Transferred outside Seoul")


OPEN_STATUSES = (Status.RECEIVED, Status.ASSIGNED, Status.REOPENED)

ALLOWED_TRANSITIONS = {
    Status.RECEIVED: {Status.RECEIVED, Status.ASSIGNED, Status.ANSWERED, Status.TRANSFERRED_OUT, Status.CLOSED},
    Status.ASSIGNED: {Status.ASSIGNED, Status.RECEIVED, Status.ANSWERED, Status.TRANSFERRED_OUT, Status.CLOSED},
    Status.REOPENED: {Status.ASSIGNED, Status.RECEIVED, Status.ANSWERED, Status.TRANSFERRED_OUT, Status.CLOSED},
    Status.ANSWERED: {Status.REOPENED, Status.CLOSED},
    Status.CLOSED: {Status.REOPENED},
    Status.TRANSFERRED_OUT: set(),
}


class InvalidTransition(Conflict):
    code = "invalid_transition"


class Category(models.Model):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_ko = models.CharField(_("name (Korean)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)

    class Meta:
        ordering = ["code"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self):
        return self.name

    @property
    def name(self):
        from django.utils.translation import get_language

        return self.name_en if (get_language() or "ko").startswith("en") else self.name_ko


class TrackingCounter(models.Model):
    """One row per year; the next tracking number is an atomic upsert on it."""

    year = models.PositiveIntegerField(_("year"), primary_key=True)
    last = models.PositiveIntegerField(_("last number issued"), default=0)

    class Meta:
        verbose_name = _("tracking counter")
        verbose_name_plural = _("tracking counters")

    @classmethod
    def next_number(cls, year: int) -> str:
        """The next ``YYYY-NNNNNNN`` for ``year``.

        One statement (upsert + RETURNING, PostgreSQL and SQLite >= 3.35) that increments and
        reads under the row lock, so two concurrent filings can never get the same value. The
        lock lasts until the caller's transaction ends."""
        table = connection.ops.quote_name(cls._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (year, last) VALUES (%s, 1) "  # noqa: S608 - table name is ours
                f"ON CONFLICT (year) DO UPDATE SET last = {table}.last + 1 RETURNING last",
                [year],
            )
            value = cursor.fetchone()[0]
        return f"{year}-{value:07d}"


class SlaPolicy(models.Model):
    DEFAULT_DAYS = {Kind.INQUIRY: 7, Kind.COMPLAINT: 7, Kind.PROPOSAL: 14}
    FALLBACK_DAYS = 7

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, unique=True)
    business_days = models.PositiveSmallIntegerField(
        _("business days"), validators=[MinValueValidator(1), MaxValueValidator(120)]
    )

    class Meta:
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")
        constraints = [models.CheckConstraint(condition=Q(business_days__gte=1), name="sla_at_least_one_day")]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.business_days}"

    @classmethod
    def days_for(cls, kind) -> int:
        row = cls.objects.filter(kind=kind).values_list("business_days", flat=True).first()
        return row or cls.DEFAULT_DAYS.get(kind, cls.FALLBACK_DAYS)


class RoutingRule(models.Model):
    """First active rule (lowest priority number) whose every set condition matches wins."""

    priority = models.PositiveIntegerField(_("priority"), default=100, help_text=_("Lower runs first."))
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, blank=True)
    category = models.ForeignKey(Category, verbose_name=_("category"), null=True, blank=True, on_delete=models.CASCADE)
    keywords = models.CharField(
        _("keywords"), max_length=500, blank=True, help_text=_("Comma-separated; any one in title or text matches.")
    )
    district = models.ForeignKey(
        "accounts.District", verbose_name=_("district"), null=True, blank=True, on_delete=models.CASCADE
    )
    department = models.ForeignKey(
        "accounts.Department", verbose_name=_("department"), on_delete=models.PROTECT, related_name="+"
    )
    marks_simple = models.BooleanField(_("marks the case simple"), default=False)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["priority", "pk"]
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")

    def __str__(self):
        return f"{self.priority}. {self.name}"

    def keyword_list(self):
        return [k.strip() for k in self.keywords.split(",") if k.strip()]

    def matches(self, *, kind, category_id, district_id, text) -> bool:
        if self.kind and self.kind != kind:
            return False
        if self.category_id and self.category_id != category_id:
            return False
        if self.district_id and self.district_id != district_id:
            return False
        words = self.keyword_list()
        return not words or any(w in text for w in words)


class CaseQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status__in=OPEN_STATUSES)

    def overdue(self, now=None):
        return self.open().filter(due_at__lt=now or timezone.now())

    def for_department(self, department):
        return self.filter(department=department)

    def due_for_warning(self, now):
        return self.open().filter(warned_at__isnull=True, warn_at__lte=now, due_at__gt=now)

    def due_for_escalation(self, now):
        return self.open().filter(escalated_at__isnull=True, due_at__lte=now)

    def public(self):
        """The cases a public door (Open311 reads, public lists) may mention at all. What it may
        show of each is ``Case.public_fields``: the one place that decides both."""
        return self.exclude(kind__in=sorted(k.value for k in PRIVATE_KINDS))


class Case(models.Model):
    tracking_number = models.CharField(_("tracking number"), max_length=12, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.COMPLAINT)
    category = models.ForeignKey(Category, verbose_name=_("category"), null=True, blank=True, on_delete=models.SET_NULL)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, default=Channel.WEB)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.RECEIVED)
    title = models.CharField(_("title"), max_length=limits.TITLE)
    # Its limit is a setting (CASE_TEXT_MAX_CHARS), checked by the filing service.
    text = models.TextField(_("text"))
    nouns = models.TextField(_("search nouns"), blank=True, editable=False)
    citizen = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("citizen"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cases",
    )
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("filed by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    anonymous_reporter = models.BooleanField(
        _("hide the reporter's identity from the officer"),
        default=False,
        help_text=_("Only for corruption and public-interest reports."),
    )
    source_url = models.URLField(_("source link"), blank=True, help_text=_("e.g. the social-media post"))
    text_is_public = models.BooleanField(
        _("title and text public"),
        default=False,
        help_text=_("The citizen chose at filing to publish the title and text. Never for reports."),
    )
    access_code = models.CharField(
        _("access code"),
        max_length=ACCESS_CODE_LENGTH,
        default=new_access_code,
        editable=False,
        help_text=_("Given at filing; with the tracking number it follows the case without an account."),
    )
    department = models.ForeignKey(
        "accounts.Department", verbose_name=_("department"), on_delete=models.PROTECT, related_name="cases"
    )
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("officer in charge"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_cases",
    )
    lat = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    lon = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    district = models.ForeignKey(
        "accounts.District", verbose_name=_("district"), null=True, blank=True, on_delete=models.SET_NULL
    )
    dong = models.CharField(
        _("dong (neighbourhood)"), max_length=50, blank=True, help_text=_("Derived from the position or the place.")
    )
    location_text = models.CharField(_("place"), max_length=limits.PLACE, blank=True)
    is_simple = models.BooleanField(_("simple case (same-day)"), default=False)
    filed_at = models.DateTimeField(_("filed at"), default=timezone.now, db_index=True)
    clock_started_at = models.DateTimeField(_("SLA clock started at"), default=timezone.now)
    due_at = models.DateTimeField(_("due at"))
    warn_at = models.DateTimeField(_("warning at"))
    acknowledged_at = models.DateTimeField(_("acknowledgement queued at"), null=True, blank=True)
    warned_at = models.DateTimeField(_("officer warned at"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    answer = models.TextField(_("answer"), blank=True, max_length=limits.ANSWER)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    answer_round = models.PositiveSmallIntegerField(_("answer round"), default=0)
    duplicate_of = models.ForeignKey(
        "self",
        verbose_name=_("duplicate of"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="duplicates",
    )

    objects = CaseQuerySet.as_manager()

    class Meta:
        ordering = ["-filed_at"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        indexes = [
            models.Index(fields=["department", "status", "due_at"], name="case_queue_idx"),
            models.Index(fields=["status", "due_at"], name="case_status_due_idx"),
            models.Index(fields=["status", "warn_at"], name="case_status_warn_idx"),
            models.Index(fields=["citizen", "-filed_at"], name="case_citizen_idx"),
            # The board's average processing time: an index-only scan over the last 30 days.
            models.Index(fields=["answered_at", "filed_at"], name="case_answered_idx"),
            # The after-filing sweep: the few cases whose acknowledgement is still to come.
            models.Index(
                fields=["filed_at"], condition=Q(acknowledged_at__isnull=True), name="case_unacknowledged_idx"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(anonymous_reporter=False) | Q(kind__in=sorted(k.value for k in CONFIDENTIAL_KINDS)),
                name="case_anonymous_only_for_reports",
            ),
            models.CheckConstraint(condition=~Q(duplicate_of=models.F("pk")), name="case_not_duplicate_of_itself"),
            models.CheckConstraint(
                condition=Q(text_is_public=False) | ~Q(kind__in=sorted(k.value for k in PRIVATE_KINDS)),
                name="case_reports_never_public",
            ),
        ]

    def __str__(self):
        return f"{self.tracking_number} {self.title}"

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("complaints:detail", args=[self.tracking_number])

    @property
    def is_open(self):
        return self.status in OPEN_STATUSES

    @property
    def shows_text_publicly(self) -> bool:
        return self.text_is_public and self.kind not in PRIVATE_KINDS

    def public_fields(self) -> dict:
        """What any public door may show of this case: kind, category, district, status and
        dates; the title, text, handling department and position only when the citizen chose
        to publish them at filing. Reports (``PRIVATE_KINDS``) are not public at all: a
        public list leaves them out with ``Case.objects.public()``."""
        fields = {
            "tracking_number": self.tracking_number,
            "kind": self.kind,
            "kind_label": self.get_kind_display(),
            "category": self.category if self.category_id else None,
            "district": self.district if self.district_id else None,
            "status": self.status,
            "status_label": self.get_status_display(),
            "filed_at": self.filed_at,
            "due_at": self.due_at,
            "answered_at": self.answered_at,
            "text_is_public": self.shows_text_publicly,
            "title": None,
            "text": None,
            "department": None,
            "lat": None,
            "lon": None,
        }
        if self.shows_text_publicly:
            fields.update(title=self.title, text=self.text, department=self.department, lat=self.lat, lon=self.lon)
        return fields

    @property
    def access_code_display(self) -> str:
        """The code as printed and read out: two groups of four."""
        half = len(self.access_code) // 2
        return f"{self.access_code[:half]}-{self.access_code[half:]}" if self.access_code else ""

    def sla_state(self, now=None):
        """'overdue', 'due-soon' or 'on-time' (the CSS tag names); None once answered."""
        if not self.is_open:
            return None
        now = now or timezone.now()
        if self.due_at <= now:
            return "overdue"
        if self.warn_at <= now:
            return "due-soon"
        return "on-time"

    @property
    def processing_time(self) -> timedelta | None:
        return self.answered_at - self.filed_at if self.answered_at else None

    def transition_to(self, status, *, by, kind=None, note="", is_internal=False, **event_fields):
        """Change status (checked against ALLOWED_TRANSITIONS) and write the event. Caller saves."""
        if status not in ALLOWED_TRANSITIONS[Status(self.status)]:
            raise InvalidTransition(
                _("A case that is “%(from)s” cannot become “%(to)s”.")
                % {"from": Status(self.status).label, "to": Status(status).label}
            )
        event = CaseEvent(
            case=self,
            kind=kind or status,
            actor=by,
            from_status=self.status,
            to_status=status,
            note=note,
            is_internal=is_internal,
            **event_fields,
        )
        self.status = status
        return event


class CaseEvent(models.Model):
    """Append-only: the timeline, statistics and audits read it."""

    class Kind(models.TextChoices):
        FILED = "filed", _("Filed")
        ROUTED = "routed", _("Routed")
        ASSIGNED = "assigned", _("Assigned")
        CLAIMED = "claimed", _("Claimed")
        NOTE = "note", _("Internal note")
        ANSWERED = "answered", _("Answered")
        TRANSFERRED = "transferred", _("Transferred")
        TRANSFERRED_OUT = "transferred_out", _("Transferred outside Seoul")
        MARKED_SIMPLE = "marked_simple", _("Marked simple")
        DUPLICATE = "duplicate", _("Linked as duplicate")
        RATED = "rated", _("Rated")
        REOPENED = "reopened", _("Additional answer requested")
        WARNED = "warned", _("Deadline warning")
        ESCALATED = "escalated", _("Escalated (overdue)")
        RECEIVED = "received", _("Received")
        CLOSED = "closed", _("Closed")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events", verbose_name=_("case"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    at = models.DateTimeField(_("at"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=pgettext_lazy("who did it", "by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    from_status = models.CharField(_("from status"), max_length=20, blank=True)
    to_status = models.CharField(_("to status"), max_length=20, blank=True)
    from_department = models.ForeignKey(
        "accounts.Department",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("from department"),
    )
    to_department = models.ForeignKey(
        "accounts.Department",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("to department"),
    )
    note = models.TextField(_("note"), blank=True)
    is_internal = models.BooleanField(_("internal (not shown to the citizen)"), default=False)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        indexes = [models.Index(fields=["case", "at"], name="caseevent_case_at_idx")]

    def __str__(self):
        return f"{self.case_id} {self.kind} {self.at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise Conflict("Case events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise Conflict("Case events are append-only.")


def attachment_path(instance, filename):
    now = timezone.now()
    return f"complaints/{now:%Y/%m}/{instance.case.tracking_number}-{filename}"


class Attachment(models.Model):
    class Kind(models.TextChoices):
        IMAGE = "image", _("Photo")
        AUDIO = "audio", _("Voice")
        VIDEO = "video", _("Video")
        DOCUMENT = "document", _("Document")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("case"))
    file = models.FileField(_("file"), upload_to=attachment_path)
    original_name = models.CharField(_("original name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self):
        return self.original_name

    @property
    def download_url(self) -> str:
        """The checked view that serves the file to those who may see the case."""
        return reverse("complaints:attachment", args=[self.pk]) if self.pk else ""


class Rating(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="ratings", verbose_name=_("case"))
    answer_round = models.PositiveSmallIntegerField(_("answer round"))
    score = models.PositiveSmallIntegerField(_("score"), validators=[MinValueValidator(1), MaxValueValidator(5)])
    comment = models.TextField(_("comment"), blank=True, max_length=limits.COMMENT)
    rated_at = models.DateTimeField(_("rated at"), default=timezone.now)

    class Meta:
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        indexes = [models.Index(fields=["rated_at", "score"], name="rating_rated_at_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(score__gte=1, score__lte=5), name="rating_score_1_to_5"),
            models.UniqueConstraint(fields=["case", "answer_round"], name="one_rating_per_answer"),
        ]

    def __str__(self):
        return f"{self.case_id}: {self.score}"


class FaqEntry(models.Model):
    question = models.CharField(_("question"), max_length=limits.QUESTION)
    answer = models.TextField(_("answer"), max_length=limits.ANSWER)
    category = models.ForeignKey(Category, verbose_name=_("category"), null=True, blank=True, on_delete=models.SET_NULL)
    nouns = models.TextField(_("search nouns"), blank=True, editable=False)
    is_published = models.BooleanField(_("published"), default=True)
    order = models.PositiveIntegerField(_("order"), default=100)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("FAQ entry")
        verbose_name_plural = _("FAQ entries")

    def __str__(self):
        return self.question

    def save(self, *args, **kwargs):
        from complaints.search import nouns_of

        self.nouns = nouns_of(f"{self.question} {self.answer}")
        super().save(*args, **kwargs)


class PublishedExample(models.Model):
    """An answered case an editor published, anonymised (its own text, no citizen link)."""

    case = models.OneToOneField(
        Case, verbose_name=_("case"), null=True, blank=True, on_delete=models.SET_NULL, related_name="example"
    )
    title = models.CharField(_("title"), max_length=limits.TITLE)
    question = models.TextField(_("question (anonymised)"), max_length=limits.ANSWER)
    answer = models.TextField(_("answer"), max_length=limits.ANSWER)
    category = models.ForeignKey(Category, verbose_name=_("category"), null=True, blank=True, on_delete=models.SET_NULL)
    department = models.ForeignKey(
        "accounts.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    nouns = models.TextField(_("search nouns"), blank=True, editable=False)
    is_published = models.BooleanField(_("published"), default=True)
    published_at = models.DateTimeField(_("published at"), default=timezone.now)

    class Meta:
        ordering = ["-published_at"]
        verbose_name = _("published example")
        verbose_name_plural = _("published examples")

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        from complaints.search import nouns_of

        self.nouns = nouns_of(f"{self.title} {self.question} {self.answer}")
        super().save(*args, **kwargs)
