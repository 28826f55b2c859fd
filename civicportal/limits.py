"""How long each free-text field may be, in characters: the one place the limits are set.

Every door (form, API, Open311, the 120 console, admin) refuses a longer text with the same
message naming the limit, because the services check with ``check_length`` before anything
is written; models carry the same numbers as ``max_length`` so forms show ``maxlength`` and
the OpenAPI schema documents them. Titles are refused, never cut. docs/limits.md lists them.

Characters, not bytes: one Hangul syllable counts as one.
"""

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from civicportal.errors import DomainError

# Short single lines
TITLE = 200  # case, proposal, themed call, published example
PLACE = 200  # a place typed as text ("마포구 합정역 사거리")
KEYWORDS = 300  # knowledge-base keywords
QUESTION = 300  # poll question, knowledge-base and FAQ question
POLL_OPTION = 200
ALERT_EVENT = 100  # CAP <event>, e.g. "호우 경보"
ALERT_HEADLINE = 160  # CAP recommends a headline short enough for a text message

# Running text
CASE_TEXT_DEFAULT = 4_000  # GeoReport v2 limits a request's description to 4,000 characters
ANSWER = 8_000  # an officer's answer to a case, a knowledge-base answer
NOTE = 2_000  # internal notes, transfer reasons, reasons for a decision, revision notes
COMMENT = 2_000  # rating and satisfaction comments, comments on proposals
PROPOSAL_SECTION = 4_000  # each of a proposal's problem / idea / expected effect
DESCRIPTION = 4_000  # a poll's or a themed call's description
REVIEW = 4_000  # an evaluation, each part of a department's decision, a progress update
CONTACT_TEXT = 4_000  # a 120 contact's question and the answer given
SMS_TEXT = 1_000  # a 120 SMS/MMS (the carriers' LMS limit), chat and social messages
ALERT_DESCRIPTION = 2_000
ALERT_INSTRUCTION = 1_000


def case_text() -> int:
    """A case's text; a city may choose another number with ``CASE_TEXT_MAX_CHARS``."""
    return getattr(settings, "CASE_TEXT_MAX_CHARS", CASE_TEXT_DEFAULT)


class TooLong(DomainError):
    """A text is longer than its limit. Nothing was written."""

    code = "too_long"


def check_length(value, limit: int, *, field: str, label=None):
    """Return ``value`` unchanged, or raise ``TooLong`` naming the limit when it is longer."""
    if value and len(value) > limit:
        params = {"limit": f"{limit:,}", "length": f"{len(value):,}"}
        if label:
            message = _("%(label)s: at most %(limit)s characters (this has %(length)s).") % {
                **params,
                "label": capfirst(str(label)),
            }
        else:
            message = _("At most %(limit)s characters (this has %(length)s).") % params
        raise TooLong(message, field=field)
    return value


def check_lengths(values: dict, limits: dict, labels: dict | None = None) -> None:
    """``check_length`` for each field of ``values`` that ``limits`` names."""
    for field, limit in limits.items():
        check_length(values.get(field), limit, field=field, label=(labels or {}).get(field))


def check_field(model, name: str, value, *, limit: int | None = None, field: str | None = None):
    """``check_length`` against the model field's ``max_length`` (or ``limit``), labelled with
    the field's name: ``Proposal``, ``"title"`` -> "Title: at most 200 characters (this has 201)."""
    model_field = model._meta.get_field(name)
    return check_length(
        value,
        limit or model_field.max_length,
        field=field or name,
        label=capfirst(model_field.verbose_name),
    )


def check_model_fields(model, values: dict) -> None:
    """``check_field`` for every text in ``values`` whose key is a field of ``model`` with a
    ``max_length``: a service calls it with what it is about to write."""
    for name, value in values.items():
        if not isinstance(value, str):
            continue
        try:
            model_field = model._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        if getattr(model_field, "max_length", None):
            check_field(model, name, value.strip())


def bind_form(form_class, model, fields=None) -> None:
    """Give each text field of ``form_class`` named like a field of ``model`` that field's
    ``max_length``: the form refuses longer text and the browser shows ``maxlength``."""
    from django import forms
    from django.core.validators import MaxLengthValidator

    for name, form_field in form_class.base_fields.items():
        if not isinstance(form_field, forms.CharField) or (fields and name not in fields):
            continue
        try:
            limit = getattr(model._meta.get_field(name), "max_length", None)
        except FieldDoesNotExist:
            continue
        if limit:
            form_field.max_length = limit
            form_field.validators = [v for v in form_field.validators if not isinstance(v, MaxLengthValidator)]
            form_field.validators.append(MaxLengthValidator(limit))
            form_field.widget.attrs["maxlength"] = str(limit)


def bind_serializer(serializer_class, model, fields=None) -> None:
    """The same for a DRF serializer's declared text fields: refused over the limit, and the
    OpenAPI schema documents ``maxLength``."""
    from rest_framework import serializers

    for name, field in list(serializer_class._declared_fields.items()):
        if not isinstance(field, serializers.CharField) or field.read_only or (fields and name not in fields):
            continue
        try:
            limit = getattr(model._meta.get_field(field.source or name), "max_length", None)
        except FieldDoesNotExist:
            continue
        if limit:
            # DRF copies a declared field by calling its class again with the same arguments.
            kwargs = {**field._kwargs, "max_length": limit}
            serializer_class._declared_fields[name] = type(field)(*field._args, **kwargs)
