"""The sockets of 120 live counselling (protocol: docs/realtime.md, "120 live counselling").

``/ws/callcenter/chat/<id>/``: one conversation. The first message is ``join``; the reader's role
(citizen or counsellor) is decided then, because an anonymous citizen proves it with the token.
``/ws/callcenter/queue/``: the counsellors' live queue, a fresh snapshot after every change.
"""

from django.utils.translation import gettext as _

from callcenter.chat import selectors, services
from callcenter.chat.models import Conversation, Message
from civicportal.errors import DomainError
from civicportal.realtime.consumers import PortalJsonConsumer
from civicportal.realtime.db import database_work
from civicportal.realtime.publish import layer_slot

SESSION_TOKENS = "callcenter_chat_tokens"
CITIZEN, COUNSELLOR = Message.Sender.CITIZEN, Message.Sender.COUNSELLOR


def session_tokens(scope, conversation_id) -> list[str]:
    session = scope.get("session")
    if session is None:
        return []
    try:
        tokens = session.get(SESSION_TOKENS) or {}
    except Exception:  # noqa: BLE001 - an unreadable session is no session
        return []
    token = tokens.get(str(conversation_id))
    return [token] if token else []


class ConversationConsumer(PortalJsonConsumer):
    async def connect(self):
        self.conversation_id = self.scope["url_route"]["kwargs"]["conversation_id"]
        self.role = None
        self.groups_joined: list[str] = []
        # The seqs this socket has delivered: a message committed while a catch-up was read
        # arrives both in "joined" and as a push, and pushes of concurrent messages may come out
        # of order, so each seq is sent once whatever the order (the client sorts by seq).
        self.delivered: set[int] = set()
        self.seen_up_to = 0  # the client's "after": it has every message up to it
        # The conversation as it was joined: a message needs its id, name and contact; whether
        # it has ended or changed counsellor is checked by the database with each message.
        self.conversation = None
        await self.accept()

    # --- joining -------------------------------------------------------------------------------

    @database_work
    def _authorise(self, token):
        tokens = session_tokens(self.scope, self.conversation_id) + ([token] if isinstance(token, str) else [])
        return services.conversation_for(conversation_id=self.conversation_id, user=self.user, tokens=tokens)

    @database_work
    def _joined(self, after):
        conversation = services.get_conversation(self.conversation_id)
        if self.role == COUNSELLOR:
            services.counsellor_back(counsellor=self.user)
        return selectors.joined_payload(conversation, role=self.role, after=after)

    async def _join_group(self, group):
        async with layer_slot():
            await self.channel_layer.group_add(group, self.channel_name)
        self.groups_joined.append(group)

    async def on_join(self, content):
        after = content.get("after", 0)
        if isinstance(after, bool) or not isinstance(after, int) or after < 0:
            return await self.send_error("bad_message", _("“after” is the number of the last message seen."))
        if self.role is None:
            try:
                conversation, self.role = await self._authorise(content.get("token"))
                self.conversation = conversation
            except DomainError as refused:
                return await self.close(code=4404 if refused.status_code == 404 else 4403)
            await self._join_group(conversation.group)
            if self.role == COUNSELLOR:
                await self._join_group(conversation.staff_group)
                await self._join_group(services.presence_group(self.user))
            else:
                await self._join_group(services.WAITING_GROUP)
        joined = await self._joined(after)
        self.delivered.update(m["seq"] for m in joined.get("messages", ()))
        self.seen_up_to = max(self.seen_up_to, after)
        await self.send_json(joined)

    # --- messages from the reader ----------------------------------------------------------------

    async def receive_json(self, content, **kwargs):
        kind = content["type"]
        if kind == "join":
            return await self.on_join(content)
        if self.role is None:
            return await self.send_error("bad_message", _("Join the conversation first."))
        handler = {
            "message": self.on_message,
            "typing": self.on_typing,
            "read": self.on_read,
            "signal": self.on_signal,
            "end": self.on_end,
            "note": self.on_note,
        }.get(kind)
        if handler is None:
            return await self.send_error("bad_message", _("Unknown message type."))
        try:
            await handler(content)
        except DomainError as refused:
            await self.send_error(refused.code, refused.message)

    @database_work
    def _post(self, client_id, text):
        message, _created = services.message_post(
            conversation=self.conversation, role=self.role, user=self.user, client_id=client_id, text=text
        )
        return message.seq

    async def on_message(self, content):
        client_id, text = content.get("client_id"), content.get("text", "")
        seq = await self._post(client_id, text)
        await self.send_json({"type": "ack", "client_id": client_id, "seq": seq})

    async def relay(self, payload):
        """To the other side only; nothing is stored."""
        async with layer_slot():
            await self.channel_layer.group_send(
                f"callcenter.chat.{self.conversation_id}", {"type": "chat.relay", "from": self.role, "payload": payload}
            )

    async def on_typing(self, content):
        on = content.get("on")
        if not isinstance(on, bool):
            return await self.send_error("bad_message", _("“on” is true or false."))
        await self.relay({"type": "typing", "from": self.role, "on": on})

    @database_work
    def _media_kind(self):
        return services.get_conversation(self.conversation_id).is_media

    async def on_signal(self, content):
        data = content.get("data")
        if not isinstance(data, dict):
            return await self.send_error("bad_message", _("“data” is an object."))
        if not await self._media_kind():
            return await self.send_error("bad_message", _("Signals belong to video conversations."))
        await self.relay({"type": "signal", "from": self.role, "data": data})

    @database_work
    def _read(self, seq):
        return services.read_mark(conversation=services.get_conversation(self.conversation_id), role=self.role, seq=seq)

    async def on_read(self, content):
        await self._read(content.get("seq"))

    @database_work
    def _end(self):
        services.conversation_end(
            conversation=services.get_conversation(self.conversation_id), role=self.role, user=self.user
        )

    async def on_end(self, content):
        await self._end()

    @database_work
    def _note(self, text):
        services.note_add(conversation=services.get_conversation(self.conversation_id), by=self.user, text=text)

    async def on_note(self, content):
        if self.role != COUNSELLOR:
            return await self.send_error("forbidden", _("Only the centre's counsellors add notes."))
        await self._note(content.get("text", ""))

    # --- news from the group -------------------------------------------------------------------

    async def chat_relay(self, event):
        if event["from"] != self.role:
            await self.send_json(event["payload"])

    @database_work
    def _status_for_citizen(self):
        conversation = services.get_conversation(self.conversation_id)
        return conversation.status, selectors.status_payload(conversation)

    async def push(self, event):
        name = event["event"]
        if name == "message":
            seq = event["message"].get("seq")
            if seq in self.delivered or (seq or 0) <= self.seen_up_to:
                return
            self.delivered.add(seq)
            await self.send_json(event["message"])
        elif name == "read":
            await self.send_json({"type": "read", "from": event["from"], "seq": event["seq"]})
        elif name == "status":
            payload = {key: event[key] for key in ("status", "queue_position", "expected_wait_seconds", "counsellor")}
            await self.send_json({"type": "status", **payload})
        elif name == "note" and self.role == COUNSELLOR:
            await self.send_json(event["note"])
        elif name == "queue_changed" and self.role == CITIZEN:
            status, payload = await self._status_for_citizen()
            if status == Conversation.Status.WAITING:
                await self.send_json({"type": "status", **payload})
        elif name == "counsellor_left":
            await counsellor_here(self.user)

    async def disconnect(self, code):
        # Bounded like every channel-layer call: 2,000 sockets closing at once ran channels-redis
        # out of pooled connections ("Too many connections") and left them in the groups.
        for group in self.groups_joined:
            async with layer_slot():
                await self.channel_layer.group_discard(group, self.channel_name)
        if self.role == COUNSELLOR:
            await counsellor_socket_closed(self.channel_layer, self.user)


