"""Import kind "memberships" (issue 11): enterprises and departments in an alliance, with history."""

import datetime as dt

import pytest

from alliances import services
from alliances.models import Membership
from chainparty.imports.registry import import_kinds
from tests import factories
from tests.imports_support import check, messages, outcomes, run

HEADERS = ["联盟名称", "成员单位", "链上位置", "加入日期", "退出日期", "备注"]
ALLIANCE = "汶上县纺织服装产业链党委"


@pytest.fixture
def newcomers(world):
    return (
        factories.EnterpriseFactory(name="如意纺织有限公司", region=world.county),
        factories.DepartmentFactory(name="汶上县地方金融监督管理局", region=world.county),
    )


def rows(world, newcomers):
    enterprise, department = newcomers
    return [
        [ALLIANCE, world.lead.name, "链主", "2023-09-01", "", ""],
        [ALLIANCE, world.member.credit_code, "下游", "2023-09-01", "", ""],
        [ALLIANCE, enterprise.name, "上游", "2024-03-01", "", "面料供应"],
        [ALLIANCE, department.name, "要素保障", "2024-03-01", "", ""],
    ]


def active(alliance, **member):
    return Membership.objects.get(alliance=alliance, left_on__isnull=True, **member)


def test_members_join_and_the_same_file_again_changes_nothing(world, personas, newcomers):
    result = run("memberships", personas.org_staff, world.county, HEADERS, rows(world, newcomers))
    assert result.applied, messages(result)
    # The lead and the member were already in (the alliance page put them there): unchanged.
    assert outcomes(result) == ["unchanged", "unchanged", "new", "new"]
    enterprise, department = newcomers
    joined = active(world.alliance, enterprise=enterprise)
    assert (joined.position, joined.joined_on, joined.note) == ("upstream", dt.date(2024, 3, 1), "面料供应")
    assert active(world.alliance, department=department).position == Membership.Position.FACTOR
    again = run("memberships", personas.org_staff, world.county, HEADERS, rows(world, newcomers))
    assert outcomes(again) == ["unchanged"] * 4
    assert Membership.objects.filter(alliance=world.alliance).count() == 5


def test_leaving_and_rejoining_keep_the_history(world, personas, newcomers):
    later = rows(world, newcomers)
    later[1][2] = "配套"
    later[2][4] = "2025-06-30"
    result = run("memberships", personas.org_staff, world.county, HEADERS, later)
    assert result.applied, messages(result)
    assert outcomes(result)[1:3] == ["changed", "new"]
    assert result.rows[1].changes == ["链上位置"]
    assert active(world.alliance, enterprise=world.member).position == Membership.Position.SUPPORTING
    enterprise = newcomers[0]
    left = Membership.objects.get(alliance=world.alliance, enterprise=enterprise)
    assert left.left_on == dt.date(2025, 6, 30)
    rejoin = [*later, [ALLIANCE, enterprise.name, "上游", "2026-01-05", "", ""]]
    result = run("memberships", personas.org_staff, world.county, HEADERS, rejoin)
    assert result.applied, messages(result)
    assert outcomes(result)[2:] == ["unchanged", "unchanged", "new"]
    history = Membership.objects.filter(alliance=world.alliance, enterprise=enterprise).order_by("joined_on")
    assert [(m.joined_on, m.left_on) for m in history] == [
        (dt.date(2024, 3, 1), dt.date(2025, 6, 30)),
        (dt.date(2026, 1, 5), None),
    ]


def test_a_current_member_who_leaves_in_a_later_file(world, personas):
    result = run(
        "memberships",
        personas.org_staff,
        world.county,
        HEADERS,
        [[ALLIANCE, world.member.name, "下游", "2023-09-01", "2025-12-31", ""]],
    )
    assert result.applied, messages(result)
    assert result.rows[0].changes == ["退出日期"]
    assert not Membership.objects.filter(
        alliance=world.alliance, enterprise=world.member, left_on__isnull=True
    ).exists()


