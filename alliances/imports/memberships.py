"""Import kind: alliance membership (成员名单): an enterprise or a department in an alliance, its
position on the chain and the day it joined (and left).

History is kept as the alliance page keeps it: a membership is matched by alliance, member and
joining date; a 退出日期 on a current member ends that membership (membership_end, which ends the
seats it carried); a later joining date after the member left adds a new membership (rejoining).
Organisation staff import for their region; an alliance's secretary for their own alliance.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chainparty.imports.base import CHOICE, DATE, Column
from chainparty.imports.registry import import_kinds

from .. import services
from ..access import scope_for
from ..models import CommitteeSeat, Membership
from . import kit

Position = Membership.Position


def _alliance_names(ctx):
    return sorted(kit.alliances(ctx).names())


@import_kinds.register
class MembershipKind(kit.StaffKind):
    identifier = "memberships"
    verbose_name = gettext_lazy("联盟成员")
    columns = (
        Column(
            "alliance",
            gettext_lazy("联盟名称"),
            aliases=("所属联盟", "产业链党委", "产业链党委（联盟）", "联盟"),
            required=True,
            type=CHOICE,
            choices=_alliance_names,
            example="某某县纺织服装产业链党委",
            width=30,
        ),
        Column(
            "member",
            gettext_lazy("成员单位"),
            aliases=("成员名称", "企业名称", "单位名称", "成员企业", "成员企业（部门）"),
            required=True,
            example="某某纺织有限公司",
            help=gettext_lazy("企业填名称或统一社会信用代码，部门填部门名称"),
            width=30,
        ),
        Column(
            "position",
            gettext_lazy("链上位置"),
            aliases=("产业链位置", "产业链环节", "所处环节", "位置", "成员类型"),
            required=True,
            type=CHOICE,
            choices=kit.labels(Position),
            synonyms={
                "链主企业": "链主",
                "上游企业": "上游",
                "下游企业": "下游",
                "配套企业": "配套",
                "要素保障部门": "要素保障",
            },
            example="下游",
        ),
        Column(
            "joined_on",
            gettext_lazy("加入日期"),
            aliases=("加入时间", "入盟日期", "入盟时间", "加入联盟时间"),
            required=True,
            type=DATE,
            example="2023-09-01",
        ),
        Column("left_on", gettext_lazy("退出日期"), aliases=("退出时间",), type=DATE),
        Column("note", gettext_lazy("备注"), max_length=200),
    )
    instructions = (
        gettext_lazy("按联盟、成员单位和加入日期匹配已有成员；在册成员填写退出日期即登记退出，历史记录保留。"),
        gettext_lazy("成员退出后再次加入，请另起一行填写新的加入日期。"),
        gettext_lazy("部门成员的链上位置一律为“要素保障”。"),
    )

    def may_import(self, user, region) -> bool:
        return super().may_import(user, region) or bool(kit.managed_alliance_ids(user, region))

    def offered_to(self, user) -> bool:
        scope = scope_for(user) if user is not None and user.is_authenticated else None
        return bool(scope and (scope.is_org_staff or scope.is_alliance_secretary))

    def regions_for(self, user) -> list:
        regions = {region.pk: region for region in super().regions_for(user)}
        for region in kit.secretary_regions(user):
            regions.setdefault(region.pk, region)
        return list(regions.values())

    def job_regions_for(self, user) -> list:
        """Organisation staff see every job of their regions; a secretary only their own."""
        return super().regions_for(user)

    def prepare(self, ctx):
        kit.alliances(ctx)
        kit.enterprises(ctx)
        kit.departments(ctx)
        ctx.cache["membership:staff"] = kit.manages_region(ctx.user, ctx.region)
        ctx.cache["membership:own"] = kit.managed_alliance_ids(ctx.user, ctx.region)
        by_member = {}
        rows = Membership.objects.filter(alliance__region__in=kit.regions_of(ctx.region)).order_by("joined_on", "pk")
        for membership in rows:
            member = (
                ("enterprise", membership.enterprise_id)
                if membership.enterprise_id
                else ("department", membership.department_id)
            )
            by_member.setdefault((membership.alliance_id, *member), []).append(membership)
        ctx.cache["memberships"] = by_member
        # The latest seat start per alliance and origin: a member cannot leave before a seat of theirs begins.
        seats = {}
        for seat in CommitteeSeat.objects.filter(alliance__region__in=kit.regions_of(ctx.region)).order_by(
            "term_start"
        ):
            origin = ("enterprise", seat.enterprise_id) if seat.enterprise_id else ("department", seat.department_id)
            seats[(seat.alliance_id, *origin)] = seat
        ctx.cache["membership:seats"] = seats

    def check_row(self, row, ctx):
        if not kit.given(row, "alliance") or not kit.given(row, "member"):
            return  # the core has reported the empty or unknown cell
        alliance, problem = kit.alliances(ctx).find(ctx, kit.text(row, "alliance"))
        if problem:
            row.error("alliance", problem)
            return
        if not ctx.cache["membership:staff"] and alliance.pk not in ctx.cache["membership:own"]:
            row.error("alliance", _("您只能导入本人所在联盟的成员。"))
            return
        member, problem = self._member(ctx, kit.text(row, "member"))
        if problem:
            row.error("member", problem)
            return
        joined_on, left_on = row.values.get("joined_on"), row.values.get("left_on")
        if joined_on is None:
            return
        if left_on is not None and left_on < joined_on:
            row.error("left_on", _("退出日期不能早于加入日期。"))
            return
        kind = "department" if member.__class__.__name__ == "Department" else "enterprise"
        # membership_add's rule (one service function), checked here so the report names the row.
        try:
            services.membership_check_member(alliance=alliance, **{kind: member})
        except ValidationError as error:
            row.error("member", "；".join(error.messages))
            return
        if not self.first_seen(row, ctx, "member", (alliance.pk, kind, member.pk, joined_on)):
            return
        position = kit.choice_value(Position, row.values.get("position"))
        if position is None:
            return
        if kind == "department":
            position = Position.FACTOR
        try:  # the model's rule for the position (an enterprise is not 要素保障)
            Membership(
                alliance=alliance, enterprise=member if kind == "enterprise" else None, position=position
            ).clean()
        except ValidationError as error:
            row.error("position", "；".join(error.messages))
            return
        history = ctx.cache["memberships"].get((alliance.pk, kind, member.pk), [])
        row.data.update(alliance=alliance, kind=kind, member=member, position=position)
        row.data["member_key"] = (alliance.pk, kind, member.pk)
        same = next((m for m in history if m.joined_on == joined_on), None)
        if same is not None:
            self._check_existing(row, ctx, same, position, left_on)
        else:
            self._check_new(row, history, joined_on)
        if not row.has_errors:
            self._after_earlier_rows(row, ctx, (alliance.pk, kind, member.pk), joined_on, left_on)

    def _after_earlier_rows(self, row, ctx, member_key, joined_on, left_on) -> None:
        """Several rows of one member (its history) come in order of joining, each after the one
        before has left: they are applied in the file's order, as the alliance page would record them."""
        spans = ctx.cache.setdefault("membership:spans", {}).setdefault(member_key, [])
        if spans:
            number, _joined, previous_left = spans[-1]
            if previous_left is None or previous_left >= joined_on:
                row.error(
                    "joined_on",
                    _("同一成员的多行须按加入日期先后排列，且在上一段退出之后加入（见第 %d 行）。") % number,
                )
                return
        spans.append((row.number, joined_on, left_on))

    def _member(self, ctx, value):
        """An enterprise (by credit code or name) or a department, whichever the name is."""
        enterprises, departments = kit.enterprises(ctx), kit.departments(ctx)
        if value in enterprises.by_name or kit.CREDIT_CODE.match(value.upper()):
            return enterprises.find(ctx, value)
        if value in departments.by_name:
            return departments.find(ctx, value)
        return None, kit.not_found(ctx, _("成员单位"), value, [*enterprises.names(), *departments.names()])

    def _check_existing(self, row, ctx, membership, position, left_on):
        row.data["membership"] = membership
        changes = []
        if membership.position != position:
            changes.append(self.header_of("position"))
        if membership.left_on != left_on:
            if membership.left_on is not None and left_on is None:
                row.error(
                    "left_on",
                    _("该成员已于 %s 退出；如已重新加入，请另起一行填写新的加入日期。")
                    % membership.left_on.isoformat(),
                )
                return
            if membership.left_on is not None:
                row.error(
                    "left_on", _("该成员已于 %s 退出，退出日期不能通过导入修改。") % membership.left_on.isoformat()
                )
                return
            seat = ctx.cache["membership:seats"].get(row.data["member_key"])
            if seat is not None and seat.term_start > left_on:
                row.error(
                    "left_on",
                    _("退出日期 %(date)s 早于该单位班子成员 %(name)s 的任期开始（%(start)s），请先处理该任职。")
                    % {"date": left_on.isoformat(), "name": seat.person_name, "start": seat.term_start.isoformat()},
                )
                return
            changes.append(self.header_of("left_on"))
        if kit.given(row, "note") and kit.text(row, "note") != membership.note:
            changes.append(self.header_of("note"))
        if membership.left_on is not None and changes:
            row.error("member", _("该成员已退出，历史记录不能修改。"))
            return
        kit.set_outcome(row, changes)

    def _check_new(self, row, history, joined_on):
        current = next((m for m in history if m.left_on is None), None)
        if current is not None:
            row.error(
                "joined_on",
                _("该单位已于 %s 加入本联盟且仍在册；如需登记退出后再加入，请先填写原成员的退出日期。")
                % current.joined_on.isoformat(),
            )
            return
        overlapping = next((m for m in history if m.left_on is not None and m.left_on >= joined_on), None)
        if overlapping is not None:
            row.error(
                "joined_on",
                _("该单位在 %(start)s 至 %(end)s 期间已是本联盟成员，加入日期不能早于上次退出日期。")
                % {"start": overlapping.joined_on.isoformat(), "end": overlapping.left_on.isoformat()},
            )
            return
        kit.set_outcome(row, None)

    def apply_row(self, row, ctx):
        if row.outcome == kit.UNCHANGED:
            return
        membership = row.data.get("membership")
        left_on = row.values.get("left_on")
        if membership is None:
            membership = services.membership_add(
                alliance=row.data["alliance"],
                position=row.data["position"],
                joined_on=row.values["joined_on"],
                note=kit.text(row, "note"),
                **{row.data["kind"]: row.data["member"]},
            )
        else:
            fields = {"position": row.data["position"]}
            if kit.given(row, "note"):
                fields["note"] = kit.text(row, "note")
            services.membership_update(membership=membership, **fields)
        if left_on is not None and membership.left_on is None:
            services.membership_end(membership=membership, left_on=left_on)
