"""The needs workflow after filing: the alliance's decisions (accept, return, reject, merge,
dispatch), the departments' and providers' work (start, answer), and follow-up, redo and
close-out. The states each may start from are in `transitions.TRANSITIONS`."""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alliances.models import Department, Membership
from alliances.selectors import department_handlers, enterprise_secretaries, is_department_handler
from chainparty import workdays
from chainparty.errors import StateError

from ..models import Assignment, Need, NeedEvent, Resource
from ..permissions import needs as access
from ..selectors import needs as selectors
from .filing import _check_files, _files_written_first, _insert_attachments
from .transitions import (
    S,
    _advance,
    _begin,
    _check,
    _managers,
    _record,
    _required,
    _save,
    _secretaries,
    _tell,
    _title,
)


# -- the alliance's decisions ---------------------------------------------------------------------
@transaction.atomic
def need_accept(*, need: Need, actor, note: str = "", expected_version: int | None = None) -> Need:
    need = _begin(need=need, actor=actor, action="accept", expected_version=expected_version)
    _advance(need, S.ACCEPTED, accepted_at=timezone.now())
    _record(need, actor=actor, action=NeedEvent.Action.ACCEPT, from_state=S.SUBMITTED, to_state=S.ACCEPTED, note=note)
    _tell(_secretaries(need), need=need, title=_title(need, _("需求已受理")), body=note, key=f"v{need.version}")
    return need


@transaction.atomic
def need_return(*, need: Need, actor, reason: str, expected_version: int | None = None) -> Need:
    """Send the need back for more information; a running deadline clock pauses until resubmitted."""
    reason = _required(reason, "reason", _("请填写退回理由，告诉企业需要补充什么。"))
    need = _begin(need=need, actor=actor, action="return", expected_version=expected_version)
    before = need.state
    _advance(
        need,
        S.RETURNED,
        reason=reason,
        returned_from=before,
        paused_at=timezone.now() if before in Need.CLOCK_STATES else None,
    )
    _record(need, actor=actor, action=NeedEvent.Action.RETURN, from_state=before, to_state=S.RETURNED, note=reason)
    _tell(
        _secretaries(need),
        need=need,
        title=_title(need, _("需求被退回，请补充材料")),
        body=reason,
        key=f"v{need.version}",
    )
    return need


def need_resubmit(*, need: Need, actor, supplement: str, files=(), expected_version: int | None = None) -> Need:
    """The enterprise answers a return. The need goes back where it was; if its clock was running,
    every deadline moves by the working days it waited. Files are written before the need's row is
    locked (and deleted again if the resubmission fails), as in need_attach."""
    supplement = _required(supplement, "supplement", _("请填写补充说明。"))
    checked = _check_files(files)
    if checked:  # refused before anything is written
        _check(Need.objects.get(pk=need.pk), actor=actor, action="resubmit", expected_version=expected_version)
    with _files_written_first(checked, actor) as attachments, transaction.atomic():
        return _resubmit(need, actor, supplement, attachments, expected_version)


def _resubmit(need, actor, supplement, attachments, expected_version):
    need = _begin(need=need, actor=actor, action="resubmit", expected_version=expected_version)
    target = need.returned_from or S.SUBMITTED
    paused_days = 0
    fields = {"returned_from": "", "reason": ""}
    if need.paused_at is not None:
        paused_days = workdays.workdays_between(timezone.localdate(need.paused_at), workdays.local_today())
        fields["paused_at"] = None
        if paused_days > 0 and need.deadline:
            fields["deadline"] = workdays.add_workdays(need.deadline, paused_days)
            for assignment in (
                need.assignments.select_for_update(of=("self",)).filter(state__in=Assignment.OPEN_STATES).order_by("pk")
            ):
                assignment.deadline = workdays.add_workdays(assignment.deadline, paused_days)
                assignment.warned_at = None
                _save(assignment, ["deadline", "warned_at"])
    stamp = timezone.localtime().strftime("%Y-%m-%d")
    fields["description"] = f"{need.description}\n\n【{_('补充说明')} {stamp}】\n{supplement}"
    _advance(need, target, **fields)
    stored = _insert_attachments(need, attachments)
    _record(
        need,
        actor=actor,
        action=NeedEvent.Action.RESUBMIT,
        from_state=S.RETURNED,
        to_state=target,
        note=supplement,
        data={"paused_workdays": paused_days, "attachments": [a.name for a in stored]},
    )
    recipients = _managers(need)
    if target in Need.CLOCK_STATES:
        open_parts = list(need.assignments.filter(state__in=Assignment.OPEN_STATES).select_related("handler"))
        for users in selectors.assignment_recipients(open_parts).values():
            recipients = [*recipients, *users]
    _tell(
        recipients,
        need=need,
        title=_title(need, _("企业已补充材料")),
        body=supplement,
        key=f"v{need.version}",
    )
    return need


