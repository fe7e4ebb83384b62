"""Reading the user's workbook: what kind of file it is, which sheet and header row hold the data,
and its data rows, through `chainparty.uploads.open_xlsx` (read-only, cached values, zip-bomb and
XML-entity checks).

Read-only worksheets expose neither formulas nor merged ranges, so one streaming pass over the
sheet's XML finds both (`sheet_markup`); it is skipped when a quick byte scan shows neither.
"""

import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from defusedxml.ElementTree import iterparse
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter, range_boundaries

from chainparty.uploads import open_xlsx

from .base import Column, ImportKind

#: The header row is looked for in the first rows (a 台账 has a title and a unit line above it).
HEADER_SEARCH_ROWS = 20
#: This many blank rows in a row end the data (a sheet formatted down to row 1,048,576 ends early).
BLANK_ROWS_END = 1000

_CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED_MARKERS = ("EncryptedPackage".encode("utf-16-le"), "EncryptionInfo".encode("utf-16-le"))
_REQUIRED_MARK = re.compile(r"^[*＊]+|[*＊]+$|[（(]\s*必填\s*[)）]$")
_SPACES = re.compile(r"[\s\u3000]+")
_FORMULA_BYTES = re.compile(rb"<(?:\w+:)?f[\s>/]")
_MERGE_BYTES = re.compile(rb"<(?:\w+:)?mergeCell[\s>/]")
_CHUNK = 1024 * 1024


