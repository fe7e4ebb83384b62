"""Every write to the organisational core. Views, admin actions, the API and load_demo call these."""

import datetime as dt
from collections import Counter

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm, remove_perm

from chainparty import audit, roles

from . import people
from .access import forget_scope, scope_for, seats_in_force
from .models import (
    Alliance,
    CommitteeSeat,
    Department,
    Enterprise,
    Membership,
    PartyOrganization,
    Region,
    RotatingChair,
    WorkZone,
)
from .signals import enterprise_secretary_granted


def _save_new(instance):
    instance.full_clean()
    instance.save()
    return instance


def _apply(instance, fields: dict):
    """Set `fields`, validate the whole row, save only what changed."""
    for name, value in fields.items():
        setattr(instance, name, value)
    instance.full_clean()
    instance.save(update_fields=[*fields, *(["updated_at"] if hasattr(instance, "updated_at") else [])])
    return instance


def _delete(instance, message):
    try:
        instance.delete()
    except ProtectedError as exc:
        raise ValidationError(message) from exc


# -- regions and zones -------------------------------------------------------------------
@transaction.atomic
def region_create(*, name: str, code: str, level: str, parent: Region | None = None) -> Region:
    return _save_new(Region(name=name, code=code, level=level, parent=parent))


@transaction.atomic
def zone_create(*, name: str, kind: str, region: Region, parent=None, address="", description="") -> WorkZone:
    return _save_new(
        WorkZone(name=name, kind=kind, region=region, parent=parent, address=address, description=description)
    )


@transaction.atomic
def zone_update(*, zone: WorkZone, **fields) -> WorkZone:
    return _apply(zone, fields)


@transaction.atomic
def zone_delete(*, zone: WorkZone) -> None:
    _delete(zone, _("该片区下还有企业或下级片区，不能删除。"))


# -- enterprises -------------------------------------------------------------------------
@transaction.atomic
def enterprise_create(*, name: str, credit_code: str, industry: str, region: Region, **fields) -> Enterprise:
    return _save_new(Enterprise(name=name, credit_code=credit_code, industry=industry, region=region, **fields))


@transaction.atomic
def enterprise_update(*, enterprise: Enterprise, **fields) -> Enterprise:
    return _apply(enterprise, fields)


#: Rows per INSERT/UPDATE statement when enterprises are written in bulk.
ENTERPRISE_BULK_BATCH = 500


def _validated(enterprise: Enterprise, label: str) -> Enterprise:
    # The region and zone are instances read from the database: checking that each exists again
    # would cost a query per row. Enterprise.clean still checks the zone lies in the region.
    try:
        enterprise.full_clean(exclude=["region", "zone"], validate_unique=False)
    except ValidationError as error:
        raise ValidationError(
            _("企业“%(name)s”：%(reason)s") % {"name": label, "reason": "；".join(error.messages)}
        ) from error
    return enterprise


@transaction.atomic
def enterprises_bulk_upsert(
    *, region: Region, creates: list[dict], updates: list[tuple[Enterprise, dict]]
) -> tuple[int, int]:
    """Many enterprises at once (the Excel import): `creates` are the fields of new enterprises in
    `region`, `updates` pairs of an enterprise and the fields to set. Each is validated as
    enterprise_create and enterprise_update validate it (full_clean); the credit codes' uniqueness is
    checked for all in one query, and the rows are written in batches. Returns (created, updated)."""
    new = [_validated(Enterprise(region=region, **fields), fields.get("name", "")) for fields in creates]
    changed_fields: set[str] = set()
    now = timezone.now()
    for enterprise, fields in updates:
        for name, value in fields.items():
            setattr(enterprise, name, value)
        enterprise.updated_at = now
        changed_fields.update(fields)
        _validated(enterprise, enterprise.name)
    codes = [enterprise.credit_code for enterprise in new] + [
        enterprise.credit_code for enterprise, fields in updates if "credit_code" in fields
    ]
    repeated = sorted(code for code, count in Counter(codes).items() if count > 1)
    taken = repeated or list(
        Enterprise.objects.filter(credit_code__in=codes)
        .exclude(pk__in=[enterprise.pk for enterprise, _fields in updates])
        .values_list("credit_code", flat=True)[:5]
    )
    if taken:
        raise ValidationError(_("该统一社会信用代码已被其他企业使用：%(codes)s") % {"codes": "、".join(taken)})
    Enterprise.objects.bulk_create(new, batch_size=ENTERPRISE_BULK_BATCH)
    if updates and changed_fields:
        Enterprise.objects.bulk_update(
            [enterprise for enterprise, _fields in updates],
            [*sorted(changed_fields), "updated_at"],
            batch_size=ENTERPRISE_BULK_BATCH,
        )
    return len(new), len(updates)


