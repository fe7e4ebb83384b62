"""The query string of an API list, parsed by a serializer (a bad value answers 400)."""

from django.utils.translation import gettext_lazy
from rest_framework import serializers


# -- list query parameters ---------------------------------------------------------------
class OrderingField(serializers.CharField):
    """`ordering=title` or `ordering=-updated_at,title`: fields from `names`, `-` for descending."""

    default_error_messages = {
        "invalid_term": gettext_lazy("不能按“{term}”排序（可选：{choices}；前加 - 表示倒序）。"),
    }

    def __init__(self, names, **kwargs):
        self.names = tuple(names)
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", f"排序字段，可选 {'、'.join(self.names)}；前加 - 表示倒序，多个用逗号分隔。")
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        terms = [term.strip() for term in super().to_internal_value(data).split(",") if term.strip()]
        for term in terms:
            if term.removeprefix("-") not in self.names:
                self.fail("invalid_term", term=term, choices="、".join(self.names))
        return terms


class ListQuerySerializer(serializers.Serializer):
    """The query string of a list: the selector's filters, `search` (its `q`) and `ordering`.

    An empty parameter (`?category=`) counts as absent; `page` and `page_size` belong to the
    paginator and are ignored here. Subclasses declare the fields, named as the API documents them."""

    @classmethod
    def parse(cls, request):
        query = cls(data={key: value for key, value in request.query_params.items() if value.strip()})
        query.is_valid(raise_exception=True)
        return query

    def selector_kwargs(self) -> dict:
        data = dict(self.validated_data)
        data.pop("ordering", None)
        data["q"] = data.pop("search", "")
        return data

    def order(self, qs):
        terms = self.validated_data.get("ordering")
        return qs.order_by(*terms, "-id") if terms else qs
