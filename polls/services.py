"""What mVoting does. Every door (pages, API, admin, tasks) calls these functions."""

import hashlib
import io
import math
import random
import secrets
import time
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.core import signing
from django.core.cache import cache
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Exists, F, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from civicportal import limits
from civicportal.accounts import permissions
from civicportal.accounts.models import CitizenProfile, Role, User
from civicportal.errors import Conflict, DomainError, NotAllowed, NotFound
from civicportal.notifications.services import notify
from civicportal.outbox.services import queue_after_commit
from polls import live
from polls.models import (
    Ballot,
    BallotChoice,
    LotDraw,
    OptionTally,
    Poll,
    PollEvent,
    PollMember,
    PollOption,
    PollTally,
    tally_shard,
)

QR_TOKEN_MAX_AGE = timedelta(hours=getattr(settings, "POLLS_QR_TOKEN_HOURS", 24))
ROOM_ATTEMPTS = 5
ROOM_ATTEMPT_WINDOW = 15 * 60
SMALL_CELL = 5
NOTIFY_CHUNK = 1000
AGE_BANDS = [(0, 19), (20, 29), (30, 39), (40, 49), (50, 59), (60, 69), (70, 200)]


class Throttled(DomainError):
    status_code = 429
    code = "throttled"


# --- small pure helpers -----------------------------------------------------------
def local_date(at):
    return timezone.localtime(at).date()


def age_on(birth_year, at) -> int | None:
    """Age from the birth year alone, on the Seoul calendar date of ``at``.

    Profiles keep only the birth year (no birth date), so a person's age changes on
    1 January: the same rule the poll's age band and the breakdowns use."""
    if not birth_year:
        return None
    return local_date(at).year - birth_year


def age_band(age) -> str:
    if age is None:
        return ""
    for low, high in AGE_BANDS:
        if low <= age <= high:
            if low == 0:
                return "-19"
            if high >= 200:
                return f"{low}+"
            return f"{low}-{high}"
    return ""


def haversine_m(lat1, lon1, lat2, lon2) -> float:
    radius = 6_371_000.0
    p1, p2 = math.radians(float(lat1)), math.radians(float(lat2))
    dp, dl = p2 - p1, math.radians(float(lon2) - float(lon1))
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * radius * math.asin(math.sqrt(a))


def parse_position(lat, lon):
    """(Decimal lat, Decimal lon) or None when both are missing; DomainError when invalid."""
    if lat in (None, "") and lon in (None, ""):
        return None
    try:
        lat, lon = Decimal(str(lat)), Decimal(str(lon))
    except (InvalidOperation, ValueError):
        raise DomainError(_("The position is not valid."), code="bad_position", field="lat")
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise DomainError(_("The position is not valid."), code="bad_position", field="lat")
    return lat, lon


# --- targets and eligibility ----------------------------------------------------
def target_description(poll) -> str:
    """Who a poll is for, in words: "residents of Mapo-gu aged 20–39"."""
    who = _("employees of the city") if poll.employees_only else _("residents")
    parts = [who]
    places = [d.name for d in poll.districts.all()] + poll.dong_list
    if places:
        parts.append(_("of %(places)s") % {"places": ", ".join(places)})
    if poll.age_min is not None and poll.age_max is not None:
        parts.append(_("aged %(low)d–%(high)d") % {"low": poll.age_min, "high": poll.age_max})
    elif poll.age_min is not None:
        parts.append(_("aged %(low)d or over") % {"low": poll.age_min})
    elif poll.age_max is not None:
        parts.append(_("aged %(high)d or under") % {"high": poll.age_max})
    if poll.gender_list:
        labels = dict(CitizenProfile.Gender.choices)
        parts.append("({})".format(", ".join(str(labels[g]) for g in poll.gender_list)))
    if poll.has_circle:
        parts.append(_("within %(km)s km of the site") % {"km": f"{poll.radius_m / 1000:g}"})
    if poll.members_only:
        parts.append(_("on the poll's member list"))
    if poll.qr_required:
        parts.append(_("who scan the QR code at the site"))
    if poll.room_number:
        parts.append(_("in private room %(room)s") % {"room": poll.room_number})
    if len(parts) == 1 and not poll.employees_only:
        return _("everyone with an account")
    return " ".join(parts)


@dataclass
class VoterContext:
    """What eligibility needs to know about a voter, loaded once (lists reuse it)."""

    user: User
    profile: CitizenProfile | None
    member_poll_ids: set = field(default_factory=set)

    @classmethod
    def load(cls, user, polls=()):
        try:  # loaded with the user (select_related("profile")) by the vote endpoint
            profile = user._state.fields_cache["profile"]
        except KeyError:
            profile = CitizenProfile.objects.filter(user=user).first()
        member_ids = set()
        member_polls = [p.pk for p in polls if p.members_only]
        if member_polls:
            member_ids = set(
                PollMember.objects.filter(user=user, poll_id__in=member_polls).values_list("poll_id", flat=True)
            )
        return cls(user=user, profile=profile, member_poll_ids=member_ids)