def test_bad_rows_name_the_closest_and_nothing_is_saved(world, personas, newcomers):
    services.membership_end(membership=active(world.alliance, enterprise=world.member), left_on=dt.date(2025, 1, 1))
    bad = [
        *rows(world, newcomers)[2:],
        ["纺织产业链党委", world.lead.name, "链主", "2023-09-01", "", ""],
        [ALLIANCE, "如意纺织公司", "上游", "2024-03-01", "", ""],
        [ALLIANCE, world.lead.name, "链主", "2024-01-01", "", ""],
        [ALLIANCE, world.member.name, "下游", "2023-09-01", "", ""],
        [ALLIANCE, world.member.name, "下游", "2024-06-01", "", ""],
        [ALLIANCE, newcomers[0].name, "上游", "2024-03-01", "", ""],
        [ALLIANCE, newcomers[0].name, "要素保障", "2024-05-01", "2024-04-01", ""],
    ]
    result = run("memberships", personas.org_staff, world.county, HEADERS, bad)
    assert not result.applied
    errors = messages(result)
    assert f"4:alliance:“联盟名称”不是可选的值：纺织产业链党委，是否应为“{ALLIANCE}”？" in errors
    assert "5:member:成员单位“如意纺织公司”不存在，是否为“如意纺织有限公司”？" in errors
    assert any(e.startswith("6:joined_on:该单位已于 2023-09-01 加入本联盟且仍在册") for e in errors)
    assert "7:left_on:该成员已于 2025-01-01 退出；如已重新加入，请另起一行填写新的加入日期。" in errors
    assert any(e.startswith("8:joined_on:该单位在 2023-09-01 至 2025-01-01 期间已是本联盟成员") for e in errors)
    assert "9:member:与第 2 行重复。" in errors
    assert "10:left_on:退出日期不能早于加入日期。" in errors
    assert result.counts()["refused"] == 7
    assert not Membership.objects.filter(enterprise=newcomers[0]).exists()
    assert not Membership.objects.filter(department=newcomers[1]).exists()


def test_an_alliance_secretary_imports_for_their_alliance_only(world, personas, newcomers):
    other = services.alliance_create(
        name="汶上县机械产业链党委", chain="机械", region=world.county, founded_on=dt.date(2024, 1, 1)
    )
    kind = import_kinds.get("memberships")()
    assert kind.may_import(personas.secretary, world.county)
    assert kind.offered_to(personas.secretary)
    assert [region.pk for region in kind.regions_for(personas.secretary)] == [world.county.pk]
    enterprise = newcomers[0]
    result = run(
        "memberships",
        personas.secretary,
        world.county,
        HEADERS,
        [
            [ALLIANCE, enterprise.name, "上游", "2024-03-01", "", ""],
            [other.name, enterprise.name, "上游", "2024-03-01", "", ""],
        ],
    )
    assert messages(result) == ["3:alliance:您只能导入本人所在联盟的成员。"]
    assert not Membership.objects.filter(enterprise=enterprise).exists()
    result = run(
        "memberships",
        personas.secretary,
        world.county,
        HEADERS,
        [[ALLIANCE, enterprise.name, "上游", "2024-03-01", "", ""]],
    )
    assert result.applied
    assert active(world.alliance, enterprise=enterprise).position == "upstream"


def test_personas_without_the_right_are_refused(world, personas):
    kind = import_kinds.get("memberships")()
    assert kind.may_import(personas.org_staff, world.county)
    assert not kind.may_import(personas.secretary, world.other_county)
    for persona in ("leader", "enterprise_secretary", "handler", "guide", "outsider"):
        user = getattr(personas, persona)
        assert not kind.may_import(user, world.county), persona
        assert not kind.offered_to(user), persona
    result, _ctx = check(
        "memberships",
        personas.outsider,
        world.county,
        HEADERS,
        [[ALLIANCE, world.lead.name, "链主", "2023-09-01", "", ""]],
    )
    assert messages(result) == ["2:alliance:您只能导入本人所在联盟的成员。"]