@transaction.atomic
def enterprise_delete(*, enterprise: Enterprise) -> None:
    _delete(enterprise, _("该企业已加入联盟或被其他记录引用，不能删除；如已退出联盟，请登记退出日期。"))


def _require_actor(actor, system: bool) -> None:
    """Every grant names who grants it: an account, whose right to grant is checked, or
    `system=True` for the platform's own code (load_demo, data loading: the first secretary of a new
    alliance or the first staff of a region have nobody above them on the platform). Forgetting
    both is a programming error, not a grant by nobody."""
    if system and actor is not None:
        raise TypeError("pass either actor or system=True, not both")
    if not system and actor is None:
        raise TypeError("a grant needs the granting actor (or system=True for the platform's own code)")


def _check_grantee(actor, user) -> None:
    """A role goes to an active account the granting person reaches (alliances.people)."""
    if not user.is_active:
        raise ValidationError({"user": _("该账号已停用，不能授予职务。")})
    if actor is not None and not people.people_reached(actor).filter(pk=user.pk).exists():
        raise ValidationError({"user": _("该人员不在您的管理范围内。")})


@transaction.atomic
def enterprise_grant_secretary(*, enterprise: Enterprise, user, actor=None, system: bool = False) -> None:
    """Make `user` a Party secretary of `enterprise`. `actor` is who grants it (organisation staff
    of the enterprise's region, or a secretary of an alliance it is a member of); `system=True`
    instead only for data loading and the platform's own code (`_require_actor`)."""
    _require_actor(actor, system)
    if actor is not None and not people.may_grant_enterprise_secretary(actor, enterprise):
        raise PermissionDenied(_("您无权为该企业授予党组织书记。"))
    _check_grantee(actor, user)
    assign_perm(f"alliances.{roles.MANAGE_ENTERPRISE}", user, enterprise)
    forget_scope(user)
    audit.record_grant(user=user, obj=enterprise, permission=roles.MANAGE_ENTERPRISE)
    enterprise_id, user_id = enterprise.pk, user.pk
    transaction.on_commit(
        lambda: enterprise_secretary_granted.send(sender=Enterprise, enterprise_id=enterprise_id, user_id=user_id)
    )


# -- Party organisations -----------------------------------------------------------------
@transaction.atomic
def party_organization_create(*, name: str, kind: str, region: Region, enterprises=(), **fields) -> PartyOrganization:
    organization = _save_new(PartyOrganization(name=name, kind=kind, region=region, **fields))
    party_organization_set_enterprises(organization=organization, enterprises=enterprises)
    return organization


@transaction.atomic
def party_organization_update(*, organization: PartyOrganization, enterprises=None, **fields) -> PartyOrganization:
    _apply(organization, fields)
    if enterprises is not None:
        party_organization_set_enterprises(organization=organization, enterprises=enterprises)
    return organization


def party_organization_set_enterprises(*, organization: PartyOrganization, enterprises) -> None:
    enterprises = list(enterprises)
    if organization.kind != PartyOrganization.Kind.JOINT_BRANCH and len(enterprises) > 1:
        raise ValidationError({"enterprises": _("只有联合党支部可以覆盖多家企业。")})
    outside = [e.name for e in enterprises if e.region_id != organization.region_id]
    if outside:
        raise ValidationError({"enterprises": _("以下企业不属于该党组织所在区域：%s") % "、".join(outside)})
    organization.enterprises.set(enterprises)


@transaction.atomic
def party_organization_delete(*, organization: PartyOrganization) -> None:
    _delete(organization, _("该党组织还有下级党组织，不能删除。"))


# -- departments -------------------------------------------------------------------------
@transaction.atomic
def department_create(*, name: str, factor_group: str, region: Region, short_name="", phone="") -> Department:
    return _save_new(
        Department(name=name, factor_group=factor_group, region=region, short_name=short_name, phone=phone)
    )


