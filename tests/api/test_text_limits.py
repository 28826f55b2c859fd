"""Every program's free text has a limit (civicportal/limits.py), refused alike through the
forms and the API: one character over it is a 400 naming the limit with nothing written, at
the limit it is accepted. (Cases, with Open311: tests/complaints/test_length_limits.py.)"""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from callcenter.models import ArticleSuggestion, Contact, KnowledgeArticle
from civicportal import limits
from civicportal.accounts.models import Role
from civicportal.errors import DomainError
from civicportal.notifications.models import EmergencyAlert
from polls.models import Poll
from proposals.models import Comment, Proposal
from tests.callcenter.factories import ArticleFactory
from tests.factories import officer_of
from tests.notifications.factories import alert_author
from tests.proposals.factories import ProposalFactory

pytestmark = pytest.mark.django_db


def named(limit, message) -> bool:
    """The message names the limit (services write 4,000; DRF and Django's forms 4000)."""
    return str(limit) in message.replace(",", "")


def long(limit, extra=0):
    return "가" * (limit + extra)


# --- the API ------------------------------------------------------------------------------------


def proposal_body(department, **text):
    body = {"title": "옥상 정원", "problem": "덥다", "idea": "심자", "expected_effect": "시원함"}
    return {**body, "department": department.code, **text}


def poll_body(**text):
    opens = timezone.now() + timedelta(days=1)
    body = {"question": "주말 야시장?", "options": ["예", "아니요"]}
    return {**body, "opens_at": opens.isoformat(), "closes_at": (opens + timedelta(days=7)).isoformat(), **text}


def contact_body(**text):
    start = timezone.now() - timedelta(minutes=2)
    body = {
        "channel": "voice",
        "language": "ko",
        "question": "주차 과태료?",
        "answer": "이택스에서",
        "outcome": "answered",
    }
    return {**body, "started_at": start.isoformat(), "ended_at": (start + timedelta(seconds=90)).isoformat(), **text}


def alert_body(event="폭염", **text):
    now = timezone.now()
    ko = {"headline": "폭염 경보", **text}
    return {
        "event": event,
        "category": "Met",
        "severity": "Moderate",
        "urgency": "Expected",
        "certainty": "Likely",
        "area_kind": "districts",
        "districts": ["11440"],
        "channels": ["in_app"],
        "onset": now.isoformat(),
        "expires": (now + timedelta(hours=3)).isoformat(),
        "texts": {"ko": ko},
    }


API_CASES = [
    # (who, url, body(limit text) -> dict, field in the error, limit, what must not grow)
    ("citizen", "/api/v1/proposals/", "proposal:title", "title", limits.TITLE, Proposal),
    ("citizen", "/api/v1/proposals/", "proposal:problem", "problem", limits.PROPOSAL_SECTION, Proposal),
    ("citizen", "/api/v1/proposals/", "proposal:idea", "idea", limits.PROPOSAL_SECTION, Proposal),
    ("citizen", "/api/v1/proposals/", "proposal:expected_effect", "expected_effect", limits.PROPOSAL_SECTION, Proposal),
    ("citizen", "/api/v1/polls/proposals/", "poll:question", "question", limits.QUESTION, Poll),
    ("citizen", "/api/v1/polls/proposals/", "poll:description", "description", limits.DESCRIPTION, Poll),
    ("citizen", "/api/v1/polls/proposals/", "poll:option", "options", limits.POLL_OPTION, Poll),
    ("counsellor", "/api/v1/callcenter/contacts/", "contact:question", "question", limits.CONTACT_TEXT, Contact),
    ("counsellor", "/api/v1/callcenter/contacts/", "contact:answer", "answer", limits.CONTACT_TEXT, Contact),
    ("counsellor", "/api/v1/callcenter/contacts/", "contact:sms", "message_text", limits.SMS_TEXT, Contact),
    ("alert_author", "/api/v1/alerts/", "alert:event", "event", limits.ALERT_EVENT, EmergencyAlert),
    ("alert_author", "/api/v1/alerts/", "alert:headline", "headline_ko", limits.ALERT_HEADLINE, EmergencyAlert),
    (
        "alert_author",
        "/api/v1/alerts/",
        "alert:description",
        "description_ko",
        limits.ALERT_DESCRIPTION,
        EmergencyAlert,
    ),
    (
        "alert_author",
        "/api/v1/alerts/",
        "alert:instruction",
        "instruction_ko",
        limits.ALERT_INSTRUCTION,
        EmergencyAlert,
    ),
]


def make_body(kind, text, department):
    program, field = kind.split(":")
    if program == "proposal":
        return proposal_body(department, **{field: text})
    if program == "poll":
        return poll_body(options=["예", text]) if field == "option" else poll_body(**{field: text})
    if program == "contact":
        if field == "sms":
            return contact_body(channel="sms_mms", message_text=text)
        return contact_body(**{field: text})
    return alert_body(event=text) if field == "event" else alert_body(**{field: text})


@pytest.fixture
def lead_counsellor(call_centre):
    return officer_of(call_centre, username="lead_counsellor", head=True, roles=(Role.COUNSELLOR,))


@pytest.fixture
def alert_author_user(db):
    return alert_author()


