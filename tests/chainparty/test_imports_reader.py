"""Reading users' workbooks: bad files, header rows found by name, formulas, merged cells, long
empty tails, and the check pass's counts and duplicates (with a kind of the test's own)."""

import io
import re
import zipfile

import pytest
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import PatternFill

from chainparty.imports import reader
from chainparty.imports.base import CODE, INT, NEW, UNCHANGED, Column, ImportContext, ImportKind
from chainparty.imports.check import UNREADABLE, check_workbook

from .import_helpers import xlsx


class FruitKind(ImportKind):
    identifier = "fruit"
    verbose_name = "水果"
    columns = (
        Column("code", "编码", aliases=("货号",), required=True, type=CODE, example="A001"),
        Column("name", "名称", required=True, example="苹果"),
        Column("count", "数量", type=INT, example="3"),
    )

    def regions_for(self, user):
        return []

    def check_row(self, row, ctx):
        if row.values.get("code"):
            self.first_seen(row, ctx, "code", row.values["code"])
        row.outcome = UNCHANGED if row.values.get("name") == "旧" else NEW

    # These tests check files only: nobody may import this kind, and nothing is written.
    def may_import(self, user, region):
        return False

    def apply_row(self, row, ctx):
        ctx.cache.setdefault("applied", []).append(row.values)


def check(file):
    return check_workbook(file, kind=FruitKind(), ctx=ImportContext(user=None, region=None))


def only_error(result):
    assert result.file_errors, result.report()
    return result.file_errors[0]


def test_not_an_xlsx_is_refused_in_chinese():
    file = io.BytesIO("编码,名称\nA1,苹果\n".encode())
    file.name = "水果.xlsx"
    assert "不是 Excel 工作簿" in only_error(check(file))


def test_an_old_xls_says_how_to_convert():
    file = io.BytesIO(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 4000 + "Workbook".encode("utf-16-le"))
    file.name = "台账.xls"
    message = only_error(check(file))
    assert ".xls" in message and "另存为" in message and "xlsx" in message


def test_an_encrypted_workbook_is_named_as_such():
    file = io.BytesIO(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600 + "EncryptedPackage".encode("utf-16-le"))
    file.name = "台账.xlsx"
    assert "设置了打开密码" in only_error(check(file))


def test_a_zip_bomb_is_refused_before_inflating():
    file = xlsx([["A001", "苹果", 1]], headers=["编码", "名称", "数量"])
    bombed = io.BytesIO()
    with zipfile.ZipFile(file) as source, zipfile.ZipFile(bombed, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info, source.read(info))
        target.writestr("xl/media/padding.bin", b"\0" * (4 * 1024 * 1024))
    bombed.seek(0)
    bombed.name = "水果.xlsx"
    assert "压缩炸弹" in only_error(check(bombed))


def test_header_row_below_title_rows_in_any_order_with_aliases_and_unknown_columns():
    file = xlsx(
        [[5, "苹果", "A001", "红色"], [7, "梨", "A002", "黄色"]],
        headers=["数量", "名称", "货号", "颜色"],
        above=[["某县水果台账"], ["填报单位：某局"], []],
    )
    result = check(file)
    assert not result.refused, result.report()
    assert result.header_row == 4
    assert [(row.number, row.values["code"], row.values["count"]) for row in result.rows] == [
        (5, "A001", 5),
        (6, "A002", 7),
    ]
    assert any("颜色" in text for text in result.file_warnings)


def test_missing_required_column_is_a_file_error():
    result = check(xlsx([["苹果"]], headers=["名称"]))
    assert "缺少必填列：编码" in only_error(result)
    assert result.rows == []


def test_no_header_anywhere_is_explained():
    result = check(xlsx([["x", "y"]], headers=["甲", "乙"]))
    assert "没有找到表头" in only_error(result)


def test_duplicates_inside_the_file_refuse_the_second_row():
    result = check(xlsx([["A001", "苹果", 1], ["A001", "梨", 2]], headers=["编码", "名称", "数量"]))
    assert result.counts()["refused"] == 1
    assert result.rows[1].errors()[0].text == "与第 2 行重复。"


def _with_cached_formula(file):
    """openpyxl writes formulas without a cached value: put Excel's cached result in, as Excel would."""
    out = io.BytesIO()
    with zipfile.ZipFile(file) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(rb"<f>1\+2</f><v\s*/>|<f>1\+2</f><v></v>", b"<f>1+2</f><v>3</v>", data)
                assert b"<v>3</v>" in data
            target.writestr(info, data)
    out.seek(0)
    out.name = "水果.xlsx"
    return out


def test_formula_cells_use_their_cached_value_and_are_flagged():
    result = check(_with_cached_formula(xlsx([["A009", "苹果", "=1+2"]], headers=["编码", "名称", "数量"])))
    [row] = result.rows
    assert row.values["count"] == 3
    assert "公式" in row.warnings()[0].text and row.warnings()[0].key == "count"


def test_merged_cells_in_data_rows_are_refused():
    def merge(workbook, sheet):
        sheet.merge_cells("B2:B3")

    result = check(xlsx([["A001", "苹果", 1], ["A002", None, 2]], headers=["编码", "名称", "数量"], build=merge))
    assert result.counts()["refused"] == 2
    assert "合并单元格（B2:B3）" in result.rows[0].errors()[0].text


