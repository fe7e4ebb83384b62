"""Bulk loading with PostgreSQL COPY: every concrete column of a model, the ones not given filled
with the field's default, so a column added to a model later does not break the seeding."""

import datetime as dt
import io
import json
from decimal import Decimal

from django.db import connection, models
from django.utils import timezone

CHUNK_ROWS = 50_000
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _text(value):
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, str):
        return value.translate(_ESCAPES)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, int | float | Decimal):
        return str(value)
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False).translate(_ESCAPES)
    return str(value).translate(_ESCAPES)


def _default(field):
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return timezone.now()
    if field.has_default():
        value = field.get_default()
        if isinstance(field, models.JSONField):
            return json.dumps(value, ensure_ascii=False)
        return value
    if field.null:
        return None
    if field.empty_strings_allowed:
        return ""
    raise ValueError(f"{field.model.__name__}.{field.name} has no default: give it to the bench's seeding")


class Copier:
    """COPY rows of `model`. Rows are tuples in the order of `names` (field names, `id` included)."""

    def __init__(self, model, names, *, auto_flush=True):
        self.model = model
        self.auto_flush = auto_flush
        fields = [model._meta.get_field(name) for name in names]
        rest = [f for f in model._meta.local_concrete_fields if f.name not in set(names)]
        self.columns = [f.column for f in fields] + [f.column for f in rest]
        tail = "\t".join(_text(_default(f)) for f in rest)
        self.tail = f"\t{tail}\n" if rest else "\n"
        self.rows = 0
        self._buffer = []

    def add(self, row):
        self._buffer.append("\t".join(map(_text, row)) + self.tail)
        if self.auto_flush and len(self._buffer) >= CHUNK_ROWS:
            self.flush()

    def extend(self, rows):
        for row in rows:
            self.add(row)

    def flush(self):
        if not self._buffer:
            return
        data = io.StringIO("".join(self._buffer))
        columns = ", ".join(connection.ops.quote_name(c) for c in self.columns)
        with connection.cursor() as cursor:
            cursor.copy_expert(
                f"COPY {connection.ops.quote_name(self.model._meta.db_table)} ({columns}) FROM STDIN", data
            )
        self.rows += len(self._buffer)
        self._buffer = []


def copy_rows(model, names, rows):
    copier = Copier(model, names)
    copier.extend(rows)
    copier.flush()
    return copier.rows


def reset_sequences(models_):
    from django.core.management.color import no_style

    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), models_):
            cursor.execute(statement)
