"""What the navigation offers guides and enterprise secretaries (the phone pages). Read from the
user's scope, which every page computes once anyway: the menu costs no query. A guide with no
assignment in force today has nothing in 我的企业 and gets no entry (their pages still open)."""

from django import template

from alliances.access import scope_for

register = template.Library()


def _scope(user):
    return scope_for(user) if getattr(user, "is_authenticated", False) else None


@register.filter
def is_guide(user):
    scope = _scope(user)
    return bool(scope and scope.is_guide)


@register.filter
def is_enterprise_secretary(user):
    scope = _scope(user)
    return bool(scope and scope.enterprise_ids)
