"""Workbooks built in memory for the import tests."""

import io

from openpyxl import Workbook

HEADERS = ["统一社会信用代码", "企业名称", "所属行业", "企业规模", "所在片区", "职工人数"]


def xlsx(rows, *, headers=HEADERS, above=(), name="企业台账.xlsx", build=None) -> io.BytesIO:
    """An .xlsx file object: `above` rows (a title), the header row, then `rows`."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "企业"
    for line in above:
        sheet.append(list(line))
    sheet.append(list(headers))
    for row in rows:
        sheet.append(list(row))
    if build is not None:
        build(workbook, sheet)
    file = io.BytesIO()
    workbook.save(file)
    file.seek(0)
    file.name = name
    return file


def credit_code(serial: int) -> str:
    """A valid 统一社会信用代码 for the serial number."""
    from alliances.validators import uscc_check_char

    first = f"91370830MA{serial:07d}"
    return first + uscc_check_char(first)