@transaction.atomic
def department_update(*, department: Department, **fields) -> Department:
    return _apply(department, fields)


@transaction.atomic
def department_delete(*, department: Department) -> None:
    _delete(department, _("该部门已加入联盟或被其他记录引用，不能删除。"))


@transaction.atomic
def department_add_handler(*, department: Department, user, actor=None, system: bool = False) -> None:
    """Make `user` a handler of `department`; `actor` as for enterprise_grant_secretary (organisation
    staff of the department's region), or `system=True`."""
    _require_actor(actor, system)
    if actor is not None and not people.may_grant_handler(actor, department):
        raise PermissionDenied(_("您无权为该部门指定办理人。"))
    _check_grantee(actor, user)
    assign_perm(f"alliances.{roles.HANDLE_DEPARTMENT}", user, department)
    forget_scope(user)
    audit.record_grant(user=user, obj=department, permission=roles.HANDLE_DEPARTMENT)


@transaction.atomic
def department_remove_handler(*, department: Department, user, actor=None, system: bool = False) -> None:
    """Take the handler role back; who may is who may give it (organisation staff of the region)."""
    _require_actor(actor, system)
    if actor is not None and not people.may_grant_handler(actor, department):
        raise PermissionDenied(_("您无权调整该部门的办理人。"))
    remove_perm(f"alliances.{roles.HANDLE_DEPARTMENT}", user, department)
    forget_scope(user)
    audit.record_grant(user=user, obj=department, permission=roles.HANDLE_DEPARTMENT, revoke=True)


# -- alliances, members, seats, rotation ---------------------------------------------------
@transaction.atomic
def alliance_create(
    *, name: str, chain: str, region: Region, founded_on: dt.date, lead_enterprise: Enterprise | None = None, **fields
) -> Alliance:
    """Create an alliance; its lead enterprise (链主) joins it as a member on the founding date."""
    alliance = _save_new(
        Alliance(
            name=name, chain=chain, region=region, founded_on=founded_on, lead_enterprise=lead_enterprise, **fields
        )
    )
    if lead_enterprise is not None:
        membership_add(
            alliance=alliance, enterprise=lead_enterprise, position=Membership.Position.LEAD, joined_on=founded_on
        )
    return alliance


@transaction.atomic
def alliance_update(*, alliance: Alliance, **fields) -> Alliance:
    lead = fields.get("lead_enterprise", alliance.lead_enterprise)
    _apply(alliance, fields)
    if lead is not None and not alliance.memberships.filter(enterprise=lead, left_on__isnull=True).exists():
        membership_add(
            alliance=alliance, enterprise=lead, position=Membership.Position.LEAD, joined_on=timezone.localdate()
        )
    return alliance


@transaction.atomic
def alliance_delete(*, alliance: Alliance) -> None:
    _delete(alliance, _("该联盟已有成员、班子或其他记录，不能删除。"))


def membership_check_member(
    *, alliance: Alliance, enterprise: Enterprise | None = None, department: Department | None = None
) -> None:
    """Who may join `alliance` (ValidationError otherwise): an enterprise of its region, or a
    department of its region or above. membership_add's rule, also read by the membership import's
    check (alliances/imports/memberships.py) so it is written once."""
    if enterprise is not None and not enterprise.region.is_within(alliance.region_id):
        raise ValidationError({"enterprise": _("该企业不在本联盟所属区域内。")})
    if department is not None and not alliance.region.is_within(department.region_id):
        raise ValidationError({"department": _("该部门不属于本联盟所在区域或其上级区域。")})


@transaction.atomic
def membership_add(
    *,
    alliance: Alliance,
    position: str,
    joined_on: dt.date,
    enterprise: Enterprise | None = None,
    department: Department | None = None,
    note: str = "",
) -> Membership:
    membership_check_member(alliance=alliance, enterprise=enterprise, department=department)
    membership = _save_new(
        Membership(
            alliance=alliance,
            enterprise=enterprise,
            department=department,
            position=Membership.Position.FACTOR if department is not None else position,
            joined_on=joined_on,
            note=note,
        )
    )
    _audit_membership(membership, audit.Action.MEMBERSHIP_CREATE)
    return membership


def _audit_membership(membership: Membership, action) -> None:
    audit.record(
        action=action,
        target=membership,
        region=membership.alliance.region,
        data={
            "object": str(membership.alliance),
            "position": str(membership.get_position_display()),
            "joined_on": membership.joined_on,
            "left_on": membership.left_on,
        },
    )


