"""Form fields and django-filter filters for query strings, built on chainparty.validators: dates within
the portal's range and ids made of ASCII digits. The API's serializer fields are in chainparty.api."""

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .validators import DATE_MAX, DATE_MIN, is_ascii_id, validate_date


class DateField(forms.DateField):
    """A date within DATE_MIN..DATE_MAX; a date picker offers only those."""

    default_validators = [validate_date]

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        if getattr(widget, "input_type", "") == "date":
            attrs.update(min=DATE_MIN.isoformat(), max=DATE_MAX.isoformat())
        return attrs


class IdField(forms.Field):
    """An object id typed into a query string: ASCII digits only (int() also takes '²' and '٣')."""

    default_error_messages = {"invalid": _("请输入数字编号。")}

    def to_python(self, value):
        value = (value or "").strip() if isinstance(value, str) else value
        if value in self.empty_values:
            return None
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if not is_ascii_id(value):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return int(value)


class DateFilter(django_filters.DateFilter):
    field_class = DateField


class IdFilter(django_filters.NumberFilter):
    """NumberFilter for ids: its DecimalField would take '٣' as 3 and 1e3 as 1000."""

    field_class = IdField
