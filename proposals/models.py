"""Oasis: citizens' policy proposals, their votes, expert review and the public answer.

Every status change goes through ``Proposal.transition_to`` (called only by
``proposals.services``), which checks ``ALLOWED_TRANSITIONS`` and writes a
``ProposalEvent``: the timeline is the audit trail.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civicportal import limits
from civicportal.errors import Conflict

SCORE_MIN, SCORE_MAX = 1, 5


def vote_threshold() -> int:
    """A proposal with MORE than this many votes moves to review."""
    return int(getattr(settings, "PROPOSAL_VOTE_THRESHOLD", 10))


class InvalidTransition(Conflict):
    code = "invalid_transition"


class ThemedCallQuerySet(models.QuerySet):
    def open_at(self, moment=None):
        moment = moment or timezone.now()
        return self.filter(opens_at__lte=moment, closes_at__gt=moment).exclude(status=ThemedCall.Status.CANCELLED)


class ThemedCall(models.Model):
    """A department's call for ideas on one theme, open for a period."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")
        CANCELLED = "cancelled", _("Cancelled")

    department = models.ForeignKey(
        "accounts.Department", on_delete=models.PROTECT, related_name="themed_calls", verbose_name=_("department")
    )
    title = models.CharField(_("title"), max_length=limits.TITLE)
    description = models.TextField(_("description"), max_length=limits.DESCRIPTION)
    opens_at = models.DateTimeField(_("opens at"))
    closes_at = models.DateTimeField(_("closes at"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.SCHEDULED)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ThemedCallQuerySet.as_manager()

    class Meta:
        ordering = ["-opens_at"]
        verbose_name = _("themed call")
        verbose_name_plural = _("themed calls")
        constraints = [
            models.CheckConstraint(condition=Q(closes_at__gt=F("opens_at")), name="themed_call_closes_after_opening"),
        ]

    def __str__(self):
        return self.title

    def is_open(self, moment=None) -> bool:
        moment = moment or timezone.now()
        return self.status != self.Status.CANCELLED and self.opens_at <= moment < self.closes_at


class ProposalQuerySet(models.QuerySet):
    def public(self):
        return self.exclude(status=Proposal.Status.DRAFT)

    def voting(self):
        return self.filter(status=Proposal.Status.OPEN)

    def decided(self):
        return self.filter(status__in=Proposal.DECIDED_STATUSES)

    def adopted(self):
        return self.filter(status__in=Proposal.ADOPTED_STATUSES)

    def most_supported(self):
        return self.public().order_by("-vote_count", "-id")

    def newest(self):
        return self.public().order_by("-submitted_at", "-id")

    def in_review_for(self, department_ids):
        return self.filter(status=Proposal.Status.IN_REVIEW, department_id__in=department_ids)


class Proposal(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open for support")
        CLOSED = "closed", _("Closed without enough support")
        IN_REVIEW = "in_review", _("In review")
        ADOPTED = "decided_adopted", _("Adopted")
        REJECTED = "decided_rejected", _("Not adopted")
        IMPLEMENTING = "implementing", _("Being implemented")
        IMPLEMENTED = "implemented", _("Implemented")

    ALLOWED_TRANSITIONS = {
        Status.DRAFT: {Status.OPEN},
        Status.OPEN: {Status.IN_REVIEW, Status.CLOSED},
        Status.CLOSED: set(),
        Status.IN_REVIEW: {Status.ADOPTED, Status.REJECTED},
        Status.ADOPTED: {Status.IMPLEMENTING, Status.IMPLEMENTED},
        Status.REJECTED: set(),
        Status.IMPLEMENTING: {Status.IMPLEMENTED},
        Status.IMPLEMENTED: set(),
    }
    DECIDED_STATUSES = (Status.ADOPTED, Status.REJECTED, Status.IMPLEMENTING, Status.IMPLEMENTED)
    ADOPTED_STATUSES = (Status.ADOPTED, Status.IMPLEMENTING, Status.IMPLEMENTED)

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="proposals", verbose_name=_("author")
    )
    themed_call = models.ForeignKey(
        ThemedCall,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="proposals",
        verbose_name=_("themed call"),
    )
    department = models.ForeignKey(
        "accounts.Department",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="proposals",
        verbose_name=_("responsible department"),
    )
    title = models.CharField(_("title"), max_length=limits.TITLE)
    # The title's nouns (civicportal.nouns): what the similar-proposal finder compares.
    title_nouns = models.TextField(_("title nouns"), blank=True, editable=False)
    problem = models.TextField(_("problem"), max_length=limits.PROPOSAL_SECTION)
    idea = models.TextField(_("idea"), max_length=limits.PROPOSAL_SECTION)
    expected_effect = models.TextField(_("expected effect"), max_length=limits.PROPOSAL_SECTION)
    district = models.ForeignKey(
        "accounts.District", on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("district")
    )
    location_text = models.CharField(_("place"), max_length=limits.PLACE, blank=True)
    lat = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    lon = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    vote_count = models.PositiveIntegerField(_("votes"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    voting_closes_at = models.DateTimeField(_("support closes at"), null=True, blank=True)
    reviewed_at = models.DateTimeField(_("review started at"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    objects = ProposalQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        indexes = [
            # "Most supported" and "newest" lists: an index walk, no sort.
            models.Index(fields=["-vote_count", "-id"], name="proposal_most_supported", condition=~Q(status="draft")),
            models.Index(fields=["-submitted_at", "-id"], name="proposal_newest", condition=~Q(status="draft")),
            models.Index(fields=["status", "department"], name="proposal_status_department"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="draft") | Q(submitted_at__isnull=False), name="proposal_submitted_has_time"
            ),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        if update_fields is None or "title" in update_fields:
            from civicportal.nouns import nouns_of

            self.title_nouns = nouns_of(self.title)
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "title_nouns"}
        super().save(*args, **kwargs)

    @property
    def is_public(self):
        return self.status != self.Status.DRAFT

    @property
    def is_decided(self):
        return self.status in self.DECIDED_STATUSES

    @property
    def author_display(self):
        """What the public sees of the author: never the real name."""
        return mask_username(self.author.username)

    def can_transition_to(self, status) -> bool:
        return status in self.ALLOWED_TRANSITIONS.get(self.status, set())

    def transition_to(self, status, *, by=None, note="", kind=None):
        """Change the status and write the event. Call from a service, holding the row lock."""
        if not self.can_transition_to(status):
            raise InvalidTransition(
                _("A proposal that is %(current)s cannot become %(new)s.")
                % {"current": self.get_status_display(), "new": self.Status(status).label}
            )
        previous = self.status
        self.status = status
        now = timezone.now()
        fields = ["status", "updated_at"]
        if status == self.Status.OPEN:
            self.submitted_at = now
            fields.append("submitted_at")
        elif status == self.Status.IN_REVIEW:
            self.reviewed_at = now
            fields.append("reviewed_at")
        elif status in (self.Status.ADOPTED, self.Status.REJECTED):
            self.decided_at = now
            fields.append("decided_at")
        self.save(update_fields=fields)
        ProposalEvent.objects.create(
            proposal=self,
            actor=by,
            kind=kind or ProposalEvent.Kind.STATUS,
            from_status=previous,
            to_status=status,
            note=note,
        )
        return self


def mask_username(username: str) -> str:
    """'citizen42' -> 'ci*******'; short names keep one letter."""
    if not username:
        return "***"
    keep = 2 if len(username) > 3 else 1
    return username[:keep] + "*" * max(3, len(username) - keep)


def proposal_image_path(instance, filename):
    return f"proposals/{instance.proposal_id}/{timezone.now():%Y%m%d%H%M%S%f}.jpg"


class ProposalImage(models.Model):
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="images", verbose_name=_("proposal"))
    image = models.ImageField(_("image"), upload_to=proposal_image_path)
    alt_text = models.CharField(_("description of the image"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("proposal image")
        verbose_name_plural = _("proposal images")

    def __str__(self):
        return self.alt_text or self.image.name

    @property
    def image_url(self) -> str:
        """The checked view that serves the file: a draft's images are its author's alone."""
        if self.pk is None:
            return ""
        return reverse("proposals:image", kwargs={"pk": self.proposal_id, "image": self.pk})


class ProposalVote(models.Model):
    """One citizen's support. ``proposal_author`` is copied from the proposal so the
    database itself can refuse a vote for one's own proposal."""

    # No single-column indexes: the unique (proposal, voter) and the (voter, created_at)
    # indexes cover the lookups, and fewer indexes keep vote inserts cheap.
    proposal = models.ForeignKey(
        Proposal, on_delete=models.CASCADE, related_name="votes", db_index=False, verbose_name=_("proposal")
    )
    voter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="proposal_votes",
        db_index=False,
        verbose_name=_("voter"),
    )
    proposal_author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        verbose_name=_("proposal author"),
    )
    created_at = models.DateTimeField(_("voted at"), auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("proposal vote")
        verbose_name_plural = _("proposal votes")
        constraints = [
            models.UniqueConstraint(fields=["proposal", "voter"], name="one_vote_per_citizen_per_proposal"),
            models.CheckConstraint(condition=~Q(voter=F("proposal_author")), name="no_vote_for_own_proposal"),
        ]
        indexes = [models.Index(fields=["voter", "-created_at"], name="proposal_vote_voter")]

    def __str__(self):
        return f"{self.voter_id} → {self.proposal_id}"


class Comment(models.Model):
    proposal = models.ForeignKey(
        Proposal, on_delete=models.CASCADE, related_name="comments", verbose_name=_("proposal")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="proposal_comments", verbose_name=_("author")
    )
    text = models.TextField(_("comment"), max_length=limits.COMMENT)
    hidden = models.BooleanField(_("hidden by moderation"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")

    def __str__(self):
        return self.text[:50]

    @property
    def author_display(self):
        return mask_username(self.author.username)


class PanelMember(models.Model):
    """An evaluator's seat on one of the two review panels."""

    class Panel(models.TextChoices):
        INTERNAL = "internal", _("Internal experts (retired public officers)")
        EXTERNAL = "external", _("External policy experts")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="panel_seat", verbose_name=_("user")
    )
    panel = models.CharField(_("panel"), max_length=10, choices=Panel.choices)
    expertise = models.CharField(_("expertise"), max_length=200, blank=True)
    active = models.BooleanField(_("active"), default=True)
    joined_at = models.DateTimeField(_("joined at"), auto_now_add=True)

    class Meta:
        ordering = ["panel", "user__username"]
        verbose_name = _("panel member")
        verbose_name_plural = _("panel members")

    def __str__(self):
        return f"{self.user} ({self.get_panel_display()})"


class EvaluatorAssignment(models.Model):
    proposal = models.ForeignKey(
        Proposal, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("proposal")
    )
    evaluator = models.ForeignKey(
        PanelMember, on_delete=models.PROTECT, related_name="assignments", verbose_name=_("evaluator")
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assigned by"),
    )
    assigned_at = models.DateTimeField(_("assigned at"), default=timezone.now)
    reminded_at = models.DateTimeField(_("reminded at"), null=True, blank=True)

    class Meta:
        ordering = ["assigned_at", "id"]
        verbose_name = _("evaluator assignment")
        verbose_name_plural = _("evaluator assignments")
        constraints = [
            models.UniqueConstraint(fields=["proposal", "evaluator"], name="one_assignment_per_evaluator"),
        ]

    def __str__(self):
        return f"{self.evaluator} → {self.proposal_id}"

    @property
    def is_done(self):
        return hasattr(self, "evaluation")


def _score_check(field):
    return models.CheckConstraint(
        condition=Q(**{f"{field}__gte": SCORE_MIN, f"{field}__lte": SCORE_MAX}), name=f"evaluation_{field}_in_range"
    )


SCORE_FIELDS = ("necessity", "effectiveness", "feasibility", "budget")


class Evaluation(models.Model):
    SCORE_FIELDS = SCORE_FIELDS

    assignment = models.OneToOneField(
        EvaluatorAssignment, on_delete=models.CASCADE, related_name="evaluation", verbose_name=_("assignment")
    )
    necessity = models.PositiveSmallIntegerField(_("necessity"))
    effectiveness = models.PositiveSmallIntegerField(_("effectiveness"))
    feasibility = models.PositiveSmallIntegerField(_("feasibility"))
    budget = models.PositiveSmallIntegerField(_("budget appropriateness"))
    comment = models.TextField(_("comment"), max_length=limits.REVIEW)
    created_at = models.DateTimeField(_("submitted at"), auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")
        constraints = [_score_check(f) for f in ("necessity", "effectiveness", "feasibility", "budget")]

    def __str__(self):
        return f"{self.assignment}"

    @property
    def total(self):
        return sum(getattr(self, f) for f in self.SCORE_FIELDS)


class ProposalRevision(models.Model):
    """A policy specialist's revised text. The author's consent applies it; the
    original text stays in this row, so both versions are kept."""

    class Consent(models.TextChoices):
        PENDING = "pending", _("Waiting for the author")
        ACCEPTED = "accepted", _("Accepted by the author")
        DECLINED = "declined", _("Declined by the author")

    proposal = models.ForeignKey(
        Proposal, on_delete=models.CASCADE, related_name="revisions", verbose_name=_("proposal")
    )
    revised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("revised by")
    )
    original_title = models.CharField(_("original title"), max_length=200)
    original_problem = models.TextField(_("original problem"))
    original_idea = models.TextField(_("original idea"))
    original_expected_effect = models.TextField(_("original expected effect"))
    title = models.CharField(_("revised title"), max_length=limits.TITLE)
    problem = models.TextField(_("revised problem"), max_length=limits.PROPOSAL_SECTION)
    idea = models.TextField(_("revised idea"), max_length=limits.PROPOSAL_SECTION)
    expected_effect = models.TextField(_("revised expected effect"), max_length=limits.PROPOSAL_SECTION)
    note = models.TextField(_("why"), blank=True, max_length=limits.NOTE)
    consent = models.CharField(_("consent"), max_length=10, choices=Consent.choices, default=Consent.PENDING)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("proposal revision")
        verbose_name_plural = _("proposal revisions")
        constraints = [
            models.UniqueConstraint(
                fields=["proposal"], condition=Q(consent="pending"), name="one_pending_revision_per_proposal"
            ),
        ]

    def __str__(self):
        return f"{self.proposal_id}: {self.title}"


class Decision(models.Model):
    """The department's public answer."""

    class Outcome(models.TextChoices):
        ADOPTED = "adopted", _("Adopted")
        REJECTED = "rejected", _("Not adopted")

    proposal = models.OneToOneField(
        Proposal, on_delete=models.CASCADE, related_name="decision", verbose_name=_("proposal")
    )
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("decided by")
    )
    summary = models.TextField(_("opinion of the department"), max_length=limits.REVIEW)
    necessity = models.TextField(_("necessity"), blank=True, max_length=limits.REVIEW)
    effectiveness = models.TextField(_("effectiveness"), blank=True, max_length=limits.REVIEW)
    feasibility = models.TextField(_("feasibility"), blank=True, max_length=limits.REVIEW)
    required_budget = models.PositiveBigIntegerField(_("required budget (KRW)"), null=True, blank=True)
    reason_validity = models.BooleanField(_("not valid"), default=False)
    reason_effectiveness = models.BooleanField(_("not effective enough"), default=False)
    reason_budget = models.BooleanField(_("budget"), default=False)
    reason_ordinances = models.BooleanField(_("ordinances or law"), default=False)
    reasons = models.TextField(_("reasons"), blank=True, max_length=limits.REVIEW)
    decided_at = models.DateTimeField(_("decided at"), default=timezone.now)
    voters_notified_at = models.DateTimeField(_("voters notified at"), null=True, blank=True)

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome="rejected")
                | (Q(required_budget__isnull=False) & ~Q(necessity="") & ~Q(effectiveness="") & ~Q(feasibility="")),
                name="adopted_decision_has_grounds",
            ),
            models.CheckConstraint(
                condition=Q(outcome="adopted")
                | (
                    ~Q(reasons="")
                    & (
                        Q(reason_validity=True)
                        | Q(reason_effectiveness=True)
                        | Q(reason_budget=True)
                        | Q(reason_ordinances=True)
                    )
                ),
                name="rejected_decision_has_reasons",
            ),
        ]

    def __str__(self):
        return f"{self.proposal_id}: {self.get_outcome_display()}"

    def rejection_reasons(self):
        labels = []
        for field in ("reason_validity", "reason_effectiveness", "reason_budget", "reason_ordinances"):
            if getattr(self, field):
                labels.append(self._meta.get_field(field).verbose_name)
        return labels


class ImplementationUpdate(models.Model):
    proposal = models.ForeignKey(
        Proposal, on_delete=models.CASCADE, related_name="implementation_updates", verbose_name=_("proposal")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("author")
    )
    text = models.TextField(_("progress"), max_length=limits.REVIEW)
    completed = models.BooleanField(_("implementation completed"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("implementation update")
        verbose_name_plural = _("implementation updates")

    def __str__(self):
        return self.text[:50]


class ProposalEvent(models.Model):
    """Append-only timeline of a proposal."""

    class Kind(models.TextChoices):
        STATUS = "status", _("Status changed")
        SUBMITTED = "submitted", _("Submitted")
        THRESHOLD = "threshold", _("Support threshold reached")
        ASSIGNED = "assigned", _("Evaluator assigned")
        EVALUATED = "evaluated", _("Evaluation submitted")
        REVISION_PROPOSED = "revision_proposed", _("Revision proposed")
        REVISION_ANSWERED = "revision_answered", _("Revision answered")
        DECIDED = "decided", _("Decision published")
        IMPLEMENTATION = "implementation", _("Implementation update")
        CLOSED = "closed", _("Support period ended")
        REMINDED = "reminded", _("Evaluator reminded")

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="events", verbose_name=_("proposal"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    from_status = models.CharField(_("from status"), max_length=20, blank=True)
    to_status = models.CharField(_("to status"), max_length=20, blank=True)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("proposal event")
        verbose_name_plural = _("proposal events")

    def __str__(self):
        return f"{self.proposal_id} {self.kind}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise Conflict("Timeline events are append-only.")
        super().save(*args, **kwargs)

    @property
    def to_status_label(self):
        return Proposal.Status(self.to_status).label if self.to_status else ""
