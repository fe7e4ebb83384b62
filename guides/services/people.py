"""Guides, teams and assignments: every write (issue 9 §1).

Rights: organisation staff of the region (see `_common.require_staff`). Overlaps that constraints
cannot express over date ranges are refused here under a row lock: the guide's row for its team
terms and its assignments, the team's row for its leader and its assignments, so two requests at
the same moment cannot both pass the check.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from alliances.models import Alliance, Department, Enterprise, WorkZone

from ..models import Assignment, Guide, Team, TeamMember
from ._common import Action, apply, forget_reach, record, require_staff, save_new

# A guide (and a team) is managed by the organisation staff of its region: staff of another county
# may not put it to work in theirs (the staff forms offer only the guides the user manages).
GUIDE_NOT_MANAGED = gettext_lazy("只能安排本区域组织部管理的指导员。")
TEAM_NOT_MANAGED = gettext_lazy("只能安排本区域组织部管理的指导组。")

GUIDE_FIELDS = ("name", "kind", "rank", "position", "phone", "term_start", "term_end", "note")


def _overlap_q(starts_on, ends_on, prefix="") -> Q:
    """Rows whose dates meet [starts_on, ends_on] (None: open-ended)."""
    q = Q(**{f"{prefix}ends_on__isnull": True}) | Q(**{f"{prefix}ends_on__gte": starts_on})
    if ends_on is not None:
        q &= Q(**{f"{prefix}starts_on__lte": ends_on})
    return q


def _check_dates(starts_on, ends_on, field="ends_on"):
    if ends_on is not None and ends_on < starts_on:
        raise ValidationError({field: _("结束日期不能早于开始日期。")})


# -- guides -------------------------------------------------------------------------------------
def _sender_region(department: Department | None, zone: WorkZone | None):
    if (department is None) == (zone is None):
        raise ValidationError({"department": _("指导员须由一个部门或一个园区（片区）党工委选派，二者选一。")})
    return (department or zone).region


@transaction.atomic
def guide_create(
    *,
    actor,
    user,
    kind: str = Guide.Kind.PARTY_BUILDING,
    department: Department | None = None,
    zone: WorkZone | None = None,
    name: str = "",
    rank: str = Guide.Rank.STAFF,
    position: str = "",
    phone: str = "",
    term_start: dt.date | None = None,
    term_end: dt.date | None = None,
    note: str = "",
) -> Guide:
    """Make `user` a guide, sent by `department` or by `zone`'s Party committee. The guide is
    managed by the sender's region; they reach no enterprise until assigned (`assignment_create`)."""
    region = _sender_region(department, zone)
    require_staff(actor, region)
    if Guide.objects.filter(user=user).exists():
        raise ValidationError({"user": _("该账号已是党建指导员。")})
    guide = save_new(
        Guide(
            user=user,
            name=(name or user.display_name).strip(),
            kind=kind,
            region=region,
            department=department,
            zone=zone,
            rank=rank,
            position=position.strip(),
            phone=(phone or user.mobile).strip(),
            term_start=term_start or timezone.localdate(),
            term_end=term_end,
            note=note,
        )
    )
    record(Action.GUIDE_CREATE, actor=actor, target=guide, kind=guide.kind, sender=str(guide.sender))
    return guide


@transaction.atomic
def guide_update(
    *, actor, guide: Guide, department: Department | None = None, zone: WorkZone | None = None, **changes
) -> Guide:
    """Change a guide's details (`GUIDE_FIELDS`); giving `department` or `zone` changes the sender."""
    unknown = set(changes) - set(GUIDE_FIELDS)
    if unknown:
        raise TypeError(f"guide_update: unknown fields {sorted(unknown)}")
    guide = Guide.objects.select_for_update().select_related("region").get(pk=guide.pk)
    require_staff(actor, guide.region)
    fields = dict(changes)
    if department is not None or zone is not None:
        region = _sender_region(department, zone)
        require_staff(actor, region)
        fields.update(department=department, zone=zone, region=region)
    apply(guide, fields)
    record(Action.GUIDE_UPDATE, actor=actor, target=guide, fields=sorted(fields))
    return guide


@transaction.atomic
def guide_name_studio(*, actor, guide: Guide, studio_name: str, granted_on: dt.date | None = None) -> Guide:
    """Name a 红帆党建工作室 after a guide whose work stands out (seed 003); an empty name withdraws it."""
    guide = Guide.objects.select_for_update().select_related("region").get(pk=guide.pk)
    require_staff(actor, guide.region)
    studio_name = (studio_name or "").strip()
    granted = (granted_on or timezone.localdate()) if studio_name else None
    apply(guide, {"studio_name": studio_name, "studio_granted_on": granted})
    record(Action.GUIDE_UPDATE, actor=actor, target=guide, studio_name=studio_name, studio_granted_on=granted)
    return guide


