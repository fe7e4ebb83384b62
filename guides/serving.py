"""Who serves which enterprise, when: the one definition every reader of the guides app uses (the
pages, 我的企业, the load per guide, the reminders, the access rules, 述职评价's raters).

An assignment serves enterprises by its target:
- an enterprise: that enterprise;
- a work zone: every enterprise in the zone;
- an alliance: the alliance's member enterprises, each for the days it is a member
  (`joined_on` to the day before `left_on`).

A guide serves what is assigned to them, and, through a team, what the team is assigned, but only
for the days when BOTH the team term (`TeamMember`) and the team's assignment are in force: a member
who joined after the assignment ended (or left before it began) never served its enterprises. An
assignment, a team term and an alliance membership each have their own dates; a guide serves an
enterprise on the days all that apply have in common. Over a range of days (述职评价's period), a
guide served an enterprise when those common days meet the range.

Cadence belongs to the assignment: each assignment asks for one counted visit (by anyone: the
enterprise's visit is what counts; disputed visits do not) to each enterprise it serves in every
period of its cadence (calendar month or quarter). Where several assignments serve an enterprise,
the strictest wins (monthly over quarterly), and whose assignments are taken depends on who asks:
- the staff pages (not-visited list, coverage's overdue status): every assignment serving the
  enterprise that day; an enterprise no one serves is read as quarterly (the default cadence);
- a guide (我的企业, the monthly reminders and the sending units' notices): the guide's own
  assignments, themselves or through a team.
So an enterprise assigned monthly to guide A and quarterly to guide B is monthly on the staff
pages and for A, and quarterly for B, who is reminded of it when a quarter ends.

Everything here builds SQL: `service_sql` is the relation (guide, enterprise, cadence, assignment)
and the helpers turn it into a Q, ids or rows, so each caller reads it in one query whatever the
number of assignments.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db import connection
from django.db.models import Q
from django.db.models.expressions import RawSQL

from alliances.models import Enterprise, Membership

from .models import Assignment, TeamMember

__all__ = [
    "MONTHLY",
    "QUARTERLY",
    "Service",
    "assignments_q",
    "assignments_serving",
    "enterprises_served",
    "enterprises_served_q",
    "guide_serves",
    "guides_serving_q",
    "in_force_q",
    "members_on_q",
    "service_rows",
    "service_sql",
    "strictest",
]

MONTHLY = Assignment.Cadence.MONTHLY
QUARTERLY = Assignment.Cadence.QUARTERLY


def in_force_q(day, prefix="") -> Q:
    """Rows (assignments, team terms) whose `starts_on`..`ends_on` covers `day`."""
    return Q(**{f"{prefix}starts_on__lte": day}) & (
        Q(**{f"{prefix}ends_on__isnull": True}) | Q(**{f"{prefix}ends_on__gte": day})
    )


def members_on_q(day, prefix="") -> Q:
    """Alliance memberships in force on `day` (joined, not yet left)."""
    return Q(**{f"{prefix}joined_on__lte": day}) & (
        Q(**{f"{prefix}left_on__isnull": True}) | Q(**{f"{prefix}left_on__gt": day})
    )


def strictest(cadences) -> str:
    """The cadence that wins among `cadences`: monthly if any is, else quarterly (also when none)."""
    return MONTHLY if MONTHLY in set(cadences) else QUARTERLY


# The relation is written for PostgreSQL and SQLite alike (the embedded default runs on SQLite):
# these few expressions are the only ones that differ. Every first day is NOT NULL; a last day may be
# NULL (open-ended), and PostgreSQL's LEAST ignores NULLs where SQLite's MIN(x, y) returns NULL.
_FAR = "'9999-12-31'"


def _postgresql() -> bool:
    return connection.vendor == "postgresql"


def _latest(expressions: list[str]) -> str:
    """The latest of dates that are never NULL."""
    return f"{'GREATEST' if _postgresql() else 'MAX'}({', '.join(expressions)})"


def _earliest(expressions: list[str]) -> str:
    """The earliest of dates that may be NULL (open-ended), ignoring NULLs; NULL when all are."""
    if _postgresql():
        return f"LEAST({', '.join(expressions)})"
    return f"NULLIF(MIN({', '.join(f'COALESCE({x}, {_FAR})' for x in expressions)}), {_FAR})"


def _day_before(expression: str) -> str:
    return f"{expression} - 1" if _postgresql() else f"date({expression}, '-1 day')"


NO_ID = "CAST(NULL AS integer)"


def _ids_sql(values) -> tuple[str, list]:
    """`IN (...)` operand for a list of ids or a queryset (its `pk`/first column)."""
    if hasattr(values, "query"):
        if not values.query.values_select:
            values = values.values("pk")
        sql, params = values.query.sql_with_params()
        return sql, list(params)
    ids = [int(v.pk if hasattr(v, "pk") else v) for v in values]
    if not ids:
        return f"SELECT {NO_ID} WHERE 1 = 0", []
    return ", ".join(["%s"] * len(ids)), ids


def service_sql(
    *,
    starts_on: dt.date,
    ends_on: dt.date | None = None,
    guides=None,
    enterprises=None,
    cadence: str | None = None,
    by_guide: bool = True,
) -> tuple[str, list]:
    """SQL and params of the relation (guide_id, enterprise_id, cadence, assignment_id): who served
    which enterprise at some day of [starts_on, ends_on] (one day when `ends_on` is None), under
    which assignment. `guides` and `enterprises` (ids or a queryset) narrow it; `cadence` keeps one
    cadence. With `by_guide=False` the guide is left out (guide_id NULL): the enterprises the
    assignments serve, whoever is in the teams, as the staff pages read them.

    One branch per target kind (enterprise, zone, alliance) and per assignee (a guide, a team's
    members), joined with UNION ALL: plain inner joins the planner estimates well. Each branch keeps
    the rows whose dates (assignment, team term, membership) have days in common within the range."""
    ends_on = ends_on or starts_on
    a, tm = Assignment._meta.db_table, TeamMember._meta.db_table
    e, m = Enterprise._meta.db_table, Membership._meta.db_table
    guide_filter = _ids_sql(guides) if guides is not None and by_guide else None
    enterprise_filter = _ids_sql(enterprises) if enterprises is not None else None
    targets = [
        # (target, join, enterprise id, its first day, its last day)
        ("enterprise", "", "a.enterprise_id", None, None),
        ("zone", f"JOIN {e} e ON e.zone_id = a.zone_id", "e.id", None, None),
        (
            "alliance",
            f"JOIN {m} m ON m.alliance_id = a.alliance_id AND m.enterprise_id IS NOT NULL "
            "AND m.joined_on <= %s AND (m.left_on IS NULL OR m.left_on > %s)",
            "m.enterprise_id",
            "m.joined_on",
            _day_before("m.left_on"),
        ),
    ]
    assignees = [("a.guide_id", "", None, None, "a.guide_id IS NOT NULL")]
    if by_guide:
        assignees.append(
            (
                "tm.guide_id",
                f"JOIN {tm} tm ON tm.team_id = a.team_id AND tm.starts_on <= %s "
                "AND (tm.ends_on IS NULL OR tm.ends_on >= %s)",
                "tm.starts_on",
                "tm.ends_on",
                "a.team_id IS NOT NULL",
            )
        )
    else:
        assignees = [(NO_ID, "", None, None, "1 = 1")]
    branches, params = [], []
    for guide, who_join, who_first, who_last, who_condition in assignees:
        for target, target_join, enterprise_id, target_first, target_last in targets:
            firsts = ["a.starts_on", *(x for x in (who_first, target_first) if x)]
            lasts = ["a.ends_on", *(x for x in (who_last, target_last) if x)]
            first = _latest(firsts) if len(firsts) > 1 else firsts[0]
            last = _earliest(lasts) if len(lasts) > 1 else lasts[0]
            where = [
                "a.target = %s",
                "a.starts_on <= %s",
                "(a.ends_on IS NULL OR a.ends_on >= %s)",
                who_condition,
                # The days in common exist (each alone already meets the range).
                f"({first} <= %s AND ({last} IS NULL OR ({last} >= %s AND {last} >= {first})))",
            ]
            branch_params = [ends_on, starts_on] if who_join else []
            branch_params += [ends_on, starts_on] if target == "alliance" else []
            branch_params += [target, ends_on, starts_on, ends_on, starts_on]
            if cadence:
                where.append("a.cadence = %s")
                branch_params.append(cadence)
            if guide_filter is not None:
                where.append(f"{guide} IN ({guide_filter[0]})")
                branch_params += guide_filter[1]
            if enterprise_filter is not None:
                where.append(f"{enterprise_id} IN ({enterprise_filter[0]})")
                branch_params += enterprise_filter[1]
            branches.append(
                f"SELECT {guide} AS guide_id, {enterprise_id} AS enterprise_id, a.cadence AS cadence, "
                f"a.id AS assignment_id FROM {a} a {who_join} {target_join} WHERE {' AND '.join(where)}"
            )
            params += branch_params
    return " UNION ALL ".join(branches), params


@dataclass(frozen=True)
class Service:
    guide_id: int | None
    enterprise_id: int
    cadence: str
    assignment_id: int


def service_rows(**kwargs) -> list[Service]:
    """The relation of `service_sql` (same arguments) read as rows: one query."""
    sql, params = service_sql(**kwargs)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [Service(*row) for row in cursor.fetchall()]


def enterprises_served_q(prefix: str = "", **kwargs) -> Q:
    """Enterprises (Q on Enterprise, or on `prefix`+pk) served as `service_sql` says."""
    sql, params = service_sql(**kwargs)
    return Q(**{f"{prefix}pk__in": RawSQL(f"SELECT enterprise_id FROM ({sql}) served", params)})


def guides_serving_q(**kwargs) -> Q:
    """Guides (Q on Guide) serving as `service_sql` says (`enterprises` narrows to theirs)."""
    sql, params = service_sql(**kwargs)
    return Q(pk__in=RawSQL(f"SELECT guide_id FROM ({sql}) serving", params))


def enterprises_served(*, guide, starts_on: dt.date, ends_on: dt.date | None = None) -> dict[int, str]:
    """{enterprise id: cadence} `guide` serves on `starts_on` (or some day up to `ends_on`), the
    strictest of the guide's own assignments for each: one query."""
    found = defaultdict(set)
    for row in service_rows(starts_on=starts_on, ends_on=ends_on, guides=[guide]):
        found[row.enterprise_id].add(row.cadence)
    return {pk: strictest(cadences) for pk, cadences in found.items()}


def guide_serves(*, guide, enterprise, day: dt.date) -> bool:
    """Whether `enterprise` is in `guide`'s charge on `day`, directly or through a team."""
    sql, params = service_sql(starts_on=day, guides=[guide], enterprises=[enterprise])
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT EXISTS ({sql})", params)
        return bool(cursor.fetchone()[0])  # SQLite answers 0 or 1


def assignments_q(**kwargs) -> Q:
    """Assignments (Q on Assignment) under which someone serves as `service_sql` says."""
    sql, params = service_sql(**kwargs)
    return Q(pk__in=RawSQL(f"SELECT assignment_id FROM ({sql}) serving", params))


def assignments_serving(*, enterprise, day: dt.date):
    """The assignments in force on `day` serving `enterprise` (guides' and teams'), as a queryset."""
    sql, params = service_sql(starts_on=day, enterprises=[enterprise], by_guide=False)
    return Assignment.objects.filter(pk__in=RawSQL(f"SELECT assignment_id FROM ({sql}) serving", params))
