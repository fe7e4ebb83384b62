"""Visits (走访): logging, photos, the enterprise's confirmation or dispute, and needs raised
from a visit (issue 9 §1).

A visit is logged by a guide serving the enterprise on the visit's date (guides/reach.py), never
in the future; whoever else went (other guides, department staff) is listed with it. The
enterprise's Party secretary confirms it happened, or disputes it with a reason, so the counts
that reach the county are not self-reported alone. A need raised from the visit is filed through
demands' filing service (source 走访) and linked to the visit in the same transaction.
"""

import datetime as dt
import logging
from collections.abc import Iterable
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from alliances.access import scope_for
from alliances.models import Alliance, Department, Enterprise
from alliances.selectors import enterprise_secretaries
from chainparty import uploads
from chainparty.errors import StateError
from chainparty.notifications import Message, notify
from demands.models import Need
from demands.services.filing import need_file

from ..models import Guide, Team, TeamMember, Visit, VisitNeed, VisitPerson, VisitPhoto
from ..reach import guide_serves, in_force_q
from ..thumbnails import make_thumbnail
from ._common import Action, record, require_staff

MAX_PHOTOS = 9
CLIENT_KEY_LENGTH = 64
PHOTO_KINDS = (uploads.JPEG, uploads.PNG)

logger = logging.getLogger(__name__)


def acting_guide(actor) -> Guide:
    """The actor's guide profile, or a refusal in Chinese for someone who is not a guide."""
    guide = None
    if actor is not None and actor.is_authenticated:
        guide = Guide.objects.filter(user=actor).first()
    if guide is None:
        raise PermissionDenied(_("只有党建指导员可以登记走访。"))
    return guide


def _visit_url(visit) -> str:
    try:
        return reverse("guides:visit_detail", args=[visit.pk])
    except NoReverseMatch:  # the pages are not installed: the services work without them
        return ""


# -- photos -------------------------------------------------------------------------------------
def _check_photos(files) -> list:
    errors, checked = [], []
    for file in [f for f in files or () if f]:
        try:
            checked.append((file, uploads.check_upload(file, allowed=PHOTO_KINDS)))
        except ValidationError as error:
            errors.extend(error.messages)
    if errors:
        raise ValidationError({"photos": errors})
    return checked


def _write_photos(visit, checked, actor) -> list[VisitPhoto]:
    """Save the checked files and their rows; the files written for a call that fails are deleted."""
    photos = []
    try:
        for file, info in checked:
            file.seek(0)
            photo = VisitPhoto(
                visit=visit, name=info.name, content_type=info.kind.content_type, size=info.size, uploaded_by=actor
            )
            photo.file.save(info.name, file, save=False)
            photos.append(photo)
            thumbnail = make_thumbnail(file)
            if thumbnail is not None:
                photo.thumbnail.save(thumbnail.name, thumbnail, save=False)
            photo.save()
    except BaseException:
        _delete_files(photos)
        raise
    return photos


def _delete_files(photos) -> None:
    for photo in photos:
        for stored in (photo.file, photo.thumbnail):
            if not stored:
                continue
            try:
                stored.storage.delete(stored.name)
            except Exception:  # the error that brought us here matters more; the file is only logged
                logger.exception("could not delete the file %s of a visit not saved", stored.name)


def _require_room(visit_photos: int, adding: int) -> None:
    if visit_photos + adding > MAX_PHOTOS:
        raise ValidationError({"photos": _("每次走访最多 %d 张照片。") % MAX_PHOTOS})


# -- logging a visit ----------------------------------------------------------------------------
class VisitAlreadyLogged(Exception):
    """The same submit came again (a second tap on 保存, a retried API call): `visit` is the one the
    first created. Nothing new was saved."""

    def __init__(self, visit: Visit):
        super().__init__(visit.pk)
        self.visit = visit


def _clean_client_key(client_key: str) -> str:
    key = (client_key or "").strip()
    if len(key) > CLIENT_KEY_LENGTH or not key.isascii() or not key.isprintable():
        raise ValidationError({"client_key": _("提交标识须为不超过 64 个字符的英文字母、数字或符号。")})
    return key


