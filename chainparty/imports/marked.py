"""The user's own workbook back, marked: cells with an error filled red, with a warning yellow, the
messages as cell comments, and a first sheet "检查结果" summing up the check. Users fix the file where
they keep it and upload it again.

The copy is written with openpyxl's normal mode on the uploaded file, which holds the whole
workbook in memory: only for files up to MARKED_COPY_MAX_BYTES once inflated (and through the same
zip-bomb checks as the reader). A larger file (or a sheet whose formatting runs past
MARKED_COPY_MAX_ROWS rows), or one that could not be read at all, gets the summary sheet alone.
"""

import zipfile

import openpyxl
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill

from .base import ERROR, WARNING
from .check import CheckResult
from .reader import WorkbookRefused, open_workbook

MARKED_COPY_MAX_BYTES = 25 * 1024 * 1024
#: Rows (as the sheet's dimension counts them, a formatted empty tail included) beyond which the
#: user's sheet is not loaded whole: 100,000 formatted empty rows would take half a minute and
#: hundreds of MB in openpyxl's normal mode.
MARKED_COPY_MAX_ROWS = 30_000
SUMMARY_SHEET = "检查结果"
ERROR_FILL = PatternFill("solid", fgColor="FF9999")
WARNING_FILL = PatternFill("solid", fgColor="FFE699")
_LEVELS = {ERROR: "错误", WARNING: "提示"}


def _inflated_size(file) -> int:
    file.seek(0)
    try:
        with zipfile.ZipFile(file) as archive:
            return sum(info.file_size for info in archive.infolist())
    finally:
        file.seek(0)


def _load_for_marking(file, result: CheckResult):
    """The uploaded workbook in normal mode, or None when it is too big or unreadable."""
    if result.sheet_rows > MARKED_COPY_MAX_ROWS:
        return None
    try:
        open_workbook(file).close()  # the size, ratio and entity checks, before the full load
        if _inflated_size(file) > MARKED_COPY_MAX_BYTES:
            return None
        file.seek(0)
        return openpyxl.load_workbook(file, keep_links=False)
    except WorkbookRefused:
        return None
    except Exception:  # the summary alone is still worth sending
        return None


def _mark(sheet, result: CheckResult) -> None:
    first_column = min(result.positions.values(), default=0)
    for row in result.rows:
        by_cell: dict[str, list] = {}
        for message in row.messages:
            position = result.positions.get(message.key, first_column)
            reference = f"{openpyxl.utils.get_column_letter(position + 1)}{row.number}"
            by_cell.setdefault(reference, []).append(message)
        for reference, messages in by_cell.items():
            cell = sheet[reference]
            errors = any(message.level == ERROR for message in messages)
            cell.fill = ERROR_FILL if errors else WARNING_FILL
            text = "\n".join(f"{_LEVELS[message.level]}：{message.text}" for message in messages)
            comment = Comment(text, "ChainParty")
            comment.width, comment.height = 320, 40 + 40 * len(messages)
            cell.comment = comment


def _summary(sheet, result: CheckResult, *, marked: bool) -> None:
    counts = result.counts()
    sheet.column_dimensions["A"].width = 10
    sheet.column_dimensions["B"].width = 10
    sheet.column_dimensions["C"].width = 18
    sheet.column_dimensions["D"].width = 8
    sheet.column_dimensions["E"].width = 70
    sheet.column_dimensions["F"].width = 24
    sheet.append([_("%(kind)s导入检查结果：%(file)s") % {"kind": result.kind.verbose_name, "file": result.filename}])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([_("新增 %(new)d 行，修改 %(changed)d 行，无变化 %(unchanged)d 行，有错误 %(refused)d 行。") % counts])
    if result.refused:
        sheet.append([_("有错误的行需要改正后重新上传；改正前不会导入任何一行。")])
    if marked:
        sheet.append([_("出错的单元格已标红（提示为黄色），把鼠标移到单元格上可查看批注。")])
    else:
        sheet.append([_("原表格过大或无法读取，未能在原表中标注；请按下表逐条改正。")])
    for text in result.file_errors:
        sheet.append([_("错误"), text])
    for text in result.file_warnings:
        sheet.append([_("提示"), text])
    sheet.append([])
    sheet.append([_("行号"), _("单元格"), _("列"), _("类别"), _("说明"), _("建议改为")])
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for row in result.rows:
        for message in row.messages:
            sheet.append(
                [
                    row.number,
                    result.cell_of(row, message.key),
                    result.header_of(message.key),
                    _LEVELS[message.level],
                    message.text,
                    "" if message.fix is None else str(message.fix),
                ]
            )
            sheet.cell(sheet.max_row, 5).alignment = Alignment(wrap_text=True, vertical="top")


def write_marked_copy(file, result: CheckResult, out) -> bool:
    """Write the marked copy of the uploaded `file` to `out`; returns whether the user's own sheet
    could be marked (False: the summary sheet alone was written)."""
    workbook = _load_for_marking(file, result) if result.sheet else None
    marked = workbook is not None and result.sheet in workbook.sheetnames
    if marked:
        _mark(workbook[result.sheet], result)
        if SUMMARY_SHEET in workbook.sheetnames:
            del workbook[SUMMARY_SHEET]
        summary = workbook.create_sheet(SUMMARY_SHEET, 0)
    else:
        workbook = Workbook()
        summary = workbook.active
        summary.title = SUMMARY_SHEET
    _summary(summary, result, marked=marked)
    workbook.active = 0
    for sheet in workbook.worksheets:
        sheet.sheet_view.tabSelected = sheet.title == SUMMARY_SHEET
    workbook.save(out)
    return marked
