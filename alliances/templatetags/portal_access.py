"""What the navigation may offer a user, from their cached scope (no query of its own once the
page has read it)."""

from django import template

from alliances.access import scope_for

register = template.Library()


@register.filter
def is_org_staff(user):
    return bool(user and user.is_authenticated and scope_for(user).is_org_staff)