def _audit_seat(seat: CommitteeSeat, action) -> None:
    """Seats carry the alliance rights, so a seat record is also the record of those rights."""
    audit.record(
        action=action,
        target=seat,
        region=seat.alliance.region,
        data={
            "object": str(seat.alliance),
            "person_name": seat.person_name,
            "user_id": seat.user_id,
            "term_start": seat.term_start,
            "term_end": seat.term_end,
        },
    )


def _refuse_leaving_before_seats_start(seats, *, left_on: dt.date) -> None:
    """A seat that has not started by the leaving date could never begin (its holder's unit is no
    longer a member then), and its term cannot end before it starts: ask for a decision instead."""
    waiting = list(seats.order_by("term_start"))
    if waiting:
        names = "、".join(
            _("%(role)s %(name)s（任期自 %(start)s 起）")
            % {"role": seat.get_role_display(), "name": seat.person_name, "start": seat.term_start.isoformat()}
            for seat in waiting
        )
        raise ValidationError(
            _(
                "退出日期 %(date)s 早于以下班子成员的任期开始：%(seats)s。"
                "请选择不早于任期开始的退出日期，或请平台管理员先撤销该任职。"
            )
            % {"date": left_on.isoformat(), "seats": names}
        )


@transaction.atomic
def membership_end(*, membership: Membership, left_on: dt.date) -> Membership:
    # Locked and re-read: two people ending the same membership at once take turns, and the
    # second is told it has ended instead of overwriting the first's date.
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if membership.left_on is not None:
        raise ValidationError(_("该成员已于 %s 退出。") % membership.left_on)
    origin = Q(enterprise=membership.enterprise) if membership.enterprise_id else Q(department=membership.department)
    seats = CommitteeSeat.objects.filter(origin, alliance=membership.alliance)
    _refuse_leaving_before_seats_start(seats.filter(term_start__gt=left_on), left_on=left_on)
    membership = _apply(membership, {"left_on": left_on})
    _audit_membership(membership, audit.Action.MEMBERSHIP_END)
    # A seat cannot outlast its origin's membership: open terms and terms running past the date end with it.
    outlasting = seats.filter(Q(term_end__isnull=True) | Q(term_end__gt=left_on))
    for seat in outlasting:
        seat.term_end = left_on
        _audit_seat(seat, audit.Action.SEAT_END)
    outlasting.update(term_end=left_on)
    _forget_seat_holders(CommitteeSeat.objects.filter(origin, alliance=membership.alliance, user__isnull=False))
    return membership


@transaction.atomic
def seat_assign(
    *,
    alliance: Alliance,
    role: str,
    person_name: str,
    term_start: dt.date,
    user=None,
    enterprise: Enterprise | None = None,
    department: Department | None = None,
    term_end: dt.date | None = None,
    actor=None,
    system: bool = False,
) -> CommitteeSeat:
    """Post someone on the committee. With an `actor` (every page and API path), the account must
    be one the alliance may appoint (`selectors.seat_candidates`) and a seat holder may not post a
    role above their own; `system=True` instead is for data loading only (the first secretary of a
    new alliance has nobody above them on the platform)."""
    _require_actor(actor, system)
    if actor is not None:
        _check_seat_actor(actor, alliance=alliance, role=role, user=user)
    seat = _save_new(
        CommitteeSeat(
            alliance=alliance,
            role=role,
            person_name=person_name,
            user=user,
            enterprise=enterprise,
            department=department,
            term_start=term_start,
            term_end=term_end,
        )
    )
    _audit_seat(seat, audit.Action.SEAT_CREATE)
    _forget_seat_holders([seat])
    return seat


#: Lower is higher: a seat holder posts roles at or below their own.
SEAT_RANK = {
    CommitteeSeat.Role.SECRETARY: 0,
    CommitteeSeat.Role.DEPUTY: 1,
    CommitteeSeat.Role.LIAISON: 2,
    CommitteeSeat.Role.MEMBER_FULLTIME: 2,
    CommitteeSeat.Role.MEMBER_PARTTIME: 2,
}


