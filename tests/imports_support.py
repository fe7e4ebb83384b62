"""Small workbooks for the import kinds' tests (issue 11), checked and applied through the core's
public functions as the pages and the command do."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from chainparty.imports.base import ImportContext
from chainparty.imports.check import apply_workbook, check_workbook
from chainparty.imports.registry import import_kinds


def workbook(headers, rows, *, title=None) -> SimpleUploadedFile:
    """An xlsx with an optional merged title row (as a county's 台账 has), the headers and the rows."""
    book = Workbook()
    sheet = book.active
    if title:
        sheet.append([title])
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
    sheet.append(list(headers))
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile("台账.xlsx", buffer.getvalue())


def check(kind, user, region, headers, rows, **context):
    """(result, ctx) of checking the rows with kind `kind` (its identifier)."""
    ctx = ImportContext(user=user, region=region, filename="台账.xlsx", **context)
    result = check_workbook(workbook(headers, rows), kind=import_kinds.get(kind)(), ctx=ctx)
    return result, ctx


def run(kind, user, region, headers, rows, **context):
    """Check, then apply when nothing is refused; the result (result.applied says whether it was)."""
    result, ctx = check(kind, user, region, headers, rows, **context)
    apply_workbook(result, ctx)
    return result


def messages(result, level="error") -> list[str]:
    """Every row message of `level`, as "row:column:text"."""
    return [
        f"{row.number}:{message.key}:{message.text}"
        for row in result.rows
        for message in row.messages
        if message.level == level
    ]


def outcomes(result) -> list[str]:
    return [row.outcome for row in result.rows]