def test_a_merged_title_above_the_header_is_fine():
    def merge(workbook, sheet):
        sheet.merge_cells("A1:C1")

    result = check(xlsx([["A001", "苹果", 1]], headers=["编码", "名称", "数量"], above=[["标题"]], build=merge))
    assert not result.refused


def test_a_hundred_thousand_formatted_empty_rows_end_early(monkeypatch):
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("水果")
    sheet.append(["编码", "名称", "数量"])
    sheet.append(["A001", "苹果", 1])
    fill = PatternFill("solid", fgColor="FFFF00")
    for _ in range(100_000):
        cell = WriteOnlyCell(sheet, value=None)
        cell.fill = fill
        sheet.append([cell, cell, cell])
    file = io.BytesIO()
    workbook.save(file)
    file.seek(0)
    file.name = "水果.xlsx"
    looked_at = []
    original = reader._blank
    monkeypatch.setattr(reader, "_blank", lambda value: looked_at.append(1) or original(value))
    result = check(file)
    assert result.counts()["total"] == 1 and not result.refused
    assert len(looked_at) < 3 * (reader.BLANK_ROWS_END + 10)


def test_counts_and_the_report():
    result = check(
        xlsx([["A001", "苹果", 1], ["A002", "旧", 2], ["A003", "梨", "许多"]], headers=["编码", "名称", "数量"])
    )
    assert result.counts() == {
        "new": 1,
        "changed": 0,
        "unchanged": 1,
        "refused": 1,
        "total": 3,
        "errors": 1,
        "warnings": 0,
    }
    report = result.report()
    assert report["refused"] is True
    assert report["messages"][0] | {"text": ""} == {
        "row": 4,
        "cell": "C4",
        "column": "数量",
        "key": "count",
        "level": "error",
        "text": "",
        "fix": None,
    }


@pytest.mark.parametrize("name", ["水果.csv", "水果.xls"])
def test_text_files_under_other_names_are_refused(name):
    file = io.BytesIO("编码\tA1".encode())
    file.name = name
    assert "另存为" in only_error(check(file))


def test_progress_is_reported_against_the_sheets_size():
    rows = [[f"B{number:04d}", "梨", number] for number in range(1200)]
    seen = []
    check_workbook(
        xlsx(rows, headers=["编码", "名称", "数量"]),
        kind=FruitKind(),
        ctx=ImportContext(user=None, region=None),
        progress=lambda number, estimate: seen.append((number, estimate)),
    )
    assert seen == [(500, 1201), (1000, 1201)]


def _tampered(old: bytes, new: bytes, rows):
    """A workbook whose first sheet's XML has `old` replaced by `new` (what a broken generator writes)."""
    source, out = xlsx(rows, headers=["编码", "名称", "数量"]), io.BytesIO()
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(out, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                assert old in data
                data = data.replace(old, new)
            zout.writestr(item, data)
    out.seek(0)
    out.name = "坏表.xlsx"
    return out


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (b"<v>7</v>", b"<v>abc</v>"),  # a number cell holding text: openpyxl's int() raised ValueError
        (b"</sheetData>", b'<row><c r="A9"></sheetData>'),  # cut-off XML
    ],
)
def test_a_sheet_openpyxl_cannot_read_is_a_chinese_file_error_not_an_exception(old, new):
    result = check(_tampered(old, new, [["A001", "苹果", 3], ["A002", "梨", 7]]))
    assert result.refused and not result.rows
    assert len(result.file_errors) == 1 and re.search(r"[\u4e00-\u9fff]", result.file_errors[0])
    assert not re.search(r"[A-Za-z]{4,}", re.sub(r"Excel|WPS|xlsx", "", result.file_errors[0]))


def test_an_unreadable_cell_below_the_header_search_names_its_row():
    rows = [[f"A{n:03d}", "苹果", 777 if n == 30 else n] for n in range(1, 41)]
    result = check(_tampered(b"<v>777</v>", b"<v>abc</v>", rows))
    assert result.refused and not result.rows
    assert result.file_errors == [str(UNREADABLE) % {"row": 31}]  # the header is row 1


@pytest.mark.django_db
def test_a_services_permission_refusal_at_apply_undoes_the_file_and_names_the_row():
    from django.core.exceptions import PermissionDenied

    from chainparty.imports.check import apply_workbook
    from chainparty.models import AuditLog

    applied = []

    class GuardedFruit(FruitKind):
        def apply_row(self, row, ctx):
            if row.values["code"] == "A002":
                raise PermissionDenied("您无权为该部门指定办理人。")
            applied.append(row.number)

    ctx = ImportContext(user=None, region=None)
    result = check_workbook(
        xlsx([["A003", "桃", 3], ["A002", "梨", 7]], headers=["编码", "名称", "数量"]), kind=GuardedFruit(), ctx=ctx
    )
    assert not result.refused
    assert apply_workbook(result, ctx) is False
    assert applied == [2] and result.refused and not result.applied
    assert [message.text for message in result.rows[1].errors()] == ["保存时被拒绝：您无权为该部门指定办理人。"]
    assert not AuditLog.objects.filter(action=AuditLog.Action.IMPORT).exists()
