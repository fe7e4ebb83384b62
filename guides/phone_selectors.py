"""Reads of the phone pages (issue 9 §2-3): a guide's visit history, the visits an enterprise's
secretary is asked to confirm, one visit's page, and the reports a secretary may rate. Each is a
fixed number of queries whatever the number of rows."""

import datetime as dt

from django.db.models import Case, Count, IntegerField, OuterRef, Prefetch, Q, Subquery, Value, When
from django.db.models.functions import Coalesce

from alliances.models import Department

from .models import (
    EvaluationPeriod,
    Guide,
    GuideReport,
    Rating,
    Team,
    TeamMember,
    Visit,
    VisitNeed,
    VisitPerson,
    VisitPhoto,
)
from .serving import guides_serving_q, in_force_q


def _count(model, field="visit"):
    return Coalesce(
        Subquery(
            model.objects.filter(**{field: OuterRef("pk")})
            .order_by()
            .values(field)
            .annotate(n=Count("pk"))
            .values("n")[:1]
        ),
        Value(0),
    )


def _with_counts(visits):
    return visits.annotate(needs_count=_count(VisitNeed), photos_count=_count(VisitPhoto))


def guide_visits(*, guide: Guide):
    """The visits `guide` went on (logged by them or another guide), newest first."""
    went = VisitPerson.objects.filter(guide=guide).values("visit_id")
    return _with_counts(Visit.objects.filter(pk__in=went).select_related("enterprise", "guide")).order_by(
        "-visited_on", "-pk"
    )


def enterprise_visits(*, enterprise_ids):
    """The visits of the secretary's enterprises: those waiting for an answer first, then newest,
    with who went (one more query for the page)."""
    pending_first = Case(
        When(confirmation=Visit.Confirmation.PENDING, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    people = Prefetch("people", queryset=VisitPerson.objects.select_related("department").order_by("pk"))
    return (
        _with_counts(Visit.objects.filter(enterprise__in=list(enterprise_ids)))
        .select_related("enterprise", "guide")
        .prefetch_related(people)
        .order_by(pending_first, "-visited_on", "-pk")
    )


def visit_page(*, visit: Visit) -> dict:
    """Who went, the photos and the needs raised: three queries."""
    people = list(visit.people.select_related("guide", "department").order_by("pk"))
    photos = list(visit.photos.order_by("uploaded_at", "pk"))
    needs = [link.need for link in visit.need_links.select_related("need").order_by("pk")]
    return {"people": people, "photos": photos, "needs": needs}


def companion_choices(*, guide: Guide, day: dt.date):
    """Guides who may be named as having gone along: the other guides of the sending unit's region
    (and the regions under it) in term on `day`."""
    return (
        Guide.objects.filter(region__path__startswith=guide.region.path, term_start__lte=day)
        .filter(Q(term_end__isnull=True) | Q(term_end__gte=day))
        .exclude(pk=guide.pk)
        .order_by("name", "pk")
    )


def department_choices(*, guide: Guide):
    """Departments whose staff may go along: those of the guide's region and the regions under it."""
    return Department.objects.filter(region__path__startswith=guide.region.path).order_by("name", "pk")


def current_teams(*, guide: Guide, day: dt.date):
    """The teams `guide` is in on `day` (a visit may be logged in a team's name)."""
    terms = TeamMember.objects.filter(in_force_q(day), guide=guide)
    return Team.objects.filter(pk__in=terms.values("team_id")).order_by("name", "pk")


# -- 述职评价 -------------------------------------------------------------------------------------
def reports_to_rate(*, user, enterprise_ids) -> list[GuideReport]:
    """The open periods' reports of the guides who served the secretary's enterprises during the
    period, each with `my_rating` (the user's rating, or None). Three queries."""
    enterprise_ids = list(enterprise_ids)
    periods = list(EvaluationPeriod.objects.filter(state=EvaluationPeriod.State.OPEN))
    if not periods or not enterprise_ids:
        return []
    q = Q(pk__in=[])
    for period in periods:
        served = Guide.objects.filter(
            guides_serving_q(starts_on=period.starts_on, ends_on=period.ends_on, enterprises=enterprise_ids)
        )
        q |= Q(period=period, guide__in=served.values("pk"))
    reports = list(
        GuideReport.objects.filter(q).select_related("period", "guide").order_by("-period__ends_on", "guide__name")
    )
    mine = {r.report_id: r for r in Rating.objects.filter(rater=user, report__in=[r.pk for r in reports])}
    for report in reports:
        report.my_rating = mine.get(report.pk)
    return reports
