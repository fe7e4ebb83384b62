from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db import transaction
from guardian.admin import AdminUserObjectPermissionsForm, GuardedModelAdmin
from guardian.shortcuts import assign_perm, remove_perm

from chainparty import audit, roles

from . import services
from .access import forget_scope, scope_for
from .models import (
    AgendaItem,
    Alliance,
    CommitteeSeat,
    Decision,
    Department,
    Enterprise,
    Invitation,
    Meeting,
    MeetingAttachment,
    MeetingSchedule,
    Membership,
    PartyOrganization,
    Region,
    RotatingChair,
    WorkZone,
)


class SuperuserWritesMixin:
    """Only platform superusers write in the admin. Everyone else changes organisation data on the
    portal's pages, whose services check who may do what and keep grants, seats and memberships in
    step; the admin's plain saves would bypass both."""

    def has_add_permission(self, request, *args):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


class AuditedUserObjectPermissionsForm(AdminUserObjectPermissionsForm):
    """Guardian's per-object permission page, with every grant and revocation made through the
    services (audit record, the new-secretary signal, the scope cache) instead of bare
    assign_perm/remove_perm calls."""

    #: Who grants (the signed-in superuser): set by AuditedGuardedAdmin for each request.
    actor = None

    def save_obj_perms(self) -> None:
        chosen = set(self.cleaned_data[self.get_obj_perms_field_name()])
        offered = {choice[0] for choice in self.get_obj_perms_field_choices()}
        before = set(self.get_obj_perms_field_initial())
        for codename in (offered - chosen) & before:
            grant_change(actor=self.actor, obj=self.obj, user=self.user, codename=codename, revoke=True)
        for codename in chosen - before:
            grant_change(actor=self.actor, obj=self.obj, user=self.user, codename=codename, revoke=False)


def grant_change(*, actor, obj, user, codename: str, revoke: bool) -> None:
    """One role given or taken in the admin by `actor`: the service where there is one (which checks
    the actor's right), else the permission with its audit record."""
    codename = codename.split(".")[-1]
    if not revoke and isinstance(obj, Enterprise) and codename == roles.MANAGE_ENTERPRISE:
        services.enterprise_grant_secretary(enterprise=obj, user=user, actor=actor)
    elif isinstance(obj, Department) and codename == roles.HANDLE_DEPARTMENT:
        change = services.department_remove_handler if revoke else services.department_add_handler
        change(department=obj, user=user, actor=actor)
    elif not revoke and isinstance(obj, Region) and codename in (roles.MANAGE_REGION, roles.VIEW_REGION):
        services.region_grant(region=obj, user=user, manage=codename == roles.MANAGE_REGION, actor=actor)
    else:
        with transaction.atomic():
            (remove_perm if revoke else assign_perm)(codename, user, obj)
            forget_scope(user)
            audit.record_grant(user=user, obj=obj, permission=codename, revoke=revoke)


class AuditedGuardedAdmin(GuardedModelAdmin):
    """Object permissions are granted to people only: the portal's scope never reads guardian's
    group object permissions, so the group half of guardian's page is closed rather than left to
    store grants that do nothing (and that nothing audits)."""

    def get_obj_perms_manage_user_form(self, request):
        return type("AuditedUserObjectPermissionsForm", (AuditedUserObjectPermissionsForm,), {"actor": request.user})

    def obj_perms_manage_group_view(self, request, object_pk, group_id):
        raise PermissionDenied


class ScopedAdmin(SuperuserWritesMixin, AuditedGuardedAdmin):
    """Admin lists follow the same access rules as the portal: staff see their own regions only."""

    scope_method = None
    #: For rows of an alliance (memberships, seats): scoped by the alliances the user sees.
    alliance_field = None

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        scope = scope_for(request.user)
        if self.alliance_field:
            return qs.filter(**{f"{self.alliance_field}__in": Alliance.objects.filter(scope.alliances_q())})
        if self.scope_method is None:
            return qs
        return qs.filter(getattr(scope, self.scope_method)())


@admin.register(Region)
class RegionAdmin(SuperuserWritesMixin, AuditedGuardedAdmin):
    list_display = ("name", "code", "level", "parent")
    list_filter = ("level",)
    search_fields = ("name", "code")


@admin.register(WorkZone)
class WorkZoneAdmin(ScopedAdmin):
    scope_method = "zones_q"
    list_display = ("name", "kind", "region", "parent")
    list_filter = ("kind", "region")
    search_fields = ("name", "address")


