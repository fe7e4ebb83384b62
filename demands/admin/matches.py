"""Admin views of matches and cooperations. Read-only: every write goes through demands.services.matches."""

from django.contrib import admin

from ..models import Cooperation, Match
from ..permissions import matches as access
from ._common import ReadOnlyScopedAdmin


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
