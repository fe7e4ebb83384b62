"""Every import kind of imp-kinds (issue 11): its template is read back by its own importer (every
header found, the example row skipped, no column unknown), and the check pass reads what exists in a
constant number of queries however many rows the file has."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from chainparty.imports.base import ImportContext
from chainparty.imports.check import check_workbook
from chainparty.imports.registry import import_kinds
from chainparty.imports.template import write_template
from tests import factories
from tests.imports_support import check, messages

KINDS = [
    "party_organisations",
    "memberships",
    "departments",
    "handlers",
    "guides",
    "guide_assignments",
    "needs",
    "resources",
    "policies",
]


@pytest.mark.parametrize("identifier", KINDS)
def test_the_template_is_read_back_by_its_importer(world, personas, identifier):
    kind = import_kinds.get(identifier)()
    ctx = ImportContext(user=personas.org_staff, region=world.county)
    buffer = io.BytesIO()
    write_template(kind, buffer, ctx=ctx)
    upload = SimpleUploadedFile("模板.xlsx", buffer.getvalue())
    result = check_workbook(upload, kind=kind, ctx=ImportContext(user=personas.org_staff, region=world.county))
    assert set(result.positions) == {column.key for column in kind.columns}
    assert result.skipped_example
    assert not result.rows
    assert not [warning for warning in result.file_warnings if "已忽略" in warning]
    assert all(str(column.header) for column in kind.columns)


def queries_to_check(kind, user, region, headers, rows):
    check(kind, user, region, headers, rows[:1])  # the person's scope, loaded once per request
    with CaptureQueriesContext(connection) as captured:
        result, _ctx = check(kind, user, region, headers, rows)
    assert not messages(result), messages(result)
    return len(captured)


def test_checking_memberships_costs_the_same_queries_for_more_rows(world, personas):
    headers = ["联盟名称", "成员单位", "链上位置", "加入日期"]
    enterprises = [factories.EnterpriseFactory(region=world.county) for _ in range(12)]
    rows = [[world.alliance.name, e.credit_code, "上游", "2024-01-01"] for e in enterprises]
    few = queries_to_check("memberships", personas.org_staff, world.county, headers, rows[:3])
    many = queries_to_check("memberships", personas.org_staff, world.county, headers, rows)
    assert many == few


def test_checking_party_organisations_costs_the_same_queries_for_more_rows(world, personas):
    headers = ["党组织名称", "党组织类型", "覆盖企业", "正式党员"]
    enterprises = [factories.EnterpriseFactory(region=world.county) for _ in range(12)]
    for i, enterprise in enumerate(enterprises):  # existing ones: their coverage is compared too
        factories.PartyOrganizationFactory(name=f"支部{i}", region=world.county).enterprises.set([enterprise])
    rows = [[f"支部{i}", "党支部", e.name, 3] for i, e in enumerate(enterprises)]
    few = queries_to_check("party_organisations", personas.org_staff, world.county, headers, rows[:3])
    many = queries_to_check("party_organisations", personas.org_staff, world.county, headers, rows)
    assert many == few


@pytest.mark.parametrize("identifier", KINDS)
@pytest.mark.parametrize("filler", ["？", "0", "-1", "2024-13-45", "9.13E+17", " "])
def test_rows_of_nonsense_are_refused_with_messages_never_an_exception(world, personas, identifier, filler):
    kind = import_kinds.get(identifier)()
    headers = [str(column.header) for column in kind.columns]
    rows = [[filler] * len(headers), [filler] * len(headers), [""] * (len(headers) - 1) + [filler]]
    result, _ctx = check(identifier, personas.org_staff, world.county, headers, rows)
    if filler.strip():
        assert len(result.rows) == 3  # all() below would hold for no rows at all
    else:
        assert not result.rows and result.file_errors
    assert all(row.has_errors for row in result.rows if any(str(v).strip() for v in row.raw.values() if v))


@pytest.mark.parametrize("identifier", KINDS)
def test_no_header_or_alias_names_two_columns(identifier):
    from chainparty.imports.reader import header_text

    seen = {}
    for column in import_kinds.get(identifier).columns:
        for name in (column.header, *column.aliases):
            key = header_text(name)
            assert seen.setdefault(key, column.key) == column.key, (name, seen[key], column.key)
