"""Reads for the staff desk (issue 9 §2, §4): the guide list with its filters and load, a guide's and a
team's page, the enterprise page's guides panel, building goals and development sums, and the
evaluation results per guide, team and sending department. Each in a number of queries that does not
grow with the rows shown; the per-object visibility comes from `guides.permissions`."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Avg, Count, F, Q, Sum
from django.utils import timezone

from alliances.access import scope_for
from alliances.models import PartyOrganization

from . import selectors, serving
from .models import (
    Assignment,
    BuildingGoal,
    EvaluationPeriod,
    Guide,
    GuideReport,
    LastVisit,
    MemberDevelopment,
    Rating,
    Team,
    TeamMember,
    Visit,
    VisitPerson,
)
from .permissions import building_goals_q, guides_q, visible_building_goals, visible_teams, visits_q
from .serving import in_force_q

TERM_CURRENT, TERM_ENDED = "current", "ended"
RECENT_VISITS = 20
# Open building goals first, then the latest closed; newest first.
OPEN_GOALS_FIRST = (F("closed_on").desc(nulls_first=True), "-opened_on", "-pk")


# -- guides -------------------------------------------------------------------------------------
def guide_desk_list(*, user, kind="", department=None, zone=None, team=None, term="", q="", day: dt.date | None = None):
    """The guides the user sees, filtered by kind, sending department or zone, team (on `day`), and
    term (in term on `day` / ended)."""
    day = day or timezone.localdate()
    qs = selectors.guide_list(user=user, kind=kind, department=department, q=q)
    if zone is not None:
        qs = qs.filter(zone=zone)
    if team is not None:
        qs = qs.filter(pk__in=TeamMember.objects.filter(in_force_q(day), team=team).values("guide_id"))
    if term == TERM_CURRENT:
        qs = qs.filter(Q(term_end__isnull=True) | Q(term_end__gte=day), term_start__lte=day)
    elif term == TERM_ENDED:
        qs = qs.filter(term_end__lt=day)
    return qs


def current_teams(guide_ids, day: dt.date | None = None) -> dict[int, list[TeamMember]]:
    """{guide id: [their team terms in force on `day`, team joined]}: one query."""
    day = day or timezone.localdate()
    found = defaultdict(list)
    for term in TeamMember.objects.filter(in_force_q(day), guide__in=list(guide_ids)).select_related("team"):
        found[term.guide_id].append(term)
    return found


def _assignment_rows():
    return Assignment.objects.select_related("guide", "team", "zone", "enterprise", "alliance")


def guide_page(*, guide: Guide, user, day: dt.date | None = None) -> dict:
    """Everything on a guide's page: team terms (history), assignments (their own and their teams',
    history), recent visits the user may see, building goals, evaluation results and the load."""
    day = day or timezone.localdate()
    scope = scope_for(user)
    terms = list(guide.team_terms.select_related("team").order_by("-starts_on", "-id"))
    team_ids = {t.team_id for t in terms}
    assignments = list(_assignment_rows().filter(Q(guide=guide) | Q(team__in=team_ids)).order_by("-starts_on", "-id"))
    went = VisitPerson.objects.filter(guide=guide).values("visit_id")
    visits = (
        Visit.objects.filter(Q(guide=guide) | Q(pk__in=went))
        .filter(visits_q(scope))
        .select_related("enterprise", "guide")
        .order_by("-visited_on", "-id")
    )
    year_start = day.replace(month=1, day=1)
    visit_counts = visits.order_by().aggregate(
        total=Count("pk"),
        this_year=Count("pk", filter=Q(visited_on__gte=year_start)),
        confirmed=Count("pk", filter=Q(confirmation=Visit.Confirmation.CONFIRMED)),
        disputed=Count("pk", filter=Q(confirmation=Visit.Confirmation.DISPUTED)),
    )
    goals = (
        BuildingGoal.objects.filter(building_goals_q(scope), guide=guide)
        .select_related("enterprise", "party_organization")
        .order_by(*OPEN_GOALS_FIRST)
    )
    developed = MemberDevelopment.objects.filter(guide=guide, recorded_on__gte=year_start).values("kind")
    development = {row["kind"]: row["n"] for row in developed.annotate(n=Count("pk")).order_by()}
    return {
        "terms": terms,
        "assignments": assignments,
        "visits": list(visits[:RECENT_VISITS]),
        "visit_counts": visit_counts,
        "goals": list(goals),
        "development": development_labels(development),
        "reports": list(report_results(GuideReport.objects.filter(guide=guide).select_related("period"))),
        "load": selectors.guide_load(guides=[guide], day=day)[guide.pk],
        "day": day,
    }


def development_labels(counts: dict) -> list[tuple[str, int]]:
    """[(label, count)] for each kind of MemberDevelopment, in the model's order."""
    return [(label, counts.get(value, 0)) for value, label in MemberDevelopment.Kind.choices]