def _withdraw_open_parts(need: Need, *, actor, action: str, note: str) -> list[Assignment]:
    """Withdraw the parts still open (待办理 or 办理中) of a need that has just ended (rejected,
    merged or closed), so no department or provider keeps work nobody will read. A need returned
    from dispatch keeps its parts while it waits, so a reject or merge after a return has them too.
    Each part gets a 撤销派单 entry on the timeline; the people working on it are told."""
    parts = list(
        need.assignments.select_for_update(of=("self",))
        .filter(state__in=Assignment.OPEN_STATES)
        .select_related("department", "provider_enterprise", "handler")
        .order_by("pk")
    )
    for part in parts:
        previous = part.state
        part.state = Assignment.State.WITHDRAWN
        _save(part, ["state"])
        _record(
            need,
            actor=actor,
            action=NeedEvent.Action.WITHDRAW,
            assignment=part,
            note=note,
            data={"assignee": str(part.assignee), "role": part.role, "part_state": previous, "trigger": action},
        )
    for part_id, users in selectors.assignment_recipients(parts).items():
        _tell(users, need=need, title=_title(need, _("派单已撤销")), body=note, key=f"v{need.version}:w{part_id}")
    return parts


@transaction.atomic
def need_reject(*, need: Need, actor, reason: str, expected_version: int | None = None) -> Need:
    reason = _required(reason, "reason", _("请填写不予受理的理由。"))
    need = _begin(need=need, actor=actor, action="reject", expected_version=expected_version)
    before = need.state
    _advance(need, S.REJECTED, reason=reason, closed_at=timezone.now(), paused_at=None, returned_from="")
    _record(need, actor=actor, action=NeedEvent.Action.REJECT, from_state=before, to_state=S.REJECTED, note=reason)
    _withdraw_open_parts(need, actor=actor, action="reject", note=_("需求不予受理，未办结的派单撤销。"))
    _tell(_secretaries(need), need=need, title=_title(need, _("需求不予受理")), body=reason, key=f"v{need.version}")
    return need


@transaction.atomic
def need_merge(*, need: Need, actor, into: Need, note: str = "", expected_version: int | None = None) -> Need:
    """Mark the need a duplicate of `into` (same alliance, still open); its enterprise follows `into`."""
    # Both rows, lowest id first, so two opposite merges cannot deadlock.
    list(Need.objects.select_for_update(of=("self",)).filter(pk__in=[need.pk, into.pk]).order_by("pk"))
    need = _begin(need=need, actor=actor, action="merge", expected_version=expected_version)
    if into.pk == need.pk:
        raise ValidationError({"into": _("需求不能合并到自身。")})
    target = Need.objects.select_for_update(of=("self",)).filter(pk=into.pk).first()
    if target is None or target.alliance_id != need.alliance_id:
        raise ValidationError({"into": _("只能合并到同一联盟的需求。")})
    if target.state in Need.FINAL_STATES:
        raise ValidationError({"into": _("目标需求已“%s”，不能合并到它。") % target.get_state_display()})
    before = need.state
    _advance(need, S.MERGED, merged_into=target, closed_at=timezone.now(), paused_at=None, returned_from="")
    _record(
        need,
        actor=actor,
        action=NeedEvent.Action.MERGE,
        from_state=before,
        to_state=S.MERGED,
        note=note,
        data={"into": target.number},
    )
    _record(target, actor=actor, action=NeedEvent.Action.MERGE, note=note, data={"merged": need.number})
    _withdraw_open_parts(
        need, actor=actor, action="merge", note=_("需求已合并至 %s，未办结的派单撤销。") % target.number
    )
    _tell(
        _secretaries(need),
        need=need,
        title=_title(need, _("需求已合并至 %s") % target.number),
        body=note,
        key=f"v{need.version}",
    )
    return need


