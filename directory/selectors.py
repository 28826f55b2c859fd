"""What the public directory reads: the department tree, what each department handles,
the roles in it, and a search over them in Korean and English.

The directory sits outside the shared kernel (civicportal/accounts knows nothing of the
programs), so it may read complaints' routing rules: what a department handles is what the
active rules send to it. The tree is small (a few hundred departments at most), so a whole
directory is built in four queries and searched in Python."""

import re
import time
from dataclasses import dataclass, field
from functools import cached_property

from django.conf import settings
from django.core.cache import cache
from django.db.models import Prefetch, Q
from django.http import Http404
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from civicportal.accounts.models import Department, DepartmentMembership, Role
from civicportal.nouns import nouns_list
from complaints.models import Category, Kind, RoutingRule

K = Department.Kind
# Children are listed in this order, then by name in the reader's language.
KIND_ORDER = [
    K.HEADQUARTERS,
    K.BUREAU,
    K.DIVISION,
    K.AGENCY,
    K.CALL_CENTRE,
    K.DISTRICT_OFFICE,
    K.MINISTRY,
    K.LOCAL_GOVERNMENT,
]
_KIND_RANK = {kind: rank for rank, kind in enumerate(KIND_ORDER)}
# The heading over a group of children of one kind.
KIND_GROUPS = {
    K.HEADQUARTERS: _("Headquarters"),
    K.BUREAU: _("Bureaus and offices"),
    K.DIVISION: _("Divisions"),
    K.AGENCY: _("Affiliated agencies"),
    K.CALL_CENTRE: _("Call centre"),
    K.DISTRICT_OFFICE: _("District offices"),
    K.MINISTRY: _("Central ministries"),
    K.LOCAL_GOVERNMENT: _("Other local governments"),
}
# The separators inside a category's name (도로·가로등, Roads and street lights).
_NAME_SEPARATORS = str.maketrans({"·": " ", "/": " ", ",": " "})


@dataclass
class Handles:
    """What a department handles, as the routing says: the categories routed to it (by a
    rule's category, or by a keyword that is a word of the category's name), the report
    kinds, the keywords, the district whose otherwise unrouted cases it takes, and whether
    it takes every case that nothing else claims."""

    categories: list = field(default_factory=list)
    kinds: list = field(default_factory=list)
    keywords: list = field(default_factory=list)
    district: object = None
    takes_unrouted: bool = False

    def __bool__(self):
        return bool(self.categories or self.kinds or self.keywords or self.district or self.takes_unrouted)

    @property
    def kind_labels(self):
        return [Kind(kind).label if kind in Kind.values else kind for kind in self.kinds]


@dataclass
class Entry:
    department: Department
    handles: Handles
    children: list = field(default_factory=list)
    depth: int = 0

    @property
    def code(self):
        return self.department.code

    @property
    def url(self):
        return reverse("directory:department", args=[self.department.code])

    def groups(self):
        """The children by kind: [(heading, kind, entries)], in KIND_ORDER."""
        return _grouped(self.children)


def _grouped(entries):
    groups = []
    for entry in entries:
        kind = entry.department.kind
        if not groups or groups[-1][1] != kind:
            groups.append((KIND_GROUPS.get(kind, entry.department.get_kind_display()), kind, []))
        groups[-1][2].append(entry)
    return groups


@dataclass
class RoleCount:
    label: str
    count: int
    names: list


def _words(text: str) -> set:
    return {w for w in text.translate(_NAME_SEPARATORS).lower().split() if w}


def handles_by_department() -> dict[int, Handles]:
    """{department id: Handles} for every department an active rule routes to (the fallbacks,
    a district's office and the coordination desk, are added by ``_entries``)."""
    handles: dict[int, Handles] = {}
    categories = list(Category.objects.order_by("code"))
    for rule in RoutingRule.objects.filter(is_active=True).select_related("category").order_by("priority", "pk"):
        entry = handles.setdefault(rule.department_id, Handles())
        if rule.category and rule.category not in entry.categories:
            entry.categories.append(rule.category)
        if rule.kind and rule.kind not in entry.kinds:
            entry.kinds.append(rule.kind)
        keywords = rule.keyword_list()
        entry.keywords.extend(k for k in keywords if k not in entry.keywords)
        for category in categories:
            if category not in entry.categories and _words(category.name_ko) & set(keywords):
                entry.categories.append(category)
    return handles


