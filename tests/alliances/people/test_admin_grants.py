"""Roles given in the admin's per-object permission pages go through the services: audited, and a
new enterprise secretary hears of the enterprise's policies (enterprise_secretary_granted)."""

from unittest import mock

import pytest
from django.urls import reverse

from alliances.signals import enterprise_secretary_granted
from chainparty.models import AuditLog
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser_client(client):
    client.force_login(factories.UserFactory(username="root", is_superuser=True, is_staff=True))
    return client


def manage_url(model, obj, user):
    return reverse(f"admin:alliances_{model}_permissions_manage_user", args=[obj.pk, user.pk])


def test_an_enterprise_secretary_granted_in_the_admin_is_audited_and_announced(
    world, personas, superuser_client, django_capture_on_commit_callbacks
):
    receiver = mock.Mock()
    enterprise_secretary_granted.connect(receiver, dispatch_uid="test_admin_grant")
    try:
        with django_capture_on_commit_callbacks(execute=True):
            response = superuser_client.post(
                manage_url("enterprise", world.member, personas.handler), {"permissions": ["manage_enterprise"]}
            )
    finally:
        enterprise_secretary_granted.disconnect(dispatch_uid="test_admin_grant")
    assert response.status_code == 302
    assert personas.handler.has_perm("alliances.manage_enterprise", world.member)
    assert receiver.call_args.kwargs["user_id"] == personas.handler.pk
    grant = AuditLog.objects.filter(action=AuditLog.Action.GRANT, target_id=personas.handler.pk).latest("id")
    assert grant.data["object"] == world.member.name


def test_a_revocation_in_the_admin_is_audited(world, personas, superuser_client):
    response = superuser_client.post(
        manage_url("enterprise", world.lead, personas.enterprise_secretary), {"permissions": ["view_enterprise"]}
    )
    assert response.status_code == 302
    assert not personas.enterprise_secretary.has_perm("alliances.manage_enterprise", world.lead)
    assert AuditLog.objects.filter(action=AuditLog.Action.REVOKE, target_id=personas.enterprise_secretary.pk).exists()


def test_group_object_permissions_are_closed(world, superuser_client):
    from django.contrib.auth.models import Group

    group = Group.objects.create(name="某组")
    url = reverse("admin:alliances_enterprise_permissions_manage_group", args=[world.member.pk, group.pk])
    assert superuser_client.post(url, {"permissions": ["manage_enterprise"]}).status_code == 403
