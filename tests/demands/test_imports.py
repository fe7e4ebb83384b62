"""Import kinds "needs", "resources" and "policies" (issue 11)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from chainparty.imports.registry import import_kinds
from demands.models import Need, Policy, Resource
from demands.services import workflow
from tests.imports_support import check, messages, outcomes, run

NEEDS = [
    "编号",
    "企业名称",
    "受理联盟",
    "需求类别",
    "需求标题",
    "需求描述",
    "来源",
    "提出日期",
    "融资金额（万元）",
    "联系电话",
]


def need_rows(world):
    return [
        [
            "",
            world.lead.name,
            "",
            "用工/人才",
            "急需缝纫工50名",
            "旺季订单增加，需熟练缝纫工50名",
            "走访",
            "2026-03-02",
            "",
            "13800000011",
        ],
        [
            "",
            world.member.credit_code,
            world.alliance.name,
            "融资",
            "技改贷款",
            "购置新织机缺资金",
            "会议",
            "2026/4/8",
            500,
            "13800000012",
        ],
    ]


def test_needs_are_filed_on_the_day_raised_and_the_same_file_again_changes_nothing(world, personas):
    result = run("needs", personas.org_staff, world.county, NEEDS, need_rows(world))
    assert result.applied, messages(result)
    assert outcomes(result) == ["new", "new"]
    labour = Need.objects.get(title="急需缝纫工50名")
    assert (labour.enterprise, labour.alliance, labour.source, labour.state) == (
        world.lead,
        world.alliance,
        "visit",
        "submitted",
    )
    assert timezone.localdate(labour.filed_at) == dt.date(2026, 3, 2)
    assert labour.filed_by == personas.org_staff
    loan = Need.objects.get(title="技改贷款")
    assert (loan.category, loan.source, loan.funding_wan) == ("financing", "meeting", Decimal("500"))
    assert timezone.localdate(loan.filed_at) == dt.date(2026, 4, 8)
    again = run("needs", personas.org_staff, world.county, NEEDS, need_rows(world))
    assert outcomes(again) == ["unchanged", "unchanged"]
    # Matched by number as well as by enterprise, title and day.
    by_number = need_rows(world)
    by_number[0][0] = labour.number
    assert outcomes(run("needs", personas.org_staff, world.county, NEEDS, by_number)) == ["unchanged", "unchanged"]
    assert Need.objects.count() == 2


def test_a_filed_need_is_not_rewritten_by_a_later_file(world, personas):
    run("needs", personas.org_staff, world.county, NEEDS, need_rows(world))
    need = Need.objects.get(title="急需缝纫工50名")
    workflow.need_accept(need=need, actor=personas.secretary)
    later = need_rows(world)
    later[0][5] = "需熟练缝纫工80名"
    result = run("needs", personas.org_staff, world.county, NEEDS, later)
    assert not result.applied
    assert messages(result) == [
        f"2::需求 {need.number} 已在平台办理（已受理），表中的“需求描述”与平台不同；"
        "需求提交后不能通过导入修改，请在需求页面处理。"
    ]
    need.refresh_from_db()
    assert need.description == "旺季订单增加，需熟练缝纫工50名"


def test_bad_need_rows_and_nothing_half_saved(world, personas):
    rows = [
        *need_rows(world),
        ["", "鸿瑞轩服装有限公司", "", "融资", "贷款", "缺资金", "走访", "2026-03-02", "", "13800000013"],
        ["", world.outsider_enterprise.name, "", "融资", "贷款", "缺资金", "走访", "2026-03-02", "", "13800000013"],
        ["", world.lead.name, "", "用工/人才", "急需缝纫工50名", "重复", "走访", "2026-03-02", "", "13800000011"],
        ["", world.lead.name, "", "用工/人才", "明年的需求", "未来", "热线", "2099-01-01", "", "13800000011"],
        ["XQ-2026-999999", world.lead.name, "", "融资", "贷款", "缺资金", "会议", "2026-03-02", "", "13800000011"],
    ]
    result = run("needs", personas.org_staff, world.county, NEEDS, rows)
    assert not result.applied
    errors = messages(result)
    assert "4:enterprise:企业“鸿瑞轩服装有限公司”不存在，是否为“鸿瑞轩服饰有限公司”？" in errors
    assert any(e.startswith("5:enterprise:企业“兖州某机械有限公司”不存在") for e in errors)
    assert "6:title:与第 2 行重复。" in errors
    assert any(e.startswith("7:source:“来源”不是可选的值：热线") for e in errors)
    assert "7:raised_on:提出日期不能晚于今天。" in errors
    assert "8:number:编号为 XQ-2026-999999 的需求不存在（新需求请把编号留空）。" in errors
    assert not Need.objects.exists()


def test_an_alliance_secretary_imports_needs_of_their_alliance(world, personas):
    kind = import_kinds.get("needs")()
    assert kind.may_import(personas.secretary, world.county) and kind.offered_to(personas.secretary)
    result = run("needs", personas.secretary, world.county, NEEDS, need_rows(world)[:1])
    assert result.applied, messages(result)
    assert Need.objects.get().filed_by == personas.secretary
    result, _ctx = check("needs", personas.outsider, world.county, NEEDS, need_rows(world)[:1])
    assert messages(result) == ["2:alliance:您只能导入本人所在联盟受理的需求。"]


RESOURCES = ["提供单位", "资源类别", "资源名称", "资源说明", "数量/规模", "有效期至", "联系人及电话"]


def resource_rows(world):
    return [
        [world.lead.name, "产能", "闲置缝制产能", "旺季外可承接订单", "300台/月", "", "李明 13800000021"],
        [world.department.name, "人才培训", "技能培训班", "每季度一期", "50人/期", "2099-12-31", ""],
    ]


def test_resources_new_unchanged_changed_and_bad(world, personas):
    result = run("resources", personas.org_staff, world.county, RESOURCES, resource_rows(world))
    assert result.applied, messages(result)
    capacity = Resource.objects.get(title="闲置缝制产能")
    assert (capacity.enterprise, capacity.category, capacity.quantity, capacity.zone) == (
        world.lead,
        "capacity",
        "300台/月",
        world.lead.zone,
    )
    assert Resource.objects.get(title="技能培训班").department == world.department
    assert outcomes(run("resources", personas.org_staff, world.county, RESOURCES, resource_rows(world))) == [
        "unchanged",
        "unchanged",
    ]
    later = resource_rows(world)
    later[0][4] = "500台/月"
    result = run("resources", personas.org_staff, world.county, RESOURCES, later)
    assert result.rows[0].changes == ["数量/规模"]
    capacity.refresh_from_db()
    assert capacity.quantity == "500台/月"
    bad = [
        *later,
        ["汶上县人力资源社会保障局", "设备", "检测设备", "", "", "", ""],
        [world.lead.name, "产能", "闲置缝制产能", "", "", "", ""],
        [world.member.name, "厂房", "空置厂房", "", "", "2020-01-01", ""],
    ]
    result = run("resources", personas.org_staff, world.county, RESOURCES, bad)
    errors = messages(result)
    assert f"4:owner:提供单位“汶上县人力资源社会保障局”不存在，是否为“{world.department.name}”？" in errors
    assert "5:title:与第 2 行重复。" in errors
    assert "6:category:“资源类别”应填“场地”，而不是“厂房”。" in errors
    assert Resource.objects.count() == 2


POLICIES = ["发布部门", "政策名称", "文号", "政策摘要", "政策类别", "适用行业", "适用企业规模", "有效期起", "有效期止"]


def policy_rows(world):
    return [
        [
            world.department.name,
            "纺织技工引进补贴",
            "汶人社发〔2026〕3号",
            "引进技工每人补贴",
            "人才引育",
            "纺织服装",
            "规上、规下",
            "2026-01-01",
            "2026-12-31",
        ],
        [
            world.department.name,
            "休闲服饰贷",
            "",
            "单户最高5000万元",
            "金融信贷、产业扶持",
            "纺织服装、服饰",
            "",
            "",
            "",
        ],
    ]


def test_policies_are_drafts_matched_by_number_or_title(world, personas):
    result = run("policies", personas.org_staff, world.county, POLICIES, policy_rows(world))
    assert result.applied, messages(result)
    subsidy = Policy.objects.get(doc_number="汶人社发〔2026〕3号")
    assert (subsidy.state, subsidy.department, subsidy.issuer) == ("draft", world.department, world.department.name)
    assert (subsidy.categories, subsidy.industries, subsidy.sizes) == (["talent"], ["纺织服装"], ["above", "below"])
    loan = Policy.objects.get(title="休闲服饰贷")
    assert sorted(loan.categories) == ["finance", "industry"]
    assert outcomes(run("policies", personas.org_staff, world.county, POLICIES, policy_rows(world))) == [
        "unchanged",
        "unchanged",
    ]
    later = policy_rows(world)
    later[0][1] = "纺织技工引进补贴办法"
    later[1][4] = "金融信贷"
    result = run("policies", personas.org_staff, world.county, POLICIES, later)
    assert result.applied, messages(result)
    assert [row.changes for row in result.rows] == [["政策名称"], ["政策类别"]]
    assert Policy.objects.get(pk=subsidy.pk).title == "纺织技工引进补贴办法"
    assert Policy.objects.get(pk=loan.pk).categories == ["finance"]


def test_bad_policy_rows(world, personas):
    rows = [
        *policy_rows(world),
        [world.other_department.name, "外县政策", "", "摘要", "人才引育", "", "", "", ""],
        [world.department.name, "某政策", "", "摘要", "人才引进", "", "规模以上", "2026-05-01", "2026-01-01"],
    ]
    result = run("policies", personas.org_staff, world.county, POLICIES, rows)
    assert not result.applied
    errors = messages(result)
    assert any(e.startswith(f"4:department:部门“{world.other_department.name}”不存在") for e in errors)
    assert "5:categories:不是可选的值：“人才引进”（是否为“人才引育”？）。可选：" in "".join(errors)
    assert any(e.startswith("5:sizes:不是可选的值：“规模以上”") for e in errors)
    assert "5:valid_to:有效期止不能早于有效期起。" in errors
    assert not Policy.objects.exists()


@pytest.mark.parametrize("identifier", ["needs", "resources", "policies"])
def test_personas_without_the_right_are_refused(world, personas, identifier):
    kind = import_kinds.get(identifier)()
    assert kind.may_import(personas.org_staff, world.county)
    assert not kind.may_import(personas.org_staff, world.other_county)
    for persona in ("leader", "enterprise_secretary", "handler", "guide", "outsider"):
        assert not kind.may_import(getattr(personas, persona), world.county), persona


def test_a_secretary_learns_nothing_of_another_alliances_need_by_its_number(world, personas):
    from alliances import services as alliance_services
    from demands.services import filing

    other = alliance_services.alliance_create(
        name="汶上县服饰产业链党委",
        chain="服饰",
        region=world.county,
        founded_on=dt.date(2024, 1, 1),
        lead_enterprise=world.lead,
    )
    need = filing.need_file(
        actor=personas.org_staff,
        enterprise=world.lead,
        alliance=other,
        category=Need.Category.LABOR,
        title="急需缝纫工50名",
        description="另一联盟受理的需求",
        source=Need.Source.MEETING,
        contact_phone="13800000011",
    )
    row = need_rows(world)[0]
    row[0], row[2] = need.number, world.alliance.name
    result, _ctx = check("needs", personas.secretary, world.county, NEEDS, [row])
    assert messages(result) == [f"2:number:编号为 {need.number} 的需求不存在（新需求请把编号留空）。"]
