"""Every string a person sees is in the page's language.

With the demo data loaded, each demo role (and an anonymous visitor) walks the site the way a
person does: from the URLconf's pages that take no argument, through every link on every page
it reaches (menus, lists, admin index, changelists), one page per URL pattern, so a new page or
a new object kind is covered without editing this file. Each page is read in Korean and in
English; a run of three or more words in the other script fails, unless it sits inside an
element whose ``lang`` says so (WCAG 3.1.2), or inside code, a URL or a brand name.
"""

import re
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.urls.exceptions import NoReverseMatch, Resolver404
from django.utils import translation
from lxml import html as lxml_html

from civicportal.accounts.models import User

PROJECT_PACKAGES = ("civicportal", "complaints", "polls", "proposals", "callcenter", "open311", "directory")

ROLES = [
    "anonymous",
    "citizen",
    "officer",
    "supervisor",
    "desk",
    "counsellor",
    "counsellor_lead",
    "evaluator",
    "monitor",
    "alerts",
    "alerts_approver",
    "admin",
]

# A few pages each walk must reach by links (objects of each kind from the demo data): if the
# walk stops finding them, it has lost its way and proves nothing.
MUST_REACH = {
    "anonymous": {"proposals:detail", "proposals:themed_call", "complaints:examples"},
    "citizen": {"complaints:detail", "polls:detail", "proposals:detail", "notifications:inbox"},
    "officer": {"complaints:queue", "polls:queue", "polls:detail", "proposals:workspace"},
    "counsellor": {"callcenter:console", "callcenter:kb_detail", "callcenter:contact_detail"},
    "evaluator": {"proposals:evaluations"},
    "alerts": {"alerts:manage"},
    "admin": {"admin:index", "admin:complaints_case_change", "admin:callcenter_knowledgearticle_change"},
    "monitor": {"admin:index", "complaints:board", "complaints:report"},
}

# Names a city keeps in their own spelling whatever the page's language.
BRANDS = [
    "Open311 GeoReport v2",
    "Open311",
    "GeoReport",
    "OpenStreetMap",
    "OpenAPI",
    "Swagger UI",
    "ReDoc",
    "Django",
    "Atom",
    "CAP",
    "Gov24",
]

# Paths a person does not read as pages: machine formats, files, the API and its docs.
NOT_PAGES = re.compile(
    r"^/(api/|open311/|static/|media/|i18n/|healthz)|\.(json|xml|csv|atom|ics|png|jpe?g|webp|gif|svg|pdf)$"
)
# Django admin pages of libraries the project uses as they come (their own texts and
# catalogues): the project's admin is crawled, theirs is not.
THIRD_PARTY_ADMIN = re.compile(
    r"^/admin/(django_celery_beat|axes|authtoken|auditlog|sessions|contenttypes|django_celery_results)/"
)
# URL names whose page is a file or a machine answer even though its path looks like a page.
NOT_PAGE_CONTENT_TYPES = ("text/html",)

ENGLISH_WORD = r"[A-Za-z][A-Za-z'’]+"  # one-letter codes (F, M, X) are not words
_SEPARATOR = r"[ \t\n,:;/&·\-–—()\"“”']+"
# "File a complaint": a one-letter word joins a run without counting as one of its words.
ENGLISH_RUN = re.compile(rf"{ENGLISH_WORD}(?:{_SEPARATOR}(?:[A-Za-z]{_SEPARATOR})?{ENGLISH_WORD}){{2,}}")
HANGUL_WORD = r"[가-힣]+"
HANGUL_RUN = re.compile(rf"{HANGUL_WORD}(?:[ \t\n,:;/&·\-–—()\"“”'.]+{HANGUL_WORD}){{2,}}")
URLISH = re.compile(r"(https?://|mailto:|www\.)\S+|\S+@\S+\.\S+|\S+\.(?:json|xml|csv|atom)\b|\S*/\S*")
# Codes, not words: slugs (mapo-gu-office), identifiers (KR-SEOUL-ALERT-0001), snake_case.
CODES = re.compile(r"\b[a-z0-9]+(?:[-_][a-z0-9]+)+\b|\b[A-Z0-9]+(?:-[A-Z0-9]+){2,}\b")
# Code, and what a person is typing (a form field's current value is their data, not the page's).
SKIPPED_TAGS = {"script", "style", "code", "pre", "kbd", "samp", "svg", "template", "noscript", "textarea"}
# Attributes a person reads (or hears from a screen reader).
READ_ATTRIBUTES = ("title", "alt", "placeholder", "aria-label", "aria-description")


