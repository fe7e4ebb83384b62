"""The template users download for a kind: a merged title row, Chinese headers (required ones
marked *), a hidden row of field keys, an example row, drop-down lists (data validation) for every
choice column (long lists on a hidden sheet), code columns formatted as text (so Excel keeps all 18
digits), and a sheet of instructions."""

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from .base import BOOL, CHOICE, CODE, DATE, DECIMAL, INT, MOBILE, TEXT, ImportContext, ImportKind

TITLE_ROW, HEADER_ROW, KEY_ROW, EXAMPLE_ROW = 1, 2, 3, 4
#: Rows below the example that get the drop-down lists and the text format.
TEMPLATE_ROWS = 5000
#: Excel limits an inline list (formula1) to 255 characters.
INLINE_LIST_LIMIT = 255
LISTS_SHEET = "选项"
INSTRUCTIONS_SHEET = "填写说明"

_TYPE_HELP = {
    TEXT: "文本",
    INT: "整数",
    DECIMAL: "数字",
    DATE: "日期，如 2024-03-01",
    CHOICE: "从下拉列表中选择",
    CODE: "代码（文本格式）",
    MOBILE: "11位手机号码",
    BOOL: "是 / 否",
}
_HEADER_FILL = PatternFill("solid", fgColor="C00000")
_HEADER_FONT = Font(bold=True, color="FFFFFF")
_EXAMPLE_FONT = Font(italic=True, color="808080")


def header_label(column) -> str:
    return f"*{column.header}" if column.required else str(column.header)


def _choice_validation(workbook, sheet, column, labels, letter, lists):
    inline = ",".join(labels)
    if len(inline) <= INLINE_LIST_LIMIT - 2 and not any("," in label or '"' in label for label in labels):
        formula = f'"{inline}"'
    else:
        if LISTS_SHEET not in workbook.sheetnames:
            lists_sheet = workbook.create_sheet(LISTS_SHEET)
            lists_sheet.sheet_state = "hidden"
        lists_sheet = workbook[LISTS_SHEET]
        lists.append(column.key)
        list_column = get_column_letter(len(lists))
        lists_sheet[f"{list_column}1"] = column.key
        for offset, label in enumerate(labels, start=2):
            lists_sheet[f"{list_column}{offset}"] = label
        formula = f"{quote_sheetname(LISTS_SHEET)}!${list_column}$2:${list_column}${len(labels) + 1}"
    validation = DataValidation(type="list", formula1=formula, allow_blank=not column.required)
    validation.error = _("请从下拉列表中选择“%(column)s”。") % {"column": column.header}
    validation.errorTitle = _("不是可选的值")
    validation.showErrorMessage = True
    validation.add(f"{letter}{EXAMPLE_ROW}:{letter}{EXAMPLE_ROW + TEMPLATE_ROWS}")
    sheet.add_data_validation(validation)


def build_template(kind: ImportKind, *, ctx: ImportContext | None = None) -> Workbook:
    """The template workbook for `kind`; with a `ctx` (user and region) choice lists that depend on
    the region (zones, alliances) are filled in, without one they are left free."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = str(kind.verbose_name)[:31]
    columns = list(kind.columns)
    last = get_column_letter(len(columns))
    sheet.merge_cells(f"A{TITLE_ROW}:{last}{TITLE_ROW}")
    title = sheet.cell(
        TITLE_ROW,
        1,
        _("%(kind)s导入模板（带 * 的列必填，从第 %(row)d 行起填写；示例行可保留，不会导入）")
        % {"kind": kind.verbose_name, "row": EXAMPLE_ROW + 1},
    )
    title.font = Font(bold=True, size=14)
    title.alignment = Alignment(horizontal="center", vertical="center")
    sheet.row_dimensions[TITLE_ROW].height = 30
    lists: list[str] = []
    for index, column in enumerate(columns, start=1):
        letter = get_column_letter(index)
        header = sheet.cell(HEADER_ROW, index, header_label(column))
        header.font, header.fill = _HEADER_FONT, _HEADER_FILL
        header.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        if column.help:
            header.comment = Comment(str(column.help), "ChainParty")
        sheet.cell(KEY_ROW, index, column.key)
        example = sheet.cell(EXAMPLE_ROW, index, column.example or None)
        example.font = _EXAMPLE_FONT
        sheet.column_dimensions[letter].width = column.width
        if column.type in (CODE, MOBILE, TEXT):
            sheet.column_dimensions[letter].number_format = "@"
            example.number_format = "@"
        elif column.type == DATE:
            sheet.column_dimensions[letter].number_format = "yyyy-mm-dd"
        if column.type == CHOICE:
            labels = column.choice_labels(ctx)
            if labels:
                _choice_validation(workbook, sheet, column, labels, letter, lists)
        elif column.type == BOOL:
            _choice_validation(workbook, sheet, column, [_("是"), _("否")], letter, lists)
    sheet.row_dimensions[KEY_ROW].hidden = True
    sheet.freeze_panes = f"A{KEY_ROW + 1}"
    _instructions(workbook.create_sheet(INSTRUCTIONS_SHEET), kind, ctx)
    workbook.active = 0
    return workbook


def _instructions(sheet, kind, ctx):
    sheet.column_dimensions["A"].width = 22
    sheet.column_dimensions["B"].width = 10
    sheet.column_dimensions["C"].width = 22
    sheet.column_dimensions["D"].width = 70
    sheet.append([_("%(kind)s导入说明") % {"kind": kind.verbose_name}])
    sheet["A1"].font = Font(bold=True, size=14)
    general = [
        _("1. 在第一个工作表中填写，每行一条；表头和隐藏的第 3 行请勿修改或删除。"),
        _("2. 也可以上传已有的台账：系统在前 20 行内按列名查找表头，列的顺序不限，多余的列会被忽略并提示。"),
        _("3. 上传后系统先逐行检查，给出新增、修改、无变化和有错误的行数；有错误的单元格在退回的表格中标红并附批注。"),
        _("4. 全部行都没有错误时才能确认导入，导入要么全部成功，要么一条也不保存；重复导入同一文件不会产生变化。"),
        _("5. 请勿合并数据行的单元格；代码类的列请保持“文本”格式。"),
        *[f"{number}. {line}" for number, line in enumerate(kind.instructions, start=6)],
    ]
    for line in general:
        sheet.append([line])
    sheet.append([])
    sheet.append([_("列名"), _("是否必填"), _("填写格式"), _("说明")])
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for column in kind.columns:
        shown = _TYPE_HELP.get(column.type, "")
        labels = column.choice_labels(ctx)
        help_text = str(column.help)
        if labels:
            help_text = (help_text + " " if help_text else "") + _("可选：%(labels)s") % {
                "labels": "、".join(labels[:50]) + ("……" if len(labels) > 50 else "")
            }
        sheet.append([str(column.header), _("必填") if column.required else _("选填"), shown, help_text])
        sheet.cell(sheet.max_row, 4).alignment = Alignment(wrap_text=True, vertical="top")


def write_template(kind: ImportKind, file, *, ctx: ImportContext | None = None) -> None:
    build_template(kind, ctx=ctx).save(file)


def template_filename(kind: ImportKind) -> str:
    return _("%(kind)s导入模板.xlsx") % {"kind": kind.verbose_name}
