"""The workbook's floor: the rows of the monthly minutes workbook read once into lists, then
written by bare openpyxl write-only code (a sheet, a header row, the rows, save). What writing
those rows costs on this machine with none of the exporter base's work (ledger rows, styles,
widths, the formula guard) and no database: the export is reported as a multiple of it."""

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone
from django.utils.functional import Promise
from openpyxl import Workbook


@dataclass
class Sheet:
    title: str
    header: list
    rows: list


def _plain(value):
    if isinstance(value, Promise):  # lazily translated labels
        return str(value)
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        return timezone.make_naive(value)
    return value


def read(exporters) -> list[Sheet]:
    """Every exporter's rows, as lists in memory (what the floor writes, round after round)."""
    return [
        Sheet(
            title=str(exporter.verbose_name),
            header=[str(column.header) for column in exporter.columns],
            rows=[tuple(_plain(value) for value in row) for row in exporter.iter_rows()],
        )
        for exporter in exporters
    ]


def write(sheets: list[Sheet], file) -> int:
    workbook = Workbook(write_only=True)
    for sheet in sheets:
        worksheet = workbook.create_sheet(title=sheet.title)
        worksheet.append(sheet.header)
        for row in sheet.rows:
            worksheet.append(row)
    workbook.save(file)
    return sum(len(sheet.rows) for sheet in sheets)