def _visible_texts(root, page_lang):
    """The texts of a page in its own language: elements that declare another language
    (and their descendants) and code are left out. The document's title and attributes
    cannot mark a part of themselves: text found marked in the body is left out there too."""
    texts = []
    marked = sorted(
        {
            " ".join(element.text_content().split())
            for element in root.xpath("//body//*[@lang]")
            if element.get("lang").split("-")[0].lower() != page_lang
        },
        key=len,
        reverse=True,
    )

    def unmarked(text):
        text = " ".join(text.split())
        for content in marked:
            if content:
                text = text.replace(content, " ")
        return text

    def walk(element, lang):
        if not isinstance(element.tag, str):
            return
        tag = element.tag.lower()
        own_lang = element.get("lang") or element.get("{http://www.w3.org/XML/1998/namespace}lang")
        if own_lang:
            lang = own_lang.split("-")[0].lower()
        if tag in SKIPPED_TAGS or (lang != page_lang):
            return
        if tag == "input" and element.get("type") == "hidden":
            return
        for attribute in READ_ATTRIBUTES:
            if element.get(attribute):
                texts.append((f"<{tag} {attribute}>", unmarked(element.get(attribute))))
        if tag == "input" and element.get("type") in ("submit", "button", "reset") and element.get("value"):
            texts.append((f"<{tag} value>", element.get("value")))
        if element.text and element.text.strip():
            texts.append((f"<{tag}>", unmarked(element.text) if tag == "title" else element.text))
        for child in element:
            walk(child, lang)
            if child.tail and child.tail.strip():
                texts.append((f"<{tag}>", child.tail))

    html_lang = (root.get("lang") or page_lang).split("-")[0].lower()
    for element in [root]:
        walk(element, html_lang)
    return texts


def foreign_runs(body, page_lang, known_content=()):
    """Runs of three or more words in the other script, as (where, run) pairs.
    ``known_content``: texts known to be in another language, left out."""
    if not body.strip():
        return []
    if "<html" not in body[:500].lower():  # an htmx fragment: it lands in a page of this language
        body = f'<html lang="{page_lang}"><body>{body}</body></html>'
    root = lxml_html.document_fromstring(body)
    pattern = ENGLISH_RUN if page_lang == "ko" else HANGUL_RUN
    found = []
    for where, text in _visible_texts(root, page_lang):
        text = " ".join(text.split())
        for content in known_content:
            text = text.replace(content, " ")
        text = CODES.sub(" ", URLISH.sub(" ", text))
        for brand in BRANDS:
            text = text.replace(brand, " ")
        found.extend((where, " ".join(match.group(0).split())) for match in pattern.finditer(text))
    return found


# -- discovering the pages ------------------------------------------------------------------