# -- teams --------------------------------------------------------------------------------------
@transaction.atomic
def team_create(
    *,
    actor,
    name: str,
    kind: str,
    region,
    department: Department | None = None,
    formed_on: dt.date | None = None,
    note: str = "",
) -> Team:
    require_staff(actor, region)
    if department is not None and department.region_id != region.pk:
        raise ValidationError({"department": _("牵头部门不属于该区域。")})
    team = save_new(
        Team(
            name=(name or "").strip(),
            kind=kind,
            region=region,
            department=department,
            formed_on=formed_on or timezone.localdate(),
            note=note,
        )
    )
    record(Action.TEAM_CHANGE, actor=actor, target=team, change="create", kind=team.kind)
    return team


LEADER_RANKS = (Guide.Rank.COUNTY, Guide.Rank.SECTION)


@transaction.atomic
def team_member_add(
    *, actor, team: Team, guide: Guide, role: str = TeamMember.Role.MEMBER, starts_on: dt.date | None = None
) -> TeamMember:
    """Put a guide in a team from `starts_on`. A team has one leader at a time (a 红帆 team's is a
    county- or section-level cadre, seed 003); a guide is in one team of a kind at a time."""
    team = Team.objects.select_for_update().select_related("region").get(pk=team.pk)
    guide = Guide.objects.select_for_update(of=("self",)).select_related("region").get(pk=guide.pk)
    require_staff(actor, team.region)
    require_staff(actor, guide.region, str(GUIDE_NOT_MANAGED))
    starts_on = starts_on or timezone.localdate()
    if role not in TeamMember.Role.values:
        raise ValidationError({"role": _("请选择团长或成员。")})
    if team.disbanded_on is not None and team.disbanded_on < starts_on:
        raise ValidationError({"team": _("该指导组已撤销。")})
    if starts_on < team.formed_on:
        raise ValidationError({"starts_on": _("加入日期不能早于指导组组建日期。")})
    if not guide.in_term(starts_on):
        raise ValidationError({"guide": _("“%s”在该日期不在指导员任期内。") % guide.name})
    terms = TeamMember.objects.filter(_overlap_q(starts_on, None))
    if terms.filter(team=team, guide=guide).exists():
        raise ValidationError({"guide": _("“%s”已是该指导组成员。") % guide.name})
    if role == TeamMember.Role.LEADER:
        if team.kind == Team.Kind.RED_SAIL and guide.rank not in LEADER_RANKS:
            raise ValidationError({"role": _("红帆党建指导组的团长须由县级或科级干部担任。")})
        if terms.filter(team=team, role=TeamMember.Role.LEADER).exists():
            raise ValidationError({"role": _("一个指导组只能有一名团长。")})
    other = terms.filter(guide=guide, team_kind=team.kind).select_related("team").first()
    if other is not None:
        raise ValidationError(
            {
                "guide": _("“%(guide)s”已在同类指导组“%(team)s”中，同一时间只能加入一个同类指导组。")
                % {"guide": guide.name, "team": other.team.name}
            }
        )
    member = save_new(TeamMember(team=team, guide=guide, role=role, team_kind=team.kind, starts_on=starts_on))
    record(
        Action.TEAM_CHANGE, actor=actor, target=team, change="join", guide=guide.name, role=role, starts_on=starts_on
    )
    forget_reach(guide.user)
    return member


@transaction.atomic
def team_member_end(*, actor, member: TeamMember, ends_on: dt.date | None = None) -> TeamMember:
    """End a guide's term in a team (kept as history); the team's assignments stop reaching them the
    day after."""
    member = TeamMember.objects.select_for_update().select_related("team__region", "guide__user").get(pk=member.pk)
    require_staff(actor, member.team.region)
    if member.ends_on is not None:
        raise ValidationError({"ends_on": _("该成员已离开指导组。")})
    ends_on = ends_on or timezone.localdate()
    _check_dates(member.starts_on, ends_on)
    apply(member, {"ends_on": ends_on})
    record(
        Action.TEAM_CHANGE, actor=actor, target=member.team, change="leave", guide=member.guide.name, ends_on=ends_on
    )
    forget_reach(member.guide.user)
    return member


# -- assignments --------------------------------------------------------------------------------
_TARGET_FIELDS = {
    Assignment.Target.ZONE: "zone",
    Assignment.Target.ENTERPRISE: "enterprise",
    Assignment.Target.ALLIANCE: "alliance",
}


def _target(zone, enterprise, alliance):
    given = [
        (kind, obj)
        for kind, obj in (
            (Assignment.Target.ZONE, zone),
            (Assignment.Target.ENTERPRISE, enterprise),
            (Assignment.Target.ALLIANCE, alliance),
        )
        if obj is not None
    ]
    if len(given) != 1:
        raise ValidationError({"target": _("请选择一个联系对象：片区、企业或联盟，三者选一。")})
    return given[0]


def _assignee_users(guide: Guide | None, team: Team | None):
    if guide is not None:
        return [guide.user]
    return [m.guide.user for m in team.members.filter(ends_on__isnull=True).select_related("guide__user")]


def assignment_check_assignee(*, assignee, starts_on: dt.date) -> None:
    """assignment_create's rule for the assignee (ValidationError otherwise): a guide in term on
    `starts_on`, a team not disbanded by then. Also read by the assignment import's check
    (guides/imports.py), so the rule is written once."""
    if isinstance(assignee, Team):
        if assignee.disbanded_on is not None and assignee.disbanded_on < starts_on:
            raise ValidationError({"team": _("该指导组已撤销。")})
    elif not assignee.in_term(starts_on):
        raise ValidationError({"guide": _("“%s”在该日期不在指导员任期内。") % assignee.name})