def _check_seat_actor(actor, *, alliance: Alliance, role: str, user) -> None:
    from .selectors import seat_candidates

    if user is not None and not seat_candidates(alliance=alliance).filter(pk=user.pk).exists():
        raise ValidationError(
            {"user": _("只能选择本联盟成员企业的书记、成员部门的办理人、本区域组织部人员或曾在本联盟任职的人员。")}
        )
    scope = scope_for(actor)
    if scope.is_global_admin or Alliance.objects.filter(scope.in_managed_region(), pk=alliance.pk).exists():
        return
    own = seats_in_force().filter(alliance=alliance, user=actor, role__in=CommitteeSeat.MANAGING_ROLES)
    best = min((SEAT_RANK[seat_role] for seat_role in own.values_list("role", flat=True)), default=None)
    if best is None:
        raise PermissionDenied(_("您无权为该联盟登记班子成员。"))
    if SEAT_RANK.get(role, 0) < best:
        raise ValidationError({"role": _("不能登记高于本人职务的班子成员。")})


@transaction.atomic
def seat_end(*, seat: CommitteeSeat, term_end: dt.date) -> CommitteeSeat:
    seat = _apply(seat, {"term_end": term_end})
    _audit_seat(seat, audit.Action.SEAT_END)
    _forget_seat_holders([seat])
    return seat


def _forget_seat_holders(seats) -> None:
    """Seats carry rights by date (access.scope_for reads them); a scope already loaded in this
    request for a holder is dropped so the change shows at once."""
    for seat in seats:
        if seat.user is not None:
            forget_scope(seat.user)


@transaction.atomic
def rotation_set(*, alliance: Alliance, year: int, quarter: int, enterprise: Enterprise, person_name: str):
    """Plan the quarter's chair, replacing one already planned. Two planners of one alliance take
    turns on the alliance's row lock, so the second sees the first's row and replaces it; a row
    written by a path without the lock (the admin) between the check and the insert is replaced
    the same way."""
    Alliance.objects.select_for_update().only("pk").get(pk=alliance.pk)
    planned = RotatingChair.objects.filter(alliance=alliance, year=year, quarter=quarter)
    existing = planned.first()
    if existing is None:
        rotation = RotatingChair(
            alliance=alliance, year=year, quarter=quarter, enterprise=enterprise, person_name=person_name
        )
        # The unique check is the database's (the insert below): a row committed meanwhile by a
        # path without the alliance lock is then replaced, not refused as "already exists".
        rotation.full_clean(validate_unique=False, validate_constraints=False)
        try:
            with transaction.atomic():
                rotation.save()
        except IntegrityError:
            existing = planned.first()
            if existing is None:
                raise
    if existing is not None:
        rotation = _apply(existing, {"enterprise": enterprise, "person_name": person_name})
    audit.record(
        action=audit.Action.ROTATION_SET,
        target=rotation,
        region=alliance.region,
        data={"object": str(alliance), "enterprise": str(enterprise), "person_name": person_name},
    )
    return rotation


# -- people and roles --------------------------------------------------------------------
@transaction.atomic
def region_grant(*, region: Region, user, manage: bool, actor=None, system: bool = False) -> None:
    """Organisation-department staff manage a region; leaders only view it. Granted by a platform
    administrator, or by staff who manage the region (or one above it) to someone they reach: no one
    gives a role above their own (a leader, who only views, gives nothing) or outside their regions.
    `system=True` instead only for data loading (`_require_actor`)."""
    _require_actor(actor, system)
    if actor is not None:
        if not people.may_grant_region(actor, region):
            raise PermissionDenied(_("您无权授予该区域的组织部或领导权限。"))
        _check_grantee(actor, user)
    permission = roles.MANAGE_REGION if manage else roles.VIEW_REGION
    assign_perm(f"alliances.{permission}", user, region)
    forget_scope(user)
    audit.record_grant(user=user, obj=region, permission=permission)


@transaction.atomic
def membership_update(*, membership: Membership, position: str, note: str | None = None) -> Membership:
    """Correct a membership's position on the chain (and its note); a department stays 要素保障.
    Used by the membership import (issue 11); joining and leaving dates go through membership_add
    and membership_end, which keep the history."""
    fields = {"position": Membership.Position.FACTOR if membership.department_id else position}
    if note is not None:
        fields["note"] = note
    fields = {name: value for name, value in fields.items() if getattr(membership, name) != value}
    if not fields:
        return membership
    return _apply(membership, fields)
