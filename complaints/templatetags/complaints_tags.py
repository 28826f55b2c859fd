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
