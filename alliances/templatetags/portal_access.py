"""What the navigation may offer a user, from their cached scope (no query of its own once the
page has read it)."""

from django import template

from alliances.access import scope_for
from alliances.meetings import permissions as meeting_permissions
from alliances.people import is_people_manager as manages_people

register = template.Library()


@register.filter
def is_org_staff(user):
    return bool(user and user.is_authenticated and scope_for(user).is_org_staff)


@register.filter
def may_export_minutes(user):
    """Whether the monthly minutes workbook's page lets the user in (the page's own check)."""
    return meeting_permissions.may_export_minutes(user)


@register.filter
def is_people_manager(user):
    return bool(user and user.is_authenticated and manages_people(user))