@pytest.fixture
def person(request, citizen, counsellor, alert_author_user):
    return {"citizen": citizen, "counsellor": counsellor, "alert_author": alert_author_user}


@pytest.mark.parametrize(("who", "url", "kind", "field", "limit", "model"), API_CASES, ids=[c[2] for c in API_CASES])
def test_the_api_refuses_one_character_over_and_accepts_the_limit(
    api_as, person, department, who, url, kind, field, limit, model
):
    client = api_as(person[who])

    refused = client.post(url, make_body(kind, long(limit, 1), department), format="json")

    assert refused.status_code == 400, refused.json()
    body = refused.json()
    assert body["error"] in ("invalid", "too_long", "text_too_long")
    messages = [str(m) for m in body.get("fields", {}).get(field.split("_ko")[0], [])] + [body["detail"]]
    assert any(named(limit, m) for m in messages), body
    assert model.objects.count() == 0

    accepted = client.post(url, make_body(kind, long(limit), department), format="json")

    assert accepted.status_code == 201, accepted.json()
    assert model.objects.count() == 1


def test_the_schema_documents_the_limits(api_client):
    schemas = api_client.get("/api/schema/", HTTP_ACCEPT="application/json").json()["components"]["schemas"]

    assert schemas["ProposalInputRequest"]["properties"]["idea"]["maxLength"] == limits.PROPOSAL_SECTION
    assert schemas["PollProposalInputRequest"]["properties"]["question"]["maxLength"] == limits.QUESTION
    assert schemas["ContactLogRequest"]["properties"]["answer"]["maxLength"] == limits.CONTACT_TEXT


def test_a_comment_on_a_proposal_over_its_limit_is_refused(api_as, citizen, other_citizen):
    proposal = ProposalFactory(author=other_citizen)
    url = f"/api/v1/proposals/{proposal.pk}/comments/"

    refused = api_as(citizen).post(url, {"text": long(limits.COMMENT, 1)}, format="json")

    assert refused.status_code == 400 and named(limits.COMMENT, refused.json()["fields"]["text"][0])
    assert Comment.objects.count() == 0
    assert api_as(citizen).post(url, {"text": long(limits.COMMENT)}, format="json").status_code == 201


# --- the forms ----------------------------------------------------------------------------------


def test_the_proposal_form_refuses_a_long_idea_and_shows_maxlength(client, citizen, department):
    client.force_login(citizen)
    form = {
        "title": "옥상 정원",
        "problem": "덥다",
        "idea": long(limits.PROPOSAL_SECTION, 1),
        "expected_effect": "시원",
    }

    page = client.get(reverse("proposals:submit")).content.decode()
    refused = client.post(reverse("proposals:submit"), {**form, "action": "submit", "department": department.pk})

    assert f'maxlength="{limits.PROPOSAL_SECTION}"' in page and f'maxlength="{limits.TITLE}"' in page
    assert refused.status_code in (200, 400)
    assert named(limits.PROPOSAL_SECTION, " ".join(refused.context["form"].errors["idea"]))
    assert Proposal.objects.count() == 0


def test_the_poll_proposal_form_refuses_a_long_option(client, citizen):
    client.force_login(citizen)
    opens = timezone.localtime() + timedelta(hours=1)
    form = {
        "question": "도서관 연장 운영?",
        "options": f"예\n{long(limits.POLL_OPTION, 1)}",
        "max_choices": 1,
        "opens_at": opens.strftime("%Y-%m-%dT%H:%M"),
        "closes_at": (opens + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M"),
    }

    refused = client.post(reverse("polls:propose"), form)

    assert refused.status_code in (200, 400)
    assert named(limits.POLL_OPTION, refused.content.decode())
    assert Poll.objects.count() == 0


def test_the_web_message_form_refuses_more_than_an_sms(client, citizen):
    client.force_login(citizen)

    refused = client.post(
        reverse("callcenter:message_new"), {"message_text": long(limits.SMS_TEXT, 1), "language": "ko"}
    )

    assert refused.status_code == 400 and named(limits.SMS_TEXT, refused.content.decode())
    assert Contact.objects.count() == 0


def test_the_alert_form_refuses_a_long_headline(client, alert_author_user):
    client.force_login(alert_author_user)

    page = client.get("/alerts/manage/new/").content.decode()

    assert f'maxlength="{limits.ALERT_HEADLINE}"' in page and f'maxlength="{limits.ALERT_DESCRIPTION}"' in page


# --- the knowledge base (admin and the lead counsellor's pages call the same service) ------------


def test_a_knowledge_base_answer_over_its_limit_is_refused(counsellor, lead_counsellor):
    from callcenter import services

    article = ArticleFactory()
    with pytest.raises(DomainError) as refused:
        services.article_save(by=lead_counsellor, article=article, answer=long(limits.ANSWER, 1))
    with pytest.raises(DomainError):
        services.article_suggest(article=article, by=counsellor, question=long(limits.QUESTION, 1), answer="답")

    assert refused.value.field == "answer" and named(limits.ANSWER, refused.value.message)
    article.refresh_from_db()
    assert len(article.answer) < limits.ANSWER and ArticleSuggestion.objects.count() == 0
    services.article_save(by=lead_counsellor, article=article, answer=long(limits.ANSWER))
    assert KnowledgeArticle.objects.get().answer == long(limits.ANSWER)