def test_one_members_history_in_several_rows(world, personas, newcomers):
    enterprise = newcomers[0]
    history = [
        [ALLIANCE, enterprise.name, "上游", "2023-01-01", "2023-12-31", ""],
        [ALLIANCE, enterprise.name, "配套", "2024-06-01", "", ""],
    ]
    result = run("memberships", personas.org_staff, world.county, HEADERS, history)
    assert result.applied, messages(result)
    rows = Membership.objects.filter(enterprise=enterprise).order_by("joined_on")
    assert [(m.position, m.left_on) for m in rows] == [("upstream", dt.date(2023, 12, 31)), ("supporting", None)]
    assert outcomes(run("memberships", personas.org_staff, world.county, HEADERS, history)) == ["unchanged"] * 2
    out_of_order = [
        [ALLIANCE, newcomers[1].name, "要素保障", "2024-06-01", "", ""],
        [ALLIANCE, newcomers[1].name, "要素保障", "2023-01-01", "2023-12-31", ""],
    ]
    result = run("memberships", personas.org_staff, world.county, HEADERS, out_of_order)
    assert messages(result) == ["3:joined_on:同一成员的多行须按加入日期先后排列，且在上一段退出之后加入（见第 2 行）。"]
    assert not Membership.objects.filter(department=newcomers[1]).exists()


def test_a_city_import_keeps_members_within_the_alliances_region(world, personas):
    from alliances.services import region_grant

    city_staff = factories.UserFactory(username="city_staff")
    region_grant(region=world.city, user=city_staff, manage=True, system=True)
    rows = [
        [ALLIANCE, world.outsider_enterprise.name, "上游", "2024-03-01", "", ""],
        [ALLIANCE, world.other_department.name, "要素保障", "2024-03-01", "", ""],
    ]
    result = run("memberships", city_staff, world.city, HEADERS, rows)
    assert messages(result) == [
        "2:member:该企业不在本联盟所属区域内。",
        "3:member:该部门不属于本联盟所在区域或其上级区域。",
    ]


def seat_from_2025(world):
    from alliances.models import CommitteeSeat

    services.seat_assign(
        alliance=world.alliance,
        role=CommitteeSeat.Role.MEMBER_PARTTIME,
        person_name="赵委员",
        enterprise=world.member,
        term_start=dt.date(2025, 1, 1),
        system=True,
    )


LEAVING = [ALLIANCE, "新花源纺织有限公司", "下游", "2023-09-01", "2024-06-30", ""]


def test_a_member_cannot_leave_before_a_seat_of_theirs_begins(world, personas):
    seat_from_2025(world)
    result, _ctx = check("memberships", personas.org_staff, world.county, HEADERS, [LEAVING])
    assert messages(result) == [
        "2:left_on:退出日期 2024-06-30 早于该单位班子成员 赵委员 的任期开始（2025-01-01），请先处理该任职。"
    ]


def test_a_refusal_at_apply_undoes_the_whole_file(world, personas, newcomers):
    rows = [[ALLIANCE, newcomers[0].name, "上游", "2024-03-01", "", ""], LEAVING]
    result, ctx = check("memberships", personas.org_staff, world.county, HEADERS, rows)
    assert outcomes(result) == ["new", "changed"]
    seat_from_2025(world)  # meanwhile, on the alliance page
    from chainparty.imports.check import apply_workbook

    assert not apply_workbook(result, ctx)
    assert any(
        e.startswith("3::保存时被拒绝：退出日期 2024-06-30 早于以下班子成员的任期开始") for e in messages(result)
    )
    assert not Membership.objects.filter(enterprise=newcomers[0]).exists()
    assert active(world.alliance, enterprise=world.member).left_on is None


def test_the_check_reads_membership_adds_rule_from_the_service_not_a_copy(world, personas, monkeypatch):
    """A rule is written once: the check asks alliances.services.membership_check_member, the rule
    membership_add applies, so a change of the rule reaches the import's report."""
    from django.core.exceptions import ValidationError

    def stricter(*, alliance, enterprise=None, department=None):
        raise ValidationError({"enterprise": "规则已改变。"})

    monkeypatch.setattr(services, "membership_check_member", stricter)
    result = run(
        "memberships",
        personas.org_staff,
        world.county,
        HEADERS,
        [[ALLIANCE, world.member.name, "上游", "2024-03-01", "", ""]],
    )
    assert messages(result) == ["2:member:规则已改变。"]
    with pytest.raises(ValidationError):
        services.membership_add(
            alliance=world.alliance, enterprise=world.member, position="upstream", joined_on=dt.date(2024, 3, 1)
        )