def refusal_reason(poll, voter: VoterContext, *, at=None) -> str | None:
    """Why ``voter`` may not take part in ``poll`` by who they are (None when they may).

    Demographic, employee and member conditions only; the credentials shown at voting
    time (position, QR token, room password) are checked by ``check_credentials``."""
    at = at or timezone.now()
    if not _fits(poll, voter, at):
        refused = _("This poll is for %(who)s.") % {"who": target_description(poll)}
        profile = voter.profile
        if (poll.age_min is not None or poll.age_max is not None) and not (profile and profile.birth_year):
            return refused + " " + _("Add your birth year to your profile to take part.")
        return refused
    return None


def _fits(poll, voter: VoterContext, at) -> bool:
    profile = voter.profile
    if poll.employees_only and not permissions.is_officer(voter.user):
        return False
    if poll.members_only and poll.pk not in voter.member_poll_ids:
        return False
    if poll.age_min is not None or poll.age_max is not None:
        age = age_on(profile.birth_year if profile else None, at)
        if age is None:
            return False
        if (poll.age_min is not None and age < poll.age_min) or (poll.age_max is not None and age > poll.age_max):
            return False
    if poll.genders and (not profile or profile.gender not in poll.gender_list):
        return False
    district_ids = _district_ids(poll)
    if district_ids and (not profile or profile.district_id not in district_ids):
        return False
    if poll.dong_list and (not profile or profile.dong not in poll.dong_list):
        return False
    return True


def _district_ids(poll) -> frozenset:
    """The poll's district ids, worked out once per loaded poll: the vote path shares one
    poll object for two seconds, and a related manager costs more than the check."""
    ids = poll.__dict__.get("_district_ids")
    if ids is None:
        ids = poll.__dict__["_district_ids"] = frozenset(d.pk for d in poll.districts.all())
    return ids


def qr_signer(poll):
    return signing.TimestampSigner(salt=f"polls.qr:{poll.pk}:{poll.qr_salt}")


def qr_token(poll) -> str:
    return qr_signer(poll).sign(str(poll.pk))


def qr_url(poll, request=None) -> str:
    path = reverse("polls:detail", args=[poll.pk]) + "?qr=" + qr_token(poll)
    return request.build_absolute_uri(path) if request else path


def qr_png(data: str) -> bytes:
    import qrcode

    image = qrcode.make(data, box_size=8, border=4)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _room_attempts_key(user, poll):
    return f"polls:room-attempts:{user.pk}:{poll.pk}"


def check_credentials(poll, user, *, position=None, qr=None, room_password=None):
    """Raise DomainError unless the voter shows what the poll asks at voting time."""
    if poll.room_number:
        _check_room_password(poll, user, room_password)
    _check_site_credentials(poll, position=position, qr=qr)


def _check_room_password(poll, user, room_password):
    key = _room_attempts_key(user, poll)
    if (cache.get(key) or 0) >= ROOM_ATTEMPTS:
        raise Throttled(_("Too many wrong passwords. Try again in 15 minutes."), field="room_password")
    if not room_password or not check_password(room_password, poll.room_password):
        cache.add(key, 0, ROOM_ATTEMPT_WINDOW)
        try:
            cache.incr(key)
        except ValueError:
            cache.set(key, 1, ROOM_ATTEMPT_WINDOW)
        raise NotAllowed(_("The room password is wrong."), code="wrong_password", field="room_password")


def _check_site_credentials(poll, *, position=None, qr=None):
    if poll.qr_required:
        if not qr:
            raise NotAllowed(_("This poll is for people who scan its QR code at the site."), code="qr_required")
        try:
            value = qr_signer(poll).unsign(qr, max_age=QR_TOKEN_MAX_AGE)
        except signing.SignatureExpired:
            raise NotAllowed(_("This QR code has expired. Scan the code at the site again."), code="qr_expired")
        except signing.BadSignature:
            raise NotAllowed(_("This QR code is not valid for this poll."), code="qr_invalid")
        if value != str(poll.pk):
            raise NotAllowed(_("This QR code is not valid for this poll."), code="qr_invalid")
    if poll.has_circle:
        if position is None:
            raise DomainError(
                _("This poll needs your position: allow the browser to share it, or enter it."),
                code="position_required",
                field="lat",
            )
        distance = haversine_m(position[0], position[1], poll.center_lat, poll.center_lon)
        if distance > poll.radius_m:
            raise NotAllowed(
                _("This poll is for people within %(km)s km of the site; you are %(away)s km away.")
                % {"km": f"{poll.radius_m / 1000:g}", "away": f"{distance / 1000:.1f}"},
                code="too_far",
            )


# --- gatekeeper -----------------------------------------------------------------
def can_manage(user, poll) -> bool:
    return user.has_perm("polls.manage_poll", poll)


def get_poll_for_user(user, pk) -> Poll:
    """The poll ``pk`` if ``user`` may see it; NotFound otherwise.

    Approved polls are visible to every account; a proposal only to its author and
    to officers (who decide proposals)."""
    try:
        poll = Poll.objects.select_related("department").prefetch_related("districts", "options").get(pk=pk)
    except (Poll.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("There is no such poll."))
    if poll.approval != Poll.Approval.APPROVED:
        if not (poll.created_by_id == user.pk or permissions.is_officer(user) or permissions.is_administrator(user)):
            raise NotFound(_("There is no such poll."))
    require_room_admission(user, poll)
    return poll


