"""mVoting: targeted polls, one ballot per person, live results from counters.

A poll's *open* state is derived from its approval and its times (no status to keep
in sync with the clock); the beat task only records the opening and notifies.
Counters are kept in the ballot's transaction, so results cost O(options) however many
ballots there are. Each counter is split into ``TALLY_SHARDS`` rows and a ballot adds to
the row of its voter's shard: with one row per counter every ballot of a poll waited for
the previous ballot's commit to update it (the poll's total and a popular option are
written by every voter), which halved the rate at which a poll could take votes.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civicportal import limits
from civicportal.accounts.models import CitizenProfile, Department, District
from civicportal.files import versioned

TALLY_SHARDS = 16


def tally_shard(voter_id) -> int:
    return voter_id % TALLY_SHARDS


def _ballot_total():
    """The ballots of the outer poll, summed over its tally shards (a subquery)."""
    return Coalesce(
        Subquery(
            PollTally.objects.filter(poll=OuterRef("pk")).values("poll").annotate(n=Sum("ballots")).values("n")[:1]
        ),
        0,
    )


class PollQuerySet(models.QuerySet):
    def with_totals(self):
        """Each poll's ballot count in the same query (read by ``Poll.total_ballots``)."""
        return self.annotate(ballot_count=_ballot_total())

    def approved(self):
        return self.filter(approval=Poll.Approval.APPROVED)

    def open(self, now=None):
        now = now or timezone.now()
        return self.approved().filter(opens_at__lte=now, closes_at__gt=now)

    def closed(self, now=None):
        return self.approved().filter(closes_at__lte=now or timezone.now())

    def listed(self):
        """Polls a citizen may discover in lists (private rooms and QR-only polls are found otherwise)."""
        return self.filter(room_number__isnull=True, qr_required=False)

    def for_department(self, department_ids):
        return self.filter(department_id__in=department_ids)


