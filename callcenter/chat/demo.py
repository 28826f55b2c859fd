"""Demo content of 120 live counselling (idempotent): the interpreters' hours, the counsellors'
seats and one conversation waiting, so that the live queue shows something on a first start."""

import datetime as dt

from django.db import transaction

from callcenter.chat import services
from callcenter.chat.models import Conversation, CounsellorSeat, InterpreterHours
from callcenter.models import Topic
from civicportal.accounts.models import User

# Weekdays 09:00–18:00, as the 120 page says.
HOURS = [(weekday, dt.time(9, 0), dt.time(18, 0)) for weekday in range(5)]
SEATS = {
    "counsellor": (3, "ko,en", False),
    "counsellor_lead": (4, "ko,en,zh,ja,vi,mn", True),
}


@transaction.atomic
def load():
    if not InterpreterHours.objects.exists():
        InterpreterHours.objects.bulk_create(
            InterpreterHours(weekday=weekday, starts=starts, ends=ends) for weekday, starts, ends in HOURS
        )
    for username, (capacity, languages, sign_language) in SEATS.items():
        user = User.objects.filter(username=username).first()
        if user is not None:
            CounsellorSeat.objects.get_or_create(
                counsellor=user,
                defaults={"capacity": capacity, "languages": languages, "sign_language": sign_language},
            )
    topic = Topic.objects.filter(code="transport-parking").first()
    if topic is None or Conversation.objects.exists():
        return
    conversation, _token = services.conversation_start(
        citizen=None, kind="text", language="ko", topic=topic, name="방문 시민"
    )
    services.message_post(
        conversation=conversation,
        role="citizen",
        client_id="demo-1",
        text="집 앞에 며칠째 차가 세워져 있어요. 견인 요청은 어떻게 하나요?",
    )
