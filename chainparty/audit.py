"""The audit log: one append-only record of who did what to which object, when and from where.

Every app writes through `record`. It writes in the caller's transaction, so a service that fails
and rolls back leaves no record of a change that never happened.

Services are called by views, the API, admin actions and management commands, and none of them
passes the request down. `AuditRequestMiddleware` binds the current request to a context variable
for the duration of the request, so `record` finds the actor and the address without every service
growing a `request` argument. Outside a request (Celery, management commands) there is no actor
and no address, which is the truth.
"""

import contextlib
import datetime as dt
import ipaddress
from collections.abc import Callable, Iterable
from contextvars import ContextVar

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _

from . import roles
from .models import AuditLog

Action = AuditLog.Action

_current_request: ContextVar = ContextVar("chainparty_audit_request", default=None)

USER_AGENT_LENGTH = AuditLog._meta.get_field("user_agent").max_length
REPR_LENGTH = AuditLog._meta.get_field("target_repr").max_length
NAME_LENGTH = AuditLog._meta.get_field("actor_name").max_length


@contextlib.contextmanager
def bound_request(request):
    """Make `request` the one `record` falls back to while the block runs."""
    token = _current_request.set(request)
    try:
        yield request
    finally:
        _current_request.reset(token)


def current_request():
    return _current_request.get()


def client_ip(request) -> str | None:
    """The client's address. X-Forwarded-For is honoured only for the number of proxies named in
    AUDIT_TRUSTED_PROXY_COUNT: each trusted proxy appends the address it received the request from,
    so the client is that many entries from the right; anything further left is what the client
    claims and is ignored."""
    trusted = getattr(settings, "AUDIT_TRUSTED_PROXY_COUNT", 0)
    address = request.META.get("REMOTE_ADDR", "")
    if trusted > 0:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= trusted:
            address = forwarded[-trusted]
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


def _authenticated_user(request):
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return user
    return None


def _region_path(region, target) -> str:
    if region is None and target is not None:
        region = getattr(target, "region", None)
    return getattr(region, "path", "") or ""


def record(*, action, actor=None, request=None, target=None, region=None, region_path=None, data=None) -> AuditLog:
    """Write one audit record.

    `action` is an `AuditLog.Action`. `actor` defaults to the request's signed-in user; `request`
    to the one bound by the middleware. `region` (anything with a materialised `.path`) defaults to
    `target.region`, and decides which organisation staff may read the record; `region_path` gives
    the path itself (records about a person: `person_region_path`). `data` holds what the record
    needs to be understood later (JSON; never secrets).
    """
    request = request if request is not None else current_request()
    if actor is None and request is not None:
        actor = _authenticated_user(request)
    entry = AuditLog(
        action=action,
        actor=actor,
        actor_name=(getattr(actor, "display_name", None) or str(actor))[:NAME_LENGTH] if actor else "",
        region_path=region_path if region_path is not None else _region_path(region, target),
        data=data or {},
    )
    if target is not None:
        entry.target_type = ContentType.objects.get_for_model(target)
        entry.target_id = target.pk
        entry.target_repr = str(target)[:REPR_LENGTH]
    if request is not None:
        entry.ip_address = client_ip(request)
        entry.user_agent = request.META.get("HTTP_USER_AGENT", "")[:USER_AGENT_LENGTH]
    entry.save(force_insert=True)
    return entry


def record_grant(*, user, obj, permission: str, revoke: bool = False, region=None) -> AuditLog:
    """A role given to (or taken from) `user` on `obj`: one record whose target is the person, with
    the role and the object in `data`, in the object's region (the object itself when it is a
    region)."""
    if region is None:
        region = getattr(obj, "region", None) or (obj if hasattr(obj, "path") else None)
    return record(
        action=Action.REVOKE if revoke else Action.GRANT,
        target=user,
        region=region,
        data={
            "permission": permission,
            "role": str(roles.OBJECT_ROLE_LABELS.get(permission, permission)),
            "object": str(obj),
            "object_type": obj._meta.model_name,
            "object_id": obj.pk,
        },
    )