class Poll(models.Model):
    class Kind(models.TextChoices):
        GOVERNMENT = "g2c", _("Government to citizen")
        CITIZEN = "c2g", _("Citizen to government (proposal)")

    class Approval(models.TextChoices):
        PENDING = "pending", _("Awaiting approval")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    department = models.ForeignKey(
        Department, verbose_name=_("department"), null=True, blank=True, on_delete=models.PROTECT, related_name="polls"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="polls_created"
    )
    kind = models.CharField(_("kind"), max_length=3, choices=Kind.choices, default=Kind.GOVERNMENT)
    approval = models.CharField(_("approval"), max_length=10, choices=Approval.choices, default=Approval.APPROVED)
    decision_reason = models.TextField(_("reason for the decision"), blank=True, max_length=limits.NOTE)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    question = models.CharField(_("question"), max_length=limits.QUESTION)
    description = models.TextField(_("description"), blank=True, max_length=limits.DESCRIPTION)
    image = models.ImageField(_("image"), upload_to="polls/%Y/%m/", blank=True)
    multiple = models.BooleanField(_("multiple choice"), default=False)
    max_choices = models.PositiveSmallIntegerField(_("maximum choices"), default=1)
    opens_at = models.DateTimeField(_("opens at"))
    closes_at = models.DateTimeField(_("closes at"))
    results_visible_while_open = models.BooleanField(_("results visible while open"), default=True)

    # Targets: every condition that is set must hold; none set means everyone with an account.
    age_min = models.PositiveSmallIntegerField(_("minimum age"), null=True, blank=True)
    age_max = models.PositiveSmallIntegerField(_("maximum age"), null=True, blank=True)
    genders = models.CharField(_("genders"), max_length=5, blank=True, help_text=_("Letters F, M, X; empty = all."))
    districts = models.ManyToManyField(District, verbose_name=_("districts"), blank=True, related_name="polls")
    dongs = models.CharField(_("dongs"), max_length=500, blank=True, help_text=_("Comma-separated; empty = all."))
    center_lat = models.DecimalField(_("centre latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    center_lon = models.DecimalField(_("centre longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    radius_m = models.PositiveIntegerField(_("radius (metres)"), null=True, blank=True)
    qr_required = models.BooleanField(_("QR code required"), default=False)
    qr_salt = models.CharField(_("QR signing salt"), max_length=32, blank=True)
    room_number = models.CharField(_("private room number"), max_length=20, null=True, blank=True, unique=True)
    room_password = models.CharField(_("room password (hashed)"), max_length=128, blank=True)
    employees_only = models.BooleanField(_("employees only"), default=False)
    members_only = models.BooleanField(_("uploaded member list only"), default=False)

    opened_notified_at = models.DateTimeField(_("opening announced at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = PollQuerySet.as_manager()

    class Meta:
        ordering = ["-opens_at", "-pk"]
        verbose_name = _("poll")
        verbose_name_plural = _("polls")
        indexes = [models.Index(fields=["approval", "closes_at"], name="poll_approval_closes")]
        constraints = [
            models.CheckConstraint(condition=Q(closes_at__gt=F("opens_at")), name="poll_closes_after_opens"),
            models.CheckConstraint(condition=Q(max_choices__gte=1), name="poll_max_choices_positive"),
            models.CheckConstraint(condition=Q(multiple=True) | Q(max_choices=1), name="poll_single_choice_is_one"),
            models.CheckConstraint(
                condition=Q(age_min__isnull=True) | Q(age_max__isnull=True) | Q(age_max__gte=F("age_min")),
                name="poll_age_band_ordered",
            ),
            models.CheckConstraint(
                condition=(Q(center_lat__isnull=True) & Q(center_lon__isnull=True) & Q(radius_m__isnull=True))
                | (Q(center_lat__isnull=False) & Q(center_lon__isnull=False) & Q(radius_m__gt=0)),
                name="poll_circle_complete",
            ),
            models.CheckConstraint(
                condition=Q(room_number__isnull=True) | ~Q(room_password=""), name="poll_room_has_password"
            ),
        ]

    def __str__(self):
        return self.question

    @property
    def total_ballots(self) -> int:
        """Ballots cast: from ``with_totals()`` when the list was loaded with it, else one query."""
        count = self.__dict__.get("ballot_count")
        if count is None:
            if self.pk is None:
                return 0
            count = PollTally.objects.filter(poll_id=self.pk).aggregate(n=Coalesce(Sum("ballots"), 0))["n"]
        return count

    @property
    def image_url(self) -> str:
        """The checked view that serves the image (visible with the poll); "" without one."""
        if not (self.pk and self.image):
            return ""
        return versioned(reverse("polls:image", kwargs={"pk": self.pk}), self.image)

    # --- state, derived from approval and the clock ---------------------------
    def is_open(self, now=None):
        now = now or timezone.now()
        return self.approval == self.Approval.APPROVED and self.opens_at <= now < self.closes_at

    def is_closed(self, now=None):
        return self.closes_at <= (now or timezone.now())

    def status_label(self, now=None):
        now = now or timezone.now()
        if self.approval == self.Approval.PENDING:
            return _("Awaiting approval")
        if self.approval == self.Approval.REJECTED:
            return _("Rejected")
        if now < self.opens_at:
            return _("Scheduled")
        if now < self.closes_at:
            return _("Open")
        return _("Closed")

    @property
    def has_circle(self):
        return self.radius_m is not None

    @property
    def is_private(self):
        return bool(self.room_number)

    @property
    def gender_list(self):
        return [g for g in self.genders if g in CitizenProfile.Gender.values]

    @property
    def dong_list(self):
        return [d.strip() for d in self.dongs.split(",") if d.strip()]

    @property
    def is_targeted(self):
        return bool(
            self.age_min is not None
            or self.age_max is not None
            or self.genders
            or self.dongs
            or self.has_circle
            or self.employees_only
            or self.members_only
            or self.qr_required
            or self.room_number
            or (self.pk and self.districts.exists())
        )


class PollOptionQuerySet(models.QuerySet):
    def with_votes(self):
        """Each option's votes in the same query (read by ``PollOption.votes``)."""
        votes = OptionTally.objects.filter(option=OuterRef("pk")).values("option").annotate(n=Sum("votes"))
        return self.annotate(vote_count=Coalesce(Subquery(votes.values("n")[:1]), 0))


class PollOption(models.Model):
    poll = models.ForeignKey(Poll, verbose_name=_("poll"), on_delete=models.CASCADE, related_name="options")
    text = models.CharField(_("text"), max_length=limits.POLL_OPTION)
    image = models.ImageField(_("image"), upload_to="polls/options/%Y/%m/", blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    objects = PollOptionQuerySet.as_manager()

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("option")
        verbose_name_plural = _("options")

    def __str__(self):
        return self.text

    @property
    def votes(self) -> int:
        """Votes for this option: from ``with_votes()`` when loaded with it, else one query."""
        count = self.__dict__.get("vote_count")
        if count is None:
            if self.pk is None:  # an unsaved option (e.g. the admin's empty inline form)
                return 0
            count = OptionTally.objects.filter(option_id=self.pk).aggregate(n=Coalesce(Sum("votes"), 0))["n"]
        return count

    @property
    def image_url(self) -> str:
        """The checked view that serves the image (visible with the poll); "" without one."""
        if not (self.pk and self.image):
            return ""
        return versioned(reverse("polls:option_image", kwargs={"pk": self.poll_id, "option": self.pk}), self.image)


class PollTally(models.Model):
    """One shard of a poll's ballot counter; the poll's total is the sum of its shards."""

    # The unique (poll, shard) index serves the poll's lookups: no second index.
    poll = models.ForeignKey(
        Poll, verbose_name=_("poll"), on_delete=models.CASCADE, related_name="tallies", db_index=False
    )
    shard = models.PositiveSmallIntegerField(_("shard"))
    ballots = models.PositiveIntegerField(_("ballots"), default=0)

    class Meta:
        verbose_name = _("poll tally")
        verbose_name_plural = _("poll tallies")
        constraints = [models.UniqueConstraint(fields=["poll", "shard"], name="one_tally_per_poll_shard")]


class OptionTally(models.Model):
    """One shard of an option's vote counter."""

    option = models.ForeignKey(
        PollOption, verbose_name=_("option"), on_delete=models.CASCADE, related_name="tallies", db_index=False
    )
    shard = models.PositiveSmallIntegerField(_("shard"))
    votes = models.PositiveIntegerField(_("votes"), default=0)

    class Meta:
        verbose_name = _("option tally")
        verbose_name_plural = _("option tallies")
        constraints = [models.UniqueConstraint(fields=["option", "shard"], name="one_tally_per_option_shard")]


class Ballot(models.Model):
    """One per voter and poll. The voter's age band, gender and district are copied
    at voting time so breakdowns need no join and stay true if the profile changes."""

    poll = models.ForeignKey(Poll, verbose_name=_("poll"), on_delete=models.CASCADE, related_name="ballots")
    voter = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("voter"), on_delete=models.CASCADE, related_name="ballots"
    )
    created_at = models.DateTimeField(_("cast at"), default=timezone.now)
    age_band = models.CharField(_("age band"), max_length=8, blank=True)
    gender = models.CharField(_("gender"), max_length=1, blank=True)
    district = models.ForeignKey(
        District, verbose_name=_("district"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("ballot")
        verbose_name_plural = _("ballots")
        constraints = [models.UniqueConstraint(fields=["poll", "voter"], name="one_ballot_per_voter")]
        indexes = [models.Index(fields=["created_at", "poll"], name="ballot_recent")]

    def __str__(self):
        return f"ballot {self.pk} on poll {self.poll_id}"


class BallotChoice(models.Model):
    ballot = models.ForeignKey(Ballot, on_delete=models.CASCADE, related_name="choices", verbose_name=_("ballot"))
    option = models.ForeignKey(PollOption, on_delete=models.CASCADE, related_name="choices", verbose_name=_("option"))

    class Meta:
        verbose_name = _("ballot choice")
        verbose_name_plural = _("ballot choices")
        constraints = [models.UniqueConstraint(fields=["ballot", "option"], name="one_choice_per_option")]


class PollMember(models.Model):
    """An entry of an uploaded list of eligible people, matched to an account when possible."""

    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="members", verbose_name=_("poll"))
    identifier = models.CharField(_("username, email or mobile"), max_length=150)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="poll_memberships",
        verbose_name=_("user"),
    )

    class Meta:
        verbose_name = _("poll member")
        verbose_name_plural = _("poll members")
        constraints = [models.UniqueConstraint(fields=["poll", "identifier"], name="one_member_entry_per_identifier")]
        indexes = [models.Index(fields=["user", "poll"], name="pollmember_user_poll")]

    def __str__(self):
        return self.identifier


class PollEvent(models.Model):
    """Append-only timeline of a poll."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Created")
        PROPOSED = "proposed", _("Proposed by a citizen")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        EDITED = "edited", _("Edited")
        OPENED = "opened", _("Opened")
        QR_ROTATED = "qr_rotated", _("QR code renewed")
        MEMBERS = "members", _("Member list uploaded")
        DRAWN = "drawn", _("Lots drawn")

    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="events", verbose_name=_("poll"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, verbose_name=_("actor")
    )
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("poll event")
        verbose_name_plural = _("poll events")

    def __str__(self):
        return f"{self.get_kind_display()} @ {self.created_at:%Y-%m-%d %H:%M}"


class LotDraw(models.Model):
    """A reproducible draw of winners among a closed poll's voters: the same seed
    over the same voters (ordered by ballot id) gives the same winners."""

    poll = models.OneToOneField(Poll, on_delete=models.CASCADE, related_name="lot_draw", verbose_name=_("poll"))
    seed = models.CharField(_("seed"), max_length=64)
    winners_count = models.PositiveIntegerField(_("number of winners"))
    winners = models.JSONField(_("winning ballot ids"), default=list)
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("drawn by")
    )
    drawn_at = models.DateTimeField(_("drawn at"), default=timezone.now)

    class Meta:
        verbose_name = _("lot draw")
        verbose_name_plural = _("lot draws")

    def __str__(self):
        return f"draw for {self.poll}"
