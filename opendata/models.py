"""Open data: the published row sets, rebuilt by ``services.dataset_refresh``.

Each published table holds exactly what the public may download: it is built from the
programs' rows by the refresh (anonymised, coarsened, small cells suppressed), so the exports,
the API and the dashboard read the same rows and none of them can show more."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Dataset(models.Model):
    """The state of one dataset of the catalogue (its slug names a ``datasets.SPECS`` entry)."""

    slug = models.SlugField(_("slug"), max_length=40, unique=True)
    refreshed_at = models.DateTimeField(_("refreshed at"), null=True, blank=True)
    row_count = models.PositiveIntegerField(_("published rows"), default=0)
    coarsened_count = models.PositiveIntegerField(_("coarsened rows"), default=0)
    withheld_count = models.PositiveIntegerField(_("withheld rows"), default=0)

    class Meta:
        ordering = ["slug"]
        verbose_name = _("dataset")
        verbose_name_plural = _("datasets")

    def __str__(self):
        return self.slug


class OpenCase(models.Model):
    """One published case. ``precision`` says how far it was coarsened before publication."""

    class Precision(models.TextChoices):
        # Working value during a refresh only; never published.
        PENDING = "", _("Not yet decided")
        DONG_DAY = "dong_day", _("Dong and day")
        DISTRICT_DAY = "district_day", _("District and day")
        DISTRICT_WEEK = "district_week", _("District and week")

    tracking_number = models.CharField(_("tracking number"), max_length=12)
    kind = models.CharField(_("kind"), max_length=20)
    category = models.CharField(_("category code"), max_length=40, blank=True)
    category_name_ko = models.CharField(_("category (Korean)"), max_length=100, blank=True)
    category_name_en = models.CharField(_("category (English)"), max_length=100, blank=True)
    channel = models.CharField(_("channel"), max_length=10)
    district = models.CharField(_("district code"), max_length=5, blank=True)
    district_name_ko = models.CharField(_("district (Korean)"), max_length=200, blank=True)
    district_name_en = models.CharField(_("district (English)"), max_length=200, blank=True)
    dong = models.CharField(_("dong"), max_length=50, blank=True)
    department = models.CharField(_("department code"), max_length=40, blank=True)
    department_name_ko = models.CharField(_("department (Korean)"), max_length=200, blank=True)
    department_name_en = models.CharField(_("department (English)"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=20)
    filed_date = models.DateField(_("filed on"), null=True, blank=True)
    filed_week = models.DateField(_("week filed (Monday)"))
    answered_date = models.DateField(_("answered on"), null=True, blank=True)
    closed_date = models.DateField(_("closed on"), null=True, blank=True)
    processing_hours = models.PositiveIntegerField(_("processing time (hours)"), null=True, blank=True)
    rating = models.PositiveSmallIntegerField(_("rating"), null=True, blank=True)
    lat = models.DecimalField(_("latitude (about 100 m)"), max_digits=6, decimal_places=3, null=True, blank=True)
    lon = models.DecimalField(_("longitude (about 100 m)"), max_digits=6, decimal_places=3, null=True, blank=True)
    title = models.CharField(_("title"), max_length=200, blank=True)
    text = models.TextField(_("text"), blank=True)
    precision = models.CharField(_("precision"), max_length=13, choices=Precision.choices, blank=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("published case")
        verbose_name_plural = _("published cases")
        indexes = [
            models.Index(fields=["district", "filed_week"], name="opencase_district_week_idx"),
            models.Index(fields=["category", "filed_week"], name="opencase_category_week_idx"),
            models.Index(fields=["filed_week"], name="opencase_week_idx"),
        ]

    def __str__(self):
        return self.tracking_number


class OpenContactDay(models.Model):
    """120 contacts per Seoul day, channel, language and topic."""

    day = models.DateField(_("day"))
    channel = models.CharField(_("channel"), max_length=20)
    language = models.CharField(_("language"), max_length=2)
    topic = models.CharField(_("topic code"), max_length=60, blank=True)
    topic_name_ko = models.CharField(_("topic (Korean)"), max_length=200, blank=True)
    topic_name_en = models.CharField(_("topic (English)"), max_length=200, blank=True)
    contacts = models.PositiveIntegerField(_("contacts"))

    class Meta:
        ordering = ["day", "channel", "language", "topic"]
        verbose_name = _("published contact count")
        verbose_name_plural = _("published contact counts")
        indexes = [models.Index(fields=["day"], name="opencontact_day_idx")]


class OpenPollResult(models.Model):
    """Votes per option of a closed public poll: for the whole poll (district blank) and per
    district of the voters, where a cell under the small-cell limit is withheld (null)."""

    poll = models.PositiveBigIntegerField(_("poll number"))
    question = models.CharField(_("question"), max_length=300)
    department = models.CharField(_("department code"), max_length=40, blank=True)
    department_name_ko = models.CharField(_("department (Korean)"), max_length=200, blank=True)
    opens_date = models.DateField(_("opened on"))
    closes_date = models.DateField(_("closed on"))
    option = models.CharField(_("option"), max_length=300)
    option_position = models.PositiveSmallIntegerField(_("option position"))
    district = models.CharField(_("district code"), max_length=5, blank=True)
    district_name_ko = models.CharField(_("district (Korean)"), max_length=200, blank=True)
    votes = models.PositiveIntegerField(_("votes"), null=True, blank=True)
    ballots = models.PositiveIntegerField(_("ballots"), null=True, blank=True)
    percent = models.DecimalField(_("percent"), max_digits=5, decimal_places=1, null=True, blank=True)

    class Meta:
        ordering = ["poll", "district", "option_position"]
        verbose_name = _("published poll result")
        verbose_name_plural = _("published poll results")


class OpenProposal(models.Model):
    """A public Oasis proposal with its support, the decision and the required budget."""

    proposal = models.PositiveBigIntegerField(_("proposal number"))
    title = models.CharField(_("title"), max_length=200)
    status = models.CharField(_("status"), max_length=20)
    themed_call = models.CharField(_("themed call"), max_length=200, blank=True)
    district = models.CharField(_("district code"), max_length=5, blank=True)
    district_name_ko = models.CharField(_("district (Korean)"), max_length=200, blank=True)
    department = models.CharField(_("department code"), max_length=40, blank=True)
    department_name_ko = models.CharField(_("department (Korean)"), max_length=200, blank=True)
    submitted_date = models.DateField(_("submitted on"), null=True, blank=True)
    votes = models.PositiveIntegerField(_("votes"))
    outcome = models.CharField(_("decision"), max_length=10, blank=True)
    decided_date = models.DateField(_("decided on"), null=True, blank=True)
    required_budget = models.PositiveBigIntegerField(_("required budget (KRW)"), null=True, blank=True)
    decision_summary = models.TextField(_("opinion of the department"), blank=True)

    class Meta:
        ordering = ["proposal"]
        verbose_name = _("published proposal")
        verbose_name_plural = _("published proposals")