def assignment_check_clash(*, assignee, target, clash) -> None:
    """The refusal of an assignment whose dates meet `clash`, the assignee's assignment to the same
    `target` (None: no clash); assignment_create's, and the import's for the rows it checks."""
    if clash is not None:
        raise ValidationError(
            {
                "starts_on": _("“%(who)s”对“%(target)s”已有联系安排（%(start)s 起），日期不能重叠。")
                % {"who": assignee.name, "target": target, "start": clash.starts_on}
            }
        )


@transaction.atomic
def assignment_create(
    *,
    actor,
    guide: Guide | None = None,
    team: Team | None = None,
    zone: WorkZone | None = None,
    enterprise: Enterprise | None = None,
    alliance: Alliance | None = None,
    starts_on: dt.date | None = None,
    ends_on: dt.date | None = None,
    cadence: str = Assignment.Cadence.QUARTERLY,
    note: str = "",
) -> Assignment:
    """Assign a guide or a team to a zone, an enterprise or an alliance's member enterprises from
    `starts_on` (today by default) to `ends_on` (open by default), to be visited monthly
    (三包三联) or quarterly (the default). The assignee reaches the target's enterprises on those
    days (guides/reach.py). The same assignee may not hold two assignments to the same target
    whose dates meet."""
    if (guide is None) == (team is None):
        raise ValidationError({"guide": _("联系安排须指定一名指导员或一个指导组，二者选一。")})
    target, obj = _target(zone, enterprise, alliance)
    require_staff(actor, obj.region)
    starts_on = starts_on or timezone.localdate()
    _check_dates(starts_on, ends_on)
    if guide is not None:
        assignee = Guide.objects.select_for_update(of=("self",)).select_related("user", "region").get(pk=guide.pk)
        require_staff(actor, assignee.region, str(GUIDE_NOT_MANAGED))
        assignment_check_assignee(assignee=assignee, starts_on=starts_on)
        mine = Assignment.objects.filter(guide=assignee)
    else:
        assignee = Team.objects.select_for_update(of=("self",)).select_related("region").get(pk=team.pk)
        require_staff(actor, assignee.region, str(TEAM_NOT_MANAGED))
        assignment_check_assignee(assignee=assignee, starts_on=starts_on)
        mine = Assignment.objects.filter(team=assignee)
    field = _TARGET_FIELDS[target]
    assignment_check_clash(
        assignee=assignee, target=obj, clash=mine.filter(_overlap_q(starts_on, ends_on), **{field: obj}).first()
    )
    assignment = save_new(
        Assignment(
            guide=guide and assignee,
            team=team and assignee,
            target=target,
            region=obj.region,
            cadence=cadence,
            starts_on=starts_on,
            ends_on=ends_on,
            note=note,
            created_by=actor,
            **{field: obj},
        )
    )
    forget_reach(*_assignee_users(guide and assignee, team and assignee))
    record(
        Action.ASSIGNMENT_CREATE,
        actor=actor,
        target=assignment,
        assignee=assignee.name,
        object=str(obj),
        starts_on=starts_on,
        ends_on=ends_on,
        cadence=cadence,
    )
    return assignment


@transaction.atomic
def assignment_end(*, actor, assignment: Assignment, ends_on: dt.date | None = None) -> Assignment:
    """End an assignment on `ends_on` (today by default; its last day of reach). Kept as history."""
    assignment = (
        Assignment.objects.select_for_update(of=("self",))
        .select_related("region", "guide__user", "team")
        .get(pk=assignment.pk)
    )
    require_staff(actor, assignment.region)
    ends_on = ends_on or timezone.localdate()
    if assignment.ends_on is not None and assignment.ends_on <= ends_on:
        raise ValidationError({"ends_on": _("该联系安排已于 %s 结束。") % assignment.ends_on})
    _check_dates(assignment.starts_on, ends_on)
    apply(assignment, {"ends_on": ends_on, "ended_by": actor})
    record(Action.ASSIGNMENT_END, actor=actor, target=assignment, ends_on=ends_on)
    forget_reach(*_assignee_users(assignment.guide, assignment.team))
    return assignment


@transaction.atomic
def assignment_update(
    *, actor, assignment: Assignment, cadence: str | None = None, note: str | None = None
) -> Assignment:
    """Change an assignment's visit cadence or note (the import of issue 11 updates what a later
    file changes); its dates change only through assignment_end, which keeps the history."""
    assignment = Assignment.objects.select_for_update(of=("self",)).select_related("region").get(pk=assignment.pk)
    require_staff(actor, assignment.region)
    fields = {name: value for name, value in (("cadence", cadence), ("note", note)) if value is not None}
    fields = {name: value for name, value in fields.items() if getattr(assignment, name) != value}
    if fields:
        # No audit action of its own: the import that calls it is recorded with its file and counts.
        apply(assignment, fields)
    return assignment