class MembershipInline(SuperuserWritesMixin, admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ("enterprise", "department")


class SeatInline(SuperuserWritesMixin, admin.TabularInline):
    model = CommitteeSeat
    extra = 0
    autocomplete_fields = ("enterprise", "department", "user")


class RotationInline(SuperuserWritesMixin, admin.TabularInline):
    model = RotatingChair
    extra = 0
    autocomplete_fields = ("enterprise",)


@admin.register(Enterprise)
class EnterpriseAdmin(ScopedAdmin):
    scope_method = "enterprises_q"
    list_display = ("name", "credit_code", "industry", "size", "region", "zone", "employees")
    list_filter = ("size", "region", "industry")
    search_fields = ("name", "credit_code", "legal_representative")
    autocomplete_fields = ("zone",)


@admin.register(PartyOrganization)
class PartyOrganizationAdmin(ScopedAdmin):
    scope_method = "party_organizations_q"
    list_display = ("name", "kind", "region", "secretary_name", "members", "probationary_members", "activists")
    list_filter = ("kind", "region")
    search_fields = ("name", "secretary_name")
    filter_horizontal = ("enterprises",)


@admin.register(Department)
class DepartmentAdmin(ScopedAdmin):
    scope_method = "departments_q"
    list_display = ("name", "short_name", "factor_group", "region")
    list_filter = ("factor_group", "region")
    search_fields = ("name", "short_name")


@admin.register(Alliance)
class AllianceAdmin(ScopedAdmin):
    scope_method = "alliances_q"
    list_display = ("name", "chain", "kind", "region", "lead_enterprise", "founded_on", "meeting_cadence")
    list_filter = ("kind", "meeting_cadence", "region")
    search_fields = ("name", "chain")
    autocomplete_fields = ("lead_enterprise",)
    inlines = [MembershipInline, SeatInline, RotationInline]


@admin.register(Membership)
class MembershipAdmin(ScopedAdmin):
    alliance_field = "alliance"
    list_display = ("alliance", "member", "position", "joined_on", "left_on")
    list_filter = ("position", ("left_on", admin.EmptyFieldListFilter))
    search_fields = ("alliance__name", "enterprise__name", "department__name")
    autocomplete_fields = ("alliance", "enterprise", "department")


@admin.register(CommitteeSeat)
class CommitteeSeatAdmin(ScopedAdmin):
    alliance_field = "alliance"
    list_display = ("alliance", "role", "person_name", "origin", "term_start", "term_end")
    list_filter = ("role",)
    search_fields = ("person_name", "alliance__name")
    autocomplete_fields = ("alliance", "enterprise", "department", "user")


# -- meetings: read-only here; every write goes through alliances.meetings.services ---------------
class ReadOnlyMixin:
    """Meetings are written only by their services (notifications, audit records and state checks
    come with every write), so the admin lists and shows them, even to superusers."""

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class AgendaItemInline(ReadOnlyMixin, admin.TabularInline):
    model = AgendaItem
    extra = 0


class InvitationInline(ReadOnlyMixin, admin.TabularInline):
    model = Invitation
    extra = 0
    fields = ("person_name", "source", "enterprise", "department", "answer", "attendance")


class DecisionInline(ReadOnlyMixin, admin.TabularInline):
    model = Decision
    extra = 0
    fields = ("position", "text", "owner_label", "due_date", "status")


class MeetingAttachmentInline(ReadOnlyMixin, admin.TabularInline):
    model = MeetingAttachment
    extra = 0
    fields = ("name", "kind", "size", "uploaded_by", "uploaded_at")


@admin.register(Meeting)
class MeetingAdmin(ReadOnlyMixin, ScopedAdmin):
    alliance_field = "alliance"
    list_display = ("title", "alliance", "kind", "starts_at", "state", "version")
    list_filter = ("kind", "state")
    search_fields = ("title", "alliance__name")
    date_hierarchy = "starts_at"
    list_select_related = ("alliance",)
    inlines = [AgendaItemInline, InvitationInline, DecisionInline, MeetingAttachmentInline]


@admin.register(MeetingSchedule)
class MeetingScheduleAdmin(ReadOnlyMixin, ScopedAdmin):
    alliance_field = "alliance"
    list_display = ("title", "alliance", "kind", "rule", "start_time", "active")
    list_filter = ("kind", "rule", "active")
    search_fields = ("title", "alliance__name")
    list_select_related = ("alliance",)
