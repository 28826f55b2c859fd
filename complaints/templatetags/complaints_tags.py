from django import template

register = template.Library()


@register.filter
def get_item(mapping, key):
    """``{{ labels|get_item:row.kind }}``: the label of a choice value."""
    return mapping.get(key, key)
