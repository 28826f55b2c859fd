"""The DCAT-AP catalogue as JSON-LD, with its @context inline so that a harvester (CKAN's
DCAT extension, data.go.kr) and any JSON-LD parser read it without fetching anything."""

from django.conf import settings
from django.urls import reverse

from opendata.datasets import LICENSES, SPECS

CONTEXT = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "dct:modified": {"@type": "xsd:dateTime"},
    "dct:issued": {"@type": "xsd:dateTime"},
    "dct:license": {"@type": "@id"},
    "dcat:downloadURL": {"@type": "@id"},
    "dcat:accessURL": {"@type": "@id"},
    "dcat:landingPage": {"@type": "@id"},
    "dcat:mediaType": {"@type": "@id"},
    "dct:conformsTo": {"@type": "@id"},
    "dcat:dataset": {"@container": "@set"},
    "dcat:distribution": {"@container": "@set"},
}

MEDIA_TYPES = {
    "csv": ("https://www.iana.org/assignments/media-types/text/csv", "CSV"),
    "json": ("https://www.iana.org/assignments/media-types/application/json", "JSON"),
}


def _text(ko, en):
    return [{"@value": ko, "@language": "ko"}, {"@value": en, "@language": "en"}]


def _time(moment):
    return moment.isoformat() if moment else None


def catalog_document(datasets: dict) -> dict:
    """``datasets``: {slug: Dataset row or None}."""
    site = settings.SITE_URL.rstrip("/")
    licence = LICENSES[settings.OPENDATA_LICENSE]["url"]
    publisher = {
        "@id": f"{site}/#publisher",
        "@type": "foaf:Agent",
        "foaf:name": _text("서울특별시", "Seoul Metropolitan Government"),
        "foaf:homepage": {"@id": f"{site}/"},
    }
    entries = []
    modified = [row.refreshed_at for row in datasets.values() if row and row.refreshed_at]
    for slug, spec in SPECS.items():
        row = datasets.get(slug)
        landing = site + reverse("opendata:dataset", args=[slug])
        distributions = []
        for fmt, (media_type, label) in MEDIA_TYPES.items():
            url = site + reverse(f"opendata:download_{fmt}", args=[slug])
            distributions.append(
                {
                    "@id": url,
                    "@type": "dcat:Distribution",
                    "dct:title": _text(f"{spec.title_ko} ({label})", f"{spec.title_en} ({label})"),
                    "dcat:downloadURL": url,
                    "dcat:accessURL": landing,
                    "dcat:mediaType": media_type,
                    "dct:format": label,
                    "dct:license": licence,
                    **({"dct:modified": _time(row.refreshed_at)} if row and row.refreshed_at else {}),
                }
            )
        entry = {
            "@id": landing,
            "@type": "dcat:Dataset",
            "dct:identifier": slug,
            "dct:title": _text(spec.title_ko, spec.title_en),
            "dct:description": _text(spec.description_ko, spec.description_en),
            "dcat:keyword": [{"@value": k, "@language": "ko"} for k in spec.keywords_ko]
            + [{"@value": k, "@language": "en"} for k in spec.keywords_en],
            "dct:publisher": {"@id": publisher["@id"]},
            "dct:license": licence,
            "dct:language": [{"@id": "http://publications.europa.eu/resource/authority/language/KOR"}],
            "dct:spatial": {"@id": "https://sws.geonames.org/1835848/"},
            "dcat:landingPage": landing,
            "dcat:contactPoint": {
                "@type": "vcard:Organization",
                "vcard:fn": "서울특별시 / Seoul Metropolitan Government",
                "vcard:hasURL": {"@id": f"{site}/"},
            },
            "dcat:distribution": distributions,
        }
        if row and row.refreshed_at:
            entry["dct:modified"] = _time(row.refreshed_at)
        entries.append(entry)
    document = {
        "@context": CONTEXT,
        "@id": site + reverse("opendata:catalog"),
        "@type": "dcat:Catalog",
        "dct:title": _text("서울시 시민참여 포털 공공데이터", "Seoul civic portal open data"),
        "dct:description": _text(
            "응답소, 120다산콜, 엠보팅, 천만상상 오아시스의 공공데이터입니다.",
            "Open data of Eung-Dap-So, 120 Dasan, mVoting and Oasis.",
        ),
        "dct:publisher": publisher,
        "dct:license": licence,
        "foaf:homepage": {"@id": site + reverse("opendata:index")},
        "dcat:dataset": entries,
    }
    if modified:
        document["dct:modified"] = _time(max(modified))
    return document
