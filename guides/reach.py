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

from django.db.models import Q

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


# -- the same rules in the ORM, for one enterprise or one guide on any day -------------------------
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


def assignments_covering(enterprise, day):
    """Assignments in force on `day` whose target takes in `enterprise`: the enterprise itself, its
    zone, or an alliance it was a member of that day. Guides' and teams' alike."""
    member_of = Membership.objects.filter(members_on_q(day), enterprise=enterprise).values("alliance_id")
    target = Q(enterprise=enterprise) | Q(alliance__in=member_of)
    if enterprise.zone_id:
        target |= Q(zone_id=enterprise.zone_id)
    return Assignment.objects.filter(in_force_q(day), target)


def guide_teams_on(guide, day):
    """Ids of the teams `guide` belongs to on `day`, as a subquery."""
    return TeamMember.objects.filter(in_force_q(day), guide=guide).values("team_id")


def guide_serves(*, guide, enterprise, day) -> bool:
    """Whether `enterprise` is in `guide`'s charge on `day`, directly or through a team."""
    return (
        assignments_covering(enterprise, day).filter(Q(guide=guide) | Q(team__in=guide_teams_on(guide, day))).exists()
    )
