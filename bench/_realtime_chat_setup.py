"""Set-up of bench/realtime_chat.py: conversations started and accepted through the 120 services."""

import time

from django.conf import settings
from rest_framework.authtoken.models import Token

from callcenter.chat import services
from callcenter.chat.models import CounsellorSeat
from callcenter.models import Topic
from civicportal.accounts.models import Department, Role
from tests.factories import CitizenFactory, DepartmentFactory, officer_of

PER_COUNSELLOR = 20  # the largest capacity a seat may have


def accepted_conversations(count):
    """``count`` text conversations, each started by its own signed-in citizen and accepted by one
    of ``count / 20`` counsellors; returns (conversation id, citizen token, counsellor token) rows."""
    started = time.perf_counter()
    # The bench's accounts never sign in with a password: no slow hashing in the set-up.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    centre = DepartmentFactory(
        code="dasan-120-bench", name_ko="120다산콜재단", name_en="120 Dasan", kind=Department.Kind.CALL_CENTRE
    )
    topic, _ = Topic.objects.get_or_create(code="bench", defaults={"name_ko": "벤치", "name_en": "Bench"})
    counsellors = []
    for n in range(-(-count // PER_COUNSELLOR)):
        counsellor = officer_of(centre, username=f"bench_counsellor{n}", roles=(Role.COUNSELLOR,))
        CounsellorSeat.objects.create(counsellor=counsellor, capacity=PER_COUNSELLOR, languages="ko")
        counsellors.append((counsellor, Token.objects.create(user=counsellor).key))
    rows = []
    for n in range(count):
        citizen = CitizenFactory(username=f"bench_citizen{n}")
        conversation, _token = services.conversation_start(citizen=citizen, kind="text", language="ko", topic=topic)
        counsellor, counsellor_key = counsellors[n // PER_COUNSELLOR]
        services.conversation_accept(conversation=conversation, counsellor=counsellor)
        rows.append((str(conversation.pk), Token.objects.create(user=citizen).key, counsellor_key))
        if n and n % 250 == 0:
            print(f"  set-up: {n} conversations ({time.perf_counter() - started:.0f} s)", flush=True)
    return rows
