"""Who may do what (counsellors vs officers vs citizens), the knowledge base pages, the DB rules."""

import datetime as dt
import importlib.util

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from callcenter import services
from callcenter.models import ArticleSuggestion, Contact, ContactEvent, KnowledgeArticle
from callcenter.search import nouns, search_articles
from tests.callcenter.factories import ArticleFactory, ClosedContactFactory, ContactFactory

pytestmark = pytest.mark.django_db

PAGES = ["console", "callbacks", "kb_list", "statistics", "statistics_csv"]


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize(
    ("persona", "expected"),
    [("counsellor", 200), ("monitor", None), ("officer", 403), ("citizen", 403), ("anonymous", 302)],
)
def test_staff_pages_matrix(client, request, page, persona, expected):
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))
    if expected is None:  # monitors read statistics and the knowledge base, but log nothing
        expected = 200 if page in ("kb_list", "statistics", "statistics_csv") else 403
    assert client.get(reverse(f"callcenter:{page}")).status_code == expected


@pytest.mark.parametrize(
    ("persona", "visible"),
    [("counsellor", True), ("monitor", True), ("officer", False), ("other_citizen", False), ("citizen", True)],
)
def test_contact_detail_matrix(client, request, citizen, persona, visible):
    contact = ClosedContactFactory(caller=citizen)
    client.force_login(request.getfixturevalue(persona))
    response = client.get(reverse("callcenter:contact_detail", args=[contact.pk]))
    assert response.status_code == (200 if visible else 404)


def test_officer_sees_a_contact_transferred_to_their_department(client, officer, department):
    contact = ClosedContactFactory(outcome="transferred", transferred_to=department)
    client.force_login(officer)
    assert client.get(reverse("callcenter:contact_detail", args=[contact.pk])).status_code == 200


def test_officer_cannot_log_or_turn_into_case(client, officer, fake_case_file):
    contact = ContactFactory()
    client.force_login(officer)
    response = client.post(reverse("callcenter:contact_case", args=[contact.pk]), {"case-title": "x"})
    assert response.status_code == 404
    assert fake_case_file.calls == []
    assert client.post(reverse("callcenter:console"), {"channel": "voice"}).status_code == 403
    assert Contact.objects.count() == 1


def test_public_pages_are_public(client):
    assert client.get(reverse("callcenter:index")).status_code == 200
    assert client.get(reverse("callcenter:message_new")).status_code == 302  # log in first


def test_kb_search_finds_korean_with_particles(client, counsellor, lead_counsellor):
    services.article_save(
        by=lead_counsellor,
        question="가로등 고장 신고",
        answer="가로등 번호를 알려 주세요.",
        keywords="가로등",
        review_date=timezone.localdate(),
    )
    client.force_login(counsellor)
    response = client.get(reverse("callcenter:kb_search"), {"q": "가로등"})
    assert "가로등 고장 신고" in response.content.decode()
    assert "가로등" in nouns("가로등이 고장났어요")


def test_kb_search_empty_and_unmatched(counsellor):
    ArticleFactory(question="여권")
    assert search_articles("없는단어xyz") == []
    assert len(search_articles("")) == 1


def test_overdue_article_is_flagged(client, counsellor):
    ArticleFactory(question="오래된 글", review_date=timezone.localdate() - dt.timedelta(days=1))
    client.force_login(counsellor)
    assert "review due" in client.get(reverse("callcenter:kb_list")).content.decode()
    assert KnowledgeArticle.objects.review_overdue().count() == 1


def test_suggestion_through_pages(client, counsellor, lead_counsellor):
    article = ArticleFactory()
    client.force_login(counsellor)
    response = client.post(
        reverse("callcenter:kb_detail", args=[article.pk]),
        {"question": article.question, "answer": "새 답변", "keywords": "", "reason": "바뀜"},
    )
    assert response.status_code == 302
    suggestion = ArticleSuggestion.objects.get()
    assert client.get(reverse("callcenter:suggestions")).status_code == 403
    refused = client.post(reverse("callcenter:suggestion_decide", args=[suggestion.pk, "approve"]))
    assert refused.status_code == 403
    client.force_login(lead_counsellor)
    assert "새 답변" in client.get(reverse("callcenter:suggestions")).content.decode()
    client.post(reverse("callcenter:suggestion_decide", args=[suggestion.pk, "reject"]), {"note": "아니요"})
    suggestion.refresh_from_db()
    article.refresh_from_db()
    assert suggestion.status == "rejected"
    assert article.answer != "새 답변"


