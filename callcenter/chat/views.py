"""Pages of 120 live counselling: thin; the rules are in services."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from callcenter.chat import selectors, services
from callcenter.chat.consumers import SESSION_TOKENS
from callcenter.chat.forms import (
    LeaveMessageForm,
    LeaveNewMessageForm,
    SeatForm,
    StartForm,
    TranscriptForm,
    TransferForm,
)
from callcenter.chat.models import Conversation, CounsellorSeat, Message
from callcenter.models import KnowledgeArticle
from callcenter.search import search_articles
from civicportal.accounts.models import Department, Role
from civicportal.errors import DomainError
from civicportal.throttling import address_allowed

TOKEN_HEADER = "HTTP_X_CONVERSATION_TOKEN"


def _form_error(form, exc: DomainError):
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


def request_tokens(request, pk) -> list[str]:
    """The anonymous citizen's token: kept by the browser session that started the
    conversation, or sent by an app in the ``X-Conversation-Token`` header."""
    tokens = [request.session.get(SESSION_TOKENS, {}).get(str(pk), "")]
    tokens.append(request.META.get(TOKEN_HEADER, ""))
    return [token for token in tokens if token]


def conversation_for_request(request, pk):
    try:
        return services.conversation_for(conversation_id=pk, user=request.user, tokens=request_tokens(request, pk))
    except DomainError:
        raise Http404 from None


def remember_token(request, conversation, token):
    if token:
        tokens = dict(request.session.get(SESSION_TOKENS, {}))
        tokens[str(conversation.pk)] = token
        request.session[SESSION_TOKENS] = tokens


def _require_work(request):
    if not request.user.has_perm(services.WORK):
        raise PermissionDenied


# --- Citizens ---------------------------------------------------------------------------------


def start(request):
    """Choose the topic, the kind and the language, and join the queue."""
    anonymous = not request.user.is_authenticated
    form = StartForm(request.POST or None, anonymous=anonymous)
    status = 200
    if request.method == "POST":
        status = 400
        if not address_allowed(request, "chat_start"):
            form.add_error(None, _("Too many conversations started from here. Try again later."))
            status = 429
        elif form.is_valid():
            data = form.cleaned_data
            try:
                conversation, token = services.conversation_start(
                    citizen=request.user,
                    kind=data["kind"],
                    language=data["language"],
                    topic=data["topic"],
                    name=data.get("name", ""),
                    phone=data.get("phone", ""),
                    sms_consent=data.get("sms_consent") or None,
                )
            except DomainError as exc:
                _form_error(form, exc)
                status = exc.status_code
            else:
                remember_token(request, conversation, token)
                return redirect("callcenter_chat:conversation", conversation.pk)
    context = {
        "form": form,
        "hours": selectors.interpreter_hours(),
        "on_duty": selectors.interpreters_on_duty(),
    }
    return render(request, "callcenter/chat/start.html", context, status=status)


def conversation(request, pk):
    """The citizen's chat page; a counsellor is sent to their workspace."""
    conversation, role = conversation_for_request(request, pk)
    if role == Message.Sender.COUNSELLOR:
        return redirect("callcenter_chat:work", pk)
    context = {
        "conversation": conversation,
        "state": selectors.conversation_state(conversation),
        "role": role,
        "answer_seconds": settings.CALLCENTER_CHAT_ANSWER_SECONDS,
        "transcript_form": TranscriptForm(),
    }
    response = render(request, "callcenter/chat/conversation.html", context)
    response["Cache-Control"] = "private, no-store"
    return response


def leave_message(request, pk=None):
    """Leave a message instead of waiting (from a waiting conversation, or on its own)."""
    conversation = None
    if pk is not None:
        conversation, role = conversation_for_request(request, pk)
        if role != Message.Sender.CITIZEN:
            raise Http404
    anonymous = not request.user.is_authenticated
    if conversation is None:
        form = LeaveNewMessageForm(request.POST or None, ask_phone=anonymous)
    else:
        form = LeaveMessageForm(request.POST or None, ask_phone=anonymous and not conversation.contact.may_be_texted)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                contact = services.message_leave(
                    citizen=request.user,
                    conversation=conversation,
                    text=data["message_text"],
                    language=data.get("language", conversation.language if conversation else "ko"),
                    topic=data.get("topic"),
                    name=data.get("name", ""),
                    phone=data.get("phone", ""),
                    sms_consent=data.get("sms_consent") or None,
                )
            except DomainError as exc:
                _form_error(form, exc)
                status = exc.status_code
            else:
                messages.success(request, _("Your message was sent. A counsellor will answer it."))
                if contact.caller_id:
                    return redirect("callcenter:contact_detail", contact.pk)
                return redirect("callcenter:index")
    context = {"form": form, "conversation": conversation}
    return render(request, "callcenter/chat/leave_message.html", context, status=status)


@require_POST
def transcript(request, pk):
    conversation, role = conversation_for_request(request, pk)
    form = TranscriptForm(request.POST)
    if form.is_valid():
        try:
            services.transcript_send(
                conversation=conversation, role=role, user=request.user, channel=form.cleaned_data["channel"]
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("The transcript is on its way."))
    return redirect("callcenter_chat:conversation", pk)


