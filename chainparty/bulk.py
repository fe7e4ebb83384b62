"""Bulk writes the ORM makes slow or cannot say: used by the notifications and the sweeps."""

from django.db import connection

#: Rows per INSERT statement (PostgreSQL takes at most 65,535 parameters in one).
INSERT_BATCH = 500


def insert_new(model, fields, rows, *, returning=None) -> list[tuple]:
    """Insert `rows` (values of `fields`, ready for the database) skipping those whose unique key is
    already stored, and return (pk, `returning`) of the rows this call stored: one
    ``INSERT … ON CONFLICT DO NOTHING RETURNING`` per INSERT_BATCH rows. Written out because
    bulk_create(ignore_conflicts=True) returns no keys, which cost a SELECT before and after, and
    its per-object preparation was most of a sweep's time; concurrent runs still keep one row per
    key, since the unique index decides."""
    if not rows:
        return []
    quote = connection.ops.quote_name
    meta = model._meta
    columns = ", ".join(quote(meta.get_field(name).column) for name in fields)
    returned = ", ".join(quote(meta.get_field(name).column) for name in ("id", returning) if name)
    placeholder = "(" + ", ".join(["%s"] * len(fields)) + ")"
    stored = []
    with connection.cursor() as cursor:
        for start in range(0, len(rows), INSERT_BATCH):
            batch = rows[start : start + INSERT_BATCH]
            cursor.execute(
                f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES {', '.join([placeholder] * len(batch))}"
                f" ON CONFLICT DO NOTHING RETURNING {returned}",
                [value for row in batch for value in row],
            )
            stored.extend(cursor.fetchall())
    return stored
