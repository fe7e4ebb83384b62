"""Admin views of needs, their parts, timeline and attachments (read-only), and the deadline rules
(editable, through the service so region rules stay with their staff).

Every workflow write goes through demands.services (filing, workflow); the timeline is append-only, so the
admin never offers to change or delete it. Staff who are not superusers see what the portal shows them.
"""

from django.contrib import admin

from alliances.access import manageable_regions, scope_for

from ..models import Assignment, DeadlineRule, Need, NeedAttachment, NeedCounter, NeedEvent
from ..permissions.needs import can_edit_deadline_rule, needs_visible_q
from ..services import deadlines


class ReadOnlyMixin:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class AssignmentInline(ReadOnlyMixin, admin.TabularInline):
    model = Assignment
    extra = 0
    fields = (
        "role",
        "department",
        "provider_enterprise",
        "handler",
        "state",
        "deadline",
        "escalation_level",
        "redo_count",
        "answered_at",
    )
    show_change_link = False


class EventInline(ReadOnlyMixin, admin.TabularInline):
    model = NeedEvent
    extra = 0
    fields = ("created_at", "actor", "action", "from_state", "to_state", "note")
    ordering = ("created_at", "id")


class AttachmentInline(ReadOnlyMixin, admin.TabularInline):
    model = NeedAttachment
    extra = 0
    fields = ("name", "kind", "size", "uploaded_by", "uploaded_at")


@admin.register(Need)
class NeedAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("number", "title", "enterprise", "alliance", "category", "urgency", "state", "deadline", "filed_at")
    list_filter = ("state", "category", "urgency", "source")
    search_fields = ("number", "title", "enterprise__name")
    list_select_related = ("enterprise", "alliance")
    date_hierarchy = "filed_at"
    inlines = [AssignmentInline, AttachmentInline, EventInline]
    show_full_result_count = False  # a province's needs are never counted twice per page

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        return qs.filter(needs_visible_q(scope_for(request.user)))


@admin.register(NeedEvent)
class NeedEventAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("created_at", "need", "action", "actor", "from_state", "to_state")
    list_filter = ("action",)
    search_fields = ("need__number",)
    list_select_related = ("need", "actor")
    show_full_result_count = False

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        return qs.filter(need__in=Need.objects.filter(needs_visible_q(scope_for(request.user))).values("pk"))


@admin.register(NeedCounter)
class NeedCounterAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("year", "last_number")


@admin.register(DeadlineRule)
class DeadlineRuleAdmin(admin.ModelAdmin):
    list_display = ("region", "urgency", "category", "workdays")
    list_filter = ("urgency", "region")
    list_select_related = ("region",)

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if scope_for(request.user).is_global_admin:
            return qs
        return qs.filter(region__in=manageable_regions(request.user))

    def has_add_permission(self, request):
        return scope_for(request.user).is_org_staff and super().has_add_permission(request)

    def save_model(self, request, obj, form, change):
        if change:
            original = DeadlineRule.objects.get(pk=obj.pk)
            if (original.region_id, original.urgency, original.category) != (obj.region_id, obj.urgency, obj.category):
                deadlines.deadline_rule_delete(actor=request.user, rule=original)
        saved = deadlines.deadline_rule_save(
            actor=request.user, region=obj.region, urgency=obj.urgency, category=obj.category, workdays=obj.workdays
        )
        obj.pk = saved.pk

    def delete_model(self, request, obj):
        deadlines.deadline_rule_delete(actor=request.user, rule=obj)

    def delete_queryset(self, request, queryset):
        for rule in queryset:
            self.delete_model(request, rule)

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or can_edit_deadline_rule(request.user, obj.region))

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or can_edit_deadline_rule(request.user, obj.region))
