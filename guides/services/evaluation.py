"""述职评价 (issue 9 §1): periods set up by organisation staff, a guide's report per period, and
ratings on it: by the Party secretaries of the enterprises the guide served during the period, and
by organisation staff of the guide's region. 1–5 and a comment, once per person per report."""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alliances.access import scope_for
from alliances.models import Enterprise

from ..models import EvaluationPeriod, Guide, GuideReport, Rating
from ..permissions import manages_region
from ..serving import enterprises_served
from ._common import Action, record, require_staff, save_new
from .visits import acting_guide


@transaction.atomic
def evaluation_period_create(
    *,
    actor,
    region,
    starts_on: dt.date,
    ends_on: dt.date,
    name: str = "",
    kind: str = EvaluationPeriod.Kind.HALF_YEAR,
) -> EvaluationPeriod:
    require_staff(actor, region)
    if not name:
        half = _("上半年") if starts_on.month <= 6 else _("下半年")
        name = _("%(year)d年%(half)s党建指导员述职评价") % {"year": starts_on.year, "half": half}
    period = save_new(
        EvaluationPeriod(region=region, name=name, kind=kind, starts_on=starts_on, ends_on=ends_on, created_by=actor)
    )
    record(Action.EVALUATION, actor=actor, target=period, change="open", starts_on=starts_on, ends_on=ends_on)
    return period


@transaction.atomic
def evaluation_period_close(*, actor, period: EvaluationPeriod) -> EvaluationPeriod:
    period = EvaluationPeriod.objects.select_for_update().select_related("region").get(pk=period.pk)
    require_staff(actor, period.region)
    if period.state == EvaluationPeriod.State.CLOSED:
        raise ValidationError({"state": _("该述职评价已结束。")})
    period.state = EvaluationPeriod.State.CLOSED
    period.save(update_fields=["state"])
    record(Action.EVALUATION, actor=actor, target=period, change="close")
    return period


def _open(period: EvaluationPeriod) -> None:
    if period.state != EvaluationPeriod.State.OPEN:
        raise ValidationError({"period": _("该述职评价已结束，不能再提交或评价。")})


@transaction.atomic
def guide_report_submit(*, actor, period: EvaluationPeriod, text: str, guide: Guide | None = None) -> GuideReport:
    """A guide writes (or rewrites, while the period is open) their report for the period;
    organisation staff may enter it for a guide."""
    period = EvaluationPeriod.objects.select_related("region").get(pk=period.pk)
    _open(period)
    if guide is None:
        guide = acting_guide(actor)
    elif actor is not None and guide.user_id != actor.pk:
        require_staff(actor, period.region, _("只有指导员本人或本区域组织部工作人员可以提交述职报告。"))
    if not guide.region.is_within(period.region):
        raise ValidationError({"guide": _("该指导员不属于本次述职评价的区域。")})
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("请填写述职报告。")})
    # The guide's row is locked: a first report sent twice at once (no report row yet to lock) is
    # then one insert and one rewrite, not an IntegrityError (a 500).
    Guide.objects.select_for_update(of=("self",)).get(pk=guide.pk)
    report = GuideReport.objects.filter(period=period, guide=guide).first()
    if report is None:
        report = save_new(GuideReport(period=period, guide=guide, text=text))
    else:
        report.text = text
        report.save(update_fields=["text", "updated_at"])
    record(Action.EVALUATION, actor=actor, target=report, region=period.region, change="report", guide=guide.name)
    return report


def served_enterprise_ids(*, guide: Guide, starts_on: dt.date, ends_on: dt.date) -> set[int]:
    """Enterprises `guide` served at some day of [starts_on, ends_on] (guides.serving: assigned
    directly, by zone, or as members of an assigned alliance, themselves or through a team, on days
    when every one of those dates is in force)."""
    return set(enterprises_served(guide=guide, starts_on=starts_on, ends_on=ends_on))


@transaction.atomic
def rating_submit(
    *, actor, report: GuideReport, score: int, comment: str = "", enterprise: Enterprise | None = None
) -> Rating:
    """Rate a guide's report (1–5 and a comment). A Party secretary rates for their enterprise, which
    the guide must have served during the period; organisation staff of the guide's region rate as
    staff. Once per person per report."""
    # The report's row is locked so that the same rating sent twice at once (a double tap) meets the
    # first one in the check below, not in the unique constraint (an IntegrityError, a 500).
    report = (
        GuideReport.objects.select_for_update(of=("self",))
        .select_related("period__region", "guide__region")
        .get(pk=report.pk)
    )
    period = report.period
    _open(period)
    if actor is None:
        raise PermissionDenied(_("请先登录。"))
    if not isinstance(score, int) or not 1 <= score <= 5:
        raise ValidationError({"score": _("评分须在 1 至 5 分之间。")})
    scope = scope_for(actor)
    if enterprise is None and len(scope.enterprise_ids) == 1 and not manages_region(actor, report.guide.region):
        enterprise = Enterprise.objects.get(pk=next(iter(scope.enterprise_ids)))
    if enterprise is not None:
        if enterprise.pk not in scope.enterprise_ids:
            raise PermissionDenied(_("只有该企业的党组织书记可以代表企业评价。"))
        served = served_enterprise_ids(guide=report.guide, starts_on=period.starts_on, ends_on=period.ends_on)
        if enterprise.pk not in served:
            raise ValidationError(
                {
                    "enterprise": _("%(guide)s 在本评价周期内未联系“%(enterprise)s”，该企业不能评价其述职。")
                    % {"guide": report.guide.name, "enterprise": enterprise.name}
                }
            )
        role = Rating.RaterRole.SECRETARY
    elif manages_region(actor, report.guide.region):
        role = Rating.RaterRole.STAFF
    else:
        raise PermissionDenied(_("只有指导员所联系企业的党组织书记或组织部工作人员可以评价述职。"))
    if Rating.objects.filter(report=report, rater=actor).exists():
        raise ValidationError({"score": _("您已评价过这份述职报告。")})
    rating = save_new(
        Rating(
            report=report,
            rater=actor,
            rater_role=role,
            enterprise=enterprise,
            score=score,
            comment=(comment or "").strip(),
            rated_at=timezone.now(),
        )
    )
    record(
        Action.EVALUATION,
        actor=actor,
        target=report,
        region=period.region,
        change="rate",
        guide=report.guide.name,
        score=score,
        rater_role=role,
    )
    return rating
