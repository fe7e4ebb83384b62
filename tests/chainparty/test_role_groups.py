"""The global role groups (platform_admin, global_viewer) exist whatever emptied the tables: a data
migration made them once, but a flush (what every transaction=True test does when it ends, so with
--reuse-db the next tests ran without them) removed them for good. They are made again after every
migrate and flush (post_migrate)."""

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command

from chainparty import roles


@pytest.mark.django_db(transaction=True)
def test_the_global_role_groups_survive_a_flush():
    Group.objects.filter(name__in=roles.GLOBAL_GROUPS).delete()
    call_command("flush", interactive=False, verbosity=0)
    assert set(Group.objects.values_list("name", flat=True)) >= set(roles.GLOBAL_GROUPS)


@pytest.mark.django_db
def test_making_them_again_is_idempotent():
    before = set(Group.objects.filter(name__in=roles.GLOBAL_GROUPS).values_list("pk", flat=True))
    call_command("migrate", verbosity=0)
    assert set(Group.objects.filter(name__in=roles.GLOBAL_GROUPS).values_list("pk", flat=True)) == before
    assert len(before) == len(roles.GLOBAL_GROUPS)
