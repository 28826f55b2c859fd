"""Another user's object, asked for by its identifier, is as good as missing.

Every URL pattern of the site that carries an object identifier (browser pages, the REST
API, Open311) is found by walking the URL resolver, so an endpoint added later is covered
or the test fails: each one needs an entry in ``ROUTES`` (an object of user A that user B
may not see) or in ``NOT_OWNED`` (with the reason it holds no one's private object).

For every entry, each stranger B sends GET, POST, PUT, PATCH and DELETE to the URL with
A's identifier and to the same URL with an identifier that does not exist. Both answers
must be the same status (existence is not revealed), that status is 404 or 405 (the verb
does not exist on the route) unless the entry documents a route-wide 403 (B's role may not
use the route at all, whatever the object), the body holds none of A's data (title, text,
name, phone), and nothing in the database changed.
"""

import collections
import functools
import io
from dataclasses import dataclass, field
from datetime import timedelta
from functools import cached_property

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.forms.models import model_to_dict
from django.test import Client
from django.urls import URLResolver, get_resolver, reverse
from django.urls.resolvers import RegexPattern, RoutePattern
from django.utils import timezone
from PIL import Image
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from civicportal.accounts.models import Role
from tests.factories import CitizenFactory, DepartmentFactory, officer_of

pytestmark = pytest.mark.django_db

SECRET = "A의비밀7Q3"  # in the title or text of each of A's objects
A_NAME = "김비밀"
A_PHONE = "+821055501234"
A_EMAIL = "owner-a@example.org"
LEAKS = (SECRET, A_NAME, A_PHONE, "010-5550-1234", A_EMAIL)
METHODS = ("get", "post", "put", "patch", "delete")
MISSING_PK = 987654321
FORMATS = {"format": "json", "fmt": "json"}  # a format suffix is not an object identifier


def _png():
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (10, 200, 10)).save(out, format="PNG")
    return out.getvalue()


