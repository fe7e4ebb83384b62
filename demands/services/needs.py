"""Every write to needs: filing, the workflow transitions, attachments and deadline rules.

The workflow is one table, `TRANSITIONS`: for each action the states it may start from, the state
it leads to and the role that may take it. Each `need_<action>` service
1. locks the need row (SELECT … FOR UPDATE) and re-reads it,
2. checks the actor's role through `demands.permissions.needs` (PermissionDenied),
3. checks the version the actor saw and the current state (TransitionError: nothing changes),
4. writes the change, bumps `version`, appends a NeedEvent and notifies the people concerned.
"""

import datetime as dt
import hashlib
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Case, Q, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from alliances.models import Alliance, Department, Enterprise, Membership, Region
from chainparty import uploads, workdays
from chainparty.errors import StateError
from chainparty.notifications import Message, notify, notify_bulk

from ..models import Assignment, DeadlineRule, Need, NeedAttachment, NeedCounter, NeedEvent, Resource
from ..permissions import needs as access
from ..selectors import needs as selectors

S = Need.State
MAX_ATTACHMENTS = 10


class TransitionError(StateError):
    """An action the need's current state or a newer version does not allow."""


STALE_MESSAGE = gettext_lazy("该需求已被他人处理，请刷新后重试。")


@dataclass(frozen=True)
class Transition:
    action: str
    label: str
    sources: tuple
    #: The state it leads to; None when the service decides (resubmit, answer, rate).
    target: str | None
    role: str


TRANSITIONS = {
    t.action: t
    for t in (
        Transition("accept", gettext_lazy("受理"), (S.SUBMITTED,), S.ACCEPTED, access.MANAGE),
        Transition(
            "return",
            gettext_lazy("退回补充"),
            (S.SUBMITTED, S.ACCEPTED, S.DISPATCHED, S.IN_PROGRESS),
            S.RETURNED,
            access.MANAGE,
        ),
        Transition("resubmit", gettext_lazy("补充后重新提交"), (S.RETURNED,), None, access.OWN),
        Transition("reject", gettext_lazy("不予受理"), (S.SUBMITTED, S.RETURNED), S.REJECTED, access.MANAGE),
        Transition("merge", gettext_lazy("合并"), (S.SUBMITTED, S.ACCEPTED, S.RETURNED), S.MERGED, access.MANAGE),
        Transition("dispatch", gettext_lazy("派单"), (S.ACCEPTED,), S.DISPATCHED, access.MANAGE),
        Transition("start", gettext_lazy("开始办理"), (S.DISPATCHED, S.IN_PROGRESS), S.IN_PROGRESS, access.HANDLE),
        Transition(
            "answer", gettext_lazy("答复"), (S.DISPATCHED, S.IN_PROGRESS, S.ANSWERED, S.RATED), None, access.HANDLE
        ),
        Transition("rate", gettext_lazy("回访评价"), (S.ANSWERED,), None, access.OWN),
        Transition("reopen", gettext_lazy("重新办理"), (S.ANSWERED, S.RATED), S.IN_PROGRESS, access.MANAGE),
        Transition("close", gettext_lazy("销号"), (S.RATED,), S.CLOSED, access.MANAGE),
        Transition(
            "attach",
            gettext_lazy("上传附件"),
            (S.SUBMITTED, S.ACCEPTED, S.RETURNED, S.DISPATCHED, S.IN_PROGRESS, S.ANSWERED),
            None,
            access.OWN,
        ),
    )
}


def allowed_actions(need: Need) -> set[str]:
    """Actions the need's state allows (the role is checked separately)."""
    return {action for action, t in TRANSITIONS.items() if need.state in t.sources}


# -- shared steps -------------------------------------------------------------------------------
def _lock(need_id) -> Need:
    return (
        Need.objects.select_for_update(of=("self",)).select_related("region", "alliance", "enterprise").get(pk=need_id)
    )


def _begin(*, need: Need, actor, action: str, expected_version: int | None) -> Need:
    """Lock, check role, version and state; return the locked, current row."""
    transition = TRANSITIONS[action]
    locked = _lock(need.pk)
    if transition.role != access.HANDLE:
        access.require_need_role(user=actor, need=locked, role=transition.role)
    if expected_version is not None and int(expected_version) != locked.version:
        raise TransitionError(str(STALE_MESSAGE), code="stale")
    if locked.state not in transition.sources:
        raise TransitionError(
            _("该需求当前为“%(state)s”，不能%(action)s。")
            % {"state": locked.get_state_display(), "action": transition.label},
        )
    return locked


