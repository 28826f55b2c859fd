from datetime import timedelta

import factory
from django.utils import timezone

from polls.models import Poll, PollOption
from tests.factories import DepartmentFactory, UserFactory


class PollFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Poll
        skip_postgeneration_save = True

    department = factory.SubFactory(DepartmentFactory, code="parking")
    created_by = factory.SubFactory(UserFactory)
    question = factory.Sequence(lambda n: f"Question {n}?")
    opens_at = factory.LazyFunction(lambda: timezone.now() - timedelta(hours=1))
    closes_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=3))

    @factory.post_generation
    def options(self, create, extracted, **kwargs):
        if not create:
            return
        for i, text in enumerate(extracted or ["Yes", "No", "Maybe"]):
            PollOption.objects.create(poll=self, text=text, position=i)

    @factory.post_generation
    def districts(self, create, extracted, **kwargs):
        if create and extracted:
            self.districts.set(extracted)
