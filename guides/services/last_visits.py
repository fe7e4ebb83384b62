"""The last counted visit of each enterprise (`guides.models.LastVisit`), kept in step with its visits.

Recomputed from the visits rather than moved by each change, so a visit logged, corrected (its date),
confirmed or disputed all come to the same: the newest visit not disputed, or no row. Each
enterprise's recomputation holds a transaction-scoped advisory lock on it first, so two transactions
changing visits of one enterprise recompute one after the other, the second seeing the first's
committed visits (READ COMMITTED takes a new snapshot per statement). SQLite (the embedded default)
has one writer at a time, so no lock is needed there; the same recomputation runs through the ORM."""

from django.db import connection, transaction
from django.db.models import Max

from ..models import LastVisit, Visit

LOCK_SPACE = 90_401  # pg_advisory_xact_lock(LOCK_SPACE, enterprise id): guides' last visits


def last_visit_refresh(*, enterprise_ids) -> None:
    """Recompute the last counted visit of `enterprise_ids`, in the caller's transaction or in one
    of its own (a visit saved in autocommit: the lock must hold until the rows are written)."""
    ids = sorted({int(pk) for pk in enterprise_ids if pk is not None})
    if not ids:
        return
    with transaction.atomic():
        _refresh(ids)


def _refresh(ids: list[int]) -> None:
    if connection.vendor != "postgresql":
        _refresh_portably(ids)
        return
    table, visits = LastVisit._meta.db_table, Visit._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(%s, id) FROM unnest(%s::integer[]) AS id ORDER BY id", [LOCK_SPACE, ids]
        )
        cursor.execute(
            f"INSERT INTO {table} (enterprise_id, visited_on) "
            f"SELECT enterprise_id, MAX(visited_on) FROM {visits} "
            "WHERE enterprise_id = ANY(%s) AND confirmation <> %s GROUP BY enterprise_id "
            "ON CONFLICT (enterprise_id) DO UPDATE SET visited_on = EXCLUDED.visited_on "
            f"WHERE {table}.visited_on IS DISTINCT FROM EXCLUDED.visited_on",
            [ids, Visit.Confirmation.DISPUTED],
        )
        cursor.execute(
            f"DELETE FROM {table} t WHERE t.enterprise_id = ANY(%s) AND NOT EXISTS "
            f"(SELECT 1 FROM {visits} v WHERE v.enterprise_id = t.enterprise_id AND v.confirmation <> %s)",
            [ids, Visit.Confirmation.DISPUTED],
        )


def _refresh_portably(ids: list[int]) -> None:
    """The same recomputation in three ORM statements, for databases other than PostgreSQL."""
    latest = dict(
        Visit.objects.filter(enterprise_id__in=ids)
        .exclude(confirmation=Visit.Confirmation.DISPUTED)
        .values("enterprise_id")
        .annotate(latest=Max("visited_on"))
        .values_list("enterprise_id", "latest")
    )
    LastVisit.objects.filter(enterprise_id__in=ids).exclude(enterprise_id__in=list(latest)).delete()
    LastVisit.objects.bulk_create(
        [LastVisit(enterprise_id=pk, visited_on=day) for pk, day in latest.items()],
        update_conflicts=True,
        unique_fields=["enterprise"],
        update_fields=["visited_on"],
    )