def record_global_role(*, user, role, revoke: bool = False, region_path=None) -> AuditLog:
    """A platform-wide role (a group such as 平台管理员, or a model permission) given to or taken
    from `user`: one grant/revoke record whose target is the person, in the person's region
    (`person_region_path`, unless the caller already has it). `role` is a Group or a Permission."""
    if hasattr(role, "codename"):
        permission, label = f"{role.content_type.app_label}.{role.codename}", str(role.name)
    else:
        permission, label = role.name, str(roles.GLOBAL_GROUPS.get(role.name, role.name))
    return record(
        action=Action.REVOKE if revoke else Action.GRANT,
        target=user,
        region_path=person_region_path(user) if region_path is None else region_path,
        data={
            "permission": permission,
            "role": label,
            "object": str(_("全平台")),
            "object_type": role._meta.model_name,
            "object_id": role.pk,
        },
    )


# -- where a person works ---------------------------------------------------------------------
RegionSource = Callable[[object], Iterable]


class PersonRegions:
    """Where a person works, for the records about them that no object places: sign-ins, failed
    sign-ins, account changes, platform-wide roles.

    The roles live in the apps above (a region's staff, an enterprise's secretary, a department's
    handler, a guide, a committee seat), so each app registers a source in its own
    `audit_regions.py`, discovered on first use as exporters are. `source(users)` returns querysets
    of one column, the materialised paths of the regions where `users` (ids, or a queryset of
    users) hold a role; all of them run as one UNION query.

    A person with roles in one region belongs to it. A person with roles in several belongs to
    their deepest common ancestor (a county and its city: the city; two counties: their city), so
    whoever reads the record manages every role the person holds. A person with no role, or with
    roles in unrelated trees, has no region: only platform administrators read their records.
    """

    def __init__(self):
        self._sources: list[RegionSource] = []
        self._discovered = False

    def register(self, source: RegionSource) -> RegionSource:
        if source not in self._sources:
            self._sources.append(source)
        return source

    def sources(self) -> list[RegionSource]:
        if not self._discovered:
            self._discovered = True
            autodiscover_modules("audit_regions")
        return list(self._sources)

    def path(self, users) -> str:
        """The region path of `users` (normally one person), "" when they have none."""
        querysets = [queryset.order_by() for source in self.sources() for queryset in source(users)]
        if not querysets:
            return ""
        return common_region_path(querysets[0].union(*querysets[1:], all=True))


def common_region_path(paths: Iterable[str]) -> str:
    """The deepest region whose subtree holds every one of `paths` ("" when none, or none common)."""
    common = None
    for path in paths:
        ids = path.strip("/").split("/") if path else []
        if common is None:
            common = ids
            continue
        shared = 0
        while shared < min(len(common), len(ids)) and common[shared] == ids[shared]:
            shared += 1
        common = common[:shared]
    return f"/{'/'.join(common)}/" if common else ""


person_regions = PersonRegions()


def person_region_path(user) -> str:
    return person_regions.path([user.pk]) if user is not None and user.pk is not None else ""


# -- sign-in events, connected in ChainPartyConfig.ready() ------------------------------------
def on_user_logged_in(sender, request, user, **kwargs):
    record(action=Action.LOGIN, actor=user, request=request, target=user, region_path=person_region_path(user))


def on_user_logged_out(sender, request, user, **kwargs):
    # `user` is None when an anonymous session is logged out: nothing happened worth recording.
    if user is not None:
        record(action=Action.LOGOUT, actor=user, request=request, target=user, region_path=person_region_path(user))


def on_user_login_failed(sender, credentials, request=None, **kwargs):
    """Record the name that was tried, never the password (Django already masks it in
    `credentials`, and only the user name is copied)."""
    from django.contrib.auth import get_user_model

    user_model = get_user_model()
    username_field = user_model.USERNAME_FIELD
    username = str(credentials.get(username_field) or credentials.get("username") or "")
    # An attempt on an existing account is shown to the staff of that person's region.
    region_path = person_regions.path(user_model.objects.filter(**{username_field: username})) if username else ""
    record(
        action=Action.LOGIN_FAILED, request=request, region_path=region_path, data={"username": username[:NAME_LENGTH]}
    )