_here: dict[int, dict] = {}  # counsellors whose "still here" is being stored by this process


async def counsellor_here(user):
    """Answer "counsellor_left" for all of this process's sockets of the counsellor at once.

    A counsellor has a socket per conversation (up to 20): each one closing asked every other to
    store "still here", 20 x 19 updates of the same rows that queued before the messages. One
    runs at a time per counsellor; asks that come meanwhile run it once more afterwards (a
    "left" stored after the running one read the rows is cleared too)."""
    state = _here.get(user.pk)
    if state is not None:
        state["again"] = True
        return
    _here[user.pk] = state = {"again": True}
    try:
        while state["again"]:
            state["again"] = False
            await database_work(services.counsellor_back)(counsellor=user)
    finally:
        _here.pop(user.pk, None)


async def counsellor_socket_closed(layer, user):
    """Start the grace period of the counsellor's conversations, and ask any other socket of
    theirs still open to say they are here."""
    if await database_work(services.counsellor_left)(counsellor=user):
        async with layer_slot():
            await layer.group_send(services.presence_group(user), {"type": "push", "event": "counsellor_left"})


class QueueConsumer(PortalJsonConsumer):
    """The counsellors' live queue: a snapshot on connect and after every change."""

    async def connect(self):
        if not await database_work(self.user.has_perm)(services.WORK):
            await self.close(code=4401 if not self.user.is_authenticated else 4403)
            return
        async with layer_slot():
            await self.channel_layer.group_add(services.QUEUE_GROUP, self.channel_name)
            await self.channel_layer.group_add(services.presence_group(self.user), self.channel_name)
        self.joined = True
        await self.accept()
        await database_work(services.counsellor_back)(counsellor=self.user)
        await self.send_snapshot()

    async def disconnect(self, code):
        if not getattr(self, "joined", False):
            return
        async with layer_slot():
            await self.channel_layer.group_discard(services.QUEUE_GROUP, self.channel_name)
            await self.channel_layer.group_discard(services.presence_group(self.user), self.channel_name)
        await counsellor_socket_closed(self.channel_layer, self.user)

    async def send_snapshot(self):
        await self.send_json(await database_work(selectors.queue_snapshot)(self.user))

    async def receive_json(self, content, **kwargs):
        if content["type"] == "refresh":
            return await self.send_snapshot()
        if content["type"] == "accept":
            try:
                conversation = await database_work(self._accept)(content.get("id"))
            except DomainError as refused:
                return await self.send_error(refused.code, refused.message)
            return await self.send_json({"type": "accepted", "id": str(conversation.pk)})
        await self.send_error("bad_message", _("Unknown message type."))

    def _accept(self, conversation_id):
        conversation = services.get_conversation(conversation_id)
        return services.conversation_accept(conversation=conversation, counsellor=self.user)

    async def push(self, event):
        if event["event"] == "queue_changed":
            await self.send_snapshot()
        elif event["event"] == "counsellor_left":
            await counsellor_here(self.user)