def test_lead_counsellor_creates_article_and_counsellor_cannot(client, counsellor, lead_counsellor):
    data = {"question": "새 글", "answer": "내용", "keywords": "", "review_date": "2027-01-01", "published": "on"}
    client.force_login(counsellor)
    assert client.post(reverse("callcenter:kb_new"), data).status_code == 403
    client.force_login(lead_counsellor)
    assert client.post(reverse("callcenter:kb_new"), data).status_code == 302
    assert KnowledgeArticle.objects.get().search_nouns


@pytest.mark.parametrize(
    "fields",
    [
        {"channel": ""},
        {"language": "fr"},
        {"satisfaction": 6},
        {"message_text": "x" * 1001},
        {"ended_at": timezone.now() - dt.timedelta(days=1)},
        {"outcome": "transferred", "status": "closed"},
        {"status": "closed", "outcome": ""},
    ],
)
def test_database_constraints_refuse_bad_rows(fields):
    with pytest.raises(IntegrityError), transaction.atomic():
        ContactFactory(**{"started_at": timezone.now(), **fields})
    assert Contact.objects.count() == 0


def test_events_are_append_only(counsellor):
    contact = ContactFactory(counsellor=counsellor)
    services.contact_update(contact=contact, by=counsellor, answer="수정")
    event = contact.events.get()
    event.note = "changed"
    with pytest.raises(Exception, match="append-only"):
        event.save()
    with pytest.raises(Exception, match="append-only"):
        event.delete()
    assert ContactEvent.objects.get().note == ""


@pytest.mark.skipif(not importlib.util.find_spec("complaints.services"), reason="complaints/ not merged yet")
def test_turn_into_case_with_the_real_complaints_app(counsellor, citizen):
    """Runs once complaints/ is merged: the real case, linked both ways."""
    from django.apps import apps

    case_model = next(
        m
        for m in apps.get_app_config("complaints").get_models()
        if any(f.name == "tracking_number" for f in m._meta.fields)
    )
    contact = ContactFactory(counsellor=counsellor, caller=citizen, question="보도블록이 깨졌어요")
    services.contact_turn_into_case(contact=contact, by=counsellor, title="보도블록 파손", text="", kind="complaint")
    contact.refresh_from_db()
    case = case_model.objects.get(pk=contact.case_id)
    assert str(case.tracking_number) == contact.case_tracking_number
    assert case.channel == "120"
    assert case.citizen == citizen
    assert case.source_url.endswith(f"/callcenter/contacts/{contact.pk}/")


@pytest.mark.postgres
def test_postgres_search_uses_nouns_so_particles_do_not_matter(lead_counsellor):
    article = services.article_save(
        by=lead_counsellor,
        question="가로등 고장 신고",
        answer="가로등 번호를 알려 주세요.",
        keywords="",
        review_date=timezone.localdate(),
    )
    assert [a.pk for a in search_articles("가로등이 고장났어요")] == [article.pk]


@pytest.mark.parametrize("page", ["callbacks", "console", "my_contacts"])
def test_lists_do_not_query_per_row(client, counsellor, citizen, page):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.callcenter.factories import TopicFactory

    user = citizen if page == "my_contacts" else counsellor
    client.force_login(user)

    def add(n):
        for _ in range(n):
            ClosedContactFactory(
                counsellor=counsellor,
                caller=citizen,
                topic=TopicFactory(),
                outcome="callback",
                callback_due_at=timezone.now(),
                callback_claimed_by=counsellor,
            )
            ContactFactory(counsellor=counsellor, channel="web_message", topic=TopicFactory())

    add(1)
    client.get(reverse(f"callcenter:{page}"))  # the layout's alerts in force are cached from here on
    with CaptureQueriesContext(connection) as one:
        client.get(reverse(f"callcenter:{page}"))
    add(8)
    with CaptureQueriesContext(connection) as many:
        client.get(reverse(f"callcenter:{page}"))
    assert len(many) == len(one)


def test_monitor_reads_articles_but_cannot_suggest(client, monitor):
    article = ArticleFactory()
    client.force_login(monitor)
    page = client.get(reverse("callcenter:kb_detail", args=[article.pk]))
    assert page.status_code == 200
    assert "Suggest an edit" not in page.content.decode()
    response = client.post(reverse("callcenter:kb_detail", args=[article.pk]), {"question": "q", "answer": "a"})
    assert response.status_code == 403
    assert ArticleSuggestion.objects.count() == 0
