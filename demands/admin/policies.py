"""Admin views of policies and their pushes. Read-only: every write goes through demands.services.policies."""

from django.contrib import admin

from ..models import Policy, PolicyCategory, PolicyDelivery
from ..permissions import policies as access
from ._common import ReadOnlyScopedAdmin


class PolicyCategoryInline(admin.TabularInline):
    model = PolicyCategory
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Policy)
class PolicyAdmin(ReadOnlyScopedAdmin):
    visible_q = staticmethod(access.policies_q)
    list_display = ("title", "doc_number", "department", "state", "published_at", "delivered_count", "read_count")
    list_filter = ("state", "region")
    search_fields = ("title", "doc_number", "summary")
    list_select_related = ("department",)
    inlines = [PolicyCategoryInline]


@admin.register(PolicyDelivery)
class PolicyDeliveryAdmin(ReadOnlyScopedAdmin):
    list_display = ("policy", "enterprise", "delivered_at", "notified_at", "read_at", "read_by")
    list_filter = ("read_at",)
    search_fields = ("policy__title", "enterprise__name")
    list_select_related = ("policy", "enterprise", "read_by")

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        return qs.filter(policy__in=access.visible_policies(request.user).values("pk"))
