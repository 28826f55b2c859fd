from django import template

from civicportal.accounts.models import mask_mobile

register = template.Library()


@register.inclusion_tag("callcenter/_nav.html", takes_context=True)
def callcenter_nav(context):
    user = context["request"].user
    return {
        "user": user,
        "counsellor": user.has_perm("callcenter.log_contact"),
        "statistics": user.has_perm("callcenter.view_statistics"),
        "knowledge_base": user.has_perm("callcenter.view_knowledge_base"),
        "manage": user.has_perm("callcenter.manage_knowledge_base"),
    }


@register.filter
def masked(phone):
    return mask_mobile(phone)


@register.filter
def seconds(value):
    """123 -> '2:03'."""
    if value is None or value == "":
        return "—"
    value = int(value)
    return f"{value // 60}:{value % 60:02d}"


@register.filter
def percent(value):
    return "—" if value is None else f"{value * 100:.1f}%"