def _save(instance, fields):
    """Validate exactly the fields being written, then write only them."""
    names = set(fields)
    instance.clean_fields(exclude=[f.name for f in instance._meta.fields if f.name not in names])
    instance.clean()
    if hasattr(instance, "updated_at"):
        names.add("updated_at")
    instance.save(update_fields=sorted(names))
    return instance


def _advance(need: Need, state: str, **fields) -> Need:
    for name, value in fields.items():
        setattr(need, name, value)
    need.state = state
    need.version += 1
    return _save(need, [*fields, "state", "version"])


def _record(need, *, actor, action, from_state="", to_state="", note="", data=None, assignment=None):
    return NeedEvent.objects.create(
        need=need,
        assignment=assignment,
        actor=actor,
        action=action,
        from_state=from_state,
        to_state=to_state,
        note=note or "",
        data=data or {},
    )


def _tell(users, *, need: Need, title: str, body: str = "", key: str):
    if users:
        notify(
            recipients=users,
            message=Message(title=title, body=body, url=need.get_absolute_url(), kind="need"),
            dedupe_key=f"need:{need.pk}:{key}",
        )


def _managers(need):
    return selectors.alliance_managers([need.alliance_id]).get(need.alliance_id, [])


def _secretaries(need):
    users = list(selectors.enterprise_secretaries([need.enterprise_id]).get(need.enterprise_id, []))
    if need.filed_by_id and need.filed_by not in users:
        users.append(need.filed_by)
    return users


def _required(value, field, message):
    if not (value or "").strip():
        raise ValidationError({field: message})
    return value.strip()


def _title(need, text):
    return f"{need.number} {text}"


# -- filing -------------------------------------------------------------------------------------
def _next_number(year: int) -> str:
    counter, _created = NeedCounter.objects.select_for_update().get_or_create(year=year)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return f"XQ-{year}-{counter.last_number:06d}"


def _default_alliance(enterprise: Enterprise) -> Alliance:
    active = list(
        Alliance.objects.filter(memberships__enterprise=enterprise, memberships__left_on__isnull=True).distinct()[:2]
    )
    if len(active) == 1:
        return active[0]
    if not active:
        raise ValidationError({"enterprise": _("该企业尚未加入任何产业链党委（联盟），无法提交需求。")})
    raise ValidationError({"alliance": _("该企业加入了多个联盟，请选择受理联盟。")})


def _check_files(files):
    files = [f for f in files or () if f]
    if len(files) > MAX_ATTACHMENTS:
        raise ValidationError({"attachments": _("一次最多上传 %d 个附件。") % MAX_ATTACHMENTS})
    checked = []
    errors = []
    for file in files:
        try:
            checked.append((file, uploads.check_upload(file)))
        except ValidationError as error:
            errors.extend(error.messages)
    if errors:
        raise ValidationError({"attachments": errors})
    return checked


def _store_files(need, checked, actor):
    stored = []
    for file, info in checked:
        file.seek(0)
        attachment = NeedAttachment(
            need=need,
            name=info.name,
            kind=info.kind.key,
            content_type=info.kind.content_type,
            size=info.size,
            uploaded_by=actor,
        )
        attachment.file.save(info.name, file, save=False)
        attachment.save()
        stored.append(attachment)
    return stored


