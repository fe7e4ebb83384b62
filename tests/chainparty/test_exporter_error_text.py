"""Text that spells an Excel error (#N/A, #DIV/0!...) or starts like a formula is written as text:
read back from the workbook, every such cell is a string, never an error or a formula cell
(review finding 6). openpyxl types a string equal to an error code as an error cell, and one
starting with '=' as a formula, in write-only mode as elsewhere."""

import io

import openpyxl
import pytest

from chainparty import exporters
from chainparty.exporters import NUMBER, Column, ListExporter

ERROR_TEXTS = ["#N/A", "#DIV/0!", "#NULL!", "#VALUE!", "#REF!", "#NAME?", "#NUM!"]
FORMULA_TEXTS = ["=1+1", '=HYPERLINK("http://evil","点我")', "+1+1", "-2+3", "@SUM(A1)"]


class Sheet(ListExporter):
    identifier = "test_error_text"
    verbose_name = "测试"
    columns = (Column("说明"), Column("长文本", wrap=True), Column("人数", NUMBER))

    def __init__(self, rows):
        self.rows = rows

    def iter_rows(self):
        yield from self.rows


def _read_back(rows):
    buffer = io.BytesIO()
    exporters.write_workbook([Sheet(rows)], buffer)
    buffer.seek(0)
    return openpyxl.load_workbook(buffer).active


@pytest.mark.parametrize("text", ERROR_TEXTS + FORMULA_TEXTS)
def test_error_codes_and_formulas_are_written_as_text_in_every_kind_of_column(text):
    sheet = _read_back([(text, text, text)])
    for cell in (sheet["A2"], sheet["B2"], sheet["C2"]):
        assert (cell.data_type, cell.value) == ("s", text), cell.coordinate
        assert cell.quotePrefix, cell.coordinate  # stays text when edited in Excel


def test_text_that_only_starts_with_a_hash_is_ordinary_text():
    sheet = _read_back([("#1 车间", "#N/A 未填写", 3)])
    assert (sheet["A2"].data_type, sheet["A2"].value, sheet["A2"].quotePrefix) == ("s", "#1 车间", False)
    assert (sheet["B2"].data_type, sheet["B2"].value) == ("s", "#N/A 未填写")
    assert (sheet["C2"].data_type, sheet["C2"].value) == ("n", 3)
