"""The read-only, scoped base of the resource, policy and match admins."""

from django.contrib import admin


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
