"""`{% object_panels obj %}`: the sections other apps contribute to `obj`'s page (chainparty.panels)."""

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from chainparty.panels import registry

register = template.Library()


@register.simple_tag(takes_context=True)
def object_panels(context, obj):
    request = context.get("request")
    if request is None or obj is None:
        return ""
    html = [
        render_to_string(panel.template, {**panel.context, "object": obj}, request=request)
        for panel in registry.for_object(request, obj)
    ]
    return mark_safe("".join(html))
