"""Import kind "party_organisations" (issue 11): Party organisations and the enterprises they cover."""

import datetime as dt

import pytest

from alliances.models import PartyOrganization
from chainparty.imports.registry import import_kinds
from tests.imports_support import check, messages, outcomes, run

HEADERS = ["党组织名称", "党组织类型", "覆盖企业", "书记", "正式党员", "预备党员", "入党积极分子", "成立日期"]


def rows(world):
    return [
        ["中共鸿瑞轩服饰有限公司支部委员会", "党支部", world.lead.credit_code, "李明", 12, 2, 3, "2019-07-01"],
        [
            "汶上县纺织企业联合党支部",
            "联合党支部",
            f"{world.member.name}、{world.lead.name}",
            "王芳",
            8,
            0,
            1,
            "2021/3/5",
        ],
    ]


@pytest.fixture
def imported(world, personas):
    result = run("party_organisations", personas.org_staff, world.county, HEADERS, rows(world))
    assert result.applied, messages(result)
    return result


def test_new_rows_are_created_with_the_enterprises_they_cover(world, personas, imported):
    assert outcomes(imported) == ["new", "new"]
    branch = PartyOrganization.objects.get(name="中共鸿瑞轩服饰有限公司支部委员会")
    assert (branch.kind, branch.region, branch.secretary_name) == (PartyOrganization.Kind.BRANCH, world.county, "李明")
    assert (branch.members, branch.probationary_members, branch.activists) == (12, 2, 3)
    assert branch.founded_on == dt.date(2019, 7, 1)
    assert list(branch.enterprises.all()) == [world.lead]
    joint = PartyOrganization.objects.get(name="汶上县纺织企业联合党支部")
    assert set(joint.enterprises.all()) == {world.lead, world.member}
    assert joint.founded_on == dt.date(2021, 3, 5)


def test_the_same_file_again_changes_nothing(world, personas, imported):
    again = run("party_organisations", personas.org_staff, world.county, HEADERS, rows(world))
    assert outcomes(again) == ["unchanged", "unchanged"]
    assert PartyOrganization.objects.count() == 2


def test_a_later_file_updates_what_changed_and_says_so(world, personas, imported):
    later = rows(world)
    later[0][4] = 15
    later[1][2] = world.member.name
    result = run("party_organisations", personas.org_staff, world.county, HEADERS, later)
    assert outcomes(result) == ["changed", "changed"]
    assert result.rows[0].changes == ["正式党员"]
    assert result.rows[1].changes == ["覆盖企业"]
    assert PartyOrganization.objects.get(name="中共鸿瑞轩服饰有限公司支部委员会").members == 15
    assert list(PartyOrganization.objects.get(name="汶上县纺织企业联合党支部").enterprises.all()) == [world.member]


def test_bad_rows_are_named_and_nothing_is_saved(world, personas):
    bad = [
        *rows(world),
        ["某支部", "党支部", "新花园纺织有限公司", "", 1, 0, 0, ""],
        ["两企业支部", "党支部", f"{world.member.name}、{world.lead.name}", "", 1, 0, 0, ""],
        ["中共鸿瑞轩服饰有限公司支部委员会", "党支部", world.lead.credit_code, "李明", 12, 2, 3, "2019-07-01"],
        ["外县支部", "党支部", world.outsider_enterprise.name, "", -1, 0, 0, ""],
    ]
    result = run("party_organisations", personas.org_staff, world.county, HEADERS, bad)
    assert not result.applied
    errors = messages(result)
    assert "4:enterprises:企业“新花园纺织有限公司”不存在，是否为“新花源纺织有限公司”？" in errors
    assert "5:enterprises:只有联合党支部可以覆盖多家企业。" in errors
    assert "6:name:与第 2 行重复。" in errors
    assert any(e.startswith("7:enterprises:企业“兖州某机械有限公司”不存在") for e in errors)
    assert "7:members:不能为负数。" in errors
    assert result.counts()["refused"] == 4
    assert not PartyOrganization.objects.exists()


def test_a_kind_that_is_not_a_choice_names_the_closest(world, personas):
    result, _ctx = check(
        "party_organisations",
        personas.org_staff,
        world.county,
        HEADERS,
        [["某支部", "党支布", world.lead.name, "", 1, 0, 0, ""]],
    )
    assert any("是否应为“党支部”" in e for e in messages(result))


def test_only_the_regions_staff_may_import(world, personas):
    kind = import_kinds.get("party_organisations")()
    assert kind.may_import(personas.org_staff, world.county)
    assert not kind.may_import(personas.org_staff, world.other_county)
    for persona in ("leader", "secretary", "enterprise_secretary", "handler", "guide", "outsider"):
        user = getattr(personas, persona)
        assert not kind.may_import(user, world.county), persona
        assert kind.regions_for(user) == [], persona


def test_a_joint_branch_turned_into_a_branch_must_name_its_one_enterprise(world, personas, imported):
    later = rows(world)
    later[1][1:3] = ["党支部", ""]
    result = run("party_organisations", personas.org_staff, world.county, HEADERS, later)
    assert messages(result) == [
        "3:kind:该党组织现覆盖多家企业，只有联合党支部可以覆盖多家企业；改类型时请一并填写覆盖企业。"
    ]
    later[1][2] = world.member.name
    result = run("party_organisations", personas.org_staff, world.county, HEADERS, later)
    assert result.applied and result.rows[1].changes == ["党组织类型", "覆盖企业"]
