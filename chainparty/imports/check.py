"""The check pass and the apply: every row checked in one pass, then all applied or none."""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .base import CHANGED, ERROR, NEW, REFUSED, UNCHANGED, WARNING, ImportContext, ImportKind, ImportRow, Message
from .cells import is_blank, normalize
from .reader import WorkbookRefused, cell_name, data_rows, find_layout, open_workbook, sheet_markup

#: Messages kept in a stored report; the marked copy and the command still see every one.
REPORT_MESSAGE_LIMIT = 5000


@dataclass
class CheckResult:
    kind: ImportKind
    filename: str = ""
    sheet: str = ""
    header_row: int = 0
    #: column key -> 0-based index in the sheet
    positions: dict[str, int] = field(default_factory=dict)
    rows: list[ImportRow] = field(default_factory=list)
    file_errors: list[str] = field(default_factory=list)
    file_warnings: list[str] = field(default_factory=list)
    applied: bool = False
    skipped_example: bool = False
    #: Rows the sheet claims to have (its stored dimension): a formatted empty tail counts.
    sheet_rows: int = 0

    @property
    def refused(self) -> bool:
        return bool(self.file_errors) or any(row.has_errors for row in self.rows)

    def counts(self) -> dict[str, int]:
        counts = {NEW: 0, CHANGED: 0, UNCHANGED: 0, REFUSED: 0}
        for row in self.rows:
            counts[REFUSED if row.has_errors else (row.outcome or UNCHANGED)] += 1
        counts["total"] = len(self.rows)
        counts["errors"] = sum(len(row.errors()) for row in self.rows) + len(self.file_errors)
        counts["warnings"] = sum(len(row.warnings()) for row in self.rows) + len(self.file_warnings)
        return counts

    def header_of(self, key: str) -> str:
        if not key:
            return ""
        try:
            return self.kind.header_of(key)
        except KeyError:
            return key

    def cell_of(self, row: ImportRow, key: str) -> str:
        if key in self.positions:
            return cell_name(row.number, self.positions[key])
        return ""

    def report(self) -> dict:
        """The result as JSON for ImportJob.report: counts, file messages and row messages."""
        messages = []
        for row in self.rows:
            for message in row.messages:
                messages.append(
                    {
                        "row": row.number,
                        "cell": self.cell_of(row, message.key),
                        "column": self.header_of(message.key),
                        **message.as_dict(),
                    }
                )
        messages.sort(key=lambda item: (item["level"] != ERROR, item["row"]))
        changed = [
            {"row": row.number, "changes": row.changes}
            for row in self.rows
            if row.outcome == CHANGED and not row.has_errors
        ]
        return {
            "kind": self.kind.identifier,
            "filename": self.filename,
            "sheet": self.sheet,
            "header_row": self.header_row,
            "counts": self.counts(),
            "file_errors": self.file_errors,
            "file_warnings": self.file_warnings,
            "messages": messages[:REPORT_MESSAGE_LIMIT],
            "messages_truncated": max(0, len(messages) - REPORT_MESSAGE_LIMIT),
            "changed": changed[:REPORT_MESSAGE_LIMIT],
            "refused": self.refused,
            "applied": self.applied,
        }


def _layout_messages(result: CheckResult, layout) -> None:
    if layout.missing:
        result.file_errors.append(
            _("工作表“%(sheet)s”缺少必填列：%(columns)s。")
            % {"sheet": layout.title, "columns": "、".join(str(column.header) for column in layout.missing)}
        )
    if layout.unknown:
        result.file_warnings.append(
            _("以下列不是“%(kind)s”的导入字段，已忽略：%(columns)s。")
            % {"kind": result.kind.verbose_name, "columns": "、".join(layout.unknown[:30])}
        )
    if layout.duplicates:
        result.file_warnings.append(
            _("以下列与前面的列重复，已忽略：%(columns)s。") % {"columns": "、".join(layout.duplicates)}
        )


