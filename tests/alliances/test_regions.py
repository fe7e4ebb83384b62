"""One way to ask "this region and everything under it": Region.objects.subtree_of, within_regions_q
and Region.is_within give the same answer, by path prefix."""

import pytest

from alliances import services
from alliances.access import Scope
from alliances.models import Enterprise, Region, within_regions_q
from tests import factories


@pytest.fixture
def tree(db):
    province = services.region_create(name="山东省", code="370000", level=Region.Level.PROVINCE)
    city = services.region_create(name="济宁市", code="370800", level=Region.Level.CITY, parent=province)
    county = services.region_create(name="汶上县", code="370830", level=Region.Level.COUNTY, parent=city)
    other_city = services.region_create(name="临沂市", code="371300", level=Region.Level.CITY, parent=province)
    other_county = services.region_create(name="兰陵县", code="371324", level=Region.Level.COUNTY, parent=other_city)
    return province, city, county, other_city, other_county


def _names(queryset):
    return sorted(queryset.values_list("name", flat=True))


def test_subtree_of_a_region_is_itself_and_what_lies_under_it(tree):
    province, city, county, other_city, _other_county = tree
    assert _names(Region.objects.subtree_of(city)) == ["汶上县", "济宁市"]
    assert _names(Region.objects.subtree_of([county, other_city])) == ["临沂市", "兰陵县", "汶上县"]
    assert Region.objects.subtree_of([]).count() == 0
    assert Region.objects.subtree_of(province).count() == 5


def test_subtree_of_a_queryset_of_regions_gives_the_same_rows(tree):
    _province, city, _county, other_city, _other_county = tree
    by_ids = Region.objects.subtree_of(Region.objects.filter(pk__in=[city.pk, other_city.pk]))
    assert _names(by_ids) == _names(Region.objects.subtree_of([city, other_city]))
    assert Region.objects.subtree_of(Region.objects.none()).count() == 0


def test_subtree_of_region_ids_gives_the_same_rows_without_a_correlated_subquery(tree):
    """A scope holds region ids: they become literal path patterns the planner can estimate (a
    correlated EXISTS over another query's paths was estimated at one row and sent province-wide
    need lists into a nested loop over every need)."""
    _province, city, county, other_city, _other_county = tree
    by_ids = Region.objects.subtree_of([city.pk, other_city.pk])
    assert _names(by_ids) == _names(Region.objects.subtree_of([city, other_city]))
    assert _names(Region.objects.subtree_of([county.pk])) == ["汶上县"]
    sql, params = by_ids.query.sql_with_params()
    assert "EXISTS" not in sql.upper()
    assert f"%/{city.pk}/%" in params


def test_a_scope_reads_its_regions_by_literal_path_patterns(tree):
    _province, city, *_rest = tree
    sql = str(Enterprise.objects.filter(Scope(viewed_region_ids=frozenset({city.pk})).in_viewed_region()).query)
    assert "EXISTS" not in sql.upper() and f"/{city.pk}/" in sql


def test_a_region_path_is_matched_by_prefix_so_the_index_serves_it(tree):
    _province, city, *_rest = tree
    sql, params = Region.objects.subtree_of(city).query.sql_with_params()
    assert "LIKE" in sql
    assert all(not str(param).startswith("%") for param in params)


def test_within_regions_q_filters_rows_by_their_region(tree):
    _province, city, county, other_city, other_county = tree
    factories.EnterpriseFactory(name="汶上企业", region=county)
    factories.EnterpriseFactory(name="兰陵企业", region=other_county)
    assert _names(Enterprise.objects.filter(within_regions_q(city))) == ["汶上企业"]
    assert _names(Enterprise.objects.filter(within_regions_q(Region.objects.filter(pk=other_city.pk)))) == ["兰陵企业"]


def test_is_within_accepts_regions_and_ids(tree):
    province, city, county, other_city, _other_county = tree
    assert county.is_within(city)
    assert county.is_within(county.pk)
    assert county.is_within(other_city, province.pk)
    assert not city.is_within(county)
    assert not county.is_within(other_city)
