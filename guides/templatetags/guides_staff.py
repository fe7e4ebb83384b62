"""What the navigation and the staff desk's tabs may offer a user (from their cached scope)."""

from django import template
from django.urls import NoReverseMatch, reverse

from ..permissions_staff import may_see_region_desk, may_use_guide_desk

register = template.Library()


@register.filter
def sees_guide_desk(user):
    return bool(user and user.is_authenticated and may_use_guide_desk(user))


@register.filter
def sees_region_desk(user):
    return bool(user and user.is_authenticated and may_see_region_desk(user))


@register.filter
def visit_url(visit):
    """The visit's page (the phone pages', guides/urls_phone.py), or "" while it is not installed."""
    try:
        return reverse("guides:visit_detail", args=[visit.pk])
    except NoReverseMatch:
        return ""


@register.filter
def percent(rate):
    """0.1234 -> "12.3%"; None -> "—"."""
    return "—" if rate is None else f"{rate * 100:.1f}%"


@register.filter
def score(value):
    return "—" if value is None else f"{value:.2f}"
