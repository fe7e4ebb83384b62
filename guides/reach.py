"""A guide's reach, for `alliances.access`: the zones and enterprises a user guides on a day.

Registered as a grant source (`alliances.access.register_grant_source`) from GuidesConfig.ready,
so it joins the one grants query each request reads. Rows, of kind `roles.GUIDE_GRANT_KIND`:
- (GUIDE_ZONE, zone id) for each zone assigned;
- (GUIDE_ENTERPRISE, enterprise id) for each enterprise assigned, and for each member enterprise
  of an assigned alliance (members on the day);
from the user's own assignments in force on the day and from those of the teams they belong to
on the day. An assignment gives its rights from `starts_on` to `ends_on` inclusive, a team term
likewise: no sweep, no write on either date.
"""

from alliances.access import GrantSource
from alliances.models import Membership
from chainparty import roles

from .models import Assignment, Guide, TeamMember


def _targets(assignments_where: str) -> str:
    a = Assignment._meta.db_table
    m = Membership._meta.db_table
    return (
        f"SELECT '{roles.GUIDE_GRANT_KIND}', "
        f"CASE WHEN a.target = 'zone' THEN '{roles.GUIDE_ZONE}' ELSE '{roles.GUIDE_ENTERPRISE}' END, "
        "COALESCE(a.zone_id, a.enterprise_id, m.enterprise_id) "
        f"FROM {a} a LEFT JOIN {m} m ON a.target = 'alliance' AND m.alliance_id = a.alliance_id "
        "AND m.enterprise_id IS NOT NULL AND m.joined_on <= %s AND (m.left_on IS NULL OR m.left_on > %s) "
        "WHERE a.starts_on <= %s AND (a.ends_on IS NULL OR a.ends_on >= %s) "
        "AND (a.target <> 'alliance' OR m.enterprise_id IS NOT NULL) "
        f"AND {assignments_where}"
    )


def _sql() -> str:
    guide = Guide._meta.db_table
    member = TeamMember._meta.db_table
    own = _targets(f"a.guide_id IN (SELECT g.id FROM {guide} g WHERE g.user_id = %s)")
    teams = _targets(
        f"a.team_id IN (SELECT tm.team_id FROM {member} tm JOIN {guide} g ON g.id = tm.guide_id "
        "WHERE g.user_id = %s AND tm.starts_on <= %s AND (tm.ends_on IS NULL OR tm.ends_on >= %s))"
    )
    return f"{own} UNION ALL {teams}"


_TARGET_PARAMS = ("day", "day", "day", "day")

GUIDE_ASSIGNMENTS = GrantSource(
    name="guides.assignments",
    sql=_sql,
    params=(*_TARGET_PARAMS, "user", *_TARGET_PARAMS, "user", "day", "day"),
)


# -- the same rules in the ORM: guides.serving, the one definition of who serves whom -------------
# (re-exported here for the modules that import them from reach)
from .serving import guide_serves, in_force_q, members_on_q  # noqa: E402

__all__ = ["GUIDE_ASSIGNMENTS", "guide_serves", "in_force_q", "members_on_q"]
