"""A guide's reach is a guides.Assignment now (alliances.access reads it by date). Each guardian
grant `guide_zone` on a work zone becomes a Guide (sent by that zone's Party committee, when the
user is not a guide yet) and an open zone Assignment from the day the account was made, and the
grant is removed. The permission stays declared on WorkZone, unused."""

from django.db import migrations
from django.utils import timezone


def grants_to_assignments(apps, schema_editor):
    grants = apps.get_model("alliances", "WorkZoneUserObjectPermission")
    Guide = apps.get_model("guides", "Guide")
    Assignment = apps.get_model("guides", "Assignment")
    rows = grants.objects.filter(permission__codename="guide_zone").select_related("user", "content_object")
    for grant in rows.order_by("user_id", "content_object_id"):
        user, zone = grant.user, grant.content_object
        since = timezone.localdate(user.date_joined)
        guide = Guide.objects.filter(user=user).first()
        if guide is None:
            guide = Guide.objects.create(
                user=user,
                name=(user.real_name or user.username)[:50],
                region_id=zone.region_id,
                zone=zone,
                phone=user.mobile,
                term_start=since,
            )
        already = Assignment.objects.filter(guide=guide, zone=zone, ends_on__isnull=True).exists()
        if not already:
            Assignment.objects.create(
                guide=guide,
                target="zone",
                zone=zone,
                region_id=zone.region_id,
                starts_on=min(since, guide.term_start),
                note="由原“指导本片区”权限转换",
            )
    rows.delete()


def assignments_to_grants(apps, schema_editor):
    """Back to guardian grants: one per open zone assignment of a guide."""
    grants = apps.get_model("alliances", "WorkZoneUserObjectPermission")
    Permission = apps.get_model("auth", "Permission")
    Assignment = apps.get_model("guides", "Assignment")
    permission = Permission.objects.filter(codename="guide_zone", content_type__app_label="alliances").first()
    if permission is None:
        return
    for assignment in Assignment.objects.filter(target="zone", guide__isnull=False, ends_on__isnull=True).select_related(
        "guide"
    ):
        grants.objects.get_or_create(
            user_id=assignment.guide.user_id, permission=permission, content_object_id=assignment.zone_id
        )


class Migration(migrations.Migration):
    dependencies = [
        ("guides", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(grants_to_assignments, assignments_to_grants)]
