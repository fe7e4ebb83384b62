"""Import kinds "guides" and "guide_assignments" (issue 11)."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model

from chainparty.imports.check import apply_workbook
from chainparty.imports.registry import import_kinds
from chainparty.security.services import password_change_due
from guides.models import Assignment, Guide
from tests.imports_support import check, messages, outcomes, run

User = get_user_model()
GUIDES = ["姓名", "手机号码", "类别", "派出单位", "职级", "职务", "选派日期", "任期结束"]
ASSIGNMENTS = ["指导员", "指导员手机", "联系对象类型", "联系对象", "开始日期", "结束日期", "走访频次"]


@pytest.fixture
def personas(personas):
    personas.guide.mobile = "13800000009"
    personas.guide.save(update_fields=["mobile"])
    return personas


def guide_rows(world, personas):
    return [
        ["指导员孙", personas.guide.mobile, "党建工作指导员", world.zone.name, "一般干部", "", "2023-09-01", ""],
        ["钱红", "13911110001", "红帆指导员", world.department.name, "科级", "副局长", "2024-03-01", "2026-12-31"],
    ]


def test_guides_new_with_an_account_and_the_same_file_again(world, personas):
    result, ctx = check("guides", personas.org_staff, world.county, GUIDES, guide_rows(world, personas))
    assert outcomes(result) == ["unchanged", "new"], messages(result)
    assert apply_workbook(result, ctx)
    qian = Guide.objects.get(name="钱红")
    assert (qian.kind, qian.rank, qian.position, qian.department) == ("red_sail", "section", "副局长", world.department)
    assert (qian.term_start, qian.term_end, qian.region) == (dt.date(2024, 3, 1), dt.date(2026, 12, 31), world.county)
    assert qian.user.mobile == "13911110001" and qian.user.affiliation_unit == world.department
    assert [label.split("（")[0] for _n, label, _s in ctx.secrets] == ["钱红"]
    assert password_change_due(qian.user) == "temporary"
    again = run("guides", personas.org_staff, world.county, GUIDES, guide_rows(world, personas))
    assert outcomes(again) == ["unchanged", "unchanged"]


def test_a_later_file_moves_and_promotes_a_guide(world, personas):
    rows = [["指导员孙", personas.guide.mobile, "党建工作指导员", world.department.name, "科级", "", "2023-09-01", ""]]
    result = run("guides", personas.org_staff, world.county, GUIDES, rows)
    assert result.applied, messages(result)
    assert result.rows[0].changes == ["职级", "派出单位"]
    guide = Guide.objects.get(user=personas.guide)
    assert (guide.rank, guide.department, guide.zone) == ("section", world.department, None)


def test_an_existing_account_becomes_a_guide(world, personas):
    personas.handler.mobile = "13800000002"
    personas.handler.save(update_fields=["mobile"])
    rows = [["人社局刘科员", "13800000002", "", world.department.name, "", "", "2024-01-01", ""]]
    result, ctx = check("guides", personas.org_staff, world.county, GUIDES, rows)
    assert outcomes(result) == ["new"] and not messages(result, "warning")
    assert apply_workbook(result, ctx)
    assert Guide.objects.get(user=personas.handler).kind == "party_building"
    assert ctx.secrets == []


def test_bad_guide_rows_and_nothing_half_saved(world, personas):
    rows = [
        *guide_rows(world, personas),
        ["李四", "13911110002", "", "汶上县人力资源社会保障局", "", "", "2024-01-01", ""],
        ["钱红", "13911110001", "", world.department.name, "", "", "2024-01-01", ""],
        ["王五", "13911110003", "", world.department.name, "处级", "", "2024-01-01", "2023-01-01"],
    ]
    result = run("guides", personas.org_staff, world.county, GUIDES, rows)
    assert not result.applied
    errors = messages(result)
    assert f"4:sender:派出单位“汶上县人力资源社会保障局”不存在，是否为“{world.department.name}”？" in errors
    assert "5:mobile:与第 3 行重复。" in errors
    assert "6:term_end:任期结束日期不能早于选派日期。" in errors
    assert any(e.startswith("6:rank:“职级”不是可选的值：处级") for e in errors)
    assert not User.objects.filter(mobile="13911110001").exists()
    assert not Guide.objects.filter(name="钱红").exists()


def assignment_rows(world, personas):
    return [
        ["指导员孙", "", "工作片区", world.zone.name, "2023-09-01", "", "每季度走访"],
        ["指导员孙", personas.guide.mobile, "", world.member.name, "2024-05-01", "", "每月"],
        ["指导员孙", "", "", world.alliance.name, "2024-05-01", "2025-04-30", ""],
    ]


def test_assignments_new_unchanged_and_ended(world, personas):
    result, _ctx = check(
        "guide_assignments", personas.org_staff, world.county, ASSIGNMENTS, assignment_rows(world, personas)
    )
    # "每月" is a slip for "每月走访": offered as a fix, applied only when fixes are accepted.
    assert messages(result) == ["3:cadence:“走访频次”应填“每月走访”，而不是“每月”。"]
    rows = assignment_rows(world, personas)
    rows[1][6] = "每月走访"
    result = run("guide_assignments", personas.org_staff, world.county, ASSIGNMENTS, rows)
    assert result.applied, messages(result)
    assert outcomes(result) == ["unchanged", "new", "new"]
    guide = Guide.objects.get(user=personas.guide)
    to_member = Assignment.objects.get(guide=guide, enterprise=world.member)
    assert (to_member.cadence, to_member.starts_on, to_member.region) == ("monthly", dt.date(2024, 5, 1), world.county)
    to_alliance = Assignment.objects.get(guide=guide, alliance=world.alliance)
    assert (to_alliance.target, to_alliance.ends_on) == ("alliance", dt.date(2025, 4, 30))
    assert outcomes(run("guide_assignments", personas.org_staff, world.county, ASSIGNMENTS, rows)) == ["unchanged"] * 3
    rows[0][5:7] = ["2025-12-31", "每月走访"]
    result = run("guide_assignments", personas.org_staff, world.county, ASSIGNMENTS, rows)
    assert result.applied, messages(result)
    assert result.rows[0].changes == ["结束日期", "走访频次"]
    to_zone = Assignment.objects.get(guide=guide, zone=world.zone)
    assert (to_zone.ends_on, to_zone.cadence) == (dt.date(2025, 12, 31), "monthly")


def test_bad_assignment_rows_and_nothing_half_saved(world, personas):
    rows = [
        ["指导员孙", "", "企业", world.member.name, "2024-05-01", "", ""],
        ["指导员赵", "", "", world.member.name, "2024-05-01", "", ""],
        ["指导员孙", "", "", "新花园纺织有限公司", "2024-05-01", "", ""],
        ["指导员孙", "", "工作片区", world.zone.name, "2024-01-01", "", ""],
        ["指导员孙", "", "企业", world.member.name, "2024-05-01", "", ""],
        ["指导员孙", "", "企业", world.lead.name, "2020-01-01", "", ""],
        ["指导员孙", "", "企业", world.lead.name, "2024-01-01", "2024-12-31", ""],
        ["指导员孙", "", "企业", world.lead.name, "2024-12-01", "", ""],
    ]
    result = run("guide_assignments", personas.org_staff, world.county, ASSIGNMENTS, rows)
    assert not result.applied
    errors = messages(result)
    assert "3:guide:指导员“指导员赵”不存在，是否为“指导员孙”？" in errors
    assert "4:target:联系对象“新花园纺织有限公司”不存在，是否为“新花源纺织有限公司”？" in errors
    assert any(e.startswith("5:starts_on:“指导员孙”对“汶上经济开发区”已有联系安排（2023-09-01 起）") for e in errors)
    assert "6:target:与第 2 行重复。" in errors
    assert "7:starts_on:“指导员孙”在该日期不在指导员任期内。" in errors
    assert "9:starts_on:与第 8 行的联系安排日期重叠。" in errors
    assert result.counts()["refused"] == 6
    assert not Assignment.objects.filter(enterprise=world.member).exists()


@pytest.mark.parametrize("identifier", ["guides", "guide_assignments"])
def test_only_the_regions_staff_may_import(world, personas, identifier):
    kind = import_kinds.get(identifier)()
    assert kind.may_import(personas.org_staff, world.county)
    assert not kind.may_import(personas.org_staff, world.other_county)
    for persona in ("leader", "secretary", "enterprise_secretary", "handler", "guide", "outsider"):
        assert not kind.may_import(getattr(personas, persona), world.county), persona


def test_a_team_is_assigned_and_a_row_names_one_assignee(world, personas):
    from guides import services

    team = services.team_create(
        actor=None, name="红帆党建指导一组", kind="red_sail", region=world.county, formed_on=dt.date(2024, 1, 1)
    )
    headers = ["指导员", "指导组", "联系对象", "开始日期", "走访频次"]
    rows = [["", "红帆党建指导一组", world.member.name, "2024-05-01", "每月走访"]]
    result = run("guide_assignments", personas.org_staff, world.county, headers, rows)
    assert result.applied, messages(result)
    assignment = Assignment.objects.get(team=team)
    assert (assignment.enterprise, assignment.cadence, assignment.guide) == (world.member, "monthly", None)
    assert outcomes(run("guide_assignments", personas.org_staff, world.county, headers, rows)) == ["unchanged"]
    bad = [
        ["指导员孙", "红帆党建指导一组", world.lead.name, "2024-05-01", ""],
        ["", "红帆指导一组", world.lead.name, "2024-05-01", ""],
        ["", "", world.lead.name, "2024-05-01", ""],
    ]
    result = run("guide_assignments", personas.org_staff, world.county, headers, bad)
    assert messages(result) == [
        "2:team:指导员和指导组只能填一个：组团式联系填指导组，个人联系填指导员。",
        "3:team:指导组“红帆指导一组”不存在，是否为“红帆党建指导一组”？",
        "4:guide:请填写指导员（或组团式联系的指导组）。",
    ]


def test_the_assignment_check_reads_assignment_creates_rules_from_the_service(world, personas, monkeypatch):
    """The assignee and overlap rules are written once, in guides.services.people: the import's check
    reports what they say, and assignment_create refuses by them."""
    from django.core.exceptions import ValidationError

    from guides.services import people

    def stricter(*, assignee, starts_on):
        raise ValidationError({"guide": "规则已改变。"})

    monkeypatch.setattr(people, "assignment_check_assignee", stricter)
    rows = assignment_rows(world, personas)
    rows[1][6] = "每月走访"
    result, _ctx = check("guide_assignments", personas.org_staff, world.county, ASSIGNMENTS, rows)
    assert messages(result) == ["3:starts_on:规则已改变。", "4:starts_on:规则已改变。"]
    guide = Guide.objects.get(user=personas.guide)
    with pytest.raises(ValidationError, match="规则已改变"):
        people.assignment_create(actor=personas.org_staff, guide=guide, enterprise=world.member)
