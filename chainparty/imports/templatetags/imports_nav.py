"""The navigation's 数据导入 link: shown to who is offered some import kind (no query of its own
beyond the user's cached scope)."""

from django import template

from chainparty.imports.registry import import_kinds

register = template.Library()


@register.filter
def offers_imports(user):
    return import_kinds.offered_to(user)
