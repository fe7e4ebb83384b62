"""The example workbooks in docs/examples/ (scripts/make_import_examples.py) against the demo data:
the clean ones import into 汶上县 as the demo's organisation staff, the ones with slips are refused
with a message on each slip (issue 11 §4)."""

import datetime as dt
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from alliances import demo
from alliances.models import Enterprise, Membership, PartyOrganization
from chainparty.imports.base import ImportContext
from chainparty.imports.check import apply_workbook, check_workbook
from chainparty.imports.registry import import_kinds
from tests.imports_support import messages, outcomes

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"


@pytest.fixture
def county(db):
    org = demo.build()
    return org.users["org_admin"], org.regions["wenshang"]


def run_example(kind, filename, user, region):
    upload = SimpleUploadedFile(filename, (EXAMPLES / filename).read_bytes())
    ctx = ImportContext(user=user, region=region, filename=filename)
    result = check_workbook(upload, kind=import_kinds.get(kind)(), ctx=ctx)
    apply_workbook(result, ctx)
    return result


def test_the_party_organisations_example(county):
    user, region = county
    result = run_example("party_organisations", "党组织台账-汶上县.xlsx", user, region)
    assert result.applied, messages(result)
    assert outcomes(result) == ["unchanged"] * 3 + ["new"] * 3 + ["changed"]
    assert result.rows[-1].changes == ["正式党员"]
    assert PartyOrganization.objects.get(name="汶上县纺织服装企业联合党支部").members == 11
    again = run_example("party_organisations", "党组织台账-汶上县.xlsx", user, region)
    assert outcomes(again) == ["unchanged"] * 7


def test_the_party_organisations_example_with_slips(county):
    user, region = county
    result = run_example("party_organisations", "党组织台账-汶上县-有错漏.xlsx", user, region)
    assert not result.applied
    assert messages(result) == [
        "6:kind:“党组织类型”应填“党支部”，而不是“支部”。",
        "7:enterprises:企业“汶上县锦程休闲服装有限公司”不存在，是否为“汶上县锦程休闲服饰有限公司”？",
        "8:members:“正式党员”应为整数：三名。",
        "9:enterprises:只有联合党支部可以覆盖多家企业。",
        "10:name:与第 3 行重复。",
    ]
    assert not PartyOrganization.objects.filter(name="汶上县好姐妹服饰有限公司党支部").exists()


def test_the_memberships_example(county):
    user, region = county
    result = run_example("memberships", "联盟成员台账-汶上县.xlsx", user, region)
    assert result.applied, messages(result)
    assert outcomes(result) == ["unchanged"] * 3 + ["changed"] + ["new"] * 3
    assert result.rows[3].changes == ["退出日期", "备注"]
    left = Membership.objects.get(enterprise__name="汶上县锦程休闲服饰有限公司")
    assert left.left_on == dt.date(2026, 6, 30)
    again = run_example("memberships", "联盟成员台账-汶上县.xlsx", user, region)
    assert outcomes(again) == ["unchanged"] * 7


def test_the_memberships_example_with_slips(county):
    user, region = county
    before = Membership.objects.count()
    result = run_example("memberships", "联盟成员台账-汶上县-有错漏.xlsx", user, region)
    assert not result.applied
    errors = messages(result)
    assert errors[:3] == [
        "4:alliance:“联盟名称”不是可选的值：纺织服装产业链党委，是否应为“汶上县纺织服装产业链党委”？",
        "7:position:“链上位置”应填“配套”，而不是“配套企业”。",
        "8:member:成员单位“汶上县人力资源社会保障局”不存在，是否为“汶上县人力资源和社会保障局”？",
    ]
    assert errors[3].startswith("10:joined_on:该单位已于 2023-09-01 加入本联盟且仍在册")
    assert errors[4:] == ["11:left_on:退出日期不能早于加入日期。"]
    assert Membership.objects.count() == before


def test_the_enterprises_example(county):
    """700 enterprises of 汶上县: the demo's own unchanged, the rest new; the 序号 column is reported
    as unknown, not fatal; the same file again changes nothing."""
    user, region = county

    before = Enterprise.objects.filter(region=region).count()
    result = run_example("enterprises", "企业台账-汶上县.xlsx", user, region)
    assert result.applied, messages(result)
    counts = outcomes(result)
    assert len(counts) == 700 and counts.count("unchanged") == before and counts.count("new") == 700 - before
    assert Enterprise.objects.filter(region=region).count() == 700
    again = run_example("enterprises", "企业台账-汶上县.xlsx", user, region)
    assert outcomes(again) == ["unchanged"] * 700


def test_the_enterprises_example_with_slips(county):
    user, region = county

    before = Enterprise.objects.count()
    result = run_example("enterprises", "企业台账-汶上县-有错漏.xlsx", user, region)
    assert not result.applied
    assert messages(result) == [
        "23:credit_code:统一社会信用代码校验位不正确：第18位应为“3”，而不是“0”，请核对前17位。",
        "43:credit_code:“统一社会信用代码”含有全角字符，建议改为 91370830MA3W000285。",
        "63:credit_code:“统一社会信用代码”含有空格，建议改为 91370830MA3W000487。",
        "83:credit_code:“统一社会信用代码”被 Excel 显示为科学计数法（9.14E+17），后几位数字已经丢失。"
        "请把该列设为“文本”格式后重新填写完整的代码。",
        "103:size:“企业规模”应填“规上”，而不是“规模以上”。",
        "123:zone:“所在片区”不是可选的值：纺织服装产业区，是否应为“纺织服装产业园”？",
        "143:employees:“职工人数”应为整数：三百人。",
        "703:credit_code:与第 13 行重复。",
        "703:name:与第 13 行重复。",
    ]
    assert Enterprise.objects.count() == before
