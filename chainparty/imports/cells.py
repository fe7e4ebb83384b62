"""Cell values as Excel hands them over, turned into Python values by the column's type.

Obvious slips are offered as fixes (`row.offer_fix`), never applied silently: full-width digits and
letters, spaces inside codes, a choice written another known way. What cannot be read correctly
is an error naming the problem: a code Excel turned into 9.13E+17 has lost its digits for good.
"""

import datetime as dt
import re
import unicodedata
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _
from openpyxl.utils.datetime import from_excel

from .base import BOOL, CHOICE, CODE, DATE, DECIMAL, INT, MOBILE, TEXT, Column, ImportContext, ImportRow

_SCIENTIFIC = re.compile(r"^\s*[-+]?\d+(?:\.\d+)?[eE][+-]?\d+\s*$", re.ASCII)
_SPACES = re.compile(r"[\s\u3000]+")
_MOBILE = re.compile(r"^1[3-9]\d{9}$", re.ASCII)
#: Excel's serial day numbers: 1 is 1900-01-01, 2958465 is 9999-12-31.
_SERIAL_RANGE = (1, 2958465)
_DATE_PATTERNS = (
    re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$", re.ASCII),
    re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$", re.ASCII),
    re.compile(r"^(\d{4})\.(\d{1,2})\.(\d{1,2})$", re.ASCII),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$", re.ASCII),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$", re.ASCII),
)
_TRUE = {"是", "y", "yes", "true", "1", "√", "✓", "对"}
_FALSE = {"否", "n", "no", "false", "0", "×", "✗", "不是"}


def is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _as_text(value) -> str:
    """A cell as the text the user typed: 13800138000.0 (a number cell) reads "13800138000"."""
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def _width_fixed(text: str) -> str:
    """Full-width digits, letters and punctuation (ＡＢＣ１２３) as their ASCII forms."""
    return "".join(unicodedata.normalize("NFKC", char) if 0xFF01 <= ord(char) <= 0xFF5E else char for char in text)


def _other_digits(text: str) -> bool:
    """Digits of another script (Arabic-Indic, Devanagari …), which Decimal() and int() read too:
    what a cell shows them as is not what the portal would store, so they are refused."""
    return any(char.isdigit() and not char.isascii() for char in text)


def normalize(row: ImportRow, column: Column, value, ctx: ImportContext | None = None):
    """The cell's value for `column`, or None (empty or unreadable; messages go on the row)."""
    if is_blank(value):
        if column.required:
            row.error(column.key, _("“%(column)s”为必填项。") % {"column": column.header})
        return None
    reader = _READERS[column.type]
    result = reader(row, column, value, ctx)
    if column.max_length and isinstance(result, str) and len(result) > column.max_length:
        row.error(
            column.key,
            _("“%(column)s”不能超过 %(limit)d 个字，当前 %(length)d 个字。")
            % {"column": column.header, "limit": column.max_length, "length": len(result)},
        )
    return result


def _text(row, column, value, ctx):
    return _SPACES.sub(" ", _as_text(value)).strip()


def _scientific_error(row, column, shown):
    row.error(
        column.key,
        _(
            "“%(column)s”被 Excel 显示为科学计数法（%(value)s），后几位数字已经丢失。"
            "请把该列设为“文本”格式后重新填写完整的代码。"
        )
        % {"column": column.header, "value": shown},
    )


def _code_like(row, column, value, ctx, *, upper=True):
    if isinstance(value, float) and not (value.is_integer() and abs(value) < 1e15):
        _scientific_error(row, column, f"{value:.2E}")
        return None
    text = _as_text(value)
    if _SCIENTIFIC.match(_width_fixed(text)):
        _scientific_error(row, column, _width_fixed(text).upper())
        return None
    narrow = _width_fixed(text)
    fixed = _SPACES.sub("", narrow)
    if upper:
        fixed = fixed.upper()
    problems = []
    if narrow != text:
        problems.append(_("含有全角字符"))
    if _SPACES.search(text):
        problems.append(_("含有空格"))
    if problems:
        row.offer_fix(
            column.key,
            fixed,
            _("“%(column)s”%(problems)s，建议改为 %(fixed)s。")
            % {"column": column.header, "problems": "、".join(problems), "fixed": fixed},
        )
    return fixed


def _code(row, column, value, ctx):
    return _code_like(row, column, value, ctx)