def _default_department_code() -> str:
    from complaints.routing import DEFAULT_DEPARTMENT_CODE

    return getattr(settings, "COMPLAINTS_DEFAULT_DEPARTMENT", DEFAULT_DEPARTMENT_CODE)


def _entries(where=None) -> dict[int, Entry]:
    """{department id: Entry} of the active departments (``where``: a Q narrowing them)."""
    departments = Department.objects.filter(is_active=True).select_related("parent", "district")
    departments = list(departments.filter(where) if where is not None else departments)
    handles = handles_by_department()
    default_code = _default_department_code()
    entries = {}
    for department in departments:
        entry = Entry(department=department, handles=handles.get(department.pk, Handles()))
        if department.kind == K.DISTRICT_OFFICE and department.district_id:
            entry.handles.district = department.district
        entry.handles.takes_unrouted = department.code == default_code
        entries[department.pk] = entry
    return entries


def _sorted(entries):
    # Stable: the database already ordered them by name in the reader's language.
    return sorted(entries, key=lambda e: _KIND_RANK.get(e.department.kind, len(KIND_ORDER)))


def directory_tree() -> tuple[list[Entry], list]:
    """(the city's roots with their children, depth-first; the bodies outside Seoul grouped by
    kind as ``Entry.groups`` are)."""
    entries = _entries()
    roots = []
    for entry in entries.values():
        parent = entries.get(entry.department.parent_id)
        (parent.children if parent else roots).append(entry)

    def settle(entry, depth):
        entry.depth = depth
        entry.children = _sorted(entry.children)
        for child in entry.children:
            settle(child, depth + 1)

    for root in roots:
        settle(root, 0)
    roots = _sorted(roots)
    return [e for e in roots if not e.department.is_external], _grouped([e for e in roots if e.department.is_external])


# The tree's rendered HTML is cached per language under this version (TREE_SECONDS at most): a
# save of a department, a routing rule, a category or a district sets a new version at once; a
# bulk ``update()`` (an admin action) shows within TREE_SECONDS.
VERSION_KEY = "directory:version"
TREE_SECONDS = 300


def directory_version() -> int:
    return cache.get_or_set(VERSION_KEY, time.time_ns, None)


def directory_changed(**kwargs):
    """Cache invalidation only (not domain flow): connected in DirectoryConfig.ready."""
    cache.set(VERSION_KEY, time.time_ns(), None)


class LazyTree:
    """The tree, built only when the page's cached copy has expired."""

    @cached_property
    def _tree(self):
        return directory_tree()

    @property
    def city(self):
        return self._tree[0]

    @property
    def outside(self):
        return self._tree[1]


def all_entries() -> list[Entry]:
    """Every active department in the order the directory page lists them (depth-first)."""
    city, outside = directory_tree()
    flat = []

    def walk(entry):
        flat.append(entry)
        for child in entry.children:
            walk(child)

    for root in city:
        walk(root)
    for _heading, _kind, entries in outside:
        flat.extend(entries)
    return flat


def _labels_in_both_languages(choices) -> dict:
    """{value: "korean label english label"} for a TextChoices class."""
    labels = {}
    for language in ("ko", "en"):
        with translation.override(language):
            for value, label in choices.choices:
                labels[value] = f"{labels.get(value, '')} {label}".strip()
    return labels


def _haystacks(entries) -> dict[int, tuple[str, str]]:
    """{department id: (its names, what it handles)}: lower-cased, in both languages."""
    department_kinds = _labels_in_both_languages(Department.Kind)
    case_kinds = _labels_in_both_languages(Kind)
    stacks = {}
    for entry in entries:
        department, handles = entry.department, entry.handles
        names = " ".join([department.name_ko, department.name_en, department.code]).lower()
        about = [c.name_ko + " " + c.name_en for c in handles.categories] + handles.keywords
        about += [case_kinds.get(kind, kind) for kind in handles.kinds]
        about.append(department_kinds.get(department.kind, ""))
        if handles.district:
            about += [handles.district.name_ko, handles.district.name_en]
        stacks[department.pk] = (names, " ".join(about).lower())
    return stacks


