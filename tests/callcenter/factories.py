import datetime as dt

import factory
from django.utils import timezone

from callcenter.models import Contact, KnowledgeArticle, Topic


class TopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Topic
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"topic-{n}")
    name_ko = factory.Sequence(lambda n: f"주제{n}")
    name_en = factory.Sequence(lambda n: f"Topic {n}")


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    channel = Contact.Channel.VOICE
    language = Contact.Language.KOREAN
    question = "불법 주차 신고는 어떻게 하나요?"
    started_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(minutes=5))


class ClosedContactFactory(ContactFactory):
    ended_at = factory.LazyAttribute(lambda c: c.started_at + dt.timedelta(minutes=3))
    duration_seconds = 180
    outcome = Contact.Outcome.ANSWERED
    status = Contact.Status.CLOSED
    answer = "120 앱이나 안전신문고로 신고하세요."


class ArticleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = KnowledgeArticle

    question = "불법 주차 신고 방법"
    answer = "안전신문고 앱으로 사진 두 장을 찍어 신고합니다."
    keywords = "주차, 신고"
    review_date = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=90))
