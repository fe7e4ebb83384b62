from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import AuditLog, DueItem, Notification, NotificationDelivery, TaskHeartbeat, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("工作信息"), {"fields": ("real_name", "mobile", "affiliation")}),
    )
    add_fieldsets = (
        *BaseUserAdmin.add_fieldsets,
        (_("工作信息"), {"fields": ("real_name", "mobile", "affiliation", "email")}),
    )
    list_display = ("username", "real_name", "affiliation", "mobile", "is_staff", "is_active")
    search_fields = ("username", "real_name", "mobile", "affiliation")


@admin.register(TaskHeartbeat)
class TaskHeartbeatAdmin(admin.ModelAdmin):
    list_display = ("name", "last_run_at", "runs", "hostname")
    readonly_fields = ("name", "last_run_at", "runs", "hostname")


class DeliveryInline(admin.TabularInline):
    model = NotificationDelivery
    extra = 0
    readonly_fields = ("channel", "status", "attempts", "claimed_at", "sent_at", "error")
    can_delete = False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("title", "recipient", "kind", "created_at", "read_at")
    list_filter = ("kind", ("read_at", admin.EmptyFieldListFilter))
    search_fields = ("title", "recipient__username", "recipient__real_name")
    readonly_fields = ("recipient", "title", "body", "url", "kind", "dedupe_key", "created_at", "read_at")
    inlines = [DeliveryInline]


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows written only by the code (a log, a sweep's queue): shown, never added, edited or deleted here."""

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditLog)
class AuditLogAdmin(ReadOnlyAdmin):
    """Read-only: the log is append-only, and nobody edits or deletes it here either."""

    list_display = ("at", "actor_name", "action", "target_repr", "region_path", "ip_address")
    list_filter = ("action",)
    search_fields = ("actor_name", "target_repr", "region_path", "ip_address")
    date_hierarchy = "at"


@admin.register(DueItem)
class DueItemAdmin(ReadOnlyAdmin):
    """Read-only: `chainparty.sweeps` schedules, sends and cancels these; the list shows what is
    waiting, what was sent and why a row failed or was cancelled."""

    list_display = ("due_at", "kind", "recipient", "title", "status", "attempts", "finished_at", "reason")
    list_filter = ("kind", "status")
    list_select_related = ("recipient",)
    search_fields = ("delivery_key", "source_key")
    date_hierarchy = "due_at"