# -- teams --------------------------------------------------------------------------------------
def team_desk_list(*, user, kind="", day: dt.date | None = None):
    """Teams the user sees, each with `leader_name` and `member_count` (members in force on `day`)."""
    day = day or timezone.localdate()
    qs = visible_teams(user).select_related("region", "department")
    if kind:
        qs = qs.filter(kind=kind)
    in_force = Q(members__starts_on__lte=day) & (Q(members__ends_on__isnull=True) | Q(members__ends_on__gte=day))
    return qs.annotate(member_count=Count("members", filter=in_force)).order_by("name", "pk")


def leaders(team_ids, day: dt.date | None = None) -> dict[int, Guide]:
    day = day or timezone.localdate()
    terms = TeamMember.objects.filter(in_force_q(day), team__in=list(team_ids), role=TeamMember.Role.LEADER)
    return {t.team_id: t.guide for t in terms.select_related("guide")}


def team_page(*, team: Team, day: dt.date | None = None) -> dict:
    day = day or timezone.localdate()
    terms = list(team.members.select_related("guide__department", "guide__zone").order_by("ends_on", "role", "id"))
    current = [t for t in terms if t.starts_on <= day and (t.ends_on is None or t.ends_on >= day)]
    loads = selectors.guide_load(guides=[t.guide_id for t in current], day=day)
    for term in current:
        term.load = loads[term.guide_id]
    return {
        "terms": terms,
        "current": current,
        "past": [t for t in terms if t not in current],
        "assignments": list(_assignment_rows().filter(team=team).order_by("-starts_on", "-id")),
        "day": day,
    }


# -- the enterprise page ------------------------------------------------------------------------
@dataclass
class EnterpriseGuides:
    guides: list = field(default_factory=list)
    assignments: list = field(default_factory=list)
    visits: list = field(default_factory=list)
    last_visit: dt.date | None = None
    goal: BuildingGoal | None = None


def enterprise_guides_panel(*, enterprise, user, day: dt.date | None = None, visits=5) -> EnterpriseGuides:
    """The guides serving `enterprise` today (those the user may see), the assignments reaching it,
    its last visits (those the user may see) and its open or latest building goal."""
    day = day or timezone.localdate()
    scope = scope_for(user)
    serving_guides = selectors.enterprise_guides([enterprise.pk], day=day).get(enterprise.pk, [])
    visible = set(
        Guide.objects.filter(guides_q(scope), pk__in=[g.pk for g in serving_guides]).values_list("pk", flat=True)
    )
    seen_visits = (
        Visit.objects.filter(visits_q(scope), enterprise=enterprise)
        .select_related("guide")
        .order_by("-visited_on", "-id")[:visits]
    )
    goal = (
        BuildingGoal.objects.filter(building_goals_q(scope), enterprise=enterprise)
        .select_related("guide", "party_organization")
        .order_by(*OPEN_GOALS_FIRST)
        .first()
    )
    last = LastVisit.objects.filter(enterprise=enterprise).values_list("visited_on", flat=True).first()
    return EnterpriseGuides(
        guides=[g for g in serving_guides if g.pk in visible],
        assignments=list(
            serving.assignments_serving(enterprise=enterprise, day=day).select_related(
                "guide", "team", "zone", "alliance", "enterprise"
            )
        ),
        visits=list(seen_visits),
        last_visit=last,
        goal=goal,
    )


