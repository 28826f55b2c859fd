import pytest
from django.urls import reverse

from tests.callcenter.factories import ArticleFactory, ClosedContactFactory, TopicFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "model", ["contact", "contactevent", "topic", "knowledgearticle", "articlesuggestion", "dailysummary"]
)
def test_admin_lists_open(client, administrator, model):
    ClosedContactFactory(topic=TopicFactory())
    ArticleFactory()
    client.force_login(administrator)
    assert client.get(reverse(f"admin:callcenter_{model}_changelist")).status_code == 200


def test_closed_contact_is_read_only_and_undeletable_in_admin(client, administrator):
    contact = ClosedContactFactory(answer="원래")
    client.force_login(administrator)
    page = client.get(reverse("admin:callcenter_contact_change", args=[contact.pk]))
    assert page.status_code == 200
    assert 'name="answer"' not in page.content.decode()
    assert (
        client.post(reverse("admin:callcenter_contact_delete", args=[contact.pk]), {"post": "yes"}).status_code == 403
    )
    contact.refresh_from_db()
    assert contact.answer == "원래"