def _check_department(need, department: Department):
    if department.region_id not in selectors.region_ids_upward(need.region):
        raise ValidationError(
            {"lead_department": _("“%s”不属于该需求所在区域或其上级区域，不能承办。") % department.name}
        )


def _check_handler(department: Department, handler):
    if handler is not None and not is_department_handler(user=handler, department_id=department.pk):
        raise ValidationError(
            {
                # No name of the chosen user: the API takes any user id, and must not tell whose it is.
                "handler": _("所选人员不是“%(department)s”的办理人。") % {"department": department.name}
            }
        )


def _check_staffed(parts):
    """Refuse a part for a department without an active handler: it would wait in nobody's 待办.
    (A named handler is already checked to be one of the department's.)"""
    staffed = department_handlers(p["department"].pk for p in parts if p.get("department"))
    errors = {}
    for part in parts:
        department = part.get("department")
        if department is None or staffed.get(department.pk):
            continue
        if part["role"] == Assignment.Role.CO:
            field = "co_departments"
        else:
            field = "lead_resource" if part.get("resource") else "lead_department"
        errors.setdefault(field, []).append(
            _("“%s”暂无办理人，派单后无人办理。请先为该部门指定办理人，或选择其他部门。") % department.name
        )
    if errors:
        raise ValidationError(errors)


def _resource_part(need, resource):
    if resource.status != Resource.Status.ACTIVE or (
        resource.valid_until and resource.valid_until < workdays.local_today()
    ):
        raise ValidationError({"lead_resource": _("该资源已暂停或过期，不能匹配。")})
    if resource.enterprise_id:
        if resource.enterprise_id == need.enterprise_id:
            raise ValidationError({"lead_resource": _("不能把需求匹配给提出需求的企业自己的资源。")})
        member = Membership.objects.filter(
            alliance_id=need.alliance_id, enterprise_id=resource.enterprise_id, left_on__isnull=True
        ).exists()
        if not member:
            raise ValidationError({"lead_resource": _("该资源的提供企业不是本联盟的在册成员。")})
        if not enterprise_secretaries([resource.enterprise_id]).get(resource.enterprise_id):
            # The provider's Party secretary answers the part: without one it waits in nobody's 待办.
            raise ValidationError(
                {
                    "lead_resource": _("“%s”暂无党组织书记账号，派单后无人办理。请先为该企业指定书记，或选择其他资源。")
                    % resource.enterprise.name
                }
            )
        return {"provider_enterprise_id": resource.enterprise_id, "resource": resource}
    department = resource.department
    _check_department(need, department)
    return {"department": department, "resource": resource}


