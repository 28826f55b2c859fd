"""Routing that learns from the officers: train, version, load and use the learned model.

The label is the department that finally answered a case (after every transfer); the model
(``complaints.learning``) suggests the three likeliest departments with their confidence.

- At filing, when no routing rule matches and the active model is at least as sure as the
  threshold set in admin, the case goes to the suggested department; the routing event says
  so and why (version, confidence, the words that weighed most).
- Below the threshold the case is routed as before; the coordination desk's queue and every
  transfer dialog show the suggestions.
- Reports (``PRIVATE_KINDS``: corruption, public interest, human rights, welfare) are never
  learned from, never routed by the model and never get suggestions: their words must not
  shape what officers see of other cases, and they keep their explicit rules.
- A portal with no history, no active model, or the switch off in admin, routes by the
  rules alone, exactly as before.

The active model is loaded once per process and reloaded when the active version changes
(the version is read through the same per-process cache as the routing rules; an admin change
clears it at once in that process, elsewhere within a minute).
"""

import logging
import math
import threading
import time
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from civicportal.accounts import permissions
from civicportal.accounts.models import Department
from civicportal.nouns import nouns_of
from complaints.learning import RoutingPipeline, accuracy, loads
from complaints.learning_hashed import HashedRoutingPipeline, train_streamed
from complaints.models import PRIVATE_KINDS, Case, Status
from complaints.routing_models import RoutingModel, RoutingSettings

log = logging.getLogger(__name__)

HELD_OUT_SHARE = 0.1
# Rows fetched from the database at a time while training (the history is never held whole).
READ_CHUNK = 5000
SHOWN_FROM = 0.01
MANAGE = "complaints.change_routingmodel"
# A training run that has not finished after this long is taken as crashed.
TRAINING_CLAIM = timedelta(hours=3)
_CACHE_SECONDS = 60
_cache: dict = {}
_lock = threading.Lock()
_loaded: dict = {"id": None, "pipeline": None}


def percent(confidence: float) -> int:
    """Rounded down: 99.96% is not "100%" sure."""
    return math.floor(confidence * 100)


@dataclass
class Suggested:
    department: Department
    confidence: float
    words: list[str] = field(default_factory=list)

    @property
    def percent(self) -> int:
        return percent(self.confidence)


@dataclass
class Routed:
    """What filing needs to know when the model routed a case."""

    department: Department
    confidence: float
    version: int
    words: list[str]
    nouns: str


# --- the per-process state ----------------------------------------------------------------


def clear_caches(**_kwargs):
    _cache.clear()
    _loaded.update(id=None, pipeline=None)


def _cached(key, load):
    now = time.monotonic()
    hit = _cache.get(key)
    if hit is None or hit[0] < now:
        hit = (now + _CACHE_SECONDS, load())
        _cache[key] = hit
    return hit[1]


def _state() -> tuple[bool, float, int | None, int | None]:
    """(enabled, threshold, active model id, its version)."""

    def load():
        config = RoutingSettings.objects.filter(pk=1).first() or RoutingSettings()
        active = RoutingModel.objects.filter(is_active=True).values_list("pk", "version").first()
        return config.enabled, config.threshold, *(active or (None, None))

    return _cached("state", load)


def _departments() -> dict[str, Department]:
    """Departments a suggestion may name: active and inside Seoul (an outside transfer stays a
    person's decision)."""
    return _cached(
        "departments",
        lambda: {
            d.code: d for d in Department.objects.filter(is_active=True).exclude(kind__in=Department.EXTERNAL_KINDS)
        },
    )


def _pipeline() -> tuple[RoutingPipeline | HashedRoutingPipeline | None, int | None]:
    """The active model's pipeline, unpickled once per process and version."""
    enabled, _threshold, model_id, version = _state()
    if not enabled or model_id is None:
        return None, None
    if _loaded["id"] != model_id:
        with _lock:
            if _loaded["id"] != model_id:
                data = RoutingModel.objects.filter(pk=model_id).values_list("pipeline", flat=True).first()
                try:
                    pipeline = loads(data) if data is not None else None
                except Exception:
                    # A version this code cannot read (e.g. after a scikit-learn upgrade) must
                    # not stop filing: route by the rules and say so in the log, once.
                    log.exception("learned routing: version %s cannot be loaded; rules only", version)
                    pipeline = None
                _loaded["pipeline"], _loaded["id"] = pipeline, model_id
    return _loaded["pipeline"], version


