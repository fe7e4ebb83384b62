import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from alliances import services
from alliances.access import scope_for
from alliances.models import CommitteeSeat, Enterprise, Membership, PartyOrganization
from tests import factories

pytestmark = pytest.mark.django_db


def test_leaving_and_rejoining_keeps_history(world):
    membership = world.alliance.memberships.get(enterprise=world.member)
    services.membership_end(membership=membership, left_on=dt.date(2024, 6, 30))
    services.membership_add(
        alliance=world.alliance,
        enterprise=world.member,
        position=Membership.Position.UPSTREAM,
        joined_on=dt.date(2025, 1, 1),
    )
    periods = list(
        world.alliance.memberships.filter(enterprise=world.member)
        .order_by("joined_on")
        .values_list("joined_on", "left_on", "position")
    )
    assert periods == [
        (dt.date(2023, 9, 1), dt.date(2024, 6, 30), "downstream"),
        (dt.date(2025, 1, 1), None, "upstream"),
    ]


def test_membership_cannot_end_before_it_starts(world):
    membership = world.alliance.memberships.get(enterprise=world.member)
    with pytest.raises(ValidationError) as error:
        services.membership_end(membership=membership, left_on=dt.date(2020, 1, 1))
    assert "退出日期不能早于加入日期" in str(error.value)
    membership.refresh_from_db()
    assert membership.left_on is None


def test_an_enterprise_is_an_active_member_only_once(world):
    with pytest.raises(ValidationError) as error:
        services.membership_add(
            alliance=world.alliance, enterprise=world.member, position="upstream", joined_on=dt.date(2025, 1, 1)
        )
    assert "已是本联盟的在册成员" in str(error.value)


def test_enterprise_from_another_county_cannot_join(world):
    with pytest.raises(ValidationError) as error:
        services.membership_add(
            alliance=world.alliance,
            enterprise=world.outsider_enterprise,
            position="upstream",
            joined_on=dt.date(2025, 1, 1),
        )
    assert "不在本联盟所属区域" in str(error.value)


def test_seat_outside_its_alliance_is_refused_and_nothing_saved(world):
    user = factories.UserFactory()
    with pytest.raises(ValidationError) as error:
        services.seat_assign(
            alliance=world.alliance,
            role=CommitteeSeat.Role.SECRETARY,
            person_name="外人",
            user=user,
            enterprise=world.outsider_enterprise,
            term_start=dt.date(2024, 1, 1),
            system=True,
        )
    assert "不是本联盟的成员" in str(error.value)
    assert not CommitteeSeat.objects.filter(person_name="外人").exists()
    assert not scope_for(user).managed_alliance_ids


def test_seat_grants_and_ending_it_revokes(world):
    user = factories.UserFactory()
    seat = services.seat_assign(
        alliance=world.alliance,
        role=CommitteeSeat.Role.LIAISON,
        person_name="联络员",
        user=user,
        enterprise=world.member,
        term_start=dt.date(2024, 1, 1),
        system=True,
    )
    assert world.alliance.pk in scope_for(user).managed_alliance_ids
    services.seat_end(seat=seat, term_end=dt.date(2024, 12, 31))
    fresh = type(user).objects.get(pk=user.pk)  # a new request sees the new grants
    assert world.alliance.pk not in scope_for(fresh).managed_alliance_ids
    assert world.alliance.pk not in scope_for(fresh).seat_alliance_ids


def test_committee_member_seat_reads_but_does_not_manage(world):
    user = factories.UserFactory()
    services.seat_assign(
        alliance=world.alliance,
        role=CommitteeSeat.Role.MEMBER_PARTTIME,
        person_name="委员",
        user=user,
        department=world.department,
        term_start=dt.date(2024, 1, 1),
        system=True,
    )
    scope = scope_for(user)
    assert world.alliance.pk in scope.seat_alliance_ids
    assert world.alliance.pk not in scope.managed_alliance_ids


def test_duplicate_credit_code_is_refused(world):
    with pytest.raises(ValidationError) as error:
        services.enterprise_create(
            name="另一家", credit_code=world.lead.credit_code, industry="纺织服装", region=world.county
        )
    assert "已被其他企业使用" in str(error.value)
    assert Enterprise.objects.filter(name="另一家").count() == 0


def test_deleting_referenced_rows_is_refused(world):
    with pytest.raises(ValidationError) as error:
        services.enterprise_delete(enterprise=world.member)
    assert "不能删除" in str(error.value)
    with pytest.raises(ValidationError):
        services.alliance_delete(alliance=world.alliance)
    with pytest.raises(ValidationError):
        services.department_delete(department=world.department)
    assert Enterprise.objects.filter(pk=world.member.pk).exists()


def test_unreferenced_enterprise_can_be_deleted(world):
    enterprise = factories.EnterpriseFactory(region=world.county)
    services.enterprise_delete(enterprise=enterprise)
    assert not Enterprise.objects.filter(pk=enterprise.pk).exists()


def test_only_a_joint_branch_covers_several_enterprises(world):
    with pytest.raises(ValidationError):
        services.party_organization_create(
            name="某党支部",
            kind=PartyOrganization.Kind.BRANCH,
            region=world.county,
            enterprises=[world.lead, world.member],
        )
    assert not PartyOrganization.objects.filter(name="某党支部").exists()
    joint = services.party_organization_create(
        name="联合党支部",
        kind=PartyOrganization.Kind.JOINT_BRANCH,
        region=world.county,
        enterprises=[world.lead, world.member],
    )
    assert set(joint.enterprises.all()) == {world.lead, world.member}


def test_alliance_creation_makes_the_lead_a_member(world):
    lead = factories.EnterpriseFactory(region=world.county)
    alliance = services.alliance_create(
        name="高端装备产业链党委",
        chain="高端装备",
        region=world.county,
        founded_on=dt.date(2024, 1, 1),
        lead_enterprise=lead,
    )
    assert alliance.memberships.get().position == Membership.Position.LEAD


def test_rotation_requires_a_member_enterprise(world):
    with pytest.raises(ValidationError) as error:
        services.rotation_set(
            alliance=world.alliance, year=2026, quarter=1, enterprise=world.outsider_enterprise, person_name="某"
        )
    assert "在册成员企业" in str(error.value)
    rotation = services.rotation_set(
        alliance=world.alliance, year=2026, quarter=1, enterprise=world.member, person_name="赵"
    )
    again = services.rotation_set(
        alliance=world.alliance, year=2026, quarter=1, enterprise=world.lead, person_name="钱"
    )
    assert rotation.pk == again.pk and again.person_name == "钱"


def test_region_path_covers_descendants(world):
    assert world.county.path == f"/{world.city.pk}/{world.county.pk}/"