_HANGUL = re.compile("[\uac00-\ud7a3]")
# Words of a question that name no department ("주차 민원은 어디에 신고하나요", "where do I
# report noise"): a word that matches nothing is skipped anyway; these match too much.
STOP_WORDS = {
    *"신고 민원 문의 요청 담당 부서 어디 방법".split(),
    *"a an the i we my me do does where who which what how to for of in on at is are can about with".split(),
    *"report complaint department".split(),
}


def _finder(form):
    """Korean matches inside words (compounds: 주차 in 불법주차); Latin at a word's start
    (light in lights, park in parking, but not the i of division)."""
    if _HANGUL.search(form):
        return lambda text: form in text
    pattern = re.compile(r"(?<![a-z0-9])" + re.escape(form))
    return lambda text: pattern.search(text) is not None


def _score(form, stacks) -> dict:
    find = _finder(form)
    return {pk: 2 if find(names) else 1 if find(about) else 0 for pk, (names, about) in stacks.items()}


def _word_hits(word, stacks) -> dict | None:
    """{department id: 2 (by name), 1 (by what it handles), 0}; None for a word that matches
    nothing. A Korean word with a particle or an ending falls back to its nouns of two
    syllables or more (가로등이 → 가로등; not the 구 of 마포구)."""
    if word in STOP_WORDS:
        return None
    hits = _score(word, stacks)
    if any(hits.values()):
        return hits
    if not _HANGUL.search(word):
        return None
    best = None
    for noun in nouns_list(word):
        if len(noun) < 2 or noun in STOP_WORDS:
            continue
        found = _score(noun, stacks)
        if any(found.values()):
            best = found if best is None else {pk: max(best[pk], found[pk]) for pk in found}
    return best


def search(query: str) -> list[Entry]:
    """Departments matching ``query`` in Korean or English, by name or by what they handle.

    The departments that match the most words of the query (all of them when some
    department does); words that match nothing or say nothing are skipped, so a question in
    plain words finds what its nouns name. Departments named by the query come first."""
    words = [w for w in (query or "").lower().split() if w][:10]
    if not words:
        return []
    entries = list(_entries().values())
    stacks = _haystacks(entries)
    per_word = [hits for hits in (_word_hits(word, stacks) for word in words) if hits]
    if not per_word:
        return []
    scores = {pk: sum(1 for hits in per_word if hits[pk]) for pk in stacks}
    best = max(scores.values())
    found = [e for e in entries if scores[e.department.pk] == best]
    by_name = [e for e in found if any(hits[e.department.pk] == 2 for hits in per_word)]
    rest = [e for e in found if e not in by_name]
    return _sorted(by_name) + _sorted(rest)


def get_entry(code) -> Entry:
    """The entry of an active department by its code, with its children; 404 otherwise."""
    entries = _entries(Q(code=code) | Q(parent__code=code))
    entry = next((e for e in entries.values() if e.department.code == code), None)
    if entry is None:
        raise Http404
    entry.children = _sorted(e for e in entries.values() if e.department.parent_id == entry.department.pk)
    return entry


def roles_in(department) -> list[RoleCount]:
    """Who works in ``department``, by role: how many, and the names the city chose to show
    (a person's own setting, else the department's; off by default). Never a phone or an email."""
    memberships = (
        DepartmentMembership.objects.filter(department=department, user__is_active=True)
        .select_related("user", "department")
        .prefetch_related(Prefetch("user__groups"))
        .order_by("-is_head", "user__full_name", "user__username")
    )
    labels = {
        "head": translation.gettext("Head of department"),
        Role.COUNSELLOR: translation.gettext("Counsellor"),
        Role.OFFICER: translation.gettext("Officer"),
    }
    roles: dict[str, RoleCount] = {}
    for membership in memberships:
        groups = {g.name for g in membership.user.groups.all()}
        key = "head" if membership.is_head else Role.COUNSELLOR if Role.COUNSELLOR in groups else Role.OFFICER
        role = roles.setdefault(key, RoleCount(label=labels[key], count=0, names=[]))
        role.count += 1
        # The full name only: a username can be an email address or a phone number.
        if membership.name_is_public and membership.user.full_name:
            role.names.append(membership.user.full_name)
    return [roles[key] for key in labels if key in roles]