class World:
    """A's objects and the strangers, created on first use."""

    @cached_property
    def owner(self):
        user = CitizenFactory(username="owner_a", full_name=A_NAME, email=A_EMAIL)
        user.profile.mobile = A_PHONE
        user.profile.save()
        return user

    @cached_property
    def other_citizen(self):
        return CitizenFactory(username="stranger_b", full_name="박타인")

    @cached_property
    def department(self):
        return DepartmentFactory(code="authz-home", name_en="Home Division")

    @cached_property
    def other_department(self):
        return DepartmentFactory(code="authz-other", name_en="Other Division")

    @cached_property
    def officer(self):
        return officer_of(self.department, username="officer_home")

    @cached_property
    def officer_other(self):
        """An officer of a department that is not the object's."""
        return officer_of(self.other_department, username="officer_other")

    @cached_property
    def counsellor(self):
        centre = DepartmentFactory(code="authz-120", name_en="120", kind="call_centre")
        return officer_of(centre, username="counsellor_x", roles=(Role.COUNSELLOR,))

    @cached_property
    def evaluator(self):
        from tests.proposals.factories import panel_member

        return panel_member("evaluator_x")

    @cached_property
    def alert_author(self):
        from tests.notifications.factories import alert_author

        return alert_author("alert_author_a")

    # --- Eung-Dap-So ---------------------------------------------------------------

    @cached_property
    def case(self):
        """A's complaint, in a department; with an attachment and a location."""
        from complaints import filing
        from complaints.models import RoutingRule

        RoutingRule.objects.create(name="authz", keywords="가로등", department=self.department, priority=1)
        return filing.case_file(
            citizen=self.owner,
            filed_by=self.owner,
            channel="web",
            kind="complaint",
            title=f"가로등 고장 {SECRET}",
            text=f"우리 집 앞 가로등 {SECRET}",
            location_text=f"망원로 1길 {SECRET}",
            attachments=[SimpleUploadedFile("photo.png", _png(), content_type="image/png")],
        )

    @cached_property
    def confidential_case(self):
        """A's corruption report with the identity hidden: never in Open311."""
        from complaints import filing

        return filing.case_file(
            citizen=self.owner,
            filed_by=self.owner,
            channel="web",
            kind="corruption",
            title=f"부패 신고 {SECRET}",
            text=SECRET,
            anonymous_reporter=True,
        )

    @cached_property
    def attachment(self):
        return self.case.attachments.get()

    # --- 120 Dasan -------------------------------------------------------------------

    @cached_property
    def contact(self):
        from callcenter.models import Contact

        return Contact.objects.create(
            channel=Contact.Channel.WEB_MESSAGE,
            caller=self.owner,
            caller_phone=A_PHONE,
            message_text=f"문의 {SECRET}",
            started_at=timezone.now() - timedelta(minutes=5),
        )

    @cached_property
    def conversation(self):
        """A's live chat, waiting for a counsellor, with one message."""
        from callcenter.chat import services as chat
        from callcenter.models import Topic

        topic = Topic.objects.create(code="authz-topic", name_ko="주차", name_en="Parking")
        conversation, _token = chat.conversation_start(citizen=self.owner, kind="text", language="ko", topic=topic)
        chat.message_post(conversation=conversation, role="citizen", user=self.owner, client_id="a-1", text=SECRET)
        return conversation

    @cached_property
    def contact_image(self):
        """An MMS image of A's contact."""
        from callcenter.models import ContactImage

        return ContactImage.objects.create(contact=self.contact, image=ContentFile(_png(), name="mms.png"))

    @cached_property
    def article(self):
        from tests.callcenter.factories import ArticleFactory

        return ArticleFactory()

    @cached_property
    def suggestion(self):
        from callcenter.models import ArticleSuggestion

        return ArticleSuggestion.objects.create(
            article=self.article, suggested_by=self.counsellor, question="q", answer="a"
        )

    # --- notifications and alerts ------------------------------------------------------

    @cached_property
    def notification(self):
        from civicportal.notifications.models import Notification

        return Notification.objects.create(recipient=self.owner, kind="test", title=f"알림 {SECRET}", body=SECRET)

    @cached_property
    def alert_draft(self):
        from tests.notifications.factories import alert_fields, make_alert

        fields = alert_fields()
        fields["texts"]["ko"]["headline"] = f"초안 {SECRET}"
        return make_alert(self.alert_author, texts=fields["texts"])

    # --- Oasis -------------------------------------------------------------------------

    @cached_property
    def draft(self):
        from proposals import services

        return services.proposal_save_draft(
            author=self.owner, title=f"초안 제안 {SECRET}", problem=SECRET, department=self.department
        )

    @cached_property
    def draft_image(self):
        from proposals.models import ProposalImage

        return ProposalImage.objects.create(proposal=self.draft, image=ContentFile(_png(), name="draft.png"))

    @cached_property
    def revision(self):
        """A revised text the department sent A for consent (pending)."""
        from proposals.models import ProposalRevision
        from tests.proposals.factories import ProposalFactory

        proposal = ProposalFactory(author=self.owner, department=self.department, status="in_review")
        return ProposalRevision.objects.create(
            proposal=proposal,
            revised_by=self.officer,
            original_title=proposal.title,
            original_problem=proposal.problem,
            original_idea=proposal.idea,
            original_expected_effect=proposal.expected_effect,
            title=f"수정안 {SECRET}",
            problem=SECRET,
            idea=SECRET,
            expected_effect=SECRET,
        )

    # --- mVoting -----------------------------------------------------------------------

    @cached_property
    def poll_proposal(self):
        """A's poll proposal, waiting for approval: only A and officers see it."""
        from polls import services

        now = timezone.now()
        poll = services.poll_propose(
            citizen=self.owner,
            question=f"제안 투표 {SECRET}?",
            options=["예", "아니오"],
            opens_at=now + timedelta(days=1),
            closes_at=now + timedelta(days=5),
        )
        poll.image.save("proposed.png", ContentFile(_png()))  # images are served by the poll's rule
        poll.options.first().image.save("option.png", ContentFile(_png()))
        return poll