def is_available() -> bool:
    return _pipeline()[0] is not None


def features(*, title, text, nouns, kind, category_id, district_code) -> dict:
    return {
        "title": title or "",
        "text": text or "",
        "nouns": nouns or "",
        "kind": kind or "",
        "category": str(category_id or ""),
        "district": district_code or "",
    }


def _case_features(case) -> dict:
    return features(
        title=case.title,
        text=case.text,
        nouns=case.nouns or nouns_of(f"{case.title} {case.text}"),
        kind=case.kind,
        category_id=case.category_id,
        district_code=case.district.code if case.district_id else "",
    )


def _known(pipeline, rows, k):
    """The top ``k`` departments of each row that still exist, with their confidence."""
    departments = _departments()
    result = []
    for ranked in pipeline.suggest(rows, k=k + 2):
        known = [Suggested(departments[s.label], s.confidence) for s in ranked if s.label in departments][:k]
        # A runner-up under 1% is noise on an officer's screen; the first is always shown.
        result.append([s for i, s in enumerate(known) if i == 0 or s.confidence >= SHOWN_FROM])
    return result


# --- at filing --------------------------------------------------------------------------------


def auto_route(*, kind, title, text, category_id, district_code) -> Routed | None:
    """The department the model routes a new case to, or None (no model, switched off, a
    report, or not sure enough). Called only when no routing rule matched."""
    if kind in PRIVATE_KINDS:
        return None
    pipeline, version = _pipeline()
    if pipeline is None:
        return None
    _enabled, threshold, _model_id, _version = _state()
    nouns = nouns_of(f"{title} {text}")
    row = features(title=title, text=text, nouns=nouns, kind=kind, category_id=category_id, district_code=district_code)
    ranked = _known(pipeline, [row], 1)[0]
    # A threshold of 1 means never: no model is ever that sure of a person's words.
    if not ranked or threshold >= 1.0 or ranked[0].confidence < threshold:
        return None
    top = ranked[0]
    words = [word for word, _weight in pipeline.weighing_words(row, top.department.code, k=3)]
    return Routed(top.department, top.confidence, version, words, nouns)


def routed_note(routed: Routed) -> str:
    """The routing event's note, in the portal's language (events are stored text)."""
    with translation.override(settings.LANGUAGE_CODE):
        return _(
            "Routed by the learned model v%(version)s with %(confidence)s%% confidence; "
            "words that weighed most: %(words)s"
        ) % {
            "version": routed.version,
            "confidence": percent(routed.confidence),
            "words": ", ".join(routed.words) or "—",
        }


# --- for officers --------------------------------------------------------------------------


def for_cases(cases, k=3) -> dict[int, list[Suggested]]:
    """Suggestions for several open cases at once (the desk's queue page), by case id."""
    cases = [c for c in cases if c.kind not in PRIVATE_KINDS and c.is_open]
    if not cases:
        return {}
    pipeline, _version = _pipeline()
    if pipeline is None:
        return {}
    ranked = _known(pipeline, [_case_features(c) for c in cases], k)
    return {case.pk: suggestions for case, suggestions in zip(cases, ranked, strict=True)}


def attach_for_desk(cases) -> list:
    """Give each open case waiting at the coordination desk its ``routing_suggestions`` (an
    empty list for every other case); returns the cases as a list (one query for the page)."""
    cases = list(cases)
    desk = getattr(settings, "COMPLAINTS_DEFAULT_DEPARTMENT", "coordination-desk")
    found = for_cases([c for c in cases if c.department.code == desk])
    for case in cases:
        case.routing_suggestions = found.get(case.pk, [])
    return cases


