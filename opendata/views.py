"""Public pages of open data: the catalogue, a dataset's page and downloads, the DCAT
catalogue and the dashboard. Nothing here needs an account."""

import json

from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from civicportal.dbrouting import reads_may_lag
from civicportal.throttling import address_allowed
from opendata import catalog, exports, selectors
from opendata.datasets import get_spec, license_info
from opendata.map import classes, colour_of, shapes
from opendata.models import Dataset

DOWNLOAD_SCOPE = "opendata_download"


def _spec(slug):
    spec = get_spec(slug)
    if spec is None:
        raise Http404
    return spec


def _too_many():
    return HttpResponse(_("Too many downloads from your address; try again in a minute."), status=429)


@reads_may_lag
@require_GET
def index(request):
    return render(request, "opendata/index.html", {"datasets": selectors.catalogue(), "license": license_info()})


@reads_may_lag
@require_GET
def dataset(request, slug):
    spec = _spec(slug)
    row = Dataset.objects.filter(slug=slug).first()
    return render(request, "opendata/dataset.html", {"spec": spec, "row": row, "license": license_info()})


def _header(spec, row):
    return {
        "dataset": spec.slug,
        "title": {"ko": spec.title_ko, "en": spec.title_en},
        "license": license_info("en")["url"],
        "refreshed_at": row.refreshed_at.isoformat() if row and row.refreshed_at else None,
        "fields": [{"name": f.name, "type": f.type, "ko": f.ko, "en": f.en} for f in spec.fields],
    }


@reads_may_lag
@require_GET
def download_csv(request, slug):
    spec = _spec(slug)
    if not address_allowed(request, DOWNLOAD_SCOPE):
        return _too_many()
    return exports.csv_response(spec)


@reads_may_lag
@require_GET
def download_json(request, slug):
    spec = _spec(slug)
    if not address_allowed(request, DOWNLOAD_SCOPE):
        return _too_many()
    return exports.json_response(spec, _header(spec, Dataset.objects.filter(slug=slug).first()))


@reads_may_lag
@require_GET
def dictionary(request, slug):
    spec = _spec(slug)
    return JsonResponse(
        _header(spec, Dataset.objects.filter(slug=slug).first()), json_dumps_params={"ensure_ascii": False}
    )


@reads_may_lag
@require_GET
def catalog_jsonld(request):
    document = catalog.catalog_document(selectors.dataset_rows())
    return HttpResponse(
        json.dumps(document, ensure_ascii=False, indent=1), content_type="application/ld+json; charset=utf-8"
    )


def _bars(pairs):
    """[(label, value, bar width in % of the largest)] for the SVG bar charts."""
    top = max((value for _label, value in pairs), default=0) or 1
    return [(label, value, round(100 * value / top, 1)) for label, value in pairs]


@reads_may_lag
@require_GET
def dashboard(request):
    measure = "time" if request.GET.get("measure") == "time" else "count"
    districts = selectors.cases_by_district()
    paths, height = shapes()
    value_key = "hours" if measure == "time" else "count"
    bands = classes([row[value_key] for row in districts.values()])
    names = selectors.district_names()
    areas = []
    for code, name, d, (x, y) in paths:
        row = districts.get(code, {})
        value = row.get(value_key)
        colour, number = colour_of(value, bands)
        areas.append(
            {
                "code": code,
                "name": names.get(code, name),
                "d": d,
                "x": x,
                "y": y,
                "colour": colour,
                "band": number,
                "value": value,
                "dark": (number or 0) >= 4,
            }
        )
    channel_labels, language_labels = _contact_labels()
    context = {
        "measure": measure,
        "areas": areas,
        "map_height": height,
        "legend": [(i, low, high, colour) for i, (low, high, colour) in enumerate(bands, start=1)],
        "district_rows": sorted((area for area in areas if area["value"] is not None), key=lambda a: -a["value"]),
        "months": _bars([(month.strftime("%Y-%m"), n) for month, n in selectors.cases_by_month()]),
        "categories": _bars(selectors.top_categories()),
        "channels": _bars([(channel_labels.get(k, k), n) for k, n in selectors.contacts_by("channel")]),
        "languages": _bars([(language_labels.get(k, k), n) for k, n in selectors.contacts_by("language")]),
        "datasets": selectors.dataset_rows(),
    }
    return render(request, "opendata/dashboard.html", context)


def _contact_labels():
    from callcenter.models import Contact

    return dict(Contact.Channel.choices), dict(Contact.Language.choices)