# -- building -----------------------------------------------------------------------------------
def building_goal_list(*, user, stage="", state="", q=""):
    qs = visible_building_goals(user).select_related("enterprise__zone", "guide", "party_organization")
    if stage:
        qs = qs.filter(stage=stage)
    if state == "open":
        qs = qs.filter(closed_on__isnull=True)
    elif state == "closed":
        qs = qs.filter(closed_on__isnull=False)
    if q:
        qs = qs.filter(enterprise__name__icontains=q)
    return qs.order_by(*OPEN_GOALS_FIRST)


def building_stage_counts(*, user) -> list[tuple[str, str, int]]:
    """[(stage, label, goals)] over the goals the user sees: one query."""
    rows = dict(visible_building_goals(user).order_by().values_list("stage").annotate(n=Count("pk")))
    return [(value, label, rows.get(value, 0)) for value, label in BuildingGoal.Stage.choices]


def development_list(*, user, year: int, kind=""):
    """Member development records of `year` in the user's region (staff and leaders)."""
    scope = scope_for(user)
    qs = MemberDevelopment.objects.filter(scope.in_viewed_region(), recorded_on__year=year)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.select_related("enterprise", "guide", "party_organization").order_by("-recorded_on", "-pk")


def development_sums(*, user, year: int) -> list[tuple[str, int]]:
    """The year's development in the user's region: [(label, count)] per kind. One query."""
    scope = scope_for(user)
    rows = (
        MemberDevelopment.objects.filter(scope.in_viewed_region(), recorded_on__year=year)
        .order_by()
        .values_list("kind")
        .annotate(n=Count("pk"))
    )
    return development_labels(dict(rows))


def goal_organizations(goal: BuildingGoal):
    """The Party organisations recorded in alliances that cover the goal's enterprise."""
    return PartyOrganization.objects.filter(enterprises=goal.enterprise_id).order_by("name")


# -- evaluation ---------------------------------------------------------------------------------
def report_results(reports):
    """Reports annotated with `average` (all ratings), `secretary_average`, `staff_average` and
    `ratings_count` and `score_total`: one query."""
    secretary = Q(ratings__rater_role=Rating.RaterRole.SECRETARY)
    staff = Q(ratings__rater_role=Rating.RaterRole.STAFF)
    return reports.annotate(
        average=Avg("ratings__score"),
        secretary_average=Avg("ratings__score", filter=secretary),
        staff_average=Avg("ratings__score", filter=staff),
        ratings_count=Count("ratings"),
        score_total=Sum("ratings__score"),
    ).order_by("-period__starts_on", "guide__name", "pk")


@dataclass
class GroupResult:
    name: str
    guides: int = 0
    ratings: int = 0
    total: int = 0

    @property
    def average(self):
        return self.total / self.ratings if self.ratings else None


def evaluation_results(*, period: EvaluationPeriod) -> dict:
    """A period's results: each report with its averages, and the sums per team (teams the guide was
    in during the period) and per sending department or zone. Two queries."""
    reports = list(report_results(period.reports.select_related("guide__department", "guide__zone", "period")))
    overlaps = Q(starts_on__lte=period.ends_on) & (Q(ends_on__isnull=True) | Q(ends_on__gte=period.starts_on))
    teams_of = defaultdict(set)
    names = {}
    for term in TeamMember.objects.filter(overlaps, guide__in=[r.guide_id for r in reports]).select_related("team"):
        teams_of[term.guide_id].add(term.team_id)
        names[term.team_id] = term.team.name
    by_team: dict[int, GroupResult] = {}
    by_sender: dict[tuple, GroupResult] = {}
    for report in reports:
        sender = report.guide.sender
        _add(by_sender.setdefault((type(sender).__name__, sender.pk), GroupResult(name=str(sender))), report)
        for team_id in teams_of.get(report.guide_id, ()):
            _add(by_team.setdefault(team_id, GroupResult(name=names[team_id])), report)
    return {
        "reports": reports,
        "by_team": sorted(by_team.values(), key=lambda g: g.name),
        "by_sender": sorted(by_sender.values(), key=lambda g: g.name),
    }


def _add(group: GroupResult, report) -> None:
    group.guides += 1
    group.ratings += report.ratings_count
    group.total += report.score_total or 0
