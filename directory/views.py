"""The public directory: every department as a tree, a search, and a page per department."""

from django.shortcuts import render
from django.views.decorators.http import require_GET

from civicportal.dbrouting import reads_may_lag
from directory import selectors

MAX_QUERY = 100


@reads_may_lag
@require_GET
def index(request):
    query = request.GET.get("q", "").strip()[:MAX_QUERY]
    if query:
        context = {"query": query, "results": selectors.search(query)}
    else:
        context = {"query": "", "tree": selectors.LazyTree(), "version": selectors.directory_version()}
        context["tree_seconds"] = selectors.TREE_SECONDS
    return render(request, "directory/index.html", context)


@reads_may_lag
@require_GET
def department(request, code):
    entry = selectors.get_entry(code)
    context = {
        "entry": entry,
        "department": entry.department,
        # An inactive department above has no page: the breadcrumb skips it.
        "ancestors": [a for a in reversed(entry.department.ancestors()) if a.is_active],
        "roles": selectors.roles_in(entry.department),
    }
    return render(request, "directory/department.html", context)