def for_transfer(case, k=3) -> list[Suggested]:
    """Suggestions for the transfer dialog of one case, with the words that weighed most."""
    if case.kind in PRIVATE_KINDS or not case.is_open:
        return []
    pipeline, _version = _pipeline()
    if pipeline is None:
        return []
    row = _case_features(case)
    ranked = _known(pipeline, [row], k)[0]
    for suggestion in ranked:
        suggestion.words = [w for w, _weight in pipeline.weighing_words(row, suggestion.department.code, k=4)]
    return ranked


# --- training ------------------------------------------------------------------------------


def _labelled_cases(window_start, window_end):
    return Case.objects.filter(
        answered_at__isnull=False,
        status__in=[Status.ANSWERED, Status.CLOSED],
        filed_at__gte=window_start,
        filed_at__lt=window_end,
    ).exclude(kind__in=sorted(k.value for k in PRIVATE_KINDS))


def _labelled(window_start, window_end, chunk_size=None):
    """Answered cases filed in the window, oldest first: (features, department code), read
    from the database ``chunk_size`` rows at a time."""
    rows = (
        _labelled_cases(window_start, window_end)
        .order_by("filed_at", "pk")
        .values_list("title", "text", "nouns", "kind", "category_id", "district__code", "department__code")
    )
    chunk_size = chunk_size or READ_CHUNK
    for title, text, nouns, kind, category_id, district_code, department_code in rows.iterator(chunk_size=chunk_size):
        row = features(
            title=title,
            text=text,
            nouns=nouns or nouns_of(f"{title} {text}"),
            kind=kind,
            category_id=category_id,
            district_code=district_code,
        )
        yield row, department_code


def has_new_answers(now=None) -> bool:
    """Cases answered since the newest model's window closed (or any, without a model)."""
    last = RoutingModel.objects.aggregate(end=Max("window_end"))["end"]
    answered = Case.objects.filter(answered_at__isnull=False).exclude(kind__in=sorted(k.value for k in PRIVATE_KINDS))
    return answered.filter(answered_at__gt=last).exists() if last else answered.exists()


def routing_model_train(*, now=None, classifier="sgd", features="hashing", force=False) -> RoutingModel | None:
    """Train a new version from the answered cases of the window, measure it on the latest
    tenth of them (trained on the rest), then fit it on all of them and store it.

    ``features="hashing"`` (the default) streams the history from the database and fits
    hashed features chunk by chunk (``complaints.learning_hashed``: bounded memory at any
    size); ``"tfidf"`` is the first kind (vocabulary TF-IDF, the whole history in memory,
    ``classifier`` "sgd" or "logreg").

    Returns None, writing nothing, when learned routing is off, when no case was answered
    since the last version (unless ``force``), when there are too few cases or fewer than two
    departments, or when another training run holds the claim. The new version becomes the
    active one unless an administrator turned automatic activation off."""
    now = now or timezone.now()
    config = RoutingSettings.load()
    if not config.enabled or not (force or has_new_answers(now)):
        return None
    stale = now - TRAINING_CLAIM
    claimed = RoutingSettings.objects.filter(
        Q(training_started_at__isnull=True) | Q(training_started_at__lt=stale), pk=1
    ).update(training_started_at=now)
    if not claimed:
        return None
    try:
        if features == "hashing":
            return _train_streamed(config, now)
        return _train(config, now, classifier)
    finally:
        RoutingSettings.objects.filter(pk=1, training_started_at=now).update(training_started_at=None)


def _train(config, now, classifier):
    window_start = now - timedelta(days=config.window_days)
    pairs = list(_labelled(window_start, now))
    labels = [label for _row, label in pairs]
    if len(pairs) < config.min_cases or len(set(labels)) < 2:
        log.info("learned routing: %s answered cases, not enough to train", len(pairs))
        return None
    rows = [row for row, _label in pairs]
    started = time.perf_counter()
    cut = len(rows) - max(1, int(len(rows) * HELD_OUT_SHARE))
    top1 = top3 = None
    if len(set(labels[:cut])) >= 2:
        measured = RoutingPipeline(classifier=classifier).fit(rows[:cut], labels[:cut])
        top1, top3 = accuracy(measured, rows[cut:], labels[cut:], k=3)
    pipeline = RoutingPipeline(classifier=classifier).fit(rows, labels)
    return _store(
        pipeline,
        classifier=classifier,
        window=(window_start, now),
        counts=(len(rows), len(set(labels)), len(rows) - cut),
        measured=(top1, top3),
        started=started,
    )


