"""The template read back, and the marked copy read back."""

import io

from openpyxl import load_workbook

from chainparty.imports.base import CHOICE, CODE, NEW, Column, ImportContext, ImportKind
from chainparty.imports.check import check_workbook
from chainparty.imports.marked import ERROR_FILL, SUMMARY_SHEET, write_marked_copy
from chainparty.imports.template import EXAMPLE_ROW, KEY_ROW, LISTS_SHEET, build_template

from .import_helpers import xlsx

MANY = tuple(f"第{number}片区（某某经济开发区）" for number in range(40))


class ShopKind(ImportKind):
    identifier = "shops"
    verbose_name = "商店"
    columns = (
        Column("code", "编码", required=True, type=CODE, example="S001", help="编码说明"),
        Column("name", "店名", required=True, example="示例店"),
        Column("size", "规模", type=CHOICE, choices=("大", "小"), example="大"),
        Column("zone", "片区", type=CHOICE, choices=lambda ctx: MANY),
    )

    def regions_for(self, user):
        return []

    def check_row(self, row, ctx):
        if row.values.get("name") == "坏":
            row.error("name", "店名不能是“坏”。")
        row.outcome = NEW

    # These tests check files only: nobody may import this kind, and nothing is written.
    def may_import(self, user, region):
        return False

    def apply_row(self, row, ctx):
        ctx.cache.setdefault("applied", []).append(row.values)


def _saved(workbook):
    file = io.BytesIO()
    workbook.save(file)
    file.seek(0)
    file.name = "商店导入模板.xlsx"
    return file


def test_template_read_back():
    workbook = load_workbook(_saved(build_template(ShopKind(), ctx=ImportContext(user=None, region=None))))
    sheet = workbook.worksheets[0]
    assert sheet.title == "商店"
    assert "A1:D1" in {str(merged) for merged in sheet.merged_cells.ranges}
    assert [cell.value for cell in sheet[2]] == ["*编码", "*店名", "规模", "片区"]
    assert [cell.value for cell in sheet[KEY_ROW]] == ["code", "name", "size", "zone"]
    assert sheet.row_dimensions[KEY_ROW].hidden
    assert [cell.value for cell in sheet[EXAMPLE_ROW]] == ["S001", "示例店", "大", None]
    validations = {
        str(validation.sqref).split(":")[0]: validation.formula1 for validation in sheet.data_validations.dataValidation
    }
    assert validations["C4"] == '"大,小"'
    assert validations["D4"] == f"{LISTS_SHEET}!$A$2:$A${len(MANY) + 1}" or validations["D4"].endswith(
        f"$A${len(MANY) + 1}"
    )
    lists = workbook[LISTS_SHEET]
    assert lists.sheet_state == "hidden" and lists["A2"].value == MANY[0]
    assert sheet.column_dimensions["A"].number_format == "@"
    assert "填写说明" in workbook.sheetnames
    instructions = [row[0] for row in workbook["填写说明"].iter_rows(values_only=True)]
    assert "编码" in instructions


def test_a_filled_template_imports_without_its_example_and_key_rows():
    workbook = build_template(ShopKind(), ctx=ImportContext(user=None, region=None))
    sheet = workbook.worksheets[0]
    sheet.append(["S100", "一号店", "小", MANY[1]])
    result = check_workbook(_saved(workbook), kind=ShopKind(), ctx=ImportContext(user=None, region=None))
    assert not result.refused, result.report()
    assert [row.values["code"] for row in result.rows] == ["S100"]
    assert result.rows[0].number == 5


def test_marked_copy_read_back():
    file = xlsx([["S100", "好"], ["S101", "坏"]], headers=["编码", "店名"], above=[["商店台账"]])
    result = check_workbook(file, kind=ShopKind(), ctx=ImportContext(user=None, region=None))
    out = io.BytesIO()
    assert write_marked_copy(file, result, out) is True
    out.seek(0)
    workbook = load_workbook(out)
    assert workbook.sheetnames[0] == SUMMARY_SHEET
    sheet = workbook["企业"]
    bad = sheet["B4"]
    assert bad.fill.fgColor.rgb.endswith(ERROR_FILL.fgColor.rgb[-6:])
    assert "店名不能是“坏”" in bad.comment.text
    assert sheet["B3"].comment is None and sheet["B3"].value == "好"
    summary = [row for row in workbook[SUMMARY_SHEET].iter_rows(values_only=True)]
    assert any(row[0] == 4 and row[1] == "B4" and "坏" in row[4] for row in summary if row and isinstance(row[0], int))
    assert "有错误 1 行" in summary[1][0]


def test_marked_copy_of_an_unreadable_file_is_the_summary_alone():
    file = io.BytesIO(b"not a workbook")
    file.name = "x.xlsx"
    result = check_workbook(file, kind=ShopKind(), ctx=ImportContext(user=None, region=None))
    out = io.BytesIO()
    assert write_marked_copy(file, result, out) is False
    out.seek(0)
    workbook = load_workbook(out)
    assert workbook.sheetnames == [SUMMARY_SHEET]
    texts = [row[1] for row in workbook[SUMMARY_SHEET].iter_rows(values_only=True) if row and row[0] == "错误"]
    assert texts and "不是 Excel 工作簿" in texts[0]


def test_a_sheet_formatted_far_below_its_data_gets_the_summary_alone(monkeypatch):
    from chainparty.imports import marked

    monkeypatch.setattr(marked, "MARKED_COPY_MAX_ROWS", 10)

    def format_down(workbook, sheet):
        sheet.cell(row=40, column=1).number_format = "@"

    file = xlsx([["S100", "坏"]], headers=["编码", "店名"], build=format_down)
    result = check_workbook(file, kind=ShopKind(), ctx=ImportContext(user=None, region=None))
    assert result.sheet_rows == 40 and result.refused
    out = io.BytesIO()
    assert write_marked_copy(file, result, out) is False
    out.seek(0)
    assert load_workbook(out).sheetnames == [SUMMARY_SHEET]