@dataclass
class Route:
    obj: object  # World -> the URL kwargs naming A's object
    missing: dict  # URL kwargs naming nothing
    strangers: tuple = ("other_citizen",)
    # stranger -> why the whole route refuses them (403, or a page's redirect with a message),
    # whatever the id: the role may not use it, so the answer says nothing about A's object.
    forbidden: dict = field(default_factory=dict)
    data: object = None  # World -> a valid body for the verbs (so validation does not answer first)
    multipart: bool = False  # the API route reads multipart bodies only


def _case(w):
    return {"number": w.case.tracking_number}


NO_CASE = {"number": "2099-9999999"}
CASE_STRANGERS = ("other_citizen", "officer_other", "counsellor", "evaluator")


def _contact(w):
    return {"pk": w.contact.pk}


# A contact is the whole 120 centre's work: every counsellor sees every contact by design,
# so the strangers are a citizen and an officer the contact was not transferred to.
CONTACT_STRANGERS = ("other_citizen", "officer_other", "evaluator")
CONTACT_DATA = lambda w: {  # noqa: E731
    "outcome": "answered",
    "answer": "x",
    "note": "x",
    "title": "x",
    "satisfaction": 5,
    "close-outcome": "answered",
    "close-answer": "x",
    "correct-note": "x",
    "case-title": "x",
    "case-text": "x",
    "case-kind": "complaint",
    "answer-answer": "x",
}
CHAT_STAFF_ONLY = {
    "other_citizen": "counsellors' routes: a citizen is refused them for any conversation",
    "evaluator": "counsellors' routes: other roles are refused them for any conversation",
    "officer_other": "counsellors' routes: officers outside the 120 centre are refused them for any conversation",
}
KB_CITIZEN = "the knowledge base is shared by the whole centre, not anyone's own: other roles are refused the route"


def _draft(w):
    return {"pk": w.draft.pk}


DRAFT_STRANGERS = ("other_citizen", "officer", "officer_other", "evaluator")
DRAFT_DATA = lambda w: {  # noqa: E731
    "title": "x",
    "text": "comment",
    "evaluators": [w.evaluator.pk],
    "necessity": 3,
    "effectiveness": 3,
    "feasibility": 3,
    "budget": 3,
    "comment": "x",
    "outcome": "adopted",
    "summary": "x",
}
NOT_EVALUATOR = "only assigned panel members use the evaluation form; the answer is the same for any id"
NOT_VOTER = "only citizens support proposals; staff are refused for any id"


def _poll(w):
    return {"pk": w.poll_proposal.pk}


POLL_DATA = lambda w: {"options": [w.poll_proposal.options.first().pk]}  # noqa: E731
NOT_POLL_OFFICER = "a route for officers who manage polls; a citizen is refused it for any id"


def _alert_pk(w):
    return {"pk": w.alert_draft.pk}


def _alert_identifier(w):
    return {"identifier": w.alert_draft.identifier}


ALERT_STRANGERS = ("other_citizen", "officer")
NO_ALERT = {"identifier": "KR-SEOUL-NOPE-1"}

