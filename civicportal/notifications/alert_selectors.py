"""What a person is shown of the alerts in force: the banner under every page's header and the bell.

Every page asks, so the alerts in force are read once and kept in the cache for a short
while (``ALERT_BANNER_CACHE_SECONDS``) and dropped as soon as an alert is approved,
cancelled or all-cleared (``forget_current``). On a page with no alert in force the banner
costs one cache read and no query; with alerts in force, a signed-in citizen costs one query
for their profile (only when an alert is not city-wide) and one for the bell."""

import math
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from civicportal.notifications.models import AlertDelivery, AreaKind, EmergencyAlert, MsgType, Severity

CACHE_KEY = "alerts:in-force:v1"
SEVERITY_ORDER = {value: rank for rank, value in enumerate(Severity.values)}  # Extreme first
LIVE = (EmergencyAlert.Status.SENDING, EmergencyAlert.Status.SENT)


@dataclass(frozen=True)
class AlertInForce:
    pk: int
    identifier: str
    severity: str
    area_kind: str
    district_ids: frozenset
    circle: tuple | None  # (lat, lon, radius_km) as floats
    expires: datetime
    headlines: dict  # {language: headline}
    event: str

    @property
    def severity_label(self):
        return Severity(self.severity).label

    def headline_in(self, language):
        """(headline, its language): the page's language, else Korean, else any."""
        for code in (language, "ko", *self.headlines):
            if self.headlines.get(code):
                return self.headlines[code], code
        return self.event, "ko"


def cache_seconds() -> int:
    return getattr(settings, "ALERT_BANNER_CACHE_SECONDS", 30)


def _load(now) -> list[AlertInForce]:
    """The alerts in force now, one per chain (an original and its updates): the newest message
    of the chain, none for a chain that was all-cleared (a Cancel message that went out)."""
    cleared = set(
        EmergencyAlert.objects.filter(msg_type=MsgType.CANCEL, status__in=LIVE, approved_at__isnull=False).values_list(
            "references_id", flat=True
        )
    )
    rows = (
        EmergencyAlert.objects.current(now)
        .exclude(msg_type=MsgType.CANCEL)
        .prefetch_related("texts", "districts")
        .order_by("-approved_at", "-id")
    )
    heads = {}
    for alert in rows:
        root = alert.references_id or alert.pk
        if root in cleared or root in heads:
            continue  # the newest of the chain is kept (rows come newest first)
        heads[root] = alert
    found = [
        AlertInForce(
            pk=alert.pk,
            identifier=alert.identifier,
            severity=alert.severity,
            area_kind=alert.area_kind,
            district_ids=frozenset(d.pk for d in alert.districts.all()),
            circle=(
                (float(alert.circle_lat), float(alert.circle_lon), float(alert.radius_km))
                if alert.area_kind == AreaKind.CIRCLE
                else None
            ),
            expires=alert.expires,
            headlines={t.language: t.headline for t in alert.texts.all()},
            event=alert.event,
        )
        for alert in heads.values()
    ]
    return sorted(found, key=lambda a: (SEVERITY_ORDER.get(a.severity, 99), a.expires))


def alerts_in_force(now=None) -> list[AlertInForce]:
    """Every alert in force, whoever it is for (from the cache when it is there)."""
    now = now or timezone.now()
    found = cache.get(CACHE_KEY)
    if found is None:
        found = _load(now)
        cache.set(CACHE_KEY, found, cache_seconds())
    # An alert leaves at its expiry even while the cached list is older than that.
    return [a for a in found if a.expires > now]


def forget_current() -> None:
    """Drop the cached list once the change commits (an alert approved, cancelled, all-cleared)."""
    transaction.on_commit(forget_current_now)


def forget_current_now() -> None:
    cache.delete(CACHE_KEY)


def in_circle(lat, lon, circle) -> bool:
    """Whether (lat, lon) lies in ``circle``: the same equirectangular distance as the fan-out."""
    lat0, lon0, radius = circle
    dx = (float(lon) - lon0) * 111.320 * math.cos(math.radians(lat0))
    dy = (float(lat) - lat0) * 110.574
    return dx * dx + dy * dy <= radius * radius


def _profile(user):
    from civicportal.accounts.models import CitizenProfile

    return (
        CitizenProfile.objects.filter(user=user).only("district_id", "location_consent", "home_lat", "home_lon").first()
    )


def alerts_for_viewer(user, now=None) -> list[AlertInForce]:
    """The alerts in force for whoever views a page: city-wide ones for everyone; district and
    circle ones for a citizen whose district, or consented home location, is inside."""
    found = alerts_in_force(now)
    if not found:
        return []
    city = [a for a in found if a.area_kind == AreaKind.CITY]
    if len(city) == len(found) or user is None or not user.is_authenticated:
        return city
    profile = _profile(user)
    if profile is None:
        return city
    home = None
    if profile.location_consent and profile.home_lat is not None and profile.home_lon is not None:
        home = (profile.home_lat, profile.home_lon)
    shown = []
    for alert in found:
        if (
            alert.area_kind == AreaKind.CITY
            or (alert.area_kind == AreaKind.DISTRICTS and profile.district_id in alert.district_ids)
            or (alert.area_kind == AreaKind.CIRCLE and home is not None and in_circle(*home, alert.circle))
        ):
            shown.append(alert)
    return shown


def unread_alert_count(user, now=None) -> int:
    """Alerts in force delivered to ``user``'s inbox and not read yet (the bell counts them)."""
    if user is None or not user.is_authenticated:
        return 0
    ids = [a.pk for a in alerts_in_force(now)]
    if not ids:
        return 0
    return AlertDelivery.objects.filter(
        alert_id__in=ids, user=user, channel="in_app", status=AlertDelivery.Status.SENT, read_at__isnull=True
    ).count()