@transaction.atomic
def need_file(
    *,
    actor,
    enterprise: Enterprise,
    category: str,
    title: str,
    description: str,
    urgency: str = Need.Urgency.NORMAL,
    alliance: Alliance | None = None,
    source: str = "",
    funding_wan: Decimal | None = None,
    land_mu: Decimal | None = None,
    people: int | None = None,
    contact_name: str = "",
    contact_phone: str = "",
    attachments=(),
) -> Need:
    """File a need for `enterprise`. The enterprise's secretary reports it themselves, a guide of
    its zone from a visit, the alliance's secretary or the region's staff from a meeting or the hotline."""
    if alliance is None:
        alliance = _default_alliance(enterprise)
    sources = access.filing_sources(user=actor, enterprise=enterprise, alliance=alliance)
    if not sources:
        raise PermissionDenied(_("您无权为该企业提交需求。"))
    if not Membership.objects.filter(alliance=alliance, enterprise=enterprise, left_on__isnull=True).exists():
        raise ValidationError({"alliance": _("该企业不是所选联盟的在册成员。")})
    source = source or sources[0]
    if source not in sources:
        raise ValidationError(
            {"source": _("您不能以“%s”的来源提交该企业的需求。") % Need.Source(source).label}
            if source in Need.Source.values
            else {"source": _("请选择有效的需求来源。")}
        )
    checked = _check_files(attachments)
    need = Need(
        enterprise=enterprise,
        alliance=alliance,
        region_id=enterprise.region_id,
        category=category,
        title=(title or "").strip(),
        description=(description or "").strip(),
        urgency=urgency,
        source=source,
        funding_wan=funding_wan,
        land_mu=land_mu,
        people=people,
        contact_name=(contact_name or enterprise.contact_name or actor.display_name).strip(),
        contact_phone=(contact_phone or enterprise.contact_phone or actor.mobile).strip(),
        filed_by=actor,
    )
    need.full_clean(exclude=["number"], validate_unique=False)
    need.number = _next_number(timezone.localdate(need.filed_at).year)
    need.save()
    files = _store_files(need, checked, actor)
    _record(
        need,
        actor=actor,
        action=NeedEvent.Action.FILE,
        to_state=S.SUBMITTED,
        data={"source": source, "attachments": [a.name for a in files]},
    )
    _tell(
        _managers(need),
        need=need,
        title=_title(need, _("新需求待受理：%s") % need.title),
        body=_("%(enterprise)s 提交了需求（%(category)s，%(urgency)s）。")
        % {
            "enterprise": enterprise.name,
            "category": need.get_category_display(),
            "urgency": need.get_urgency_display(),
        },
        key="filed",
    )
    return need


@transaction.atomic
def need_attach(*, need: Need, actor, files, note: str = "") -> list[NeedAttachment]:
    """Add files to a need that is still open: its enterprise's secretary or whoever manages it."""
    locked = _lock(need.pk)
    if not (access.can_own_need(actor, locked) or access.can_manage_need(actor, locked)):
        raise PermissionDenied(_("只有提出需求的企业或受理联盟可以上传附件。"))
    if locked.state not in TRANSITIONS["attach"].sources:
        raise TransitionError(_("该需求当前为“%s”，不能再上传附件。") % locked.get_state_display())
    checked = _check_files(files)
    if not checked:
        raise ValidationError({"attachments": _("请选择要上传的文件。")})
    if locked.attachments.count() + len(checked) > 3 * MAX_ATTACHMENTS:
        raise ValidationError({"attachments": _("每条需求最多 %d 个附件。") % (3 * MAX_ATTACHMENTS)})
    stored = _store_files(locked, checked, actor)
    _record(locked, actor=actor, action=NeedEvent.Action.ATTACH, note=note, data={"files": [a.name for a in stored]})
    return stored


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


@transaction.atomic
def need_resubmit(*, need: Need, actor, supplement: str, files=(), expected_version: int | None = None) -> Need:
    """The enterprise answers a return. The need goes back where it was; if its clock was running,
    every deadline moves by the working days it waited."""
    supplement = _required(supplement, "supplement", _("请填写补充说明。"))
    need = _begin(need=need, actor=actor, action="resubmit", expected_version=expected_version)
    checked = _check_files(files)
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
    stored = _store_files(need, checked, actor)
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


@transaction.atomic
def need_reject(*, need: Need, actor, reason: str, expected_version: int | None = None) -> Need:
    reason = _required(reason, "reason", _("请填写不予受理的理由。"))
    need = _begin(need=need, actor=actor, action="reject", expected_version=expected_version)
    before = need.state
    _advance(need, S.REJECTED, reason=reason, closed_at=timezone.now(), paused_at=None, returned_from="")
    _record(need, actor=actor, action=NeedEvent.Action.REJECT, from_state=before, to_state=S.REJECTED, note=reason)
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
    if handler is not None and not selectors.is_department_handler(user=handler, department_id=department.pk):
        raise ValidationError(
            {
                # No name of the chosen user: the API takes any user id, and must not tell whose it is.
                "handler": _("所选人员不是“%(department)s”的办理人。") % {"department": department.name}
            }
        )


