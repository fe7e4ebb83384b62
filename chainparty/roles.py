"""Role names. Seat roles are object permissions on containers; global roles are groups."""

from django.utils.translation import gettext_lazy as _

# Groups for roles that are not tied to one container.
PLATFORM_ADMIN_GROUP = "platform_admin"  # 平台管理员: manages every region
GLOBAL_VIEWER_GROUP = "global_viewer"  # 全局只读: e.g. provincial inspectors

GLOBAL_GROUPS = {
    PLATFORM_ADMIN_GROUP: _("平台管理员"),
    GLOBAL_VIEWER_GROUP: _("全局只读"),
}

# Object permissions, by container. The codename is what guardian stores.
MANAGE_REGION = "manage_region"  # 组织部工作人员
VIEW_REGION = "view_region"  # 领导（只读）
# Alliance rights are not object permissions: they follow the committee seats in force on the day
# (alliances.access.seats_in_force), so a seat's rights start and end with its term.
MANAGE_ENTERPRISE = "manage_enterprise"  # 企业党组织书记
HANDLE_DEPARTMENT = "handle_department"  # 部门办理人
# Guides' reach is not an object permission: it follows guides.Assignment's dates, read by
# alliances.access from a grant source guides registers (rows of kind GUIDE_GRANT_KIND).
# GUIDE_ZONE was a guardian permission on WorkZone until guides.0002 turned those grants into
# assignments; it stays declared there (unused) and labelled below for the audit log's history.
GUIDE_GRANT_KIND = "guide"
GUIDE_ZONE = "guide_zone"  # 党建指导员: a zone assigned
GUIDE_ENTERPRISE = "guide_enterprise"  # 党建指导员: an enterprise assigned, directly or via an alliance

# What each object permission is called where people read it (the audit log).
OBJECT_ROLE_LABELS = {
    MANAGE_REGION: _("组织部工作人员"),
    VIEW_REGION: _("领导（只读）"),
    MANAGE_ENTERPRISE: _("企业党组织书记"),
    HANDLE_DEPARTMENT: _("部门办理人"),
    GUIDE_ZONE: _("党建指导员"),
}


def ensure_global_groups(sender=None, *, apps=None, using="default", **kwargs) -> None:
    """Make the global role groups if they are missing (post_migrate, like Django's permissions):
    the data migration alliances.0003 made them once, but a flush (every transaction=True test's
    teardown) leaves them gone, and `is_global_admin` then silently means nobody."""
    if apps is None:
        from django.apps import apps
    try:
        group_model = apps.get_model("auth", "Group")
    except LookupError:  # auth not migrated (yet): nothing to do
        return
    for name in GLOBAL_GROUPS:
        group_model.objects.using(using).get_or_create(name=name)
