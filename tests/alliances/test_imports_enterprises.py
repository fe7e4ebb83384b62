import pytest

from alliances.models import Enterprise
from chainparty.imports.base import ImportContext
from chainparty.imports.check import apply_workbook, check_workbook
from chainparty.imports.registry import import_kinds
from tests.chainparty.import_helpers import credit_code, xlsx
from tests.conftest import need_service

pytestmark = pytest.mark.django_db


def run(file, user, region, *, apply=False, accept_fixes=False):
    kind = import_kinds.get("enterprises")()
    ctx = ImportContext(user=user, region=region, accept_fixes=accept_fixes, filename="企业台账.xlsx")
    result = check_workbook(file, kind=kind, ctx=ctx)
    if apply:
        apply_workbook(result, ctx)
    return result


def test_new_enterprises_are_created_and_reimport_is_unchanged(world, personas):
    rows = [
        [credit_code(1), "甲纺织有限公司", "纺织服装", "规上", "汶上经济开发区", 120],
        [credit_code(2), "乙服饰有限公司", "纺织服装", "规下", "", 30],
    ]
    result = run(xlsx(rows), personas.org_staff, world.county, apply=True)
    assert result.applied, result.report()
    assert result.counts()["new"] == 2
    first = Enterprise.objects.get(credit_code=credit_code(1))
    assert (first.name, first.size, first.zone, first.employees) == ("甲纺织有限公司", "above", world.zone, 120)
    again = run(xlsx(rows), personas.org_staff, world.county, apply=True)
    assert again.counts()["unchanged"] == 2 and again.counts()["new"] == 0


def test_a_later_file_updates_what_changed_and_says_so(world, personas):
    rows = [[credit_code(1), "甲纺织有限公司", "纺织服装", "规上", "汶上经济开发区", 120]]
    run(xlsx(rows), personas.org_staff, world.county, apply=True)
    rows[0][5] = 150
    result = run(xlsx(rows), personas.org_staff, world.county, apply=True)
    assert result.counts()["changed"] == 1 and result.rows[0].changes == ["职工人数"]
    assert Enterprise.objects.get(credit_code=credit_code(1)).employees == 150


def test_existing_enterprise_is_matched_by_name_within_the_region(world, personas):
    rows = [[world.member.credit_code, world.member.name, world.member.industry, "", "", 999]]
    result = run(xlsx(rows), personas.org_staff, world.county, apply=True)
    assert result.counts()["changed"] == 1
    world.member.refresh_from_db()
    assert world.member.employees == 999
    # Same name, another code: refused, naming the code on file.
    rows = [[credit_code(77), world.member.name, "纺织服装", "", "", 1]]
    result = run(xlsx(rows), personas.org_staff, world.county)
    assert world.member.credit_code in result.rows[0].errors()[0].text


def test_check_digit_names_the_expected_character(world, personas):
    good = credit_code(3)
    wrong = good[:17] + ("0" if good[17] != "0" else "1")
    result = run(
        xlsx([[wrong, "丙公司", "纺织服装"]], headers=["统一社会信用代码", "企业名称", "所属行业"]),
        personas.org_staff,
        world.county,
    )
    [message] = result.rows[0].errors()
    assert f"第18位应为“{good[17]}”" in message.text
    # One rule, one message: the model's validator says the same (forms and the import alike).
    from django.core.exceptions import ValidationError

    from alliances.validators import validate_credit_code

    with pytest.raises(ValidationError) as refusal:
        validate_credit_code(wrong)
    assert refusal.value.messages == [message.text]


def test_unknown_zone_names_the_closest_and_size_synonym_is_offered(world, personas):
    rows = [[credit_code(4), "丁公司", "纺织服装", "规模以上", "汶上开发区", 10]]
    result = run(xlsx(rows), personas.org_staff, world.county)
    texts = [message.text for message in result.rows[0].errors()]
    assert any("是否应为“汶上经济开发区”" in text for text in texts)
    assert any("应填“规上”" in text for text in texts)
    fixed = run(xlsx(rows), personas.org_staff, world.county, accept_fixes=True)
    assert [message.key for message in fixed.rows[0].errors()] == ["zone"]


def test_a_code_registered_in_another_county_is_refused(world, personas):
    rows = [[world.outsider_enterprise.credit_code, "冒名公司", "农机装备"]]
    result = run(xlsx(rows, headers=["统一社会信用代码", "企业名称", "所属行业"]), personas.org_staff, world.county)
    assert "兖州区" in result.rows[0].errors()[0].text