# --- private rooms --------------------------------------------------------------
ROOM_ADMISSION_SECONDS = 12 * 60 * 60


def _room_admission_key(user, poll_id):
    return f"polls:room-admitted:{user.pk}:{poll_id}"


def may_see_room(user, poll) -> bool:
    """A private room's poll (its question, options and results) is for those who entered
    the room with its password, who voted in it, and for its department and administrators.
    Anyone else is told the poll does not exist, by id as by number."""
    if not poll.room_number:
        return True
    if not user.is_authenticated:
        return False
    if can_manage(user, poll) or permissions.is_administrator(user):
        return True
    if cache.get(_room_admission_key(user, poll.pk)):
        return True
    return Ballot.objects.filter(poll=poll, voter=user).exists()


def require_room_admission(user, poll):
    if not may_see_room(user, poll):
        raise NotFound(_("There is no such poll."))


def room_enter(*, user, room_number, room_password) -> Poll:
    """Admit ``user`` to the approved poll of a private room for the day (web and API alike).
    A wrong number and a wrong password answer the same; wrong passwords are throttled."""
    room_number = (room_number or "").strip()
    poll = Poll.objects.approved().filter(room_number=room_number).first() if room_number else None
    if poll is None:
        raise NotFound(_("There is no open room with this number and password."))
    try:
        _check_room_password(poll, user, room_password or "")
    except NotAllowed:
        raise NotFound(_("There is no open room with this number and password."))
    cache.set(_room_admission_key(user, poll.pk), 1, ROOM_ADMISSION_SECONDS)
    return poll


_HOT_POLLS: dict = {}
HOT_POLL_SECONDS = 2.0


def get_poll_for_vote(user, pk) -> Poll:
    """The gatekeeper's answer for the hot paths (vote, results), with fewer round trips.

    An approved poll, its options and its districts are kept per process for
    ``HOT_POLL_SECONDS``. What a vote checks cannot go stale in a way that matters:
    the clock is read fresh, an approved poll stays approved, and ``poll_update``
    refuses to change a poll once anyone has voted; an administrator's edit reaches
    voters within two seconds. Counters are never read from here."""
    now = time.monotonic()
    try:
        key = int(pk)
    except (TypeError, ValueError):
        raise NotFound(_("There is no such poll."))
    hit = _HOT_POLLS.get(key)
    if hit is not None and now - hit[0] < HOT_POLL_SECONDS:
        return hit[1]
    poll = Poll.objects.filter(pk=key).prefetch_related("options", "districts").first()
    if poll is None:
        raise NotFound(_("There is no such poll."))
    if poll.approval != Poll.Approval.APPROVED:
        return get_poll_for_user(user, key)
    if len(_HOT_POLLS) > 1000:
        _HOT_POLLS.clear()
    _HOT_POLLS[key] = (now, poll)
    return poll


def forget_hot_poll(poll_id=None):
    """Drop a poll (or all) from this process's hot cache, after a change here."""
    if poll_id is None:
        _HOT_POLLS.clear()
    else:
        _HOT_POLLS.pop(poll_id, None)


# --- creating, proposing, deciding ----------------------------------------------
def _check_times(opens_at, closes_at):
    if opens_at is None or closes_at is None:
        raise DomainError(_("Give an opening and a closing time."), field="opens_at")
    if closes_at <= opens_at:
        raise DomainError(_("The poll must close after it opens."), code="closes_before_opens", field="closes_at")
    now = timezone.now()
    # A poll runs in the present: far-past or far-future times are typing mistakes.
    if opens_at < now - timedelta(days=366) or closes_at > now + timedelta(days=3 * 366):
        raise DomainError(_("Choose times within a year before and three years after today."), field="opens_at")


def _check_wording(question, description):
    limits.check_model_fields(Poll, {"question": question or "", "description": description or ""})


def _check_options(options, multiple, max_choices):
    texts = [o["text"].strip() if isinstance(o, dict) else str(o).strip() for o in options]
    for text in texts:
        limits.check_field(PollOption, "text", text, field="options")
    if len([t for t in texts if t]) < 2:
        raise DomainError(_("A poll needs at least two options."), field="options")
    if not multiple and max_choices != 1:
        raise DomainError(_("A single-choice poll allows one choice."), field="max_choices")
    if max_choices < 1 or max_choices > len(texts):
        raise DomainError(
            _("The maximum number of choices must be between 1 and the number of options."), field="max_choices"
        )


def _option_rows(poll, options):
    rows = []
    for i, option in enumerate(options):
        if isinstance(option, dict):
            text, image = option.get("text", "").strip(), option.get("image")
        else:
            text, image = str(option).strip(), None
        if text:
            rows.append(PollOption(poll=poll, text=text, image=image or "", position=i))
    return rows


TARGET_FIELDS = (
    "age_min",
    "age_max",
    "genders",
    "dongs",
    "center_lat",
    "center_lon",
    "radius_m",
    "qr_required",
    "employees_only",
    "members_only",
)


