"""Admin views of resources, policies, pushes, matches and cooperations.

Read-only: every write goes through demands.services.lists (tokens, pushes, counters and
notifications are kept there), so the admin is for looking things up; the portal pages edit.
Lists follow the portal's access rules for staff who are not superusers.
"""

from django.contrib import admin

from ..models.lists import Cooperation, Match, Policy, PolicyCategory, PolicyDelivery, Resource
from ..permissions import lists as access


class ReadOnlyScopedAdmin(admin.ModelAdmin):
    visible_q = None

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_superuser or self.visible_q is None:
            return qs
        return qs.filter(self.visible_q(request.user))

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Resource)
class ResourceAdmin(ReadOnlyScopedAdmin):
    visible_q = staticmethod(access.resources_q)
    list_display = ("title", "category", "enterprise", "department", "region", "quantity", "valid_until", "status")
    list_filter = ("category", "status", "region")
    search_fields = ("title", "description", "enterprise__name", "department__name")
    list_select_related = ("enterprise", "department", "region")


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


@admin.register(Match)
class MatchAdmin(ReadOnlyScopedAdmin):
    list_display = ("need", "resource", "policy", "score", "proposed_by", "need_confirmed_at", "provider_confirmed_at")
    search_fields = ("need__title", "need__number", "resource__title", "policy__title")
    list_select_related = ("need", "resource", "policy", "proposed_by")

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        from ..permissions.needs import visible_needs

        return qs.filter(need__in=visible_needs(request.user).values("pk"))


@admin.register(Cooperation)
class CooperationAdmin(ReadOnlyScopedAdmin):
    visible_q = staticmethod(access.cooperations_q)
    list_display = (
        "date",
        "alliance",
        "provider_enterprise",
        "provider_department",
        "receiver_enterprise",
        "value_wan",
    )
    list_filter = ("alliance",)
    search_fields = ("description", "provider_enterprise__name", "receiver_enterprise__name")
    list_select_related = ("alliance", "provider_enterprise", "provider_department", "receiver_enterprise")
    date_hierarchy = "date"