@transaction.atomic
def need_dispatch(
    *,
    need: Need,
    actor,
    lead_department: Department | None = None,
    lead_resource=None,
    co_departments=(),
    handlers=None,
    deadline: dt.date | None = None,
    instruction: str = "",
    expected_version: int | None = None,
) -> Need:
    """派单: one lead (a department, or a member's matched resource) and any co-handling departments.

    The deadline counts working days from today by the most specific DeadlineRule, unless the
    secretary sets an earlier or later date. `handlers` maps a department id to one of its handlers.
    """
    handlers = handlers or {}
    # The one check of this rule: the form and the API show this message on the field.
    if (lead_department is None) == (lead_resource is None):
        raise ValidationError({"lead_department": _("请选择一个牵头部门，或匹配一项成员资源（二选一）。")})
    need = _begin(need=need, actor=actor, action="dispatch", expected_version=expected_version)
    today = workdays.local_today()
    if deadline is None:
        days = selectors.deadline_workdays(region=need.region, urgency=need.urgency, category=need.category)
        deadline = workdays.add_workdays(today, days)
    elif deadline <= today:
        raise ValidationError({"deadline": _("办理时限必须晚于今天。")})
    parts = []
    if lead_department is not None:
        _check_department(need, lead_department)
        _check_handler(lead_department, handlers.get(lead_department.pk))
        parts.append({"department": lead_department, "role": Assignment.Role.LEAD})
    else:
        parts.append({**_resource_part(need, lead_resource), "role": Assignment.Role.LEAD})
    seen = {parts[0].get("department").pk} if parts[0].get("department") else set()
    for department in co_departments:
        if department.pk in seen:
            raise ValidationError({"co_departments": _("“%s”不能同时牵头和协办，也不能重复。") % department.name})
        seen.add(department.pk)
        _check_department(need, department)
        _check_handler(department, handlers.get(department.pk))
        parts.append({"department": department, "role": Assignment.Role.CO})
    _check_staffed(parts)
    created = []
    for part in parts:
        department = part.get("department")
        assignment = Assignment(
            need=need,
            deadline=deadline,
            instruction=instruction.strip(),
            handler=handlers.get(department.pk) if department else None,
            **part,
        )
        assignment.full_clean()
        assignment.save()
        created.append(assignment)
    _advance(need, S.DISPATCHED, deadline=deadline, dispatched_at=timezone.now())
    _record(
        need,
        actor=actor,
        action=NeedEvent.Action.DISPATCH,
        from_state=S.ACCEPTED,
        to_state=S.DISPATCHED,
        note=instruction,
        data={
            "deadline": deadline.isoformat(),
            "parts": [{"role": a.role, "assignee": str(a.assignee)} for a in created],
        },
    )
    for assignment, users in selectors.assignment_recipients(created).items():
        part = next(a for a in created if a.pk == assignment)
        _tell(
            users,
            need=need,
            title=_title(
                need, _("新派单（%(role)s）：%(title)s") % {"role": part.get_role_display(), "title": need.title}
            ),
            body=_("办理时限：%(deadline)s。%(instruction)s") % {"deadline": deadline, "instruction": instruction},
            key=f"v{need.version}:a{assignment}",
        )
    _tell(
        _secretaries(need),
        need=need,
        title=_title(need, _("需求已派单")),
        body=_("承办：%s") % "、".join(str(a.assignee) for a in created),
        key=f"v{need.version}",
    )
    return need


# -- the departments' and providers' work ------------------------------------------------------------
def _lock_assignment(need: Need, assignment: Assignment) -> Assignment:
    locked = (
        Assignment.objects.select_for_update(of=("self",))
        .select_related("department", "provider_enterprise")
        .filter(pk=assignment.pk, need_id=need.pk)
        .first()
    )
    if locked is None:
        raise ValidationError(_("该派单不属于这条需求。"))
    return locked


@transaction.atomic
def need_start(*, need: Need, assignment: Assignment, actor, expected_version: int | None = None) -> Assignment:
    """The handler takes the part up; the need is 办理中 from the first part started."""
    need = _begin(need=need, actor=actor, action="start", expected_version=expected_version)
    assignment = _lock_assignment(need, assignment)
    access.require_assignment_role(user=actor, assignment=assignment)
    if assignment.state != Assignment.State.PENDING:
        raise StateError(_("该派单当前为“%s”，不能开始办理。") % assignment.get_state_display())
    assignment.state = Assignment.State.IN_PROGRESS
    assignment.started_at = timezone.now()
    if assignment.handler_id is None:
        assignment.handler = actor
    _save(assignment, ["state", "started_at", "handler"])
    before = need.state
    if before == S.DISPATCHED:
        _advance(need, S.IN_PROGRESS)
    _record(
        need,
        actor=actor,
        action=NeedEvent.Action.START,
        from_state=before,
        to_state=need.state,
        assignment=assignment,
        data={"assignee": str(assignment.assignee)},
    )
    return assignment