def _resource_part(need, resource):
    if resource.status != Resource.Status.ACTIVE or (
        resource.valid_until and resource.valid_until < workdays.local_today()
    ):
        raise ValidationError({"resource": _("该资源已暂停或过期，不能匹配。")})
    if resource.enterprise_id:
        if resource.enterprise_id == need.enterprise_id:
            raise ValidationError({"resource": _("不能把需求匹配给提出需求的企业自己的资源。")})
        member = Membership.objects.filter(
            alliance_id=need.alliance_id, enterprise_id=resource.enterprise_id, left_on__isnull=True
        ).exists()
        if not member:
            raise ValidationError({"resource": _("该资源的提供企业不是本联盟的在册成员。")})
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
    if (lead_department is None) == (lead_resource is None):
        raise ValidationError({"lead_department": _("请选择一个牵头部门，或匹配一项成员资源。")})
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
        raise TransitionError(_("该派单当前为“%s”，不能开始办理。") % assignment.get_state_display())
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
        raise TransitionError(_("该派单当前为“%s”，不能再答复。") % assignment.get_state_display())
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
    title = (
        _("需求已办结，请回访评价")
        if need.state == S.ANSWERED and before != S.ANSWERED
        else _("%s 已答复其承办部分") % assignment.assignee
    )
    _tell(recipients, need=need, title=_title(need, title), body=answer, key=f"v{need.version}")
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
    now = timezone.now()
    withdrawn = list(need.assignments.select_for_update(of=("self",)).filter(state__in=Assignment.OPEN_STATES))
    for assignment in withdrawn:
        assignment.state = Assignment.State.WITHDRAWN
        _save(assignment, ["state"])
        _record(
            need,
            actor=actor,
            action=NeedEvent.Action.WITHDRAW,
            assignment=assignment,
            note=_("需求已销号，未答复的协办部分撤销。"),
            data={"assignee": str(assignment.assignee)},
        )
    _advance(need, S.CLOSED, closed_at=now)
    _record(need, actor=actor, action=NeedEvent.Action.CLOSE, from_state=S.RATED, to_state=S.CLOSED, note=note)
    _tell(_secretaries(need), need=need, title=_title(need, _("需求已销号")), body=note, key=f"v{need.version}")
    return need


# -- deadline rules -------------------------------------------------------------------------------
@transaction.atomic
def deadline_rules_ensure_defaults() -> int:
    """Create the platform defaults (一般 15 / 紧急 5 / 特急 2 working days) where missing."""
    created = 0
    for urgency, days in selectors.DEFAULT_WORKDAYS.items():
        _rule, was_created = DeadlineRule.objects.get_or_create(
            region=None, urgency=urgency, category="", defaults={"workdays": days}
        )
        created += was_created
    return created


@transaction.atomic
def deadline_rule_save(*, actor, region, urgency: str, category: str = "", workdays: int) -> DeadlineRule:
    """Set the working days for (region, urgency, category), creating the rule if needed."""
    if not access.can_edit_deadline_rule(actor, region):
        raise PermissionDenied(
            _("只有平台管理员可以修改全平台规则。") if region is None else _("您不能修改该区域的办理时限规则。")
        )
    rule = (
        DeadlineRule.objects.select_for_update(of=("self",))
        .order_by()
        .filter(Q(region=region) if region is not None else Q(region__isnull=True), urgency=urgency, category=category)
        .first()
    )
    if rule is None:
        rule = DeadlineRule(region=region, urgency=urgency, category=category, workdays=workdays)
        rule.full_clean()
        rule.save()
        return rule
    rule.workdays = workdays
    rule.full_clean()
    rule.save(update_fields=["workdays"])
    return rule


@transaction.atomic
def deadline_rule_delete(*, actor, rule: DeadlineRule) -> None:
    if not access.can_edit_deadline_rule(actor, rule.region):
        raise PermissionDenied(_("您不能删除该办理时限规则。"))
    rule.delete()


# -- the escalation sweep (督办) --------------------------------------------------------------------
@dataclass(frozen=True)
class _Due:
    """What the sweep needs of one claimed part, read as plain values (thousands per run)."""

    pk: int
    need_id: int
    number: str
    title: str
    alliance_id: int
    region_ids: tuple
    deadline: dt.date
    redo_count: int
    label: str
    url: str
    escalation_level: int


_DUE_FIELDS = (
    "pk",
    "need_id",
    "need__number",
    "need__title",
    "need__alliance_id",
    "need__region__path",
    "deadline",
    "redo_count",
    "role",
    "department__name",
    "provider_enterprise__name",
    "escalation_level",
)


