"""A building goal ends when the Party organisation is recorded in `alliances`: when an organisation
comes to cover an enterprise with an open goal, the goal closes as 已组建 (guides.services.building)."""

from django.db.models.signals import m2m_changed
from django.dispatch import receiver

from alliances.models import PartyOrganization

from .services.building import building_goals_close_for_organization


@receiver(m2m_changed, sender=PartyOrganization.enterprises.through, dispatch_uid="guides_goal_founded")
def close_goals_when_covered(sender, instance, action, reverse, pk_set, **kwargs):
    if action != "post_add" or not pk_set:
        return
    if reverse:  # enterprise.party_organizations.add(organization, ...)
        for organization in PartyOrganization.objects.filter(pk__in=pk_set):
            building_goals_close_for_organization(organization=organization, enterprise_ids=[instance.pk])
    else:
        building_goals_close_for_organization(organization=instance, enterprise_ids=pk_set)