def _require_new(actor, client_key: str) -> None:
    if client_key and actor is not None:
        first = Visit.objects.filter(logged_by=actor, client_key=client_key).first()
        if first is not None:
            raise VisitAlreadyLogged(first)


def companions_allowed_q(guide: Guide, day: dt.date) -> Q:
    """Guides (Q on Guide) who may be named as having gone along with `guide` on `day`: the guides
    of the sending unit's region (and the regions under it) in term that day."""
    return (
        Q(region__path__startswith=guide.region.path, term_start__lte=day)
        & (Q(term_end__isnull=True) | Q(term_end__gte=day))
        & ~Q(pk=guide.pk)
    )


def _check_companions(guide: Guide, companions: list[Guide], day: dt.date) -> None:
    """The companion rule, validated here once; the forms and the API show this message."""
    ids = {companion.pk for companion in companions if companion.pk != guide.pk}
    if not ids:
        return
    allowed = set(Guide.objects.filter(companions_allowed_q(guide, day), pk__in=ids).values_list("pk", flat=True))
    if ids - allowed:
        raise ValidationError(
            {"companions": _("同行指导员须是本区域（含下级）%(date)s 在任的党建指导员。") % {"date": day}}
        )


def _check_staff(guide: Guide, staff: list[tuple[str, Department | None]]) -> None:
    outside = [d for _name, d in staff if d is not None and not d.region.is_within(guide.region_id)]
    if outside:
        raise ValidationError({"staff": _("同行人员的所在部门须是本区域（含下级）的部门。")})


def _people(guide: Guide, companions: Iterable[Guide], staff: Iterable[tuple[str, Department | None]]):
    people = [VisitPerson(guide=guide, user=guide.user, person_name=guide.name)]
    seen = {guide.pk}
    for companion in companions:
        if companion.pk not in seen:
            seen.add(companion.pk)
            people.append(VisitPerson(guide=companion, user=companion.user, person_name=companion.name))
    for name, department in staff:
        name = (name or "").strip()
        if not name:
            raise ValidationError({"staff": _("请填写同行人员姓名。")})
        people.append(VisitPerson(person_name=name[:50], department=department))
    return people


def _check_visit_rules(*, guide: Guide, enterprise: Enterprise, visited_on, team, companions, staff, own=True) -> None:
    if visited_on > timezone.localdate():
        raise ValidationError({"visited_on": _("走访日期不能晚于今天。")})
    if not guide_serves(guide=guide, enterprise=enterprise, day=visited_on):
        raise ValidationError(
            {
                "enterprise": (
                    _("%(date)s “%(enterprise)s”不在您的联系范围内，不能登记走访。")
                    if own
                    else _("%(date)s “%(enterprise)s”不在该指导员的联系范围内，不能登记走访。")
                )
                % {"date": visited_on, "enterprise": enterprise.name}
            }
        )
    if team is not None and not TeamMember.objects.filter(in_force_q(visited_on), team=team, guide=guide).exists():
        message = _("您在走访当日不是“%s”的成员。") if own else _("走访当日该指导员不是“%s”的成员。")
        raise ValidationError({"team": message % team.name})
    _check_companions(guide, companions, visited_on)
    _check_staff(guide, staff)


def _author_and_guide(actor, guide: Guide | None) -> Guide:
    """The guide the visit is logged for: the acting guide, or `guide` when organisation staff of
    the guide's region enter it on their behalf (e.g. reported by a phone call)."""
    if guide is None or (actor is not None and guide.user_id == actor.pk):
        return acting_guide(actor)
    if actor is None:
        raise PermissionDenied(_("只有本区域组织部工作人员可以代指导员登记走访。"))
    require_staff(actor, guide.region, _("只有本区域组织部工作人员可以代指导员登记走访。"))
    return guide