class WorkbookRefused(Exception):
    """The file cannot be read as a workbook; `message` says why, in Chinese."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _head(file, length=4096) -> bytes:
    file.seek(0)
    head = file.read(length)
    file.seek(0)
    return head


def refuse_other_formats(file) -> None:
    """Old Excel files and password-protected workbooks are both OLE containers (CFB), not zips."""
    head = _head(file, 8)
    name = (getattr(file, "name", "") or "").lower()
    if head.startswith(_CFB_MAGIC):
        file.seek(0)
        content = file.read(4 * 1024 * 1024)
        file.seek(0)
        if any(marker in content for marker in _ENCRYPTED_MARKERS):
            raise WorkbookRefused(
                _(
                    "该 Excel 文件设置了打开密码（已加密），无法读取。请在 Excel 中打开，"
                    "点“文件 → 信息 → 保护工作簿 → 用密码进行加密”，清空密码并保存后再上传。"
                )
            )
        raise WorkbookRefused(
            _(
                "这是旧版 Excel（.xls）文件，无法读取。请在 Excel 或 WPS 中打开，"
                "“另存为”Excel 工作簿（*.xlsx）后再上传。"
            )
        )
    if not head.startswith(b"PK\x03\x04"):
        if name.endswith((".xls", ".csv", ".et", ".ods", ".txt", ".htm", ".html")):
            raise WorkbookRefused(
                _(
                    "该文件不是 .xlsx 格式的 Excel 工作簿。"
                    "请在 Excel 或 WPS 中打开，“另存为”Excel 工作簿（*.xlsx）后再上传。"
                )
            )
        raise WorkbookRefused(
            _("该文件不是 Excel 工作簿（.xlsx）。请下载导入模板填写，或把表格“另存为”Excel 工作簿（*.xlsx）后再上传。")
        )


def open_workbook(file):
    """The upload opened read-only, or WorkbookRefused with a Chinese message (never anything else)."""
    refuse_other_formats(file)
    try:
        return open_xlsx(file)
    except ValidationError as error:
        raise WorkbookRefused("；".join(error.messages)) from error
    except Exception as error:  # a file openpyxl chokes on is the file's fault, not a 500
        raise WorkbookRefused(_("Excel 文件已损坏或格式不正确，无法读取。")) from error


def header_text(value) -> str:
    """A header cell as compared: no spaces, half-width, without a required mark (* or （必填）)."""
    if value is None:
        return ""
    text = unicodedata.normalize("NFKC", str(value))
    text = _SPACES.sub("", text)
    return _REQUIRED_MARK.sub("", text)


@dataclass
class SheetLayout:
    sheet: object
    title: str
    header_row: int
    #: column index (0-based in the row tuples) -> Column
    columns: dict[int, Column]
    unknown: list[str] = field(default_factory=list)
    missing: list[Column] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    #: The last row as the sheet's stored dimension gives it (for progress only; often wrong).
    estimated_rows: int = 0


def _header_lookup(kind: ImportKind) -> dict[str, Column]:
    lookup = {}
    for column in kind.columns:
        for name in (column.header, *column.aliases):
            lookup.setdefault(header_text(name), column)
    return lookup


def _layout(sheet, kind: ImportKind) -> SheetLayout | None:
    lookup = _header_lookup(kind)
    best = None
    for number, values in enumerate(sheet.iter_rows(max_row=HEADER_SEARCH_ROWS, values_only=True), start=1):
        matched = {
            index: lookup[header_text(value)] for index, value in enumerate(values) if header_text(value) in lookup
        }
        if matched and (best is None or len(set(matched.values())) > len(set(best[1].values()))):
            best = (number, matched, values)
    if best is None:
        return None
    number, matched, values = best
    columns, duplicates = {}, []
    for index, column in matched.items():
        if column in columns.values():
            duplicates.append(str(values[index]).strip())
            continue
        columns[index] = column
    unknown = [str(value).strip() for index, value in enumerate(values) if index not in matched and header_text(value)]
    missing = [column for column in kind.columns if column.required and column not in columns.values()]
    return SheetLayout(sheet, sheet.title, number, columns, unknown, missing, duplicates)


def find_layout(workbook, kind: ImportKind) -> SheetLayout:
    """The first visible sheet whose header row has every required column; else the sheet that
    came closest (its `missing` columns are reported); WorkbookRefused when no sheet has any."""
    candidates = []
    for sheet in workbook.worksheets:
        if getattr(sheet, "sheet_state", "visible") != "visible":
            continue
        estimated_rows = sheet.max_row or 0
        if hasattr(sheet, "reset_dimensions"):
            # A sheet's stored dimension is often wrong (A1:A1 from some generators); read what is there.
            sheet.reset_dimensions()
        layout = _layout(sheet, kind)
        if layout is None:
            continue
        layout.estimated_rows = estimated_rows
        if not layout.missing:
            return layout
        candidates.append(layout)
    if candidates:
        return max(candidates, key=lambda layout: len(layout.columns))
    headers = "、".join(str(column.header) for column in kind.columns if column.required) or "、".join(
        str(column.header) for column in kind.columns[:3]
    )
    raise WorkbookRefused(
        _("在各工作表的前 %(rows)d 行中没有找到表头（如：%(headers)s）。请使用导入模板，或在表格中加上这些列名。")
        % {"rows": HEADER_SEARCH_ROWS, "headers": headers}
    )


def data_rows(layout: SheetLayout, *, progress: Callable[[int], None] | None = None) -> Iterator[tuple[int, tuple]]:
    """(sheet row number, values) of every row below the header that has something in a known
    column; stops after BLANK_ROWS_END blank rows in a row."""
    blank_run = 0
    number = layout.header_row
    indexes = list(layout.columns)
    for values in layout.sheet.iter_rows(min_row=layout.header_row + 1, values_only=True):
        number += 1
        if progress is not None and number % 500 == 0:
            progress(number)
        if all(_blank(values[index]) if index < len(values) else True for index in indexes):
            blank_run += 1
            if blank_run >= BLANK_ROWS_END:
                return
            continue
        blank_run = 0
        yield number, values


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


# -- formulas and merged cells, from the sheet's XML ---------------------------------------------------
@dataclass
class SheetMarkup:
    formulas: set[tuple[int, int]] = field(default_factory=set)  # (row, column), 1-based
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)  # min_col, min_row, max_col, max_row


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _scan(archive, path) -> tuple[bool, bool]:
    has_formula = has_merge = False
    tail = b""
    with archive.open(path) as part:
        while chunk := part.read(_CHUNK):
            window = tail + chunk
            has_formula = has_formula or bool(_FORMULA_BYTES.search(window))
            has_merge = has_merge or bool(_MERGE_BYTES.search(window))
            if has_formula and has_merge:
                break
            tail = window[-16:]
    return has_formula, has_merge


def sheet_markup(file, sheet) -> SheetMarkup:
    """Formula cells and merged ranges of a read-only `sheet` of the workbook in `file` (already
    through open_xlsx, so sizes are capped and no part carries a DTD)."""
    markup = SheetMarkup()
    path = getattr(sheet, "_worksheet_path", None)
    if not path:
        return markup
    file.seek(0)
    with zipfile.ZipFile(file) as archive:
        has_formula, has_merge = _scan(archive, path)
        if not (has_formula or has_merge):
            return markup
        with archive.open(path) as part:
            for _event, element in iterparse(part, events=("end",)):
                name = _local(element.tag)
                if name == "c" and has_formula:
                    if any(_local(child.tag) == "f" for child in element):
                        reference = element.get("r")
                        if reference:
                            min_col, min_row, _max_col, _max_row = range_boundaries(reference)
                            markup.formulas.add((min_row, min_col))
                elif name == "row":
                    element.clear()
                elif name == "mergeCell":
                    reference = element.get("ref")
                    if reference:
                        markup.merged.append(range_boundaries(reference))
    file.seek(0)
    return markup


def cell_name(row: int, column_index: int) -> str:
    """ "B7" for row 7 and the 0-based column index 1."""
    return f"{get_column_letter(column_index + 1)}{row}"
