"""The needs workflow's one transition table and the steps every transition takes.

`TRANSITIONS` says, for each action, the states it may start from, the state it leads to and the
role that may take it. Each `need_<action>` service (in `filing` and `workflow`)
1. locks the need row (SELECT … FOR UPDATE) and re-reads it,
2. checks the actor's role through `demands.permissions.needs` (PermissionDenied),
3. checks the version the actor saw and the current state (StateError: nothing changes),
4. writes the change, bumps `version`, appends a NeedEvent and notifies the people concerned.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from alliances.selectors import alliance_managers, enterprise_secretaries
from chainparty.errors import StateError
from chainparty.notifications import Message, notify

from ..models import Need, NeedEvent
from ..permissions import needs as access

S = Need.State


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
    locked = _lock(need.pk)
    _check(locked, actor=actor, action=action, expected_version=expected_version)
    return locked


def _check(need: Need, *, actor, action: str, expected_version: int | None) -> None:
    """The checks `_begin` makes, on a row as it stands. Also used without the lock, before slow
    work (writing files) that a refusal would waste; `_begin` checks again under the lock."""
    transition = TRANSITIONS[action]
    if transition.role != access.HANDLE:
        access.require_need_role(user=actor, need=need, role=transition.role)
    if expected_version is not None and int(expected_version) != need.version:
        raise StateError(str(STALE_MESSAGE), code="stale")
    if need.state not in transition.sources:
        raise StateError(
            _("该需求当前为“%(state)s”，不能%(action)s。")
            % {"state": need.get_state_display(), "action": transition.label},
        )


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


def _tell(users, *, need: Need, title: str, body: str = "", key: str, anchor: str = ""):
    """Notify `users` about `need`; `anchor` opens the need page at a form (e.g. "#action-rate")."""
    if users:
        notify(
            recipients=users,
            message=Message(title=title, body=body, url=need.get_absolute_url() + anchor, kind="need"),
            dedupe_key=f"need:{need.pk}:{key}",
        )


def _managers(need):
    return alliance_managers([need.alliance_id]).get(need.alliance_id, [])


def _secretaries(need):
    users = list(enterprise_secretaries([need.enterprise_id]).get(need.enterprise_id, []))
    if need.filed_by_id and need.filed_by not in users:
        users.append(need.filed_by)
    return users


def _required(value, field, message):
    if not (value or "").strip():
        raise ValidationError({field: message})
    return value.strip()


def _title(need, text):
    return f"{need.number} {text}"