def _patterns(resolver=None, prefix="", namespace=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            space = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _patterns(entry, prefix + str(entry.pattern), space)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", prefix + str(entry.pattern)


def argument_free_pages():
    """Every named page of the URLconf that takes no argument (the menus' roots)."""
    paths = []
    for name, _route in _patterns():
        try:
            path = reverse(name)
        except NoReverseMatch:
            continue
        if not NOT_PAGES.search(path) and "logout" not in name:
            paths.append(path)
    return paths


def records_in_other_languages(page_lang):
    """The admin lists and edits records as Django renders them, without a lang attribute
    per value: there, the texts of records whose ``language`` field says they are in another
    language (an English knowledge-base article, an alert's English text) are known content."""
    from django.apps import apps

    texts = set()
    for model in apps.get_models():
        names = {field.name for field in model._meta.get_fields()}
        if "language" not in names or model.__module__.split(".")[0] not in PROJECT_PACKAGES:
            continue
        text_fields = [
            field.name
            for field in model._meta.concrete_fields
            if field.get_internal_type() in ("CharField", "TextField") and field.name != "language"
        ]
        for record in model.objects.exclude(language=page_lang):
            texts.update(" ".join(str(getattr(record, name)).split()) for name in text_fields)
            texts.add(" ".join(str(record).split()))
    return sorted((text for text in texts if len(text) > 3), key=len, reverse=True)


def _page_key(path):
    try:
        match = resolve(path)
    except Resolver404:
        return None
    return match.view_name


def _skipped(path, page_lang):
    if NOT_PAGES.search(path) or THIRD_PARTY_ADMIN.search(path):
        return True
    # On English pages the admin lists records as they were written (mostly Korean): only
    # its Korean pages are held to the rule.
    return page_lang == "en" and path.startswith("/admin/")


def crawl(client, role, page_lang):
    """Visit each reachable page once per URL pattern; return {path: [(where, run)]}."""
    queue = [path for path in dict.fromkeys(argument_free_pages()) if not _skipped(path, page_lang)]
    seen_keys = set()
    seen_paths = set()
    visited = {}
    failures = defaultdict(list)
    while queue:
        path = queue.pop(0)
        if path in seen_paths:
            continue
        seen_paths.add(path)
        key = _page_key(path)
        if key is None or key in seen_keys or "logout" in key:
            continue
        seen_keys.add(key)
        response = client.get(path)
        assert response.status_code < 500, f"{role} {path} answered {response.status_code}"
        if response.status_code != 200 or not response.get("Content-Type", "").startswith(NOT_PAGE_CONTENT_TYPES):
            continue
        body = response.content.decode()
        visited[path] = key
        known = records_in_other_languages(page_lang) if path.startswith("/admin/") else ()
        for where, run in foreign_runs(body, page_lang, known):
            failures[path].append(f"{where} {run!r}")
        if not body.strip():
            continue
        root = lxml_html.document_fromstring(body)
        for href in root.xpath("//a/@href"):
            parts = urlsplit(href)
            if parts.scheme or parts.netloc or not parts.path.startswith("/"):
                continue
            if _skipped(parts.path, page_lang):
                continue
            queue.append(parts.path)
    return visited, failures


def _client_for(client, role, language):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    if role != "anonymous":
        client.force_login(User.objects.get(username=role), backend="django.contrib.auth.backends.ModelBackend")
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["ko", "en"])
@pytest.mark.parametrize("role", ROLES)
def test_every_page_a_role_reaches_is_in_the_page_language(client, settings, role, language):
    settings.LANGUAGE_CODE = "ko"
    call_command("load_demo_data", stdout=open("/dev/null", "w"))  # noqa: SIM115
    visited, failures = crawl(_client_for(client, role, language), role, language)
    expected = {name for name in MUST_REACH.get(role, ()) if language == "ko" or not name.startswith("admin:")}
    missing = expected - set(visited.values())
    assert not missing, f"{role} no longer reaches {sorted(missing)} by following links: the walk lost its way"
    other = "English" if language == "ko" else "Korean"
    report = "\n".join(f"{path}\n    " + "\n    ".join(runs) for path, runs in sorted(failures.items()))
    assert not failures, (
        f"{role}, pages in {language}: runs of three or more {other} words (mark the string for "
        f"translation, or give content meant to be in {other} its lang attribute):\n{report}"
    )


# -- the finder itself --------------------------------------------------------------------