def _mobile(row, column, value, ctx):
    number = _code_like(row, column, value, ctx, upper=False)
    if number is None:
        return None
    digits = number.replace("-", "")
    if not _MOBILE.match(digits):
        row.error(
            column.key, _("“%(column)s”应为11位手机号码：%(value)s。") % {"column": column.header, "value": number}
        )
    return digits


def _int(row, column, value, ctx):
    if isinstance(value, bool):
        value = int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    text = _width_fixed(_as_text(value)).replace(",", "").replace("，", "").strip()
    text = re.sub(r"(人|名|个)$", "", text)
    try:
        number = None if _other_digits(text) else Decimal(text)
    except InvalidOperation:
        number = None
    if number is None or number != number.to_integral_value():
        row.error(
            column.key, _("“%(column)s”应为整数：%(value)s。") % {"column": column.header, "value": _as_text(value)}
        )
        return None
    if text != _as_text(value).replace(",", ""):
        row.warning(
            column.key, _("“%(column)s”按 %(number)d 读取。") % {"column": column.header, "number": int(number)}
        )
    return int(number)


def _decimal(row, column, value, ctx):
    if isinstance(value, int | float) and not isinstance(value, bool):
        return Decimal(str(value))
    text = _width_fixed(_as_text(value)).replace(",", "").replace("，", "").strip()
    try:
        if _other_digits(text):
            raise InvalidOperation
        return Decimal(text)
    except InvalidOperation:
        row.error(column.key, _("“%(column)s”应为数字：%(value)s。") % {"column": column.header, "value": text})
        return None


def parse_date(value) -> dt.date | None:
    """A date from an Excel date, a serial day number, or text such as 2024-03-01, 2024/3/1,
    2024年3月1日, 2024.3.1 or 20240301; None when it is none of these."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if _SERIAL_RANGE[0] <= value <= _SERIAL_RANGE[1]:
            return from_excel(value).date()
        return None
    text = _width_fixed(_as_text(value)).replace(" ", "")
    if re.fullmatch(r"\d{5}(\.0+)?", text, re.ASCII):
        return parse_date(float(text))
    for pattern in _DATE_PATTERNS:
        match = pattern.match(text)
        if match:
            try:
                return dt.date(*(int(part) for part in match.groups()))
            except ValueError:
                return None
    return None


def _date(row, column, value, ctx):
    parsed = parse_date(value)
    if parsed is None:
        row.error(
            column.key,
            _("“%(column)s”不是可识别的日期：%(value)s（可写作 2024-03-01、2024/3/1 或 2024年3月1日）。")
            % {"column": column.header, "value": _as_text(value)},
        )
    return parsed


def _choice(row, column, value, ctx):
    text = _SPACES.sub("", _as_text(value))
    labels = column.choice_labels(ctx)
    if text in labels or not labels:
        return text
    # Half- and full-width punctuation are the same choice: "（" for "(".
    by_width = {_width_fixed(label): label for label in labels}
    if _width_fixed(text) in by_width:
        return by_width[_width_fixed(text)]
    text = _width_fixed(text)
    synonym = column.synonyms.get(text)
    if synonym is not None:
        row.offer_fix(
            column.key,
            synonym,
            _("“%(column)s”应填“%(label)s”，而不是“%(value)s”。")
            % {"column": column.header, "label": synonym, "value": text},
        )
        return synonym
    closest = ImportContext.closest(text, labels)
    message = _("“%(column)s”不是可选的值：%(value)s。可选：%(labels)s。") % {
        "column": column.header,
        "value": text,
        "labels": "、".join(labels[:20]),
    }
    if closest:
        message = _("“%(column)s”不是可选的值：%(value)s，是否应为“%(closest)s”？") % {
            "column": column.header,
            "value": text,
            "closest": closest,
        }
    row.error(column.key, message)
    return None


def _bool(row, column, value, ctx):
    if isinstance(value, bool):
        return value
    text = _as_text(value).lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    row.error(column.key, _("“%(column)s”应填“是”或“否”：%(value)s。") % {"column": column.header, "value": text})
    return None


_READERS = {
    TEXT: _text,
    CODE: _code,
    MOBILE: _mobile,
    INT: _int,
    DECIMAL: _decimal,
    DATE: _date,
    CHOICE: _choice,
    BOOL: _bool,
}