ROUTES = {
    # --- browser: notifications, alerts ---------------------------------------------------
    "notifications:mark_read": Route(lambda w: {"pk": w.notification.pk}, {"pk": MISSING_PK}),
    # Marking read takes published alerts only (they are public); a draft's identifier is unknown there.
    "notifications:mark_alert_read": Route(_alert_identifier, NO_ALERT),
    "alerts:officer_detail": Route(_alert_pk, {"pk": MISSING_PK}, ALERT_STRANGERS),
    "alerts:update": Route(_alert_pk, {"pk": MISSING_PK}, ALERT_STRANGERS),
    "alerts:submit": Route(_alert_pk, {"pk": MISSING_PK}, ALERT_STRANGERS),
    "alerts:approve": Route(_alert_pk, {"pk": MISSING_PK}, ALERT_STRANGERS),
    "alerts:cancel": Route(_alert_pk, {"pk": MISSING_PK}, ALERT_STRANGERS),
    "alerts:progress": Route(_alert_pk, {"pk": MISSING_PK}, ALERT_STRANGERS),
    # The public alert pages show published alerts only; a draft's identifier is unknown there.
    "alerts:detail": Route(_alert_identifier, NO_ALERT, ("other_citizen", "anonymous")),
    "alerts:cap": Route(_alert_identifier, NO_ALERT, ("other_citizen", "anonymous")),
    # --- browser and API: 120 live counselling -----------------------------------------------
    **{
        f"callcenter_chat:{name}": Route(
            lambda w: {"pk": w.conversation.pk},
            {"pk": "00000000-0000-4000-8000-000000000000"},
            CONTACT_STRANGERS,
            forbidden=CHAT_STAFF_ONLY if name in ("accept", "work", "transfer", "kb", "article") else {},
            data=lambda w: {"text": "x", "client_id": "b-1", "article": w.article.pk, "queue": "ko"},
        )
        for name in (
            "conversation",
            "leave_message",
            "transcript",
            "upload_image",
            "accept",
            "work",
            "transfer",
            "kb",
            "article",
        )
    },
    "callcenter_chat:image": Route(
        lambda w: {"pk": w.conversation.pk, "seq": 1},
        {"pk": "00000000-0000-4000-8000-000000000000", "seq": 1},
        CONTACT_STRANGERS,
    ),
    **{
        name: Route(
            lambda w: {"pk": w.conversation.pk},
            {"pk": "00000000-0000-4000-8000-000000000000"},
            CONTACT_STRANGERS,
            multipart=name.endswith("image"),
        )
        for name in ("callcenter-chat-api-messages", "callcenter-chat-api-image")
    },
    # TURN credentials of a video conversation: only its two participants get them.
    "callcenter-api-ice-servers": Route(
        lambda w: {"pk": w.conversation.pk},
        {"pk": "00000000-0000-4000-8000-000000000000"},
        ("other_citizen", "officer_other", "evaluator"),
    ),
    # --- browser: Eung-Dap-So -------------------------------------------------------------
    "complaints:detail": Route(_case, NO_CASE, CASE_STRANGERS),
    "complaints:rate": Route(_case, NO_CASE, CASE_STRANGERS, data=lambda w: {"score": 5}),
    "complaints:additional_answer": Route(_case, NO_CASE, CASE_STRANGERS, data=lambda w: {"text": "x"}),
    "complaints:attachment": Route(lambda w: {"pk": w.attachment.pk}, {"pk": MISSING_PK}, CASE_STRANGERS),
    "complaints:workspace": Route(_case, NO_CASE, CASE_STRANGERS, data=lambda w: {"action": "note", "text": "x"}),
    "complaints:claim": Route(_case, NO_CASE, CASE_STRANGERS),
    # --- browser: mVoting -----------------------------------------------------------------
    "polls:detail": Route(_poll, {"pk": MISSING_PK}),
    "polls:edit": Route(_poll, {"pk": MISSING_PK}, forbidden={"other_citizen": NOT_POLL_OFFICER}),
    "polls:vote": Route(_poll, {"pk": MISSING_PK}, data=POLL_DATA),
    "polls:results": Route(_poll, {"pk": MISSING_PK}),
    "polls:results_partial": Route(_poll, {"pk": MISSING_PK}),
    "polls:results_csv": Route(_poll, {"pk": MISSING_PK}),
    "polls:draw": Route(_poll, {"pk": MISSING_PK}, data=lambda w: {"winners_count": 1}),
    "polls:decide": Route(_poll, {"pk": MISSING_PK}, forbidden={"other_citizen": NOT_POLL_OFFICER}),
    "polls:qr_png": Route(_poll, {"pk": MISSING_PK}),
    "polls:qr_rotate": Route(_poll, {"pk": MISSING_PK}),
    "polls:members": Route(_poll, {"pk": MISSING_PK}),
    "polls:image": Route(_poll, {"pk": MISSING_PK}),
    "polls:option_image": Route(
        lambda w: {"pk": w.poll_proposal.pk, "option": w.poll_proposal.options.first().pk},
        {"pk": MISSING_PK, "option": MISSING_PK},
    ),
    # --- browser: Oasis -------------------------------------------------------------------
    "proposals:detail": Route(_draft, {"pk": MISSING_PK}, DRAFT_STRANGERS),
    "proposals:edit": Route(_draft, {"pk": MISSING_PK}, DRAFT_STRANGERS, data=DRAFT_DATA),
    "proposals:vote": Route(
        _draft, {"pk": MISSING_PK}, DRAFT_STRANGERS, forbidden={s: NOT_VOTER for s in DRAFT_STRANGERS[1:]}
    ),
    "proposals:comment": Route(_draft, {"pk": MISSING_PK}, DRAFT_STRANGERS, data=DRAFT_DATA),
    "proposals:revision_answer": Route(
        lambda w: {"pk": w.revision.pk}, {"pk": MISSING_PK}, DRAFT_STRANGERS, data=lambda w: {"accept": "yes"}
    ),
    # The image view is public for submitted proposals, so anonymous is a stranger too.
    "proposals:image": Route(
        lambda w: {"pk": w.draft.pk, "image": w.draft_image.pk},
        {"pk": MISSING_PK, "image": MISSING_PK},
        (*DRAFT_STRANGERS, "anonymous"),
    ),
    "proposals:workspace_detail": Route(_draft, {"pk": MISSING_PK}, DRAFT_STRANGERS),
    "proposals:evaluate": Route(
        _draft,
        {"pk": MISSING_PK},
        DRAFT_STRANGERS,
        forbidden={s: NOT_EVALUATOR for s in DRAFT_STRANGERS},
        data=DRAFT_DATA,
    ),
    # --- browser: 120 Dasan ---------------------------------------------------------------
    **{
        f"callcenter:{name}": Route(_contact, {"pk": MISSING_PK}, CONTACT_STRANGERS, data=CONTACT_DATA)
        for name in (
            "contact_detail",
            "contact_close",
            "contact_correct",
            "contact_case",
            "contact_answer",
            "callback_claim",
            "callback_complete",
            "survey_send",
            "survey",
        )
    },
    **{
        f"callcenter:{name}": Route(
            lambda w: {"pk": w.article.pk},
            {"pk": MISSING_PK},
            ("other_citizen", "officer_other"),
            forbidden={"other_citizen": KB_CITIZEN, "officer_other": KB_CITIZEN},
        )
        for name in ("kb_detail", "kb_edit")
    },
    "callcenter:contact_image": Route(
        lambda w: {"pk": w.contact.pk, "image": w.contact_image.pk},
        {"pk": MISSING_PK, "image": MISSING_PK},
        CONTACT_STRANGERS,
    ),
    "callcenter:suggestion_decide": Route(
        lambda w: {"pk": w.suggestion.pk, "decision": "approve"},
        {"pk": MISSING_PK, "decision": "approve"},
        ("other_citizen", "counsellor"),
        forbidden={"other_citizen": KB_CITIZEN, "counsellor": "only a lead counsellor decides suggestions"},
    ),
    # --- API: notifications, alerts -------------------------------------------------------
    "notification-detail": Route(lambda w: {"pk": w.notification.pk}, {"pk": MISSING_PK}),
    "notification-read": Route(lambda w: {"pk": w.notification.pk}, {"pk": MISSING_PK}),
    # Drafts are not published: the public list's detail does not know them.
    "alert-detail": Route(_alert_identifier, NO_ALERT, ("other_citizen", "officer", "anonymous")),
    **{
        f"alert-{verb}": Route(_alert_identifier, NO_ALERT, ALERT_STRANGERS, data=lambda w: {"immediately": True})
        for verb in ("submit", "approve", "cancel", "progress")
    },
    # --- API: Eung-Dap-So -----------------------------------------------------------------
    **{
        f"complaints-api-{name}": Route(
            _case,
            NO_CASE,
            CASE_STRANGERS,
            data=lambda w: {
                "score": 5,
                "text": "x",
                "to_department": w.other_department.code,
                "officer": w.officer_other.username,
            },
        )
        for name in ("case", "rate", "additional", "answer", "transfer", "assign", "claim", "notes")
    },
    # --- API: mVoting ---------------------------------------------------------------------
    "api-polls-detail": Route(_poll, {"pk": MISSING_PK}),
    "api-polls-vote": Route(_poll, {"pk": MISSING_PK}, data=POLL_DATA),
    "api-polls-results": Route(_poll, {"pk": MISSING_PK}),
    # --- API: Oasis -----------------------------------------------------------------------
    "proposal-revision-answer": Route(
        lambda w: {"pk": w.revision.pk}, {"pk": MISSING_PK}, DRAFT_STRANGERS, data=lambda w: {"accept": True}
    ),
    **{
        f"proposal-{name}": Route(_draft, {"pk": MISSING_PK}, DRAFT_STRANGERS, data=DRAFT_DATA)
        for name in ("detail", "assign", "comments", "decide", "submit", "timeline")
    },
    "proposal-images": Route(
        _draft,
        {"pk": MISSING_PK},
        DRAFT_STRANGERS,
        forbidden={s: "only citizens write proposals; staff are refused for any id" for s in DRAFT_STRANGERS[1:]},
        multipart=True,
    ),
    "proposal-vote": Route(
        _draft, {"pk": MISSING_PK}, DRAFT_STRANGERS, forbidden={s: NOT_VOTER for s in DRAFT_STRANGERS[1:]}
    ),
    "proposal-evaluate": Route(
        _draft,
        {"pk": MISSING_PK},
        DRAFT_STRANGERS,
        forbidden={s: NOT_EVALUATOR for s in DRAFT_STRANGERS[:-1]},
        data=DRAFT_DATA,
    ),
    # --- API: 120 Dasan -------------------------------------------------------------------
    **{
        f"callcenter-api-{name}": Route(_contact, {"pk": MISSING_PK}, CONTACT_STRANGERS, data=CONTACT_DATA)
        for name in (
            "contact",
            "contact-close",
            "contact-correct",
            "contact-case",
            "contact-answer",
            "callback-claim",
            "callback-complete",
            "survey-send",
            "survey-answer",
        )
    },
    **{
        name: Route(
            lambda w: {"pk": w.article.pk},
            {"pk": MISSING_PK},
            ("other_citizen",),
            forbidden={"other_citizen": KB_CITIZEN},
            data=lambda w: {"question": "q", "answer": "a"},
        )
        for name in ("callcenter-api-article", "callcenter-api-article-suggest")
    },
    **{
        name: Route(
            lambda w: {"pk": w.suggestion.pk},
            {"pk": MISSING_PK},
            ("other_citizen", "counsellor"),
            forbidden={"other_citizen": KB_CITIZEN, "counsellor": "only a lead counsellor decides suggestions"},
        )
        for name in ("callcenter-api-suggestion-approve", "callcenter-api-suggestion-reject")
    },
    # --- Open311: confidential reports are never public -------------------------------------
    "open311:request_detail": Route(
        lambda w: {"service_request_id": w.confidential_case.tracking_number},
        {"service_request_id": "2099-9999999"},
        ("anonymous",),
    ),
    # A's photo attached on the web is no Open311 media: only photos filed over Open311 are.
    "open311:media": Route(
        lambda w: {"pk": w.case.attachments.get().pk},
        {"pk": MISSING_PK},
        ("anonymous",),
    ),
}

