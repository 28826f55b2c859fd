from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from civicportal.accounts import permissions

# (roles, URL name, label): where staff work, linked from every page's header. The
# programs' pages are named by URL only, so the kernel imports no program app.
HEADER_WORK_LINKS = [
    ({"officer", "supervisor"}, "complaints:queue", _("My queue")),
    ({"counsellor"}, "callcenter:console", _("Counsellor console")),
    ({"evaluator"}, "proposals:evaluations", _("My evaluations to do")),
    ({"monitor", "administrator"}, "complaints:board", _("Monitoring board")),
]


def work_links(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    roles = permissions.roles_of(user)
    links = []
    for wanted, name, label in HEADER_WORK_LINKS:
        if wanted & roles:
            try:
                links.append((reverse(name), label))
            except NoReverseMatch:
                continue
    return {"header_work_links": links}
