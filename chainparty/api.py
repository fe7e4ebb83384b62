"""DRF pieces shared by every app's API."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .errors import StateError


class NumericLookupMixin:
    """Every viewset on the portal's router mixes this in: DRF's router puts `lookup_value_regex`
    into the detail routes' patterns, so `/api/needs/abc/` does not match and answers 404 before
    any view code casts the id (it used to reach the database and answer 500)."""

    lookup_value_regex = "[0-9]+"


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
    if isinstance(exc, StateError):
        exc = Conflict(detail={"detail": exc.messages[0], "code": exc.code})
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound(_("未找到，或您无权查看。"))
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or _("您无权执行此操作。"))
    elif isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        return Response(detail, status=status.HTTP_400_BAD_REQUEST)
    return drf_exception_handler(exc, context)
