"""What the staff pages share: reading filters from the query string."""

import datetime as dt

from django.utils import timezone


def param_id(request, name: str) -> int | None:
    """An id from the query string; anything that is not one (bad input, empty) is no filter."""
    value = (request.GET.get(name) or "").strip()
    if value.isascii() and value.isdigit() and len(value) <= 18:
        return int(value)
    return None


def param_choice(request, name: str, choices, default: str = "") -> str:
    value = request.GET.get(name, default)
    values = {str(c[0]) if isinstance(c, tuple | list) else str(c) for c in choices}
    return value if value in values else default


def param_year(request, name: str = "year") -> int:
    today = timezone.localdate()
    value = param_id(request, name)
    return value if value is not None and 2000 <= value <= today.year + 1 else today.year


def chosen(queryset, pk):
    """The row of `queryset` with `pk` (None when not given or not in it)."""
    return queryset.filter(pk=pk).first() if pk is not None else None


def today() -> dt.date:
    return timezone.localdate()
