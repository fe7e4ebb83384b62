"""Filing a need and adding attachments to it: numbering, default alliance, file checks."""

import logging
from contextlib import contextmanager
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alliances.models import Alliance, Enterprise, Membership
from chainparty import uploads
from chainparty.errors import StateError

from ..models import Need, NeedAttachment, NeedCounter, NeedEvent
from ..permissions import needs as access
from .transitions import TRANSITIONS, S, _lock, _managers, _record, _tell, _title

MAX_ATTACHMENTS = 10

logger = logging.getLogger(__name__)


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


@contextmanager
def _files_written_first(checked, actor):
    """Write the checked files to storage before any row is locked, and yield them as unsaved
    attachments for the caller to insert under its lock. Uploads are the slow part of a filing
    (seconds for 20 MB on a slow disk or an object store); holding the year's counter row, or a
    need's row, while they are written would queue every other writer behind the slowest upload.

    If anything in the block fails (a check under the lock, an insert, or the commit of the
    transaction the block opens), the files are deleted again: a filing that is not saved leaves no
    file behind. Inside a caller's transaction that is rolled back after the block succeeded the
    files would stay; no caller does that (the pages' and the API's transactions end with the call)."""
    attachments = []
    try:
        for file, info in checked:
            file.seek(0)
            attachment = NeedAttachment(
                name=info.name,
                kind=info.kind.key,
                content_type=info.kind.content_type,
                size=info.size,
                uploaded_by=actor,
            )
            attachment.file.save(info.name, file, save=False)
            attachments.append(attachment)
        yield attachments
    except BaseException:
        _delete_files(attachments)
        raise


def _delete_files(attachments):
    for attachment in attachments:
        try:
            attachment.file.storage.delete(attachment.file.name)
        except Exception:  # the error that brought us here matters more; the file is only logged
            logger.exception("could not delete the unsaved attachment %s", attachment.file.name)


def _insert_attachments(need, attachments):
    for attachment in attachments:
        attachment.need = need
        attachment.save()
    return attachments


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
    its zone from a visit, the alliance's secretary or the region's staff from a meeting or the hotline.

    Everything is checked, and the attachments are written to storage, before the transaction
    that locks the year's counter row begins: the lock is held for the number and the inserts only,
    and a filing that fails on the way deletes the files it wrote."""
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
    with _files_written_first(checked, actor) as attachments, transaction.atomic():
        need.number = _next_number(timezone.localdate(need.filed_at).year)
        need.save()
        _insert_attachments(need, attachments)
        _record(
            need,
            actor=actor,
            action=NeedEvent.Action.FILE,
            to_state=S.SUBMITTED,
            data={"source": source, "attachments": [a.name for a in attachments]},
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


def need_attach(*, need: Need, actor, files, note: str = "") -> list[NeedAttachment]:
    """Add files to a need that is still open: its enterprise's secretary or whoever manages it.

    The files are written before the need's row is locked, so its workflow does not wait behind an
    upload; rights, state and the number of files are checked before (nothing is written for a
    refusal) and again under the lock, where a refusal deletes the files again."""
    _require_attachable(need, actor=actor)
    checked = _check_files(files)
    if not checked:
        raise ValidationError({"attachments": _("请选择要上传的文件。")})
    _require_room(need, adding=len(checked))
    with _files_written_first(checked, actor) as attachments, transaction.atomic():
        locked = _lock(need.pk)
        _require_attachable(locked, actor=actor)
        _require_room(locked, adding=len(attachments))
        _insert_attachments(locked, attachments)
        names = [a.name for a in attachments]
        _record(locked, actor=actor, action=NeedEvent.Action.ATTACH, note=note, data={"files": names})
    return attachments


def _require_attachable(need: Need, *, actor) -> None:
    if not (access.can_own_need(actor, need) or access.can_manage_need(actor, need)):
        raise PermissionDenied(_("只有提出需求的企业或受理联盟可以上传附件。"))
    if need.state not in TRANSITIONS["attach"].sources:
        raise StateError(_("该需求当前为“%s”，不能再上传附件。") % need.get_state_display())


def _require_room(need: Need, *, adding: int) -> None:
    if need.attachments.count() + adding > 3 * MAX_ATTACHMENTS:
        raise ValidationError({"attachments": _("每条需求最多 %d 个附件。") % (3 * MAX_ATTACHMENTS)})
