"""Cell normalisation per column type (chainparty.imports.cells)."""

import datetime as dt
from decimal import Decimal

import pytest

from chainparty.imports.base import BOOL, CHOICE, CODE, DATE, DECIMAL, INT, MOBILE, TEXT, Column, ImportRow
from chainparty.imports.cells import normalize, parse_date


def read(column, value, *, accept_fixes=False):
    row = ImportRow(number=5, values={}, raw={}, accept_fixes=accept_fixes)
    return normalize(row, column, value), row


CODE_COLUMN = Column("credit_code", "统一社会信用代码", type=CODE)


def test_full_width_code_is_refused_with_the_fix_offered():
    value, row = read(CODE_COLUMN, "９１３７０８３０ＭＡ３Ｃ１２３４０Ｃ")
    assert value == "91370830MA3C12340C"
    [message] = row.messages
    assert message.level == "error" and "全角" in message.text and message.fix == "91370830MA3C12340C"


def test_spaces_inside_a_code_are_offered_as_a_fix_and_taken_when_accepted():
    value, row = read(CODE_COLUMN, "91370830 MA3C\u300012340C", accept_fixes=True)
    assert value == "91370830MA3C12340C"
    [message] = row.messages
    assert message.level == "warning" and "空格" in message.text and "已按建议修正" in message.text


def test_a_code_excel_turned_into_scientific_notation_is_named():
    for cell in (9.13708e17, "9.13E+17"):
        value, row = read(CODE_COLUMN, cell)
        assert value is None
        assert "科学计数法" in row.messages[0].text and row.has_errors


def test_an_integer_code_cell_reads_as_its_digits():
    value, row = read(Column("code", "代码", type=CODE), 370830)
    assert value == "370830" and not row.messages


@pytest.mark.parametrize(
    "cell",
    [
        dt.datetime(2024, 3, 1),
        dt.date(2024, 3, 1),
        45352,
        45352.0,
        "2024-03-01",
        "2024/3/1",
        "2024年3月1日",
        "2024.3.1",
        "20240301",
        "45352",
    ],
)
def test_dates_in_every_common_form(cell):
    value, row = read(Column("d", "成立日期", type=DATE), cell)
    assert value == dt.date(2024, 3, 1) and not row.messages


def test_an_unreadable_date_is_an_error():
    value, row = read(Column("d", "成立日期", type=DATE), "去年三月")
    assert value is None and "不是可识别的日期" in row.messages[0].text
    assert parse_date("2024-02-30") is None


def test_choice_synonym_is_offered_and_unknown_names_the_closest():
    column = Column("size", "企业规模", type=CHOICE, choices=("规上", "规下"), synonyms={"规模以上": "规上"})
    value, row = read(column, "规模以上")
    assert value == "规上" and row.messages[0].level == "error" and row.messages[0].fix == "规上"
    zones = Column("zone", "所在片区", type=CHOICE, choices=("汶上经济开发区", "南站片区"))
    value, row = read(zones, "汶上开发区")
    assert value is None and "是否应为“汶上经济开发区”" in row.messages[0].text


def test_required_empty_cell_is_an_error_naming_the_column():
    _value, row = read(Column("name", "企业名称", required=True), "  ")
    assert row.messages[0].text == "“企业名称”为必填项。"


def test_numbers_text_mobile_and_bool():
    assert read(Column("n", "职工人数", type=INT), "1,200")[0] == 1200
    assert read(Column("n", "职工人数", type=INT), 35.0)[0] == 35
    value, row = read(Column("n", "职工人数", type=INT), "约五十")
    assert value is None and "应为整数" in row.messages[0].text
    assert read(Column("m", "金额", type=DECIMAL), "12.50")[0] == Decimal("12.50")
    assert read(Column("t", "电话", type=TEXT), 13800138000.0)[0] == "13800138000"
    assert read(Column("p", "手机", type=MOBILE), "138 0013 8000", accept_fixes=True)[0] == "13800138000"
    _value, row = read(Column("p", "手机", type=MOBILE), "12345")
    assert "11位手机号码" in row.messages[-1].text
    assert read(Column("b", "是否", type=BOOL), "是")[0] is True
    assert read(Column("b", "是否", type=BOOL), "否")[0] is False


def test_digits_of_other_scripts_are_not_read_as_a_mobile_or_a_date():
    # Python's \d matches Arabic-Indic and other digits that int() reads: the patterns are ASCII.
    _value, row = read(Column("p", "手机", type=MOBILE), "١٣٨٠٠١٣٨٠٠٠")
    assert row.messages and "11位手机号码" in row.messages[-1].text
    assert parse_date("٢٠٢٤-٠٣-٠١") is None
    value, row = read(Column("n", "职工人数", type=INT), "٣٠٠")
    assert value is None and "应为整数" in row.messages[0].text
    value, row = read(Column("m", "金额", type=DECIMAL), "١٢.٥")
    assert value is None and "应为数字" in row.messages[0].text


def test_a_full_width_code_in_scientific_notation_is_named_as_such():
    value, row = read(CODE_COLUMN, "９.１４Ｅ＋１７")
    assert value is None and "科学计数法（9.14E+17）" in row.messages[0].text


def test_text_longer_than_the_limit_is_refused():
    _value, row = read(Column("name", "企业名称", max_length=5), "一二三四五六")
    assert "不能超过 5 个字" in row.messages[0].text
