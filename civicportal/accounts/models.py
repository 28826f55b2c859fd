"""The shared kernel: people, districts, departments, roles and the business calendar's data."""

import phonenumbers
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.expressions import Expression
from django.db.models.functions import Lower
from django.utils.deconstruct import deconstructible
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """Roles are Django groups of these names; department roles also need a membership."""

    CITIZEN = "citizen", _("Citizen")
    OFFICER = "officer", _("Officer")
    SUPERVISOR = "supervisor", _("Supervisor")
    COUNSELLOR = "counsellor", _("Counsellor (120)")
    EVALUATOR = "evaluator", _("Evaluator (Oasis expert)")
    MONITOR = "monitor", _("Monitor (mayor's office)")
    ALERT_AUTHOR = "alert_author", _("Emergency alert author")
    ALERT_APPROVER = "alert_approver", _("Emergency alert approver")
    ADMINISTRATOR = "administrator", _("Administrator")


def reads_english():
    return (get_language() or "ko").startswith("en")


@deconstructible(path="civicportal.accounts.models.NameInReadersLanguage")
class NameInReadersLanguage(Expression):
    """Orders by the name in the language of the request that runs the query: Korean names
    in Hangul order (가나다: code point order on SQLite and on a C.UTF-8 database), English
    names alphabetically regardless of case. Resolved when the query is compiled, so a
    form's queryset built at import time still sorts in each reader's language."""

    def __init__(self, korean="name_ko", english="name_en"):
        super().__init__()
        self.korean, self.english = F(korean), F(english)

    # As sources, the two names follow a join when another model orders by this one
    # (``Case.objects.order_by("district")`` sorts by ``district__name_ko``).
    def get_source_expressions(self):
        return [self.korean, self.english]

    def set_source_expressions(self, exprs):
        self.korean, self.english = exprs

    def resolve_expression(self, query=None, allow_joins=True, reuse=None, summarize=False, for_save=False):
        name = Lower(self.english) if reads_english() else self.korean
        return name.resolve_expression(query, allow_joins, reuse, summarize, for_save)

    def __eq__(self, other):
        return isinstance(other, NameInReadersLanguage) and str(self.korean) == str(other.korean)

    def __hash__(self):
        return hash((NameInReadersLanguage, str(self.korean)))