def test_finder_catches_english_and_spares_marked_content():
    page = """<html lang="ko"><body><h1>민원 접수</h1><p>File a complaint now</p>
    <p lang="en">How to get a certificate</p><code>python manage.py migrate</code>
    <a href="https://example.org/a/b">https://example.org/a/b</a><p>Open311 GeoReport v2 안내</p>
    <button aria-label="Close this dialog">x</button></body></html>"""
    assert foreign_runs(page, "ko") == [("<p>", "File a complaint now"), ("<button aria-label>", "Close this dialog")]


def test_finder_catches_hangul_on_english_pages():
    page = """<html lang="en"><body><p>Filed by 김시민</p><p>민원을 접수해 주세요 지금</p>
    <p lang="ko">윗집 층간소음이 심합니다</p></body></html>"""
    assert foreign_runs(page, "en") == [("<p>", "민원을 접수해 주세요 지금")]


# -- the catalogue --------------------------------------------------------------------------


def _po_entries(path):
    """(flags, msgctxt, msgid, msgstr values) of each entry of a .po file, header left out."""
    entries = []
    block = []
    for line in [*Path(path).read_text(encoding="utf-8").splitlines(), ""]:
        if line.strip():
            block.append(line)
            continue
        if block:
            entries.append(_parse_block(block))
        block = []
    return [entry for entry in entries if entry and entry["msgid"]]


def _unquote(line):
    return line[line.index('"') + 1 : line.rindex('"')].encode().decode("unicode_escape").encode("latin-1").decode()


def _parse_block(lines):
    entry = {"flags": set(), "msgctxt": None, "msgid": "", "msgstr": [], "obsolete": False}
    current = None
    for line in lines:
        if line.startswith("#~"):
            entry["obsolete"] = True
            continue
        if line.startswith("#,"):
            entry["flags"].update(flag.strip() for flag in line[2:].split(","))
            continue
        if line.startswith("#"):
            continue
        keyword = line.split(" ", 1)[0]
        if keyword in ("msgctxt", "msgid", "msgid_plural") or keyword.startswith("msgstr"):
            current = keyword
            if keyword.startswith("msgstr"):
                entry["msgstr"].append("")
            elif keyword == "msgctxt":
                entry["msgctxt"] = ""
        value = _unquote(line)
        if current == "msgid":
            entry["msgid"] += value
        elif current == "msgctxt":
            entry["msgctxt"] += value
        elif current and current.startswith("msgstr"):
            entry["msgstr"][-1] += value
    return entry if not entry["obsolete"] else None


KOREAN_PO = Path(settings.BASE_DIR) / "locale" / "ko" / "LC_MESSAGES" / "django.po"


def test_korean_catalogue_has_no_untranslated_or_fuzzy_entry():
    entries = _po_entries(KOREAN_PO)
    assert len(entries) > 500
    untranslated = [e["msgid"] for e in entries if not all(e["msgstr"])]
    fuzzy = [e["msgid"] for e in entries if "fuzzy" in e["flags"]]
    assert not untranslated, f"untranslated in {KOREAN_PO.name}: {untranslated}"
    assert not fuzzy, f"fuzzy in {KOREAN_PO.name}: {fuzzy}"


def test_korean_catalogue_has_each_message_once():
    keys = [(e["msgctxt"], e["msgid"]) for e in _po_entries(KOREAN_PO)]
    duplicates = sorted({key for key in keys if keys.count(key) > 1}, key=str)
    assert not duplicates, f"entries given twice in {KOREAN_PO.name}: {duplicates}"


def test_korean_sentences_need_no_particle_guesswork():
    """A particle ("민원 %(n)s이(가)") cannot follow a placeholder: write the sentence so that
    the value stands after a colon or in brackets."""
    guesswork = re.compile(r"\((?:이|가|을|를|은|는|과|와|으|이\)가|으\)로)\)")
    found = [(e["msgid"], s) for e in _po_entries(KOREAN_PO) for s in e["msgstr"] if guesswork.search(s)]
    assert not found, found


