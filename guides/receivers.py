"""A building goal ends when the Party organisation is recorded in `alliances`: when an organisation
comes to cover an enterprise with an open goal, the goal closes as 已组建 (guides.services.building)."""

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from alliances.models import PartyOrganization

from .models import Visit
from .services.building import building_goals_close_for_organization
from .services.last_visits import last_visit_refresh


@receiver(m2m_changed, sender=PartyOrganization.enterprises.through, dispatch_uid="guides_goal_founded")
def close_goals_when_covered(sender, instance, action, reverse, pk_set, **kwargs):
    if action != "post_add" or not pk_set:
        return
    if reverse:  # enterprise.party_organizations.add(organization, ...)
        for organization in PartyOrganization.objects.filter(pk__in=pk_set):
            building_goals_close_for_organization(organization=organization, enterprise_ids=[instance.pk])
    else:
        building_goals_close_for_organization(organization=instance, enterprise_ids=pk_set)


# An enterprise's last counted visit (LastVisit) follows its visits, whoever saves them: the visit
# services (log, correct, confirm, dispute), the demo, the admin, factories.
_COUNTED_FIELDS = {"visited_on", "confirmation", "enterprise", "enterprise_id"}


@receiver(post_save, sender=Visit, dispatch_uid="guides_last_visit_saved")
def keep_last_visit_on_save(sender, instance, update_fields=None, **kwargs):
    if update_fields is not None and not _COUNTED_FIELDS & set(update_fields):
        return
    last_visit_refresh(enterprise_ids=[instance.enterprise_id])


@receiver(post_delete, sender=Visit, dispatch_uid="guides_last_visit_deleted")
def keep_last_visit_on_delete(sender, instance, **kwargs):
    last_visit_refresh(enterprise_ids=[instance.enterprise_id])