# Routes whose identifier names nothing private to one user, and why.
NOT_OWNED = {
    "password_reset_confirm": "Django's signed reset link; the token is the credential",
    "proposals:themed_call": "themed calls are public announcements of a department",
    "proposal-call-detail": "themed calls are public announcements of a department",
    "open311:service_definition": "Open311 service definitions are the public list of categories",
    "open311:token_detail": "the token is the secret handed to the filing application; it maps to a tracking number",
    "callcenter:survey_by_link": "a signed, expiring link texted to one caller; the signature is the credential",
    "directory:department": "the city's directory is public: departments, contacts, what they handle",
    "directory-api-department": "the city's directory is public: departments, contacts, what they handle",
    "opendata:dataset": "open datasets are public by definition (anonymised when they are built)",
    "opendata:dictionary": "open datasets are public by definition (anonymised when they are built)",
    "opendata:download_csv": "open datasets are public by definition (anonymised when they are built)",
    "opendata:download_json": "open datasets are public by definition (anonymised when they are built)",
}


def _parameters(pattern) -> set:
    if isinstance(pattern, RoutePattern):
        return set(pattern.converters)
    if isinstance(pattern, RegexPattern):
        return set(pattern.regex.groupindex)
    return set()


@functools.cache
def object_routes() -> dict:
    """{route name: set of parameter-name sets} for every pattern that takes an identifier."""
    found: dict = {}

    def walk(patterns, namespace, inherited):
        for entry in patterns:
            names = inherited | _parameters(entry.pattern)
            if isinstance(entry, URLResolver):
                if entry.namespace == "admin":
                    continue  # Django admin: staff only, its own model permissions
                walk(entry.url_patterns, f"{namespace}{entry.namespace}:" if entry.namespace else namespace, names)
            elif names - set(FORMATS):
                key = f"{namespace}{entry.name}" if entry.name else str(entry.pattern)
                found.setdefault(key, set()).add(frozenset(names))

    walk(get_resolver().url_patterns, "", set())
    return found