def _apply_targets(poll, targets):
    for name in TARGET_FIELDS:
        if name in targets:
            setattr(
                poll, name, targets[name] if targets[name] is not None else Poll._meta.get_field(name).get_default()
            )
    poll.genders = "".join(g for g in (poll.genders or "") if g in CitizenProfile.Gender.values)
    if poll.age_min is not None and poll.age_max is not None and poll.age_max < poll.age_min:
        raise DomainError(_("The age band's upper age is below its lower age."), field="age_max")
    circle = [poll.center_lat, poll.center_lon, poll.radius_m]
    if any(v is not None for v in circle) and not all(v is not None for v in circle):
        raise DomainError(_("A location target needs a latitude, a longitude and a radius."), field="radius_m")
    if poll.radius_m is not None and poll.radius_m <= 0:
        raise DomainError(_("The radius must be positive."), field="radius_m")
    if poll.qr_required and not poll.qr_salt:
        poll.qr_salt = secrets.token_hex(8)
    room_number = targets.get("room_number")
    if room_number is not None:
        room_number = str(room_number).strip() or None
        if room_number and not (targets.get("room_password") or poll.room_password):
            raise DomainError(_("A private room needs a password."), field="room_password")
        if room_number and Poll.objects.filter(room_number=room_number).exclude(pk=poll.pk).exists():
            raise DomainError(_("This room number is taken."), field="room_number")
        poll.room_number = room_number
        if not room_number:
            poll.room_password = ""
    if targets.get("room_password") and poll.room_number:
        poll.room_password = make_password(targets["room_password"])


def poll_create(
    *,
    actor,
    department,
    question,
    options,
    opens_at,
    closes_at,
    description="",
    image=None,
    multiple=False,
    max_choices=1,
    results_visible_while_open=True,
    districts=(),
    **targets,
) -> Poll:
    """An officer opens a government-to-citizen poll for their department."""
    permissions.require(
        actor, "polls.create_poll", department, _("Only officers of the department can create its polls.")
    )
    _check_times(opens_at, closes_at)
    max_choices = max_choices if multiple else 1
    _check_wording(question, description)
    _check_options(options, multiple, max_choices)
    poll = Poll(
        department=department,
        created_by=actor,
        kind=Poll.Kind.GOVERNMENT,
        approval=Poll.Approval.APPROVED,
        decided_by=actor,
        decided_at=timezone.now(),
        question=question.strip(),
        description=description,
        image=image or "",
        multiple=multiple,
        max_choices=max_choices,
        opens_at=opens_at,
        closes_at=closes_at,
        results_visible_while_open=results_visible_while_open,
    )
    _apply_targets(poll, targets)
    with transaction.atomic():
        poll.save()
        PollOption.objects.bulk_create(_option_rows(poll, options))
        if districts:
            poll.districts.set(districts)
        PollEvent.objects.create(poll=poll, kind=PollEvent.Kind.CREATED, actor=actor)
    return poll


def poll_update(*, poll, actor, districts=None, **changes) -> Poll:
    """Edit a poll's wording, times and targets; not once anyone has voted."""
    permissions.require(actor, "polls.manage_poll", poll, _("Only officers of the department can edit this poll."))
    if Ballot.objects.filter(poll=poll).exists():
        raise Conflict(_("People have voted already: the poll can no longer be changed."))
    _check_wording(changes.get("question"), changes.get("description"))
    for name in ("question", "description", "opens_at", "closes_at", "results_visible_while_open"):
        if name in changes:
            setattr(poll, name, changes.pop(name))
    if changes.get("image"):
        poll.image = changes.pop("image")
    changes.pop("image", None)
    _check_times(poll.opens_at, poll.closes_at)
    _apply_targets(poll, changes)
    with transaction.atomic():
        poll.save()
        if districts is not None:
            poll.districts.set(districts)
            poll.__dict__.pop("_district_ids", None)
        PollEvent.objects.create(poll=poll, kind=PollEvent.Kind.EDITED, actor=actor)
    forget_hot_poll(poll.pk)
    return poll


def poll_propose(
    *, citizen, question, options, opens_at, closes_at, description="", multiple=False, max_choices=1, department=None
) -> Poll:
    """A citizen proposes a poll; it waits for an officer's approval before it opens."""
    permissions.require(citizen, "polls.propose_poll", None, _("Only citizens can propose polls."))
    _check_times(opens_at, closes_at)
    max_choices = max_choices if multiple else 1
    _check_wording(question, description)
    _check_options(options, multiple, max_choices)
    with transaction.atomic():
        poll = Poll.objects.create(
            department=department,
            created_by=citizen,
            kind=Poll.Kind.CITIZEN,
            approval=Poll.Approval.PENDING,
            question=question.strip(),
            description=description,
            multiple=multiple,
            max_choices=max_choices,
            opens_at=opens_at,
            closes_at=closes_at,
        )
        PollOption.objects.bulk_create(_option_rows(poll, options))
        PollEvent.objects.create(poll=poll, kind=PollEvent.Kind.PROPOSED, actor=citizen)
    return poll


