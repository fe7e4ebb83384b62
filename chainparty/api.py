"""DRF pieces shared by every app's API."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from rest_framework import exceptions, serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .errors import StateError
from .validators import InvalidParameter, is_ascii_id, validate_date


class NumericLookupMixin:
    """Every viewset on the portal's router mixes this in: DRF's router puts `lookup_value_regex`
    into the detail routes' patterns, so `/api/needs/abc/` does not match and answers 404 before
    any view code casts the id (it used to reach the database and answer 500)."""

    lookup_value_regex = "[0-9]+"


class DateField(serializers.DateField):
    """A date within chainparty.validators' range (0001-01-01 or 9999-12-31 is refused, not a 500)."""

    def __init__(self, **kwargs):
        kwargs["validators"] = [*kwargs.get("validators", ()), validate_date]
        super().__init__(**kwargs)


class IdField(serializers.IntegerField):
    """An object id: ASCII digits (IntegerField's int() also takes '٣' as 3), at least 1."""

    default_error_messages = {"invalid": _lazy("请输入数字编号。")}

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 2**63 - 1)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if isinstance(data, bool) or not (isinstance(data, int) or is_ascii_id(str(data).strip())):
            self.fail("invalid")
        return super().to_internal_value(data)


class ScopedPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """An id of an object within the caller's reach. `scope(context)` gives the objects an id may
    name (the serializer's context: the request, and what the view put there, e.g. the alliance);
    an id outside them is refused exactly as an id that does not exist ("does_not_exist", same
    message, same field), so a write API is no oracle for which ids exist elsewhere on the platform.
    The services still check their own rules; this only makes the refusal of the unreachable
    indistinguishable from the refusal of the absent."""

    def __init__(self, *, scope, model, **kwargs):
        self.scope = scope
        # The model's empty queryset: the schema reads the model from it; lookups use get_queryset().
        kwargs["queryset"] = model.objects.none()
        super().__init__(**kwargs)

    def get_queryset(self):
        queryset = self.scope(self.context)
        return queryset if queryset is not None else self.queryset

    def to_internal_value(self, data):
        # An id in digits of another script ('٣') is read by int() as 3, and 3.7 as 3: only an int or
        # a string of ASCII digits is an id; anything else is refused like a wrong type.
        if isinstance(data, bool) or not (
            isinstance(data, int) or (isinstance(data, str) and is_ascii_id(data.strip()))
        ):
            self.fail("incorrect_type", data_type=type(data).__name__)
        return super().to_internal_value(data)


class StandardPagination(PageNumberPagination):
    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 100


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "操作与当前状态冲突。"
    default_code = "conflict"


def exception_handler(exc, context):
    """Django's own errors from services become the API's: 404, 403, 409 for a state that does not
    allow the action, and 400 with Chinese messages."""
    if isinstance(exc, exceptions.ParseError):
        # DRF's parsers say "JSON parse error - Expecting value: line 1 column 2", untranslated.
        exc = exceptions.ParseError(_("请求内容无法解析：请提交有效的 JSON 或表单数据。"))
    elif isinstance(exc, InvalidParameter):
        exc = exceptions.ValidationError({"detail": [str(exc)]})
    elif isinstance(exc, StateError):
        exc = Conflict(detail={"detail": exc.messages[0], "code": exc.code})
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound(_("未找到，或您无权查看。"))
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or _("您无权执行此操作。"))
    elif isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        return Response(detail, status=status.HTTP_400_BAD_REQUEST)
    return drf_exception_handler(exc, context)
