"""Shared personas (CONVENTIONS.md): an org-department staff member, an alliance secretary, two
enterprise secretaries of different enterprises, a department handler, a guide, a leader and an
outsider, all in one small county."""

import datetime as dt
import os
from dataclasses import dataclass

import pytest

from alliances import services
from alliances.models import CommitteeSeat, Membership, Region
from guides import services as guide_services
from tests import factories

REQUIRE_SERVICES = os.environ.get("CHAINPARTY_REQUIRE_SERVICES") == "1"


def need_service(reason: str):
    """Skip locally with a reason, fail under CHAINPARTY_REQUIRE_SERVICES=1 (CI)."""
    if REQUIRE_SERVICES:
        pytest.fail(f"required service missing in CI: {reason}")
    pytest.skip(reason)


@dataclass
class World:
    city: Region
    county: Region
    other_county: Region
    zone: object
    alliance: object
    lead: object
    member: object
    outsider_enterprise: object
    department: object
    other_department: object


@dataclass
class Personas:
    org_staff: object
    leader: object
    secretary: object
    enterprise_secretary: object
    other_enterprise_secretary: object
    handler: object
    guide: object
    outsider: object


@pytest.fixture
def world(db):
    city = services.region_create(name="济宁市", code="370800", level=Region.Level.CITY)
    county = services.region_create(name="汶上县", code="370830", level=Region.Level.COUNTY, parent=city)
    other = services.region_create(name="兖州区", code="370812", level=Region.Level.COUNTY, parent=city)
    zone = factories.ZoneFactory(name="汶上经济开发区", region=county)
    lead = factories.EnterpriseFactory(name="鸿瑞轩服饰有限公司", region=county, zone=zone)
    member = factories.EnterpriseFactory(name="新花源纺织有限公司", region=county, zone=zone)
    outsider_enterprise = factories.EnterpriseFactory(name="兖州某机械有限公司", region=other, industry="农机装备")
    department = factories.DepartmentFactory(name="汶上县人力资源和社会保障局", region=county)
    other_department = factories.DepartmentFactory(name="兖州区自然资源局", region=other)
    alliance = services.alliance_create(
        name="汶上县纺织服装产业链党委",
        chain="纺织服装",
        region=county,
        founded_on=dt.date(2023, 9, 1),
        lead_enterprise=lead,
    )
    services.membership_add(
        alliance=alliance, enterprise=member, position=Membership.Position.DOWNSTREAM, joined_on=dt.date(2023, 9, 1)
    )
    services.membership_add(
        alliance=alliance, department=department, position=Membership.Position.FACTOR, joined_on=dt.date(2023, 9, 1)
    )
    return World(city, county, other, zone, alliance, lead, member, outsider_enterprise, department, other_department)


@pytest.fixture
def personas(world):
    make = factories.UserFactory
    org_staff = make(username="staff", real_name="组织部张科长")
    services.region_grant(region=world.county, user=org_staff, manage=True, system=True)
    leader = make(username="leader_x", real_name="县领导")
    services.region_grant(region=world.county, user=leader, manage=False, system=True)
    secretary = make(username="secretary", real_name="链党委王书记")
    services.seat_assign(
        alliance=world.alliance,
        role=CommitteeSeat.Role.SECRETARY,
        person_name="王书记",
        user=secretary,
        enterprise=world.lead,
        term_start=dt.date(2023, 9, 1),
        system=True,
    )
    enterprise_secretary = make(username="ent_sec", real_name="鸿瑞轩李书记")
    services.enterprise_grant_secretary(enterprise=world.lead, user=enterprise_secretary, system=True)
    other_enterprise_secretary = make(username="ent_sec2", real_name="新花源赵书记")
    services.enterprise_grant_secretary(enterprise=world.member, user=other_enterprise_secretary, system=True)
    handler = make(username="handler", real_name="人社局刘科员")
    services.department_add_handler(department=world.department, user=handler, system=True)
    guide = make(username="guide", real_name="指导员孙")
    guide_services.assignment_create(
        actor=None,
        guide=guide_services.guide_create(actor=None, user=guide, zone=world.zone, term_start=dt.date(2023, 9, 1)),
        zone=world.zone,
        starts_on=dt.date(2023, 9, 1),
    )
    outsider = make(username="outsider", real_name="无关人员")
    return Personas(
        org_staff, leader, secretary, enterprise_secretary, other_enterprise_secretary, handler, guide, outsider
    )


@pytest.fixture
def client_for(client):
    """client_for(user) logs the test client in as that user."""

    def login(user):
        client.force_login(user)
        return client

    return login