def test_translated_strings_use_the_names_makemessages_extracts():
    """``gettext_lazy as _lazy`` hides every string from makemessages: the page stays English."""
    extracted = {"_", "gettext", "gettext_lazy", "ngettext", "ngettext_lazy", "pgettext", "pgettext_lazy"}
    extracted |= {"npgettext", "npgettext_lazy", "gettext_noop"}
    alias = re.compile(r"from django\.utils\.translation import [^\n]*\bas (\w+)")
    offenders = []
    for path in Path(settings.BASE_DIR).rglob("*.py"):
        if any(part in {"node_modules", ".venv", "var", "migrations"} for part in path.parts):
            continue
        offenders += [f"{path}: as {name}" for name in alias.findall(path.read_text()) if name not in extracted]
    assert not offenders, offenders


def test_every_model_and_field_of_the_project_has_a_translated_label():
    """Admin forms, inlines and filters show these: "From department" on a Korean page
    comes from a field left without ``verbose_name=_("…")``."""
    from django.apps import apps
    from django.utils.functional import Promise

    missing = []
    for model in apps.get_models():
        if model.__module__.split(".")[0] not in PROJECT_PACKAGES:
            continue
        for attribute in ("verbose_name", "verbose_name_plural"):
            if not isinstance(model._meta.original_attrs.get(attribute), Promise):
                missing.append(f"{model._meta.label} Meta.{attribute}")
        for field in model._meta.get_fields():
            if field.auto_created or field.model is not model or not hasattr(field, "verbose_name"):
                continue
            if not isinstance(field.verbose_name, Promise):
                missing.append(f"{model._meta.label}.{field.name}")
    assert not missing, missing


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["ko", "en"])
def test_departments_and_districts_are_listed_in_the_readers_alphabetical_order(client, settings, language):
    settings.LANGUAGE_CODE = "ko"
    call_command("load_demo_data", stdout=open("/dev/null", "w"))  # noqa: SIM115
    _client_for(client, "citizen", language)
    page = lxml_html.document_fromstring(client.get(reverse("proposals:submit")).content.decode())
    for select in ("department", "district"):
        names = [o.text_content().strip() for o in page.xpath(f"//select[@name='{select}']/option[@value!='']")]
        assert len(names) >= 20, select
        expected = sorted(names, key=str.lower) if language == "en" else sorted(names)
        assert names == expected, f"{select} options in {language}: {names}"


@pytest.mark.django_db
def test_rating_scale_names_both_ends_and_the_answer_time_is_in_words(client, settings):
    from complaints import services
    from complaints.models import Case

    settings.LANGUAGE_CODE = "ko"
    call_command("load_demo_data", stdout=open("/dev/null", "w"))  # noqa: SIM115
    case = Case.objects.get(title="윗집 층간소음이 심합니다")
    services.case_answer(case=case, by=User.objects.get(username="officer_env"), text="현장을 확인하겠습니다.")
    _client_for(client, "citizen", "ko")

    page = client.get(reverse("complaints:detail", args=[case.tracking_number])).content.decode()

    root = lxml_html.document_fromstring(page)
    labels = [" ".join(label.text_content().split()) for label in root.xpath("//input[@name='score']/..")]
    assert labels == ["1 — 매우 불만족", "2 — 불만족", "3 — 보통", "4 — 만족", "5 — 매우 만족"]
    assert "답변까지 걸린 시간: 1분 미만" in page and "0.0시간" not in page


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["ko", "en"])
def test_a_list_sorted_by_district_follows_the_district_names(client, settings, language):
    from complaints.models import Case

    settings.LANGUAGE_CODE = "ko"
    call_command("load_demo_data", stdout=open("/dev/null", "w"))  # noqa: SIM115
    _client_for(client, "admin", language)
    # The department changelist sorted by its district column (the 6th) joins to the districts.
    assert client.get(reverse("admin:accounts_department_changelist"), {"o": "6"}).status_code == 200
    with translation.override(language):
        names = [c.district.name for c in Case.objects.exclude(district=None).order_by("district")]
    assert names == sorted(names, key=str.lower) and len(set(names)) >= 2