def poll_decide(*, poll, officer, approve: bool, reason: str) -> Poll:
    """Approve or reject a citizen's proposal with a reason; the citizen is told."""
    permissions.require(officer, "polls.decide_proposal", poll, _("Only officers decide proposals."))
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Give a reason for the decision."), field="reason")
    limits.check_field(Poll, "decision_reason", reason, field="reason")
    with transaction.atomic():
        # Conditional update: two officers deciding at once cannot both win.
        changed = Poll.objects.filter(pk=poll.pk, approval=Poll.Approval.PENDING).update(
            approval=Poll.Approval.APPROVED if approve else Poll.Approval.REJECTED,
            decision_reason=reason,
            decided_by=officer,
            decided_at=timezone.now(),
            department=poll.department or _first_department(officer),
        )
        if not changed:
            raise Conflict(_("This proposal has already been decided."))
        poll.refresh_from_db()
        kind = PollEvent.Kind.APPROVED if approve else PollEvent.Kind.REJECTED
        PollEvent.objects.create(poll=poll, kind=kind, actor=officer, note=reason)
        title = (
            _("Your poll proposal was approved: %(q)s") if approve else _("Your poll proposal was not approved: %(q)s")
        ) % {"q": poll.question}
        notify([poll.created_by], "poll_decision", title, body=reason, link=reverse("polls:detail", args=[poll.pk]))
    return poll


def _first_department(user):
    ids = sorted(permissions.department_ids(user))
    return ids[0] if ids else None


def poll_rotate_qr(*, poll, actor) -> Poll:
    """Renew the QR signing salt: every code printed before stops working."""
    permissions.require(actor, "polls.manage_poll", poll)
    poll.qr_salt = secrets.token_hex(8)
    poll.save(update_fields=["qr_salt", "updated_at"])
    PollEvent.objects.create(poll=poll, kind=PollEvent.Kind.QR_ROTATED, actor=actor)
    forget_hot_poll(poll.pk)
    return poll


def members_upload(*, poll, actor, identifiers) -> tuple[int, int]:
    """Add an uploaded list (usernames, emails or mobiles) and match it to accounts.

    Returns (entries added, entries matched to an account)."""
    permissions.require(actor, "polls.manage_poll", poll)
    wanted = {str(i).strip() for i in identifiers if str(i).strip()}
    by_key = {}
    for user_id, username, email, mobile in User.objects.filter(
        Q(username__in=wanted) | Q(email__in=wanted) | Q(profile__mobile__in=wanted)
    ).values_list("pk", "username", "email", "profile__mobile"):
        for key in (username, email, mobile):
            if key:
                by_key.setdefault(key, user_id)
    rows = [PollMember(poll=poll, identifier=i, user_id=by_key.get(i)) for i in sorted(wanted)]
    with transaction.atomic():
        created = PollMember.objects.bulk_create(rows, ignore_conflicts=True)
        if not poll.members_only:
            Poll.objects.filter(pk=poll.pk).update(members_only=True)
            poll.members_only = True
        PollEvent.objects.create(poll=poll, kind=PollEvent.Kind.MEMBERS, actor=actor, note=str(len(rows)))
    forget_hot_poll(poll.pk)
    return len(created), sum(1 for r in rows if r.user_id)


# --- voting ---------------------------------------------------------------------
def vote_cast(*, poll, voter, option_ids, position=None, qr=None, room_password=None, now=None) -> Ballot:
    """Cast ``voter``'s one ballot. The unique constraint, not a prior check, decides
    a second vote, so two requests at the same instant give one ballot and one Conflict."""
    now = now or timezone.now()
    if not voter.is_authenticated:
        raise NotAllowed(_("Log in to vote."))
    if poll.approval != Poll.Approval.APPROVED:
        raise DomainError(_("This poll has not been approved."), code="not_open")
    if now < poll.opens_at:
        raise DomainError(_("This poll is not open yet."), code="not_open")
    if now >= poll.closes_at:
        raise DomainError(_("This poll is closed."), code="closed")
    try:
        chosen = sorted({int(i) for i in option_ids or []})
    except (TypeError, ValueError):
        raise DomainError(_("Choose among the poll's options."), code="bad_option", field="options")
    if not chosen:
        raise DomainError(_("Choose an option."), code="no_option", field="options")
    if len(chosen) > poll.max_choices:
        raise DomainError(
            ngettext("Choose at most %(n)d option.", "Choose at most %(n)d options.", poll.max_choices)
            % {"n": poll.max_choices},
            code="too_many_choices",
            field="options",
        )
    option_ids_of_poll = {o.pk for o in poll.options.all()}
    if not set(chosen) <= option_ids_of_poll:
        raise DomainError(_("Choose among the poll's options."), code="bad_option", field="options")
    context = VoterContext.load(voter, [poll])
    reason = refusal_reason(poll, context, at=now)
    if reason:
        raise NotAllowed(reason, code="not_eligible")
    check_credentials(poll, voter, position=position, qr=qr, room_password=room_password)
    profile = context.profile
    ballot = Ballot(
        poll=poll,
        voter=voter,
        created_at=now,
        age_band=age_band(age_on(profile.birth_year if profile else None, now)),
        gender=profile.gender if profile else "",
        district_id=profile.district_id if profile else None,
    )
    try:
        if connection.vendor == "postgresql":
            _record_ballot_postgres(ballot, chosen)
        else:
            with transaction.atomic():
                ballot.save(force_insert=True)
                BallotChoice.objects.bulk_create([BallotChoice(ballot=ballot, option_id=i) for i in chosen])
                _count_ballot(poll.pk, chosen, tally_shard(voter.pk))
    except IntegrityError:
        raise Conflict(_("You have already voted in this poll."), code="already_voted")
    live.poll_changed(poll.pk)
    return ballot