# -- reading ----------------------------------------------------------------------------------
DATA_LABELS = {
    "role": _("角色"),
    "object": _("所属"),
    "person_name": _("姓名"),
    "position": _("链上位置"),
    "enterprise": _("企业"),
    "term_start": _("任期开始"),
    "term_end": _("任期结束"),
    "joined_on": _("加入日期"),
    "left_on": _("退出日期"),
    "username": _("尝试的账号"),
    "changed": _("修改项"),
    # meetings (alliances.meetings.services)
    "title": _("会议名称"),
    "starts_at": _("开始时间"),
    "moved_from": _("原定时间"),
    "reason": _("原因"),
    "corrected": _("更正"),
    "decisions_added": _("新增议定事项"),
    # the working-day calendar's overrides (chainparty.holidays): one day saved or deleted ...
    "date": _("日期"),
    "kind": _("类别"),
    "name": _("名称"),
    "previous": _("修改前"),
    "deleted": _("已删除"),
    # ... or a year's notice entered at once
    "year": _("年度"),
    "holidays": _("放假天数"),
    "makeup_workdays": _("调休上班天数"),
    "added": _("新增日期"),
    "removed": _("删除日期"),
}


def entries(*, region_paths=None, action="", person="", since=None, until=None, text=""):
    """Audit records, newest first. `region_paths` limits them to those regions and everything
    under them (None: no limit; empty: nothing); `since`/`until` are aware datetimes, `until`
    excluded. No joins: the page shows the snapshots taken when each record was written."""
    records = AuditLog.objects.all()
    if region_paths is not None:
        under = Q(pk__in=[])
        for path in region_paths:
            under |= Q(region_path__startswith=path)
        records = records.filter(under)
    if action:
        records = records.filter(action=action)
    if person:
        records = records.filter(
            Q(actor_name__icontains=person) | Q(actor__username__icontains=person) | Q(data__username__icontains=person)
        )
    if since is not None:
        records = records.filter(at__gte=since)
    if until is not None:
        records = records.filter(at__lt=until)
    if text:
        records = records.filter(Q(target_repr__icontains=text) | Q(data__object__icontains=text))
    return records.order_by("-at", "-id")


def describe(entry) -> list[tuple[str, object]]:
    """The parts of `entry.data` a reader needs, with Chinese labels, in a fixed order."""
    return [(label, entry.data[key]) for key, label in DATA_LABELS.items() if entry.data.get(key) not in (None, "")]


# -- retention ----------------------------------------------------------------------------------
def retention_days() -> int:
    """How long audit records are kept (CHAINPARTY_AUDIT_RETENTION_DAYS), never below the legal
    minimum however the settings were overridden."""
    days = settings.CHAINPARTY_AUDIT_RETENTION_DAYS
    minimum = settings.CHAINPARTY_AUDIT_RETENTION_MIN_DAYS
    if days < minimum:
        raise ImproperlyConfigured(f"CHAINPARTY_AUDIT_RETENTION_DAYS={days} is below the minimum of {minimum} days")
    return days


def prune(*, now=None, batch_size: int = 5000) -> int:
    """Delete the records older than the retention period, oldest first, in batches (short locks,
    no huge transaction); returns how many went. The one path that deletes audit records: the
    model and its queryset refuse every other delete and every change."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=retention_days())
    deleted = 0
    while True:
        batch = list(
            AuditLog.objects.filter(at__lt=cutoff).order_by("at", "id").values_list("pk", flat=True)[:batch_size]
        )
        if not batch:
            return deleted
        count, _by_model = models.QuerySet.delete(AuditLog.objects.filter(pk__in=batch))
        deleted += count