def test_every_route_with_an_identifier_is_covered():
    found = set(object_routes())
    unknown = found - set(ROUTES) - set(NOT_OWNED)
    assert not unknown, f"routes with an object identifier and no authorization fixture: {sorted(unknown)}"
    stale = set(ROUTES) - found
    assert not stale, f"fixtures for routes that no longer exist: {sorted(stale)}"


def _client(user, path):
    if user is None:
        return Client() if not path.startswith("/api/") else APIClient()
    if path.startswith("/api/"):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
        return client
    client = Client()
    client.force_login(user)
    return client


def _send(client, method, path, data, multipart=False):
    if isinstance(client, APIClient):
        if method == "get":
            return client.get(path)
        if multipart:
            files = {"images": SimpleUploadedFile("i.png", _png(), content_type="image/png")}
            return getattr(client, method)(path, files, format="multipart")
        return getattr(client, method)(path, data, format="json")
    if method == "get":
        return client.get(path)
    if method == "post":
        return client.post(path, data)
    return getattr(client, method)(path)


FINGERPRINT_SKIP = {
    "sessions.session",
    "authtoken.token",
    "authtoken.tokenproxy",
    "axes.accessattempt",
    "axes.accesslog",
    "axes.accessfailurelog",
}


def _fingerprint(obj):
    counts = {
        model._meta.label_lower: model.objects.count()
        for model in apps.get_models()
        if model._meta.label_lower not in FINGERPRINT_SKIP and model._meta.managed
    }
    obj.refresh_from_db()
    return counts, model_to_dict(obj)