def _count_ballot(poll_id, chosen, shard):
    """Add a ballot to its shard of the poll's and the chosen options' counters (ORM path)."""
    if not PollTally.objects.filter(poll_id=poll_id, shard=shard).update(ballots=F("ballots") + 1):
        PollTally.objects.create(poll_id=poll_id, shard=shard, ballots=1)
    for option_id in chosen:  # in ascending order, as the statement below
        if not OptionTally.objects.filter(option_id=option_id, shard=shard).update(votes=F("votes") + 1):
            OptionTally.objects.create(option_id=option_id, shard=shard, votes=1)


# One statement, hence one transaction and one round trip: the ballot, then (through the
# dependencies, in this order) the voter's shard of the poll counter, then of the option
# counters (in ascending option order), and the choices. A duplicate ballot raises the
# unique violation and nothing of the statement stays. Two voters of different shards
# never wait for each other; of the same shard, they lock the same rows in the same order.
_RECORD_BALLOT_SQL = """
WITH b AS (
    INSERT INTO {ballot} (poll_id, voter_id, created_at, age_band, gender, district_id)
    VALUES (%(poll)s, %(voter)s, %(at)s, %(age_band)s, %(gender)s, %(district)s) RETURNING id
), p AS (
    INSERT INTO {poll_tally} AS t (poll_id, shard, ballots) SELECT %(poll)s, %(shard)s, 1 FROM b
    ON CONFLICT (poll_id, shard) DO UPDATE SET ballots = t.ballots + 1 RETURNING 1
), o AS (
    INSERT INTO {option_tally} AS t (option_id, shard, votes)
    SELECT x, %(shard)s, 1 FROM p, unnest(%(options)s::bigint[]) AS x ORDER BY x
    ON CONFLICT (option_id, shard) DO UPDATE SET votes = t.votes + 1 RETURNING 1
), c AS (
    INSERT INTO {choice} (ballot_id, option_id) SELECT b.id, x FROM b, unnest(%(options)s::bigint[]) AS x RETURNING 1
)
SELECT (SELECT id FROM b), (SELECT count(*) FROM o), (SELECT count(*) FROM c)
"""
_record_ballot_sql: list = []


def _record_ballot_postgres(ballot, chosen):
    if not _record_ballot_sql:
        _record_ballot_sql.append(
            _RECORD_BALLOT_SQL.format(
                ballot=Ballot._meta.db_table,
                poll_tally=PollTally._meta.db_table,
                option_tally=OptionTally._meta.db_table,
                choice=BallotChoice._meta.db_table,
            )
        )
    sql = _record_ballot_sql[0]
    params = {
        "poll": ballot.poll_id,
        "voter": ballot.voter_id,
        "at": ballot.created_at,
        "age_band": ballot.age_band,
        "gender": ballot.gender,
        "district": ballot.district_id,
        "shard": tally_shard(ballot.voter_id),
        "options": chosen,
    }
    # In autocommit the statement is its own transaction; inside a caller's transaction a
    # savepoint keeps a duplicate from breaking it.
    if connection.get_autocommit():
        with connection.prepared_cursor() as cursor:
            cursor.execute(sql, params)
            row = cursor.fetchone()
    else:
        with transaction.atomic(), connection.prepared_cursor() as cursor:
            cursor.execute(sql, params)
            row = cursor.fetchone()
    ballot.pk = row[0]
    ballot._state.adding = False


# --- results --------------------------------------------------------------------
def results_visible(poll, user, now=None) -> bool:
    return (
        poll.is_closed(now)
        or (poll.results_visible_while_open and poll.approval == Poll.Approval.APPROVED)
        or user.has_perm("polls.view_breakdown", poll)
    )


def poll_results(*, poll, viewer, now=None) -> dict:
    """Counts and percentages per option, from the counters: O(options)."""
    if not results_visible(poll, viewer, now):
        raise NotAllowed(_("The results are shown when the poll closes."), code="results_hidden")
    # One query, in one statement, so the total and the options are the same snapshot:
    # at most TALLY_SHARDS rows per option and for the total, however many ballots.
    options = list(
        PollOption.objects.filter(poll=poll)
        .with_votes()
        .annotate(total=Poll.objects.filter(pk=poll.pk).with_totals().values("ballot_count")[:1])
        .values("pk", "text", "vote_count", "total")
        .order_by("position", "pk")
    )
    fresh = options[0]["total"] if options else 0
    for option in options:
        option["id"] = option.pop("pk")
        option["votes"] = option.pop("vote_count")
        option.pop("total")
        option["percent"] = round(100 * option["votes"] / fresh, 1) if fresh else 0.0
    return {
        "poll": poll.pk,
        "total_ballots": fresh,
        "closed": poll.is_closed(now),
        "options": options,
        "updated_at": timezone.now().isoformat(),
    }


BREAKDOWNS = {"age_band": "ballot__age_band", "gender": "ballot__gender", "district": "ballot__district__code"}


