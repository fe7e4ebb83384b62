"""Admin view of resources. Read-only: every write goes through demands.services.resources."""

from django.contrib import admin

from ..models import Resource
from ..permissions import resources as access
from ._common import ReadOnlyScopedAdmin


@admin.register(Resource)
class ResourceAdmin(ReadOnlyScopedAdmin):
    visible_q = staticmethod(access.resources_q)
    list_display = ("title", "category", "enterprise", "department", "region", "quantity", "valid_until", "status")
    list_filter = ("category", "status", "region")
    search_fields = ("title", "description", "enterprise__name", "department__name")
    list_select_related = ("enterprise", "department", "region")
