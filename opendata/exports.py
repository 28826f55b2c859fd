"""Streamed CSV and JSON of a published table: rows are read with ``values_list().iterator()``
and written as they come, so memory stays the same for ten rows or ten million."""

import csv
import datetime as dt
import json
from decimal import Decimal

from django.http import StreamingHttpResponse

CHUNK = 2000


class _Line:
    """A file-like object whose write() hands back what it was given (for csv.writer)."""

    def write(self, value):
        return value


def _rows(spec):
    return spec.model.objects.order_by("pk").values_list(*spec.field_names).iterator(chunk_size=CHUNK)


def _cell(value):
    if value is None:
        return ""
    return value


def csv_lines(spec):
    """UTF-8 with a byte-order mark, so spreadsheet programs in Korea open the Hangul right."""
    writer = csv.writer(_Line())
    yield "\ufeff" + writer.writerow(spec.field_names)
    buffer = []
    for row in _rows(spec):
        buffer.append(writer.writerow([_cell(v) for v in row]))
        if len(buffer) >= CHUNK:
            yield "".join(buffer)
            buffer = []
    if buffer:
        yield "".join(buffer)


def _json_default(value):
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def json_chunks(spec, header: dict):
    """``{...header, "rows": [{field: value}, ...]}``, written row by row."""
    head = json.dumps(header, ensure_ascii=False, default=_json_default)
    yield head[:-1] + ', "rows": ['
    names = spec.field_names
    encode = json.JSONEncoder(ensure_ascii=False, default=_json_default).encode
    buffer = []
    first = True
    for row in _rows(spec):
        text = encode(dict(zip(names, row, strict=True)))
        buffer.append(text if first else "," + text)
        first = False
        if len(buffer) >= CHUNK:
            yield "".join(buffer)
            buffer = []
    buffer.append("]}")
    yield "".join(buffer)


def csv_response(spec):
    response = StreamingHttpResponse(csv_lines(spec), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{spec.slug}.csv"'
    return response


def json_response(spec, header):
    response = StreamingHttpResponse(json_chunks(spec, header), content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{spec.slug}.json"'
    return response