@transaction.atomic
def visit_log(
    *,
    actor,
    enterprise: Enterprise,
    visited_on: dt.date | None = None,
    kind: str = Visit.Kind.VISIT,
    checklist: Iterable[str] = (),
    findings: str = "",
    opinions: str = "",
    opinions_count: int = 0,
    companions: Iterable[Guide] = (),
    staff: Iterable[tuple[str, Department | None]] = (),
    photos=(),
    team: Team | None = None,
    guide: Guide | None = None,
    client_key: str = "",
) -> Visit:
    """Log a visit by the acting guide (or, by organisation staff of the guide's region, for
    `guide`) to `enterprise` on `visited_on` (today by default).

    Refused, with nothing saved: someone who is neither the guide nor the guide's staff; a date in
    the future; an enterprise not in the guide's charge on that date; a team the guide was not in
    on that date; companions who are not guides of the guide's region in term that day; department
    staff of another region; photos that fail the shared upload checks. The same `client_key`
    (a form token, the API's Idempotency-Key) from the same author again raises
    `VisitAlreadyLogged` with the first visit. The enterprise's secretaries are asked to confirm."""
    guide = _author_and_guide(actor, guide)
    client_key = _clean_client_key(client_key)
    _require_new(actor, client_key)
    visited_on = visited_on or timezone.localdate()
    companions, staff = list(companions), list(staff)
    own = actor is not None and guide.user_id == actor.pk
    _check_visit_rules(
        guide=guide,
        enterprise=enterprise,
        visited_on=visited_on,
        team=team,
        companions=companions,
        staff=staff,
        own=own,
    )
    checked = _check_photos(photos)
    _require_room(0, len(checked))
    visit = Visit(
        enterprise=enterprise,
        region_id=enterprise.region_id,
        visited_on=visited_on,
        kind=kind,
        guide=guide,
        team=team,
        checklist=list(checklist),
        findings=(findings or "").strip(),
        opinions=(opinions or "").strip(),
        opinions_count=opinions_count,
        logged_by=actor,
        client_key=client_key,
    )
    visit.full_clean(validate_constraints=False)  # the client key's uniqueness: VisitAlreadyLogged
    people = _people(guide, companions, staff)
    _save_once(visit)
    for person in people:
        person.visit = visit
        person.full_clean(exclude=["visit"])
    VisitPerson.objects.bulk_create(people)
    _write_photos(visit, checked, actor)
    _ask_for_confirmation(visit)
    data = {"enterprise": enterprise.name, "visited_on": visited_on, "kind": kind}
    if not own:
        data["entered_for"] = guide.name
        _tell_guide_entered_for_them(visit, actor)
    record(Action.VISIT_LOG, actor=actor, target=visit, **data)
    return visit


def _save_once(visit: Visit) -> None:
    """Insert the visit; a concurrent submit with the same client key that committed first wins."""
    try:
        with transaction.atomic():
            visit.save()
    except IntegrityError:
        first = Visit.objects.filter(logged_by=visit.logged_by, client_key=visit.client_key).first()
        if not visit.client_key or first is None:
            raise
        raise VisitAlreadyLogged(first) from None


def _tell_guide_entered_for_them(visit: Visit, actor) -> None:
    message = Message(
        title=_("%(who)s 代您登记了 %(date)s 对 %(enterprise)s 的走访")
        % {"who": actor.display_name, "date": visit.visited_on, "enterprise": visit.enterprise.name},
        body=_("如记录有误，请联系组织部工作人员更正。"),
        url=_visit_url(visit),
        kind="visit",
    )
    recipients = [visit.guide.user]
    transaction.on_commit(
        lambda: notify(recipients=recipients, message=message, dedupe_key=f"visit:{visit.pk}:entered")
    )


def _ask_for_confirmation(visit: Visit) -> None:
    secretaries = enterprise_secretaries([visit.enterprise_id]).get(visit.enterprise_id, [])
    if not secretaries:
        return
    message = Message(
        title=_("请确认走访：%(guide)s %(date)s 走访了贵企业") % {"guide": visit.guide.name, "date": visit.visited_on},
        body=_("如走访属实请确认；如有出入请提出异议并说明理由。"),
        url=_visit_url(visit),
        kind="visit",
    )
    transaction.on_commit(
        lambda: notify(recipients=secretaries, message=message, dedupe_key=f"visit:{visit.pk}:confirm")
    )


def _lock(visit: Visit) -> Visit:
    return (
        Visit.objects.select_for_update(of=("self",))
        .select_related("enterprise", "guide__region", "team")
        .get(pk=visit.pk)
    )