def _claim(condition: Q, update: dict, batch_size: int) -> list[_Due]:
    """Lock up to `batch_size` open parts matching `condition` that no other sweep holds (reading
    what the messages need in the same statement), and mark them done before anything is sent:
    a second or concurrent sweep never sees them again."""
    rows = list(
        Assignment.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(condition, state__in=Assignment.OPEN_STATES, need__state__in=Need.CLOCK_STATES)
        .order_by("deadline", "pk")
        .values_list(*_DUE_FIELDS)[:batch_size]
    )
    if rows:
        Assignment.objects.filter(pk__in=[row[0] for row in rows]).update(**update)
    roles = dict(Assignment.Role.choices)
    # One reverse() per batch: the need page's URL differs only by its id.
    url = reverse("demands:need_detail", args=[0]).removesuffix("0/")
    return [
        _Due(
            pk=pk,
            need_id=need_id,
            number=number,
            title=title,
            alliance_id=alliance_id,
            region_ids=tuple(Region.ids_in_path(path)[::-1]),
            deadline=deadline,
            redo_count=redo_count,
            label=f"{dept or provider}（{roles[role]}）",
            url=f"{url}{need_id}/",
            escalation_level=level,
        )
        for pk, need_id, number, title, alliance_id, path, deadline, redo_count, role, dept, provider, level in rows
    ]


def _warned_users(rows) -> dict:
    """{assignment id: users}: the named handler, else the department's handlers or the provider's secretaries."""
    parts = list(
        Assignment.objects.filter(pk__in=[r.pk for r in rows])
        .select_related("handler")
        .only("pk", "department_id", "provider_enterprise_id", "handler")
    )
    return selectors.assignment_recipients(parts)


DIGEST_LINES = 30
SWEEP_KEY_PREFIX = "need-sweep:"  # every sweep notification's dedupe key starts with it


def _digests(recipients_by_due, *, kind, step, single, many, url, line):
    """One notification per recipient per batch, listing every part it concerns: a secretary with
    forty overdue needs gets one message, not forty. The key is made of the parts (and their redo
    round and deadline), which a claim hands out once, so nothing is ever sent twice."""
    per_user, users = {}, {}
    for due, recipients in recipients_by_due:
        for user in recipients:
            per_user.setdefault(user.pk, []).append(due)
            users[user.pk] = user
    outgoing = []
    for user_pk, dues in per_user.items():
        dues.sort(key=lambda d: (d.deadline, d.number))
        fingerprint = ",".join(f"{d.pk}.{d.redo_count}.{d.deadline:%Y%m%d}" for d in dues)
        key = f"{SWEEP_KEY_PREFIX}{step}:{hashlib.sha1(fingerprint.encode()).hexdigest()}"
        lines = [line(d) for d in dues[:DIGEST_LINES]]
        if len(dues) > DIGEST_LINES:
            lines.append(_("……另有 %d 项") % (len(dues) - DIGEST_LINES))
        if len(dues) == 1:
            message = Message(
                title=f"{dues[0].number} {single % {'title': dues[0].title}}", body=lines[0], url=dues[0].url, kind=kind
            )
        else:
            message = Message(title=many % {"n": len(dues)}, body="\n".join(lines), url=url, kind=kind)
        outgoing.append((users[user_pk], message, key))
    return outgoing


def _warn(rows, today, now):
    recipients = _warned_users(rows)
    note = _("办理时限临近（%(deadline)s），已提醒 %(part)s。")
    events = [
        NeedEvent(
            need_id=due.need_id,
            assignment_id=due.pk,
            action=NeedEvent.Action.REMIND,
            note=note % {"deadline": due.deadline, "part": due.label},
            data={"deadline": due.deadline.isoformat(), "recipients": len(recipients.get(due.pk, []))},
            created_at=now,
        )
        for due in rows
    ]
    line = _("%(number)s %(title)s：%(part)s 请于 %(deadline)s 前答复")
    outgoing = _digests(
        ((due, recipients.get(due.pk, [])) for due in rows),
        kind="need_warning",
        step="warn",
        single=_("办理时限临近：%(title)s"),
        many=_("%(n)d 项派单办理时限临近"),
        url=reverse("demands:assignment_list"),
        line=lambda d: line % {"number": d.number, "title": d.title, "part": d.label, "deadline": d.deadline},
    )
    return events, outgoing


_ESCALATION_NOTES = {
    (1,): gettext_lazy("超期督办（一级）：%(part)s 超过办理时限 %(days)d 个工作日，已通知联盟书记。"),
    (2,): gettext_lazy("超期督办（二级）：%(part)s 超过办理时限 %(days)d 个工作日，已报组织部。"),
    (1, 2): gettext_lazy("超期督办（一级、二级）：%(part)s 超过办理时限 %(days)d 个工作日，已通知联盟书记并报组织部。"),
}