def _is_key_row(layout, values) -> bool:
    keys = [values[index] if index < len(values) else None for index in layout.columns]
    return sum(
        str(value).strip() == column.key for value, column in zip(keys, layout.columns.values(), strict=True)
    ) > (len(layout.columns) // 2)


def _is_example_row(layout, values) -> bool:
    examples = [(index, column.example) for index, column in layout.columns.items() if column.example]
    if not examples:
        return False
    return all(
        index < len(values) and not is_blank(values[index]) and _text(values[index]) == str(example)
        for index, example in examples
    )


def _text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def _merged_in_data(markup, layout) -> dict[int, list[tuple[int, str]]]:
    """Row number -> [(0-based column, range)] for merged ranges reaching below the header."""
    hits: dict[int, list[tuple[int, str]]] = {}
    for min_col, min_row, max_col, max_row in markup.merged:
        if max_row <= layout.header_row:
            continue
        shown = f"{cell_name(min_row, min_col - 1)}:{cell_name(max_row, max_col - 1)}"
        for number in range(max(min_row, layout.header_row + 1), max_row + 1):
            hits.setdefault(number, []).append((min_col - 1, shown))
    return hits


def check_workbook(
    file,
    *,
    kind: ImportKind,
    ctx: ImportContext,
    progress: Callable[[int, int], None] | None = None,
) -> CheckResult:
    """Read `file` (an uploaded xlsx) and check every row against `kind`, writing nothing.
    A file that cannot be read gives a result with `file_errors` (Chinese) and no rows."""
    result = CheckResult(kind=kind, filename=ctx.filename or getattr(file, "name", "") or "")
    try:
        workbook = open_workbook(file)
    except WorkbookRefused as refusal:
        result.file_errors.append(refusal.message)
        return result
    try:
        try:
            layout = find_layout(workbook, kind)
            markup = sheet_markup(file, layout.sheet)
        except WorkbookRefused as refusal:
            result.file_errors.append(refusal.message)
            return result
        except Exception:  # openpyxl or the XML parser choking on the sheet: the file's fault
            result.file_errors.append(str(UNREADABLE) % {"row": 1})
            return result
        result.sheet, result.header_row = layout.title, layout.header_row
        result.sheet_rows = layout.estimated_rows
        result.positions = {column.key: index for index, column in layout.columns.items()}
        _layout_messages(result, layout)
        if layout.missing:
            return result
        merged = _merged_in_data(markup, layout)
        estimate = layout.estimated_rows
        kind.prepare(ctx)
        row_progress = (lambda number: progress(number, estimate)) if progress else None
        rows = _readable(data_rows(layout, progress=row_progress), layout.header_row)
        try:
            for number, values in rows:
                if number == layout.header_row + 1 and _is_key_row(layout, values):
                    continue
                if _is_example_row(layout, values):
                    result.skipped_example = True
                    continue
                row = _read_row(number, values, layout, ctx, markup, merged.get(number, ()))
                # A row with cell errors still goes to the kind: duplicates and lookups come in the same pass.
                kind.check_row(row, ctx)
                if not row.has_errors and not row.outcome:
                    row.outcome = UNCHANGED
                result.rows.append(row)
        except WorkbookRefused as refusal:
            result.rows = []
            result.file_errors.append(refusal.message)
            return result
        if result.skipped_example:
            result.file_warnings.append(_("模板中的示例行已跳过，未导入。"))
        if not result.rows and not result.file_errors:
            result.file_errors.append(
                _("工作表“%(sheet)s”的表头（第 %(row)d 行）下没有数据行。")
                % {"sheet": layout.title, "row": layout.header_row}
            )
    finally:
        workbook.close()
    return result


UNREADABLE = gettext_lazy(
    "Excel 文件第 %(row)d 行附近有无法读取的内容（文件可能由其他软件生成或已损坏）。"
    "请在 Excel 或 WPS 中打开，“另存为”Excel 工作簿（*.xlsx）后再上传。"
)


def _readable(rows, header_row):
    """The sheet's rows; what openpyxl or the XML parser cannot read becomes WorkbookRefused
    (a Chinese message naming the row), never an exception of theirs."""
    last = header_row
    iterator = iter(rows)
    while True:
        try:
            item = next(iterator)
        except StopIteration:
            return
        except Exception as error:
            raise WorkbookRefused(str(UNREADABLE) % {"row": last + 1}) from error
        last = item[0]
        yield item


def _read_row(number, values, layout, ctx, markup, merged) -> ImportRow:
    row = ImportRow(number=number, values={}, raw={}, accept_fixes=ctx.accept_fixes)
    for index, column in layout.columns.items():
        value = values[index] if index < len(values) else None
        row.raw[column.key] = value
        row.values[column.key] = normalize(row, column, value, ctx)
        if markup.formulas and (number, index + 1) in markup.formulas:
            row.warning(
                column.key,
                _("“%(column)s”是公式，已按其计算结果“%(value)s”读取；建议改为直接填写的值。")
                % {"column": column.header, "value": "" if value is None else _text(value)},
            )
    for column_index, shown in merged:
        column = layout.columns.get(column_index)
        row.error(
            column.key if column else "",
            _("数据行中有合并单元格（%(range)s）：请取消合并，并在每一行填写完整。") % {"range": shown},
        )
    return row


def apply_workbook(
    result: CheckResult, ctx: ImportContext, *, audit_target=None, progress: Callable[[int, int], None] | None = None
) -> bool:
    """Apply a checked result in one transaction, only when no row is refused; the new and changed
    rows go through the kind's `apply_row` (its services), unchanged ones are left alone. One audit
    record names the file, the kind and the counts. A ValidationError from a service undoes the
    whole file and is put on its row, as is a PermissionDenied (a service's own check of the
    importer's right); returns whether the file was applied."""
    if result.refused:
        return False
    from chainparty import audit

    current = None
    try:
        with transaction.atomic():
            writes = [row for row in result.rows if row.outcome in (NEW, CHANGED)]
            for done, row in enumerate(writes, start=1):
                current = row
                result.kind.apply_row(row, ctx)
                if progress is not None and done % 200 == 0:
                    progress(done, len(writes))
            current = None
            result.kind.finish_apply(ctx)
            audit.record(
                action=audit.Action.IMPORT,
                actor=ctx.user,
                target=audit_target,
                region=ctx.region,
                data={
                    "object": result.filename,
                    "kind": result.kind.identifier,
                    "kind_label": str(result.kind.verbose_name),
                    "counts": result.counts(),
                },
            )
    except (ValidationError, PermissionDenied) as error:
        # A service's refusal (its data, or the importer's right to do this) undoes the whole file.
        refusal = str(error) or _("无权执行该操作。")
        text = "；".join(error.messages) if isinstance(error, ValidationError) else refusal
        if current is not None:
            current.messages.append(Message("", ERROR, _("保存时被拒绝：%(reason)s") % {"reason": text}))
        else:
            result.file_errors.append(_("保存时被拒绝：%(reason)s") % {"reason": text})
        return False
    result.applied = True
    return True


__all__ = ["WARNING", "CheckResult", "apply_workbook", "check_workbook"]
