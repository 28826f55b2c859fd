"""GeoReport v2 answers: JSON or XML as the specification's examples give them.

``error_response()`` is the one place that writes an Open311 error: a list of
``code``/``description`` in JSON, ``<errors><error>...`` in XML. Everything that refuses a
request under ``/open311/v2/`` (a domain error, a bad method, an unknown URL or format, an
unreadable body) answers through it.
"""

import json
from xml.etree import ElementTree as ET

from django.http import HttpResponse

FORMATS = ("json", "xml")
# Exactly as in the specification's discovery example: some deployed clients compare the
# content type as a whole string. JSON is UTF-8 by definition (RFC 8259), and the XML
# declaration names its encoding, which RFC 7303 makes authoritative for text/xml.
CONTENT_TYPES = {"json": "application/json", "xml": "text/xml"}
XML_DECLARATION = '<?xml version="1.0" encoding="utf-8"?>\n'
# The element names of list items in XML, as in the specification's examples.
XML_ITEMS = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
}


def format_of(path: str) -> str:
    """The format a URL asks for: XML when it ends in ``.xml``, JSON otherwise."""
    return "xml" if path.lower().endswith(".xml") else "json"


def _append(parent, tag, value):
    if value is None:
        return None  # absent, not empty: the specification types these fields
    node = ET.SubElement(parent, tag)
    if isinstance(value, dict):
        for key, child in value.items():
            _append(node, key, child)
    elif isinstance(value, list):
        for element in value:
            _append(node, XML_ITEMS.get(tag, tag.removesuffix("s")), element)
    elif isinstance(value, bool):
        node.text = "true" if value else "false"
    else:
        node.text = str(value)
    return node


def to_xml(root: str, data) -> str:
    """``data`` (a list of items, or one object) under the element ``root``."""
    holder = ET.Element("holder")
    node = _append(holder, root, data)
    return XML_DECLARATION + ET.tostring(node, encoding="unicode")


def render(fmt: str, data, *, root: str, status: int = 200, headers=None) -> HttpResponse:
    """``data`` in ``fmt``; ``root`` is the XML root element (``service_requests``, ...)."""
    if fmt == "xml":
        body = to_xml(root, data)
    else:
        body = json.dumps(data, ensure_ascii=False)
    return HttpResponse(body.encode(), content_type=CONTENT_TYPES[fmt], status=status, headers=headers)


def error_response(fmt: str, status: int, description: str, *, headers=None) -> HttpResponse:
    """The specification's error answer: ``[{"code": status, "description": ...}]``.

    ``fmt`` other than ``xml`` answers JSON (an unknown format has no format of its own)."""
    fmt = fmt if fmt in FORMATS else "json"
    return render(
        fmt, [{"code": status, "description": str(description)}], root="errors", status=status, headers=headers
    )