def _train_streamed(config, now, chunk_size=None):
    """The history read once from the database, in chunks, into hashed features on disk; the
    measured model and the stored one are fitted from them (``learning_hashed.train_streamed``)."""
    window_start = now - timedelta(days=config.window_days)
    total = _labelled_cases(window_start, now).count()
    if total < config.min_cases:
        log.info("learned routing: %s answered cases, not enough to train", total)
        return None
    started = time.perf_counter()
    cut = total - max(1, int(total * HELD_OUT_SHARE))
    pipeline, measured, summary = train_streamed(_labelled(window_start, now, chunk_size), cut=cut)
    if pipeline is None or summary["rows"] < config.min_cases:
        log.info("learned routing: %s answered cases in %s departments, not enough to train", *summary.values())
        return None
    return _store(
        pipeline,
        classifier=f"sgd-{pipeline.features_name}",
        window=(window_start, now),
        counts=(summary["rows"], summary["departments"], summary["held_out"]),
        measured=measured or (None, None),
        started=started,
    )


def _store(pipeline, *, classifier, window, counts, measured, started):
    window_start, now = window
    case_count, department_count, held_out_count = counts
    top1, top3 = measured
    data = pipeline.dumps()
    seconds = time.perf_counter() - started
    with transaction.atomic():
        # The settings row's lock serialises version numbers and activation.
        activate = RoutingSettings.objects.select_for_update().get(pk=1).auto_activate
        version = (RoutingModel.objects.aggregate(v=Max("version"))["v"] or 0) + 1
        if activate:
            RoutingModel.objects.filter(is_active=True).update(is_active=False)
        model = RoutingModel.objects.create(
            version=version,
            trained_at=timezone.now(),
            window_start=window_start,
            window_end=now,
            case_count=case_count,
            department_count=department_count,
            held_out_count=held_out_count,
            top1_accuracy=top1,
            top3_accuracy=top3,
            classifier=classifier,
            training_seconds=seconds,
            size=len(data),
            is_active=bool(activate),
            pipeline=data,
        )
    transaction.on_commit(clear_caches)
    log.info("learned routing: v%s from %s cases, top-1 %s top-3 %s", version, case_count, top1, top3)
    return model


# --- administration -----------------------------------------------------------------------------


def routing_model_activate(*, routing_model, by) -> RoutingModel:
    """Make ``routing_model`` the one in use (a rollback when it is older). After a rollback
    new versions are trained but no longer activated until an administrator says so."""
    permissions.require(by, MANAGE, message=_("Only administrators change the routing model."))
    with transaction.atomic():
        RoutingSettings.load()
        config = RoutingSettings.objects.select_for_update().get(pk=1)
        newest = RoutingModel.objects.aggregate(v=Max("version"))["v"]
        RoutingModel.objects.filter(is_active=True).exclude(pk=routing_model.pk).update(is_active=False)
        RoutingModel.objects.filter(pk=routing_model.pk).update(is_active=True)
        config.auto_activate = routing_model.version == newest
        config.save(update_fields=["auto_activate"])
    transaction.on_commit(clear_caches)
    routing_model.is_active = True
    return routing_model


def routing_model_switch_off(*, by) -> RoutingSettings:
    """Rules only, from now on, until an administrator switches learned routing back on."""
    permissions.require(by, MANAGE, message=_("Only administrators change the routing model."))
    config = RoutingSettings.load()
    config.enabled = False
    config.save(update_fields=["enabled"])
    transaction.on_commit(clear_caches)
    return config