def poll_breakdown(*, poll, viewer, dimension) -> dict:
    """Votes per option and age band / gender / district, for officers.

    Any cell with fewer than SMALL_CELL voters is hidden (None), so no small group's
    choice can be read off the table. Cached (see below)."""
    permissions.require(viewer, "polls.view_breakdown", poll, _("Only the poll's officers see breakdowns."))
    if dimension not in BREAKDOWNS:
        raise DomainError(_("Unknown breakdown."), field="by")
    # A GROUP BY over every ballot (about 2 s at 1.1 million): kept a minute while the
    # poll is open (new ballots would otherwise recompute it on every view), for good after.
    final = poll.is_closed()
    key = f"polls:breakdown:{poll.pk}:{dimension}:{'final' if final else 'live'}"
    cached = cache.get(key)
    if cached is not None:
        return cached
    column = BREAKDOWNS[dimension]
    rows = BallotChoice.objects.filter(ballot__poll=poll).values("option_id", column).annotate(n=Count("id")).order_by()
    groups, cells = set(), {}
    for row in rows:
        group = row[column] or ""
        groups.add(group)
        cells[(row["option_id"], group)] = row["n"]
    groups = sorted(groups)
    labels = _group_labels(dimension, groups)
    table = []
    for option in poll.options.all():
        counts = []
        for group in groups:
            n = cells.get((option.pk, group), 0)
            counts.append(n if n >= SMALL_CELL else None)
        table.append({"option": option.text, "counts": counts})
    result = {"dimension": dimension, "groups": [labels[g] for g in groups], "rows": table, "min_cell": SMALL_CELL}
    cache.set(key, result, 24 * 3600 if final else 60)
    return result


def _group_labels(dimension, groups):
    unknown = _("unknown")
    if dimension == "gender":
        names = dict(CitizenProfile.Gender.choices)
        return {g: str(names.get(g, unknown)) for g in groups}
    if dimension == "district":
        from civicportal.accounts.models import District

        names = {d.code: d.name for d in District.objects.filter(code__in=[g for g in groups if g])}
        return {g: names.get(g, unknown) for g in groups}
    return {g: g or unknown for g in groups}


def results_csv_rows(*, poll, viewer):
    data = poll_results(poll=poll, viewer=viewer)
    # The key column holds keys (the option's id, or a named total), never a count or a label.
    yield ["key", "option", "votes", "percent"]
    for option in data["options"]:
        yield [f"option-{option['id']}", option["text"], option["votes"], option["percent"]]
    yield ["total_ballots", "", data["total_ballots"], ""]


def draw_lots(*, poll, actor, winners_count: int, seed: str | None = None) -> LotDraw:
    """Draw ``winners_count`` ballots among a closed poll's voters, reproducibly.

    The winners follow from the recorded seed and the ballots ordered by id, so anyone
    holding the seed can redo the draw."""
    permissions.require(actor, "polls.manage_poll", poll, _("Only the poll's officers can draw lots."))
    if not poll.is_closed():
        raise DomainError(_("Lots are drawn after the poll closes."), code="not_closed")
    if winners_count < 1:
        raise DomainError(_("Draw at least one winner."), field="winners_count")
    seed = seed or secrets.token_hex(16)
    ballot_ids = list(Ballot.objects.filter(poll=poll).order_by("pk").values_list("pk", flat=True))
    winners = reproducible_sample(ballot_ids, winners_count, seed)
    try:
        with transaction.atomic():
            draw = LotDraw.objects.create(
                poll=poll, seed=seed, winners_count=winners_count, winners=winners, drawn_by=actor
            )
            PollEvent.objects.create(poll=poll, kind=PollEvent.Kind.DRAWN, actor=actor, note=f"seed={seed}")
    except IntegrityError:
        raise Conflict(_("Lots have already been drawn for this poll."))
    return draw


def reproducible_sample(ballot_ids, count, seed):
    rng = random.Random(int(hashlib.sha256(seed.encode()).hexdigest(), 16))
    return rng.sample(list(ballot_ids), min(count, len(ballot_ids)))


# --- lists ----------------------------------------------------------------------
def open_to(user, *, now=None, base=None) -> list[Poll]:
    """Open, listed polls ``user`` may vote on by who they are (one eligibility rule).

    Their options are not loaded: a list shows a page of them, and prefetches the
    options of that page (``prefetch_related_objects(page, "options")``)."""
    now = now or timezone.now()
    base = base if base is not None else Poll.objects.open(now).listed()
    if user.is_authenticated:
        base = _in_home_district(base, user)
    polls = list(base.select_related("department").prefetch_related("districts").with_totals())
    context = VoterContext.load(user, polls)
    return [p for p in polls if refusal_reason(p, context, at=now) is None]


def _in_home_district(polls, user):
    """Polls for every district or for ``user``'s: a superset, narrowed in SQL, of those
    ``refusal_reason`` lets through. Each district's own polls stay in the database
    instead of being loaded, with their districts, for every citizen of the 24 others."""
    through = Poll.districts.through.objects.filter(poll_id=OuterRef("pk"))
    home = CitizenProfile.objects.filter(user=user).values("district_id")
    return polls.filter(~Exists(through) | Exists(through.filter(district_id__in=home)))