def _recompute_solved(need: Need) -> dict:
    """What the answered parts report as solved, summed (None where no part reports it)."""
    names = ("funding_wan_solved", "land_mu_solved", "people_solved")
    rows = list(need.assignments.filter(state=Assignment.State.ANSWERED).values_list(*names))
    totals = {}
    for index, name in enumerate(names):
        values = [row[index] for row in rows if row[index] is not None]
        totals[name] = sum(values) if values else None
    return totals


@transaction.atomic
def need_answer(
    *,
    need: Need,
    assignment: Assignment,
    actor,
    answer: str,
    funding_wan_solved: Decimal | None = None,
    land_mu_solved: Decimal | None = None,
    people_solved: int | None = None,
    expected_version: int | None = None,
) -> Need:
    """A part answers. The need is 已办结 when its lead answers; co-handlers answer their parts
    before or after. What each part solved (万元, 亩, people) adds up on the need for the results."""
    answer = _required(answer, "answer", _("请填写办理结果。"))
    need = _begin(need=need, actor=actor, action="answer", expected_version=expected_version)
    assignment = _lock_assignment(need, assignment)
    access.require_assignment_role(user=actor, assignment=assignment)
    if not assignment.is_open:
        raise StateError(_("该派单当前为“%s”，不能再答复。") % assignment.get_state_display())
    now = timezone.now()
    assignment.state = Assignment.State.ANSWERED
    assignment.answer = answer
    assignment.answered_at = now
    assignment.answered_by = actor
    assignment.started_at = assignment.started_at or now
    assignment.funding_wan_solved = funding_wan_solved
    assignment.land_mu_solved = land_mu_solved
    assignment.people_solved = people_solved
    _save(
        assignment,
        [
            "state",
            "answer",
            "answered_at",
            "answered_by",
            "started_at",
            "funding_wan_solved",
            "land_mu_solved",
            "people_solved",
        ],
    )
    before = need.state
    solved = _recompute_solved(need)
    if assignment.role == Assignment.Role.LEAD:
        on_time = need.deadline is None or workdays.local_today() <= need.deadline
        _advance(need, S.ANSWERED, answered_at=now, answered_on_time=on_time, **solved)
    else:
        for name, value in solved.items():
            setattr(need, name, value)
        need.version += 1
        _save(need, [*solved, "version"])
    _record(
        need,
        actor=actor,
        action=NeedEvent.Action.ANSWER,
        from_state=before,
        to_state=need.state,
        note=answer,
        assignment=assignment,
        data={
            "assignee": str(assignment.assignee),
            "role": assignment.role,
            "solved": {
                k: str(v)
                for k, v in (
                    ("funding_wan", funding_wan_solved),
                    ("land_mu", land_mu_solved),
                    ("people", people_solved),
                )
                if v is not None
            },
        },
    )
    recipients = [*_secretaries(need), *_managers(need)]
    asks_rating = need.state == S.ANSWERED and before != S.ANSWERED
    title = _("需求已办结，请回访评价") if asks_rating else _("%s 已答复其承办部分") % assignment.assignee
    _tell(
        recipients,
        need=need,
        title=_title(need, title),
        body=answer,
        key=f"v{need.version}",
        anchor="#action-rate" if asks_rating else "",
    )
    return need


