from django import template

register = template.Library()


@register.filter
def get_item(mapping, key):
    """``{{ labels|get_item:row.kind }}``: the label of a choice value."""
    return mapping.get(key, key)


@register.filter
def hours(duration):
    """A timedelta as hours with one decimal ("26.5"); "—" when there is none."""
    if duration is None or duration == "":
        return "—"
    return f"{duration.total_seconds() / 3600:.1f}"


@register.filter
def duration(value):
    """A timedelta in words of the page's language ("3시간 20분", "2 days 4 hours"): the
    largest two units, and "under a minute" rather than "0.0 hours"."""
    from django.utils.translation import gettext, ngettext

    if value is None or value == "":
        return "—"
    minutes = int(value.total_seconds() // 60)
    if minutes < 1:
        return gettext("under a minute")
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = []
    if days:
        parts.append(ngettext("%(n)d day", "%(n)d days", days) % {"n": days})
    if hours:
        parts.append(ngettext("%(n)d hour", "%(n)d hours", hours) % {"n": hours})
    if minutes and not days:
        parts.append(ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes})
    return " ".join(parts)