@require_POST
def upload_image(request, pk):
    """An image into the conversation (through the image cleaner); it arrives as a ``message``."""
    conversation, role = conversation_for_request(request, pk)
    if not address_allowed(request, "chat_image"):
        return JsonResponse({"error": "throttled", "detail": _("Too many images. Wait a moment.")}, status=429)
    upload = request.FILES.get("image")
    if upload is None:
        return JsonResponse({"error": "empty", "detail": _("Choose an image.")}, status=400)
    try:
        message, _created = services.message_post(
            conversation=conversation,
            role=role,
            user=request.user,
            client_id=request.POST.get("client_id", ""),
            text=request.POST.get("text", ""),
            image=upload,
        )
    except DomainError as exc:
        return JsonResponse({"error": exc.code, "detail": exc.message}, status=exc.status_code)
    return JsonResponse(selectors.message_payload(message, conversation), status=201)


def image(request, pk, seq):
    conversation, _role = conversation_for_request(request, pk)
    message = Message.objects.filter(conversation=conversation, seq=seq).exclude(image="").first()
    if message is None:
        raise Http404
    response = FileResponse(message.image.open("rb"))
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- Counsellors ------------------------------------------------------------------------------


@login_required
def live(request):
    """The live queue: waiting conversations by queue, pushed over /ws/callcenter/queue/."""
    _require_work(request)
    snapshot = selectors.queue_snapshot(request.user)
    return render(request, "callcenter/chat/live.html", {"snapshot": snapshot})


@login_required
@require_POST
def accept(request, pk):
    _require_work(request)
    conversation = get_object_or_404(Conversation, pk=pk)
    try:
        services.conversation_accept(conversation=conversation, counsellor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("callcenter_chat:live")
    return redirect("callcenter_chat:work", pk)


def _colleagues(user):
    return (
        get_user_model()
        .objects.filter(
            groups__name=Role.COUNSELLOR,
            memberships__department__kind=Department.Kind.CALL_CENTRE,
            is_active=True,
        )
        .exclude(pk=user.pk)
        .distinct()
        .order_by("full_name", "username")
    )


@login_required
def work(request, pk):
    """The counsellor's workspace: the conversation beside the knowledge base and notes."""
    _require_work(request)
    conversation = get_object_or_404(
        Conversation.objects.select_related("contact__topic", "counsellor", "citizen"), pk=pk
    )
    context = {
        "conversation": conversation,
        "state": selectors.conversation_state(conversation),
        "mine": conversation.counsellor_id == request.user.pk,
        "transfer_form": TransferForm(colleagues=_colleagues(request.user)),
    }
    response = render(request, "callcenter/chat/work.html", context)
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def transfer(request, pk):
    _require_work(request)
    conversation = get_object_or_404(Conversation, pk=pk)
    form = TransferForm(request.POST, colleagues=_colleagues(request.user))
    if not form.is_valid():
        messages.error(request, _("Choose a colleague or a queue."))
        return redirect("callcenter_chat:work", pk)
    try:
        services.conversation_transfer(
            conversation=conversation,
            by=request.user,
            to_counsellor=form.cleaned_data["to_counsellor"],
            to_queue=form.cleaned_data["to_queue"],
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("callcenter_chat:work", pk)
    messages.success(request, _("The conversation was transferred."))
    return redirect("callcenter_chat:live")


@login_required
def kb(request, pk):
    """Knowledge-base results with a one-step "send to the citizen" button (htmx partial)."""
    _require_work(request)
    query = request.GET.get("q", "")
    context = {"articles": search_articles(query), "query": query, "conversation_id": pk}
    return render(request, "callcenter/chat/_kb_answer.html", context)


@login_required
@require_POST
def send_article(request, pk):
    _require_work(request)
    conversation = get_object_or_404(Conversation, pk=pk)
    article = get_object_or_404(KnowledgeArticle.objects.published(), pk=request.POST.get("article") or 0)
    try:
        message = services.message_post_article(
            conversation=conversation, user=request.user, client_id=request.POST.get("client_id", ""), article=article
        )
    except DomainError as exc:
        return JsonResponse({"error": exc.code, "detail": exc.message}, status=exc.status_code)
    return JsonResponse(selectors.message_payload(message, conversation), status=201)


@login_required
def seats(request):
    """The head of the centre sets each counsellor's capacity and skills."""
    if not request.user.has_perm("callcenter_chat.manage_seats"):
        raise PermissionDenied
    counsellors = list(_colleagues(request.user)) + [request.user]
    existing = {seat.counsellor_id: seat for seat in CounsellorSeat.objects.filter(counsellor__in=counsellors)}
    rows = []
    for counsellor in sorted(counsellors, key=lambda u: u.get_full_name()):
        seat = existing.get(counsellor.pk) or CounsellorSeat(counsellor=counsellor)
        initial = {
            "capacity": seat.capacity,
            "languages": sorted(seat.language_codes),
            "sign_language": seat.sign_language,
        }
        bound = request.method == "POST" and request.POST.get("counsellor") == str(counsellor.pk)
        form = SeatForm(request.POST if bound else None, initial=initial, prefix=f"seat{counsellor.pk}")
        if bound and form.is_valid():
            try:
                services.seat_save(
                    by=request.user,
                    counsellor=counsellor,
                    capacity=form.cleaned_data["capacity"],
                    languages=form.cleaned_data["languages"],
                    sign_language=form.cleaned_data["sign_language"],
                )
            except DomainError as exc:
                _form_error(form, exc)
            else:
                messages.success(request, _("Saved: %(name)s.") % {"name": counsellor.get_full_name()})
                return redirect(reverse("callcenter_chat:seats"))
        rows.append((counsellor, form))
    return render(request, "callcenter/chat/seats.html", {"rows": rows})