class BilingualNameMixin(models.Model):
    name_ko = models.CharField(_("name (Korean)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)

    class Meta:
        abstract = True

    def __str__(self):
        return self.name

    @property
    def name(self):
        return self.name_en if reads_english() else self.name_ko


class District(BilingualNameMixin):
    """One of Seoul's 25 autonomous districts (gu)."""

    code = models.CharField(_("code"), max_length=5, unique=True)
    lat = models.DecimalField(_("centroid latitude"), max_digits=8, decimal_places=5)
    lon = models.DecimalField(_("centroid longitude"), max_digits=8, decimal_places=5)

    class Meta:
        ordering = [NameInReadersLanguage(), "code"]
        verbose_name = _("district")
        verbose_name_plural = _("districts")


class Department(BilingualNameMixin):
    """A node in the organisation tree: HQ bureaus and their divisions, agencies,
    district offices, and external bodies (ministries, other local governments)
    that cases can be transferred to."""

    class Kind(models.TextChoices):
        HEADQUARTERS = "hq", _("City headquarters")
        BUREAU = "bureau", _("Bureau")
        DIVISION = "division", _("Division")
        AGENCY = "agency", _("Affiliated agency")
        DISTRICT_OFFICE = "district_office", _("District office")
        CALL_CENTRE = "call_centre", _("Call centre")
        MINISTRY = "ministry", _("Central ministry (outside Seoul)")
        LOCAL_GOVERNMENT = "local_government", _("Other local government (outside Seoul)")

    EXTERNAL_KINDS = (Kind.MINISTRY, Kind.LOCAL_GOVERNMENT)

    code = models.SlugField(_("code"), max_length=40, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    district = models.ForeignKey(
        District,
        verbose_name=_("district"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        help_text=_("For district offices: the district they serve."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    email = models.EmailField(_("contact email"), blank=True)
    # The public directory (/directory/): the department's own numbers, never a person's.
    phone = models.CharField(
        _("phone"), max_length=20, blank=True, help_text=_("The department's number, e.g. 02-2133-2114.")
    )
    address_ko = models.CharField(_("address (Korean)"), max_length=200, blank=True)
    address_en = models.CharField(_("address (English)"), max_length=200, blank=True)
    lists_officer_names = models.BooleanField(
        _("show officers' names in the directory"),
        default=False,
        help_text=_("Off: the directory shows only how many people hold each role. A person's own setting wins."),
    )

    class Meta:
        ordering = [NameInReadersLanguage(), "code"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        constraints = [
            models.CheckConstraint(condition=~Q(parent=models.F("id")), name="department_not_own_parent"),
        ]

    @property
    def is_external(self):
        return self.kind in self.EXTERNAL_KINDS

    @property
    def address(self):
        return self.address_en if reads_english() and self.address_en else self.address_ko

    def clean(self):
        node, seen = self.parent, set()
        while node is not None:
            if node.pk == self.pk or node.pk in seen:
                raise ValidationError({"parent": _("A department cannot be its own ancestor.")})
            seen.add(node.pk)
            node = node.parent

    def ancestors(self):
        node, chain = self.parent, []
        while node is not None:
            chain.append(node)
            node = node.parent
        return chain


class User(AbstractUser):
    """Every person with an account: citizens, officers, counsellors, experts, admins."""

    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    departments = models.ManyToManyField(
        Department, through="DepartmentMembership", related_name="members", blank=True, verbose_name=_("departments")
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.full_name or self.username

    def get_full_name(self):
        return self.full_name or super().get_full_name() or self.username


class DepartmentMembership(models.Model):
    """An officer belongs to one or more departments; the head is their supervisor."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("user"))
    department = models.ForeignKey(
        Department, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("department")
    )
    is_head = models.BooleanField(_("head of department"), default=False)
    since = models.DateField(_("since"), auto_now_add=True)

    class DirectoryName(models.TextChoices):
        DEPARTMENT = "department", _("as the department decides")
        SHOWN = "shown", _("shown")
        HIDDEN = "hidden", _("hidden")

    name_in_directory = models.CharField(
        _("name in the public directory"),
        max_length=10,
        choices=DirectoryName.choices,
        default=DirectoryName.DEPARTMENT,
    )

    class Meta:
        verbose_name = _("department membership")
        verbose_name_plural = _("department memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "department"], name="one_membership_per_department"),
        ]

    def __str__(self):
        return f"{self.user} @ {self.department}"

    @property
    def name_is_public(self) -> bool:
        """Whether the directory may print this person's name (never a phone or an email)."""
        if self.name_in_directory == self.DirectoryName.DEPARTMENT:
            return self.department.lists_officer_names
        return self.name_in_directory == self.DirectoryName.SHOWN


def normalise_mobile(raw):
    """Parse a Korean mobile number and return it in E.164 (+8210...); raise ValidationError."""
    try:
        number = phonenumbers.parse(str(raw), "KR")
    except phonenumbers.NumberParseException as exc:
        raise ValidationError(_("Enter a valid mobile phone number.")) from exc
    if not phonenumbers.is_valid_number(number) or phonenumbers.number_type(number) not in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    ):
        raise ValidationError(_("Enter a valid mobile phone number."))
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def mask_mobile(e164):
    """+821012345678 -> 010-****-5678, for every page that shows a number."""
    if not e164:
        return ""
    try:
        national = phonenumbers.format_number(phonenumbers.parse(e164, "KR"), phonenumbers.PhoneNumberFormat.NATIONAL)
    except phonenumbers.NumberParseException:
        return "***"
    parts = national.split("-")
    if len(parts) == 3:
        return f"{parts[0]}-{'*' * len(parts[1])}-{parts[2]}"
    return national[:3] + "*" * max(len(national) - 7, 0) + national[-4:]


class CitizenProfile(models.Model):
    """What targeting and delivery need to know about a person; one per user."""

    class Gender(models.TextChoices):
        FEMALE = "F", _("Female")
        MALE = "M", _("Male")
        OTHER = "X", _("Other / prefer not to say")

    class Language(models.TextChoices):
        KOREAN = "ko", _("Korean")
        ENGLISH = "en", _("English")
        CHINESE = "zh", _("Chinese")
        JAPANESE = "ja", _("Japanese")
        VIETNAMESE = "vi", _("Vietnamese")
        MONGOLIAN = "mn", _("Mongolian")

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="profile", verbose_name=_("user"))
    birth_year = models.PositiveSmallIntegerField(
        _("birth year"), null=True, blank=True, validators=[MinValueValidator(1900), MaxValueValidator(2100)]
    )
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices, blank=True)
    district = models.ForeignKey(
        District, verbose_name=_("district"), null=True, blank=True, on_delete=models.SET_NULL, related_name="residents"
    )
    dong = models.CharField(_("dong (neighbourhood)"), max_length=50, blank=True)
    mobile = models.CharField(_("mobile number (E.164)"), max_length=20, blank=True, db_index=True)
    mobile_verified_at = models.DateTimeField(_("mobile verified at"), null=True, blank=True)
    preferred_language = models.CharField(
        _("preferred language"), max_length=2, choices=Language.choices, default=Language.KOREAN
    )
    consent_email = models.BooleanField(_("notify me by email"), default=True)
    consent_sms = models.BooleanField(_("notify me by SMS"), default=False)
    consent_push = models.BooleanField(_("notify me by push notification"), default=False)
    consent_in_app = models.BooleanField(_("show notifications in my portal inbox"), default=True)
    location_consent = models.BooleanField(_("I agree to store my home location"), default=False)
    home_lat = models.DecimalField(_("home latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    home_lon = models.DecimalField(_("home longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    quiet_hours_start = models.TimeField(_("quiet hours from"), null=True, blank=True)
    quiet_hours_end = models.TimeField(_("quiet hours until"), null=True, blank=True)

    class Meta:
        verbose_name = _("citizen profile")
        verbose_name_plural = _("citizen profiles")
        constraints = [
            # A home location is stored only with explicit consent.
            models.CheckConstraint(
                condition=Q(location_consent=True) | (Q(home_lat__isnull=True) & Q(home_lon__isnull=True)),
                name="home_location_needs_consent",
            ),
            models.CheckConstraint(
                condition=Q(home_lat__isnull=True) | (Q(home_lat__gte=-90) & Q(home_lat__lte=90)),
                name="home_lat_in_range",
            ),
            models.CheckConstraint(
                condition=Q(home_lon__isnull=True) | (Q(home_lon__gte=-180) & Q(home_lon__lte=180)),
                name="home_lon_in_range",
            ),
        ]

    def __str__(self):
        return f"profile of {self.user}"

    @property
    def mobile_masked(self):
        return mask_mobile(self.mobile)

    @property
    def mobile_verified(self):
        return bool(self.mobile and self.mobile_verified_at)

    def consented_channels(self):
        channels = []
        if self.consent_in_app:
            channels.append("in_app")
        if self.consent_email and self.user.email:
            channels.append("email")
        if self.consent_sms and self.mobile:
            channels.append("sms")
        if self.consent_push:
            channels.append("push")
        return channels


class ClosureDay(models.Model):
    """A correction to the public-holiday calendar, entered by an administrator.

    ``is_closed=True`` closes a day the holidays package does not know (a temporary
    holiday the government declares, a city closure); ``is_closed=False`` opens a day
    the package thinks is a holiday."""

    date = models.DateField(_("date"), unique=True)
    name = models.CharField(_("name"), max_length=200)
    is_closed = models.BooleanField(_("closed"), default=True)

    class Meta:
        ordering = ["-date"]
        verbose_name = _("closure day")
        verbose_name_plural = _("closure days (calendar corrections)")

    def __str__(self):
        return f"{self.date} {self.name}"


class PolicyPage(models.Model):
    """The terms of use and the privacy notice: pages an administrator edits in admin,
    in Korean and English, linked beside the sign-up consent boxes and from every footer."""

    class Kind(models.TextChoices):
        TERMS = "terms", _("Terms of use")
        PRIVACY = "privacy", _("Privacy notice")

    kind = models.CharField(_("page"), max_length=20, choices=Kind.choices, unique=True)
    title_ko = models.CharField(_("title (Korean)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200)
    body_ko = models.TextField(_("text (Korean)"), help_text=_("Plain text; a blank line starts a paragraph."))
    body_en = models.TextField(_("text (English)"), help_text=_("Plain text; a blank line starts a paragraph."))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("terms or privacy page")
        verbose_name_plural = _("terms and privacy pages")

    def __str__(self):
        return self.get_kind_display()

    @property
    def english(self):
        return (get_language() or "ko").startswith("en")

    @property
    def title(self):
        return self.title_en if self.english and self.title_en else self.title_ko

    @property
    def body(self):
        return self.body_en if self.english and self.body_en else self.body_ko