def _body(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("utf-8", "replace")
    return response.content.decode("utf-8", "replace")


def _cases():
    for name in sorted(ROUTES):
        for stranger in ROUTES[name].strangers:
            yield pytest.param(name, stranger, id=f"{name}-as-{stranger}")


@pytest.mark.parametrize(("name", "stranger"), list(_cases()))
def test_another_users_object_is_as_good_as_missing(name, stranger):
    route, world = ROUTES[name], World()
    kwargs = route.obj(world)
    owned = _owned_object(world)
    data = route.data(world) if route.data else {}
    user = None if stranger == "anonymous" else getattr(world, stranger)
    variants = object_routes()[name]
    clients = {"/api/": _client(user, "/api/"), "other": _client(user, "/")}
    clients = collections.defaultdict(lambda: clients["other"], clients)
    before = _fingerprint(owned)
    failures = []
    for names in variants:
        extra = {key: value for key, value in FORMATS.items() if key in names}
        path = reverse(name, kwargs=kwargs | extra)
        missing_path = reverse(name, kwargs=route.missing | extra)
        allowed = {404, 405} | ({302, 403} if stranger in route.forbidden else set())
        if user is None:
            allowed |= {401}  # the API asks an anonymous client to sign in, whatever the id
        for method in METHODS:
            answer = _send(clients[path[:5]], method, path, data, route.multipart)
            baseline = _send(clients[path[:5]], method, missing_path, data, route.multipart)
            body = _body(answer)
            if answer.status_code != baseline.status_code:
                failures.append(f"{method.upper()} {path}: {answer.status_code}, missing id {baseline.status_code}")
            if answer.status_code not in allowed:
                failures.append(f"{method.upper()} {path}: {answer.status_code} not in {sorted(allowed)}")
            leaked = [s for s in LEAKS if s in body]
            if leaked:
                failures.append(f"{method.upper()} {path}: body shows {leaked}")
    assert not failures, "\n".join(failures)
    assert _fingerprint(owned) == before


def _owned_object(world):
    """Whichever of A's objects the route made (for the 'nothing changed' check)."""
    for attr in (
        "case",
        "conversation",
        "contact",
        "notification",
        "alert_draft",
        "draft",
        "revision",
        "poll_proposal",
        "suggestion",
        "article",
        "confidential_case",
    ):
        if attr in world.__dict__:
            return world.__dict__[attr]
    raise AssertionError("the route made no object")


def test_open311_request_shows_no_personal_data():
    """Open311 reads are public: a complaint is there, without its citizen, text or exact place."""
    world = World()
    world.case.lat, world.case.lon = 37.5561234, 126.9101234
    world.case.text_is_public = True  # even then, only a rounded position is public
    world.case.save(update_fields=["lat", "lon", "text_is_public"])
    response = Client().get(reverse("open311:request_detail", args=[world.case.tracking_number, "json"]))
    assert response.status_code == 200
    body = response.content.decode()
    assert world.case.tracking_number in body
    personal = (A_NAME, A_PHONE, A_EMAIL, "owner_a", "우리 집 앞", "망원로 1길", "37.556123")
    assert [s for s in personal if s in body] == []
    assert response.json()[0]["lat"] == 37.556


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/notifications/unread_count.json",
        "/api/v1/notifications/alerts.json",
        "/api/v1/alerts/current.json",
    ],
)
def test_format_suffixed_actions_answer(path):
    """The routers also serve ``.json`` suffixes; every action accepts them (no 500)."""
    user = CitizenFactory(username="suffix_user")
    response = _client(user, "/api/").get(path)
    assert response.status_code == 200


def test_a_targeted_poll_is_public_but_its_vote_is_refused_to_others():
    """An approved poll is visible to every account by design (the page says who may vote);
    for a citizen outside its target the vote is 403, and no ballot is written."""
    from polls.models import Ballot
    from tests.factories import district
    from tests.polls.factories import PollFactory

    world = World()
    poll = PollFactory(department=world.department, districts=[district("11680")], approval="approved")
    stranger = world.other_citizen  # lives in Mapo-gu (the default district), not Gangnam-gu
    option = poll.options.first().pk
    page = _client(stranger, "/").get(reverse("polls:detail", args=[poll.pk]))
    assert page.status_code == 200
    api = _client(stranger, "/api/")
    assert api.post(f"/api/v1/polls/{poll.pk}/vote/", {"options": [option]}, format="json").status_code == 403
    assert _client(stranger, "/").post(reverse("polls:vote", args=[poll.pk]), {"options": [option]}).status_code == 403
    assert Ballot.objects.count() == 0