@transaction.atomic
def visit_add_photos(*, actor, visit: Visit, files) -> list[VisitPhoto]:
    """Add photos to a visit: the guide who logged it, or anyone who went with them as a guide."""
    checked = _check_photos(files)
    if not checked:
        raise ValidationError({"photos": _("请选择要上传的照片。")})
    visit = _lock(visit)
    went = visit.people.filter(guide__user=actor).exists() if actor is not None else False
    if not went:
        raise PermissionDenied(_("只有参加走访的指导员可以上传照片。"))
    _require_room(visit.photos.count(), len(checked))
    return _write_photos(visit, checked, actor)


# -- correcting a visit -------------------------------------------------------------------------
UPDATABLE = ("visited_on", "kind", "checklist", "findings", "opinions", "opinions_count")


def may_amend(user, visit: Visit) -> bool:
    """Whoever entered the visit (the guide, or the staff member who entered it for them) may
    correct it while the enterprise has not answered."""
    return (
        user is not None
        and user.is_authenticated
        and visit.logged_by_id == user.pk
        and visit.confirmation == Visit.Confirmation.PENDING
    )


def _current_companions(visit: Visit):
    people = list(visit.people.select_related("guide", "department").order_by("pk"))
    guides = [p.guide for p in people if p.guide_id and p.guide_id != visit.guide_id]
    staff = [(p.person_name, p.department) for p in people if not p.guide_id]
    return guides, staff


@transaction.atomic
def visit_update(
    *,
    actor,
    visit: Visit,
    visited_on: dt.date | None = None,
    kind: str | None = None,
    checklist: Iterable[str] | None = None,
    findings: str | None = None,
    opinions: str | None = None,
    opinions_count: int | None = None,
    companions: Iterable[Guide] | None = None,
    staff: Iterable[tuple[str, Department | None]] | None = None,
) -> Visit:
    """Correct a visit: only whoever entered it, and only while it waits for the enterprise's
    answer. Once confirmed or disputed the record stands as answered (StateError, HTTP 409): a
    secretary confirmed or disputed what was logged, and a correction would change what they
    answered; a new visit is logged instead. `None` keeps a field as it is. The same rules as when
    logging (date, the enterprise in the guide's charge that day, the team, the companions) apply
    to the corrected visit. Audited with the fields before and after."""
    visit = _lock(visit)
    if actor is None or visit.logged_by_id != actor.pk or visit.guide is None:
        raise PermissionDenied(_("只有登记该走访的人可以修改走访记录。"))
    if visit.confirmation != Visit.Confirmation.PENDING:
        raise StateError(_("该走访记录已%s，不能再修改。") % visit.confirmation_label)
    old_companions, old_staff = _current_companions(visit)
    given = {
        "visited_on": visited_on,
        "kind": kind,
        "checklist": None if checklist is None else list(checklist),
        "findings": None if findings is None else findings.strip(),
        "opinions": None if opinions is None else opinions.strip(),
        "opinions_count": opinions_count,
    }
    changes = {name: value for name, value in given.items() if value is not None and value != getattr(visit, name)}
    new_companions = old_companions if companions is None else list(companions)
    new_staff = old_staff if staff is None else [((n or "").strip(), d) for n, d in staff]
    people_changed = {c.pk for c in new_companions} != {c.pk for c in old_companions} or [
        (n, d.pk if d else None) for n, d in new_staff
    ] != [(n, d.pk if d else None) for n, d in old_staff]
    if not changes and not people_changed:
        return visit
    _check_visit_rules(
        guide=visit.guide,
        enterprise=visit.enterprise,
        visited_on=changes.get("visited_on", visit.visited_on),
        team=visit.team,
        companions=new_companions,
        staff=new_staff,
        own=visit.guide.user_id == actor.pk,
    )
    before = {name: _audit_value(getattr(visit, name)) for name in changes}
    for name, value in changes.items():
        setattr(visit, name, value)
    visit.full_clean(validate_constraints=False)
    visit.save(update_fields=[*changes, "updated_at"])
    data = {"before": before, "after": {n: _audit_value(v) for n, v in changes.items()}}
    if people_changed:
        people = _people(visit.guide, new_companions, new_staff)[1:]
        visit.people.exclude(guide_id=visit.guide_id).delete()
        for person in people:
            person.visit = visit
            person.full_clean(exclude=["visit"])
        VisitPerson.objects.bulk_create(people)
        data["people_before"] = [c.name for c in old_companions] + [n for n, _d in old_staff]
        data["people_after"] = [p.person_name for p in people]
    record(Action.VISIT_UPDATE, actor=actor, target=visit, enterprise=visit.enterprise.name, **data)
    return visit


