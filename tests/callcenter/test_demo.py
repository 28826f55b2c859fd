import pytest

from callcenter import demo
from callcenter.models import Contact, KnowledgeArticle, Topic
from civicportal.accounts import demo as kernel_demo

pytestmark = pytest.mark.django_db


def test_demo_loads_twice_to_the_same_data():
    kernel_demo.load_all()
    demo.load()
    counts = (Topic.objects.count(), KnowledgeArticle.objects.count(), Contact.objects.count())
    demo.load()
    assert (Topic.objects.count(), KnowledgeArticle.objects.count(), Contact.objects.count()) == counts
    assert counts[2] == 6
    assert KnowledgeArticle.objects.exclude(search_nouns="").count() == counts[1]
