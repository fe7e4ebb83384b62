import pytest

from alliances.access import scope_for, visible_alliances, visible_enterprises

pytestmark = pytest.mark.django_db


def test_each_persona_reaches_only_their_scope(world, personas):
    assert set(visible_enterprises(personas.org_staff)) == {world.lead, world.member}
    assert set(visible_enterprises(personas.enterprise_secretary)) == {world.lead}
    assert set(visible_enterprises(personas.other_enterprise_secretary)) == {world.member}
    assert set(visible_enterprises(personas.secretary)) == {world.lead, world.member}
    assert set(visible_enterprises(personas.guide)) == {world.lead, world.member}
    assert set(visible_enterprises(personas.outsider)) == set()
    assert list(visible_alliances(personas.handler)) == [world.alliance]
    assert list(visible_alliances(personas.outsider)) == []


def test_scope_is_one_query_and_cached(world, personas, django_assert_num_queries):
    user = type(personas.secretary).objects.get(pk=personas.secretary.pk)
    with django_assert_num_queries(1):
        scope = scope_for(user)
        scope_for(user)
    assert scope.is_alliance_secretary and not scope.is_org_staff
    assert world.alliance.pk in scope.managed_alliance_ids