def _escalations(rows, today, now, level2_before):
    """Level 1 for parts claimed at level 0, level 2 for those late enough; a part the sweep finds
    already that late (the sweep did not run for days) takes both steps at once, in one event."""
    managers = selectors.alliance_managers({due.alliance_id for due in rows if due.escalation_level == 0})
    staff = selectors.region_staff({rid for due in rows if due.deadline <= level2_before for rid in due.region_ids})
    notes = {levels: str(text) for levels, text in _ESCALATION_NOTES.items()}
    events, to_alliance, to_region = [], [], []
    for due in rows:
        late = workdays.workdays_late(due.deadline, today)
        levels = tuple(
            level for level, reached in ((1, due.escalation_level == 0), (2, due.deadline <= level2_before)) if reached
        )
        if 1 in levels:
            to_alliance.append((due, managers.get(due.alliance_id, [])))
        if 2 in levels:
            # The nearest organisation department with staff (county before city before province).
            to_region.append((due, next((staff[rid] for rid in due.region_ids if staff.get(rid)), [])))
        events.append(
            NeedEvent(
                need_id=due.need_id,
                assignment_id=due.pk,
                action=NeedEvent.Action.SUPERVISE,
                note=notes[levels] % {"part": due.label, "days": late},
                data={
                    "level": levels[-1],
                    "levels": list(levels),
                    "deadline": f"{due.deadline}",
                    "overdue_workdays": late,
                },
                created_at=now,
            )
        )
    line = _("%(number)s %(title)s：%(part)s 超期 %(days)d 个工作日")
    overdue_url = reverse("demands:need_overdue")

    def describe(due):
        late = workdays.workdays_late(due.deadline, today)
        return line % {"number": due.number, "title": due.title, "part": due.label, "days": late}

    outgoing = _digests(
        to_alliance,
        kind="need_escalation",
        step="l1",
        single=_("已超期，请督办：%(title)s"),
        many=_("%(n)d 项需求超期，请督办"),
        url=overdue_url,
        line=describe,
    ) + _digests(
        to_region,
        kind="need_escalation",
        step="l2",
        single=_("超期未办结，提请组织部督办：%(title)s"),
        many=_("%(n)d 项需求超期未办结，提请组织部督办"),
        url=overdue_url,
        line=describe,
    )
    return events, outgoing, len(to_alliance), len(to_region)


def escalation_sweep(*, batch_size: int | None = None) -> dict:
    """Warn the handlers of parts due within a working day, escalate overdue parts to the alliance
    (level 1) and, N working days later, to the organisation department (level 2).

    Each step claims its rows (SKIP LOCKED, then a conditional update) before it records the
    events and notifies, in one transaction per batch: a second or concurrent sweep never sees the
    same part at the same level again, and notification keys are made of the parts, their redo
    round and deadline. A handful of queries per batch whatever its size; one digest per recipient.
    """
    batch_size = batch_size or getattr(settings, "NEEDS_SWEEP_BATCH", 1000)
    today = workdays.local_today()
    warn_until = workdays.add_workdays(today, getattr(settings, "NEEDS_WARNING_WORKDAYS", 1))
    level2_before = workdays.latest_deadline_late_by(today, getattr(settings, "NEEDS_ESCALATION_LEVEL2_WORKDAYS", 3))
    counts = {"warned": 0, "level1": 0, "level2": 0}
    warn = Q(warned_at__isnull=True, deadline__gte=today, deadline__lte=warn_until)
    escalate = Q(escalation_level=0, deadline__lt=today) | Q(escalation_level=1, deadline__lte=level2_before)
    new_level = Case(When(deadline__lte=level2_before, then=Value(2)), default=Value(1))
    for condition, is_warning in ((warn, True), (escalate, False)):
        while True:
            with transaction.atomic():
                now = timezone.now()
                update = {"warned_at": now} if is_warning else {"escalated_at": now, "escalation_level": new_level}
                rows = _claim(condition, update, batch_size)
                if not rows:
                    break
                if is_warning:
                    events, outgoing = _warn(rows, today, now)
                    counts["warned"] += len(rows)
                else:
                    events, outgoing, first, second = _escalations(rows, today, now, level2_before)
                    counts["level1"] += first
                    counts["level2"] += second
                NeedEvent.objects.bulk_create(events, batch_size=1000)
                notify_bulk(outgoing)
            if len(rows) < batch_size:
                break
    return counts