def hot_poll_ids(now=None, limit=10) -> list[int]:
    now = now or timezone.now()
    key = f"polls:hot:{now:%Y%m%d%H%M}"
    ids = cache.get(key)
    if ids is None:
        rows = (
            Ballot.objects.filter(created_at__gte=now - timedelta(hours=24), created_at__lte=now)
            .values("poll_id")
            .annotate(n=Count("id"))
            .order_by("-n")[:limit]
        )
        ids = [r["poll_id"] for r in rows]
        cache.set(key, ids, 60)
    return ids


def near(polls, lat, lon):
    """Location polls whose circle holds (lat, lon), nearest first."""
    found = []
    for poll in polls:
        if poll.has_circle:
            distance = haversine_m(lat, lon, poll.center_lat, poll.center_lon)
            if distance <= poll.radius_m:
                found.append((distance, poll))
    return [p for _d, p in sorted(found, key=lambda item: item[0])]


# --- opening and notifying ------------------------------------------------------
def eligible_recipient_ids(poll, now=None) -> list[int]:
    """Accounts to tell that a targeted poll opened (a superset narrowed per chunk by
    ``refusal_reason``). QR and private-room polls target no one in particular."""
    now = now or timezone.now()
    if poll.qr_required or poll.room_number:
        return []
    users = User.objects.filter(is_active=True)
    if poll.employees_only:
        users = users.filter(memberships__isnull=False, groups__name__in=[Role.OFFICER, Role.SUPERVISOR])
    if poll.members_only:
        users = users.filter(poll_memberships__poll=poll)
    year = local_date(now).year
    if poll.age_min is not None:
        users = users.filter(profile__birth_year__lte=year - poll.age_min)
    if poll.age_max is not None:
        users = users.filter(profile__birth_year__gte=year - poll.age_max)
    if poll.gender_list:
        users = users.filter(profile__gender__in=poll.gender_list)
    district_ids = list(poll.districts.values_list("pk", flat=True))
    if district_ids:
        users = users.filter(profile__district_id__in=district_ids)
    if poll.dong_list:
        users = users.filter(profile__dong__in=poll.dong_list)
    if poll.has_circle:
        users = users.filter(profile__location_consent=True, profile__home_lat__isnull=False)
    return list(users.order_by("pk").values_list("pk", flat=True).distinct())


def poll_announce(*, poll_id, now=None) -> int:
    """Record that a poll opened and queue its notifications; runs once per poll.

    Claims the poll with a conditional UPDATE, so a repeated beat or task does nothing."""
    now = now or timezone.now()
    with transaction.atomic():
        claimed = Poll.objects.filter(
            pk=poll_id, opened_notified_at__isnull=True, approval=Poll.Approval.APPROVED, opens_at__lte=now
        ).update(opened_notified_at=now)
        if not claimed:
            return 0
        poll = Poll.objects.get(pk=poll_id)
        PollEvent.objects.create(poll=poll, kind=PollEvent.Kind.OPENED)
        ids = eligible_recipient_ids(poll, now) if poll.is_targeted and not poll.is_closed(now) else []
        chunks = [ids[i : i + NOTIFY_CHUNK] for i in range(0, len(ids), NOTIFY_CHUNK)]
        for chunk in chunks:
            queue_after_commit("polls.notify_poll_chunk", poll_id, chunk)
    return len(ids)


def notify_chunk(*, poll_id, user_ids, now=None) -> int:
    """Tell these accounts the poll is open, skipping anyone already told (safe to repeat)."""
    from civicportal.notifications.models import Notification

    poll = Poll.objects.prefetch_related("districts").filter(pk=poll_id).first()
    if poll is None:
        return 0
    now = now or timezone.now()
    link = reverse("polls:detail", args=[poll.pk])
    told = set(
        Notification.objects.filter(kind="poll_opened", link=link, recipient_id__in=user_ids).values_list(
            "recipient_id", flat=True
        )
    )
    users = list(User.objects.filter(pk__in=[i for i in user_ids if i not in told]).select_related("profile"))
    members = set(PollMember.objects.filter(poll=poll, user__in=users).values_list("user_id", flat=True))
    recipients = []
    for user in users:
        profile = getattr(user, "profile", None)
        context = VoterContext(user=user, profile=profile, member_poll_ids={poll.pk} if user.pk in members else set())
        if refusal_reason(poll, context, at=now):
            continue
        if poll.has_circle and (
            not profile
            or profile.home_lat is None
            or haversine_m(profile.home_lat, profile.home_lon, poll.center_lat, poll.center_lon) > poll.radius_m
        ):
            continue
        recipients.append(user)
    notify(recipients, "poll_opened", _("A poll for you is open: %(q)s") % {"q": poll.question}, link=link)
    return len(recipients)


def announce_due_polls(now=None) -> int:
    """Beat: announce every approved poll whose opening time has come (idempotent)."""
    now = now or timezone.now()
    due = Poll.objects.filter(
        approval=Poll.Approval.APPROVED, opens_at__lte=now, opened_notified_at__isnull=True
    ).values_list("pk", flat=True)
    count = 0
    for poll_id in list(due):
        poll_announce(poll_id=poll_id, now=now)
        count += 1
    return count
