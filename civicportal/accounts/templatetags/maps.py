"""``{% map_picker %}``: the one location picker every form with a position uses."""

import re

from django import template
from django.conf import settings

register = template.Library()


@register.inclusion_tag("includes/map_picker.html")
def map_picker(lat, lon, radius="", radius_scale=1, show_map=True):
    """A map (when tiles are configured), "use my position", "clear" and a live status for
    the latitude/longitude inputs with ids ``lat`` and ``lon``. The inputs stay the way to
    type a position; the picker only fills them. ``radius`` is the id of an input whose
    value times ``radius_scale`` is a radius in metres, drawn as a circle."""
    return {
        "lat": lat,
        "lon": lon,
        "radius": radius,
        "radius_scale": radius_scale,
        "tile_url": settings.MAP_TILE_URL if show_map else "",
        "tile_attribution": settings.MAP_TILE_ATTRIBUTION,
        "center": ",".join(str(degrees) for degrees in settings.MAP_CENTER),
        "zoom": settings.MAP_ZOOM,
    }


_COORDINATE = re.compile(r"(?:\w+_)?(?:lat|lon)")


class CoordinateGroup:
    """The latitude/longitude fields of a form, shown together behind a disclosure."""

    is_coordinates = True

    def __init__(self):
        self.fields = []

    @property
    def open(self):
        return any(field.errors for field in self.fields)


@register.filter
def fold_coordinates(fields):
    """The fields in order, with the latitude/longitude inputs (``lat``, ``lon``,
    ``center_lat``...) gathered into one group where the first of them stood: citizens see
    the place field and the map first, the coordinates are a fallback (includes/fields.html)."""
    items, group = [], None
    for field in fields:
        if _COORDINATE.fullmatch(getattr(field, "name", "")):
            if group is None:
                group = CoordinateGroup()
                items.append(group)
            group.fields.append(field)
        else:
            items.append(field)
    return items


@register.filter
def dong_name(name):
    """A stored dong name in the page's language (합정동, or Hapjeong-dong in English)."""
    from django.utils.translation import get_language

    from civicportal.accounts.geo import dong_label

    return dong_label(name, get_language())
