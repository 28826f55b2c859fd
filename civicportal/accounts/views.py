from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_POST

from civicportal.accounts import geo, permissions, policy_texts, services
from civicportal.accounts.districts import locate
from civicportal.accounts.forms import MobileCodeForm, ProfileForm, SignUpForm
from civicportal.accounts.models import PolicyPage
from civicportal.errors import DomainError


@sensitive_post_parameters("password1", "password2")
def sign_up(request):
    if request.user.is_authenticated:
        return redirect("accounts:my_page")
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        user = services.citizen_sign_up(
            username=data["username"],
            email=data["email"],
            password=data["password1"],
            full_name=data["full_name"],
            preferred_language=(request.LANGUAGE_CODE or "ko")[:2],
        )
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, _("Welcome! Your account is ready."))
        return redirect("accounts:my_page")
    return render(request, "registration/sign_up.html", {"form": form})


# (role or None for everyone, URL name, label): the programs' own pages, by URL name only,
# so the kernel imports no program app.
MY_LINKS = [
    (None, "complaints:mine", gettext_lazy("My cases")),
    (None, "complaints:file", gettext_lazy("File a complaint or proposal")),
    (None, "proposals:mine", gettext_lazy("My policy proposals and drafts")),
    (None, "proposals:my_votes", gettext_lazy("Proposals I supported")),
    (None, "callcenter:my_contacts", gettext_lazy("My 120 contacts")),
    (None, "notifications:inbox", gettext_lazy("My notifications")),
]
WORK_LINKS = [
    ({"officer", "supervisor"}, "complaints:queue", gettext_lazy("My department's case queue")),
    ({"officer", "supervisor"}, "polls:queue", gettext_lazy("Polls to approve")),
    ({"officer", "supervisor"}, "polls:create", gettext_lazy("Create a poll")),
    ({"officer", "supervisor"}, "proposals:workspace", gettext_lazy("Proposals in review")),
    ({"evaluator"}, "proposals:evaluations", gettext_lazy("My evaluations to do")),
    ({"counsellor"}, "callcenter:console", gettext_lazy("Counsellor console")),
    ({"counsellor"}, "callcenter:callbacks", gettext_lazy("Callback queue")),
    ({"counsellor", "supervisor", "monitor"}, "callcenter:statistics", gettext_lazy("120 statistics")),
    ({"alert_author", "alert_approver"}, "alerts:manage", gettext_lazy("Emergency alerts")),
    ({"monitor", "administrator"}, "complaints:board", gettext_lazy("Monitoring board")),
    ({"monitor", "administrator"}, "complaints:report", gettext_lazy("Citizens' voice report")),
]


def _links(user):
    from django.urls import NoReverseMatch, reverse

    roles = permissions.roles_of(user)
    mine, work = [], []
    for _role, name, label in MY_LINKS:
        try:
            mine.append((reverse(name), label))
        except NoReverseMatch:
            continue
    for wanted, name, label in WORK_LINKS:
        if wanted & roles:
            try:
                work.append((reverse(name), label))
            except NoReverseMatch:
                continue
    return mine, work


@login_required
def my_page(request):
    profile = services.profile_for(request.user)
    form = ProfileForm(request.POST or None, instance=profile)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            user = request.user
            user.full_name = form.cleaned_data["full_name"]
            user.save(update_fields=["full_name"])
            fields = {name: form.cleaned_data[name] for name in ProfileForm.Meta.fields}
            services.profile_update(user=user, actor=user, **fields)
        messages.success(request, _("Your profile was saved."))
        return redirect("accounts:my_page")
    my_links, work_links = _links(request.user)
    context = {
        "form": form,
        "profile": profile,
        "code_form": MobileCodeForm(),
        "my_links": my_links,
        "work_links": work_links,
    }
    return render(request, "accounts/my_page.html", context)


@login_required
@require_POST
def mobile_send_code(request):
    try:
        services.mobile_send_code(user=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("We sent a code to your mobile. Enter it below within 5 minutes."))
    return redirect("accounts:my_page")


@login_required
@require_POST
def mobile_verify(request):
    form = MobileCodeForm(request.POST)
    if form.is_valid():
        try:
            services.mobile_verify(user=request.user, code=form.cleaned_data["code"])
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Your mobile number is verified."))
    else:
        messages.error(request, _("Enter the 6-digit code."))
    return redirect("accounts:my_page")


def _degrees(value, limit):
    try:
        number = Decimal((value or "").strip())
    except InvalidOperation:
        return None
    return number if number.is_finite() and -limit <= number <= limit else None


@require_GET
def district_lookup(request):
    """Where a position or a typed place is, for the map picker: ``{"district": {"code",
    "name"} or null, "dong": "", "outside": bool, "centre": [lat, lon] or null}``. With
    ``lat`` and ``lon`` the boundary that contains the position decides (``outside`` true
    outside Seoul); with ``place`` only, the district and dong it names, and a point to
    centre the map on. 400 for a position that is not one."""
    place = (request.GET.get("place") or "")[:200]
    has_position = bool(request.GET.get("lat") or request.GET.get("lon")) or not place.strip()
    lat = lon = None
    if has_position:
        lat, lon = _degrees(request.GET.get("lat"), 90), _degrees(request.GET.get("lon"), 180)
        if lat is None or lon is None:
            fields = {name: [_("Enter a valid position.")] for name, v in (("lat", lat), ("lon", lon)) if v is None}
            return JsonResponse(
                {"error": "invalid", "detail": _("Enter a valid position."), "fields": fields}, status=400
            )
    where = locate(lat=lat, lon=lon, text=place)
    district = where.district
    centre = None
    if district and not has_position:
        centre = geo.centre_of(geo.Place(district_code=district.code, dong=where.dong))
    return JsonResponse(
        {
            "district": {"code": district.code, "name": district.name} if district else None,
            "dong": where.dong,
            "dong_name": geo.dong_label(where.dong, get_language()),
            "outside": where.outside,
            "centre": list(centre) if centre else None,
        },
        json_dumps_params={"ensure_ascii": False},
    )


def policy_page(request, kind):
    """The terms of use or the privacy notice, as the administrator last wrote it."""
    page = PolicyPage.objects.filter(kind=kind).first() or PolicyPage(kind=kind, **policy_texts.PAGES[kind])
    return render(request, "accounts/policy_page.html", {"page": page})
