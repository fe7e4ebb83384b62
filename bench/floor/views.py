"""The floor's two pages: plain Django, no product code (selectors, scopes, forms, i18n)."""

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.template.backends.django import DjangoTemplates

from demands.models import Need

from . import settings as floor_settings

ROWS = 25
# The floor's own engine, built from its settings: the product's engine would add the product's
# context processors to every render.
ENGINE = DjangoTemplates({key: value for key, value in floor_settings.TEMPLATES[0].items() if key != "BACKEND"})


def _newest_needs():
    return Need.objects.select_related("region", "alliance", "enterprise").order_by("-filed_at", "-id")


def _render(request, context):
    return HttpResponse(ENGINE.get_template("floor/needs.html").render(context, request))


def needs(request):
    return _render(request, {"needs": _newest_needs()[:ROWS], "page": None})


def needs_counted(request):
    page = Paginator(_newest_needs(), ROWS).get_page(request.GET.get("page"))
    return _render(request, {"needs": page.object_list, "page": page})