def test_an_error_in_row_500_leaves_nothing_saved(world, personas):
    rows = [[credit_code(1000 + number), f"企业{number}", "纺织服装", "规下", "", 5] for number in range(499)]
    rows.append(["91370830MA0000000X", "坏企业", "纺织服装", "规下", "", 5])
    before = Enterprise.objects.count()
    result = run(xlsx(rows), personas.org_staff, world.county, apply=True)
    assert not result.applied and result.counts()["refused"] == 1 and result.rows[-1].number == 501
    assert Enterprise.objects.count() == before


def test_a_service_refusal_after_500_rows_are_written_undoes_the_whole_file(world, personas, monkeypatch):
    from django.core.exceptions import ValidationError

    from alliances import services

    rows = [[credit_code(2000 + number), f"企业{number}", "纺织服装", "规下", "", 5] for number in range(500)]
    original = services.enterprises_bulk_upsert

    def upsert(**arguments):
        original(**arguments)
        assert Enterprise.objects.filter(name="企业499").exists()
        raise ValidationError("模拟的保存错误")

    monkeypatch.setattr(services, "enterprises_bulk_upsert", upsert)
    before = Enterprise.objects.count()
    result = run(xlsx(rows), personas.org_staff, world.county, apply=True)
    assert not result.applied and "模拟的保存错误" in result.file_errors[0]
    assert Enterprise.objects.count() == before


def test_the_bulk_service_validates_each_enterprise_and_the_codes(world):
    from django.core.exceptions import ValidationError

    from alliances import services

    with pytest.raises(ValidationError, match="坏企业"):
        services.enterprises_bulk_upsert(
            region=world.county, creates=[{"name": "坏企业", "credit_code": "123", "industry": "纺织"}], updates=[]
        )
    with pytest.raises(ValidationError, match="已被其他企业使用"):
        services.enterprises_bulk_upsert(
            region=world.county,
            creates=[{"name": "新企业", "credit_code": world.lead.credit_code, "industry": "纺织"}],
            updates=[],
        )
    created, updated = services.enterprises_bulk_upsert(
        region=world.county,
        creates=[{"name": "新企业", "credit_code": credit_code(9), "industry": "纺织"}],
        updates=[(world.member, {"employees": 77})],
    )
    assert (created, updated) == (1, 1)
    world.member.refresh_from_db()
    assert world.member.employees == 77


def test_apply_queries_do_not_grow_per_row(world, personas):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    if connection.vendor != "postgresql":
        # SQLite takes at most 999 parameters per statement, so Django splits every bulk write there.
        need_service("PostgreSQL (DATABASE_URL): one bulk statement per table whatever the rows")

    def queries(count, offset):
        rows = [[credit_code(offset + n), f"企业{offset + n}", "纺织服装", "规上", "", 5] for n in range(count)]
        kind = import_kinds.get("enterprises")()
        ctx = ImportContext(user=personas.org_staff, region=world.county)
        result = check_workbook(xlsx(rows), kind=kind, ctx=ctx)
        with CaptureQueriesContext(connection) as captured:
            assert apply_workbook(result, ctx)
        return len(captured)

    assert queries(10, 5000) == queries(400, 6000)


def test_the_check_pass_makes_the_same_queries_for_10_and_200_rows(world, personas):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries(count):
        rows = [
            [credit_code(3000 + number), f"企业{number}", "纺织服装", "规上", "汶上经济开发区", 5]
            for number in range(count)
        ]
        file = xlsx(rows)
        with CaptureQueriesContext(connection) as captured:
            result = run(file, personas.org_staff, world.county)
        assert result.counts()["new"] == count
        return len(captured)

    assert queries(10) == queries(200)


def test_the_kind_is_offered_to_org_staff_only(world, personas):
    kind = import_kinds.get("enterprises")()
    assert [region.pk for region in kind.regions_for(personas.org_staff)] == [world.county.pk]
    for persona in (personas.secretary, personas.leader, personas.enterprise_secretary, personas.outsider):
        assert kind.regions_for(persona) == [] and not kind.may_import(persona, world.county)
        assert not kind.offered_to(persona)
    assert kind.offered_to(personas.org_staff)


def test_the_template_lists_the_regions_zones(world, personas):
    import io

    from openpyxl import load_workbook

    from chainparty.imports.template import build_template

    kind = import_kinds.get("enterprises")()
    file = io.BytesIO()
    build_template(kind, ctx=ImportContext(user=personas.org_staff, region=world.county)).save(file)
    file.seek(0)
    sheet = load_workbook(file).worksheets[0]
    formulas = {validation.formula1 for validation in sheet.data_validations.dataValidation}
    assert '"规上,规下"' in formulas and '"汶上经济开发区"' in formulas