# -- follow-up, redo and close-out ------------------------------------------------------------------
def _reopen_lead(need: Need, *, actor, reason: str, action: str) -> Assignment:
    lead = (
        need.assignments.select_for_update(of=("self",))
        .select_related("handler", "department")
        .get(role=Assignment.Role.LEAD)
    )
    days = selectors.deadline_workdays(region=need.region, urgency=need.urgency, category=need.category)
    deadline = workdays.add_workdays(workdays.local_today(), days)
    previous = {"answer": lead.answer, "answered_at": lead.answered_at.isoformat() if lead.answered_at else None}
    lead.state = Assignment.State.IN_PROGRESS
    lead.redo_count += 1
    lead.deadline = deadline
    lead.answer = ""
    lead.answered_at = None
    lead.answered_by = None
    lead.warned_at = None
    lead.escalation_level = Assignment.Escalation.NONE
    lead.escalated_at = None
    lead.funding_wan_solved = lead.land_mu_solved = lead.people_solved = None
    _save(
        lead,
        [
            "state",
            "redo_count",
            "deadline",
            "answer",
            "answered_at",
            "answered_by",
            "warned_at",
            "escalation_level",
            "escalated_at",
            "funding_wan_solved",
            "land_mu_solved",
            "people_solved",
        ],
    )
    before = need.state
    _advance(
        need,
        S.IN_PROGRESS,
        deadline=deadline,
        answered_at=None,
        answered_on_time=None,
        redo_count=need.redo_count + 1,
        **_recompute_solved(need),
    )
    _record(
        need,
        actor=actor,
        action=NeedEvent.Action.REOPEN,
        from_state=before,
        to_state=S.IN_PROGRESS,
        note=reason,
        assignment=lead,
        data={"trigger": action, "redo": lead.redo_count, "deadline": deadline.isoformat(), "previous": previous},
    )
    users = selectors.assignment_recipients([lead]).get(lead.pk, [])
    _tell(
        [*users, *_managers(need)],
        need=need,
        title=_title(need, _("需求被退回重办（第 %d 次）") % lead.redo_count),
        body=reason,
        key=f"v{need.version}",
    )
    return lead


@transaction.atomic
def need_rate(*, need: Need, actor, rating: str, comment: str = "", expected_version: int | None = None) -> Need:
    """回访评价 by the enterprise. 满意/基本满意 → 已回访; 不满意 reopens the lead part (a redo
    counted against that department) with a fresh deadline."""
    if rating not in Need.Rating.values:
        raise ValidationError({"rating": _("请选择满意度。")})
    if rating == Need.Rating.UNSATISFIED:
        comment = _required(comment, "comment", _("请说明不满意的原因，以便重新办理。"))
    need = _begin(need=need, actor=actor, action="rate", expected_version=expected_version)
    _advance(need, S.RATED, rating=rating, rating_comment=(comment or "").strip(), rated_at=timezone.now())
    _record(
        need,
        actor=actor,
        action=NeedEvent.Action.RATE,
        from_state=S.ANSWERED,
        to_state=S.RATED,
        note=comment,
        data={"rating": rating},
    )
    if rating == Need.Rating.UNSATISFIED:
        _reopen_lead(need, actor=actor, reason=comment, action="rate")
    else:
        _tell(
            _managers(need),
            need=need,
            title=_title(need, _("企业评价：%s，可销号") % Need.Rating(rating).label),
            body=comment,
            key=f"v{need.version}",
        )
    return need


@transaction.atomic
def need_reopen(*, need: Need, actor, reason: str, expected_version: int | None = None) -> Need:
    """The alliance sends an answered need back to its lead for a redo."""
    reason = _required(reason, "reason", _("请填写重新办理的理由。"))
    need = _begin(need=need, actor=actor, action="reopen", expected_version=expected_version)
    _reopen_lead(need, actor=actor, reason=reason, action="reopen")
    return need


@transaction.atomic
def need_close(*, need: Need, actor, note: str = "", expected_version: int | None = None) -> Need:
    """销号 after a satisfied follow-up. Co-handling parts still open are withdrawn."""
    need = _begin(need=need, actor=actor, action="close", expected_version=expected_version)
    _advance(need, S.CLOSED, closed_at=timezone.now())
    _record(need, actor=actor, action=NeedEvent.Action.CLOSE, from_state=S.RATED, to_state=S.CLOSED, note=note)
    _withdraw_open_parts(need, actor=actor, action="close", note=_("需求已销号，未答复的协办部分撤销。"))
    _tell(_secretaries(need), need=need, title=_title(need, _("需求已销号")), body=note, key=f"v{need.version}")
    return need