def _audit_value(value):
    return value.isoformat() if isinstance(value, dt.date) else value


# -- the enterprise's answer --------------------------------------------------------------------
def _require_secretary(actor, visit: Visit) -> None:
    if actor is None or visit.enterprise_id not in scope_for(actor).enterprise_ids:
        raise PermissionDenied(_("只有被走访企业的党组织书记可以确认或对走访提出异议。"))


def _answer(visit: Visit, *, actor, confirmation: str, reason: str = "") -> Visit:
    visit = _lock(visit)
    _require_secretary(actor, visit)
    if visit.confirmation != Visit.Confirmation.PENDING:
        raise StateError(_("该走访记录已%s，不能重复处理。") % visit.confirmation_label)
    visit.confirmation = confirmation
    visit.dispute_reason = reason
    visit.confirmed_by = actor
    visit.confirmed_at = timezone.now()
    visit.full_clean()
    visit.save(update_fields=["confirmation", "dispute_reason", "confirmed_by", "confirmed_at", "updated_at"])
    return visit


@transaction.atomic
def visit_confirm(*, actor, visit: Visit) -> Visit:
    """The enterprise's Party secretary confirms the visit happened (one tap)."""
    visit = _answer(visit, actor=actor, confirmation=Visit.Confirmation.CONFIRMED)
    record(Action.VISIT_CONFIRM, actor=actor, target=visit, enterprise=visit.enterprise.name)
    return visit


@transaction.atomic
def visit_dispute(*, actor, visit: Visit, reason: str) -> Visit:
    """The enterprise's Party secretary says the visit did not happen as logged, with a reason; the
    guide who logged it is told."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请说明对走访记录的异议理由。")})
    visit = _answer(visit, actor=actor, confirmation=Visit.Confirmation.DISPUTED, reason=reason)
    record(Action.VISIT_DISPUTE, actor=actor, target=visit, enterprise=visit.enterprise.name, reason=reason)
    if visit.guide is not None:
        message = Message(
            title=_("%(enterprise)s 对 %(date)s 的走访记录提出异议")
            % {"enterprise": visit.enterprise.name, "date": visit.visited_on},
            body=reason,
            url=_visit_url(visit),
            kind="visit",
        )
        recipients = [visit.guide.user]
        transaction.on_commit(
            lambda: notify(recipients=recipients, message=message, dedupe_key=f"visit:{visit.pk}:disputed")
        )
    return visit


# -- needs raised on a visit --------------------------------------------------------------------
@transaction.atomic
def visit_raise_need(
    *,
    actor,
    visit: Visit,
    category: str,
    title: str,
    description: str,
    urgency: str = Need.Urgency.NORMAL,
    alliance: Alliance | None = None,
    contact_name: str = "",
    contact_phone: str = "",
    funding_wan: Decimal | None = None,
    land_mu: Decimal | None = None,
    people: int | None = None,
) -> Need:
    """File a need for the visited enterprise (source 走访) from the visit, and link the two, in one
    transaction: the need's page shows the visit (chainparty.links, guides/links.py), the visit
    lists its needs. Whoever went on the visit as a guide may do it while they serve the
    enterprise; demands' filing service checks that right again."""
    visit = _lock(visit)
    if actor is None or not visit.people.filter(guide__user=actor).exists():
        raise PermissionDenied(_("只有参加走访的指导员可以从走访记录提交需求。"))
    need = need_file(
        actor=actor,
        enterprise=visit.enterprise,
        alliance=alliance,
        category=category,
        title=title,
        description=description,
        urgency=urgency,
        source=Need.Source.VISIT,
        contact_name=contact_name,
        contact_phone=contact_phone,
        funding_wan=funding_wan,
        land_mu=land_mu,
        people=people,
    )
    link = VisitNeed(visit=visit, need=need, linked_by=actor)
    link.full_clean()
    link.save()
    return need
