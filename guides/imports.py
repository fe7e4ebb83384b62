"""Import kinds of the guides app (issue 11): guides (党建指导员) and their assignments (联系安排).

Guides are matched by mobile number: a guide of the region whose account has the number, else an
account the importing staff member reaches (it becomes a guide), else a new account created as the
people pages do (a temporary password shown once, changed at the first login). Assignments are
matched by guide, target and start date; a 结束日期 on a running assignment ends it (assignment_end),
so the history of who served whom is kept. Everything goes through guides.services.
"""

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from alliances.imports import kit
from alliances.models import Department
from chainparty.imports.base import CHOICE, DATE, MOBILE, Column
from chainparty.imports.registry import import_kinds

from . import services
from .models import Assignment, Guide, Team
from .services import people as people_services
from .services.people import assignment_update

GUIDE_FIELDS = ("name", "kind", "rank", "position", "phone", "term_start", "term_end")


def _guide_rows(ctx):
    return Guide.objects.filter(region__in=kit.regions_of(ctx.region)).select_related(
        "user", "department", "zone", "region"
    )


def _overlaps(assignment, starts_on, ends_on) -> bool:
    return assignment.overlaps(starts_on, ends_on)


@import_kinds.register
class GuideKind(kit.StaffKind):
    identifier = "guides"
    verbose_name = gettext_lazy("党建指导员")
    columns = (
        Column(
            "name", gettext_lazy("姓名"), aliases=("指导员姓名", "指导员"), required=True, max_length=50, example="孙立"
        ),
        Column(
            "mobile",
            gettext_lazy("手机号码"),
            aliases=("手机", "手机号"),
            required=True,
            type=MOBILE,
            example="13900000000",
        ),
        Column(
            "kind",
            gettext_lazy("类别"),
            aliases=("指导员类别", "身份类别"),
            type=CHOICE,
            choices=kit.labels(Guide.Kind),
            synonyms={"指导员": "党建工作指导员", "党建指导员": "党建工作指导员", "红帆": "红帆指导员"},
            help=gettext_lazy("留空为党建工作指导员"),
        ),
        Column(
            "sender",
            gettext_lazy("派出单位"),
            aliases=("派出部门", "选派单位", "派驻单位", "派出园区（片区）党工委"),
            required=True,
            example="某某县工业和信息化局",
            help=gettext_lazy("选派的部门名称，或园区（片区）名称"),
            width=30,
        ),
        Column(
            "rank",
            gettext_lazy("职级"),
            type=CHOICE,
            choices=kit.labels(Guide.Rank),
            synonyms={"县级干部": "县级", "科级干部": "科级", "一般": "一般干部", "科员": "一般干部"},
            help=gettext_lazy("留空为一般干部"),
        ),
        Column("position", gettext_lazy("职务"), max_length=100, example="副局长"),
        Column("phone", gettext_lazy("联系电话"), aliases=("办公电话",), max_length=30),
        Column(
            "term_start",
            gettext_lazy("选派日期"),
            aliases=("任期开始", "派驻日期", "选派时间"),
            required=True,
            type=DATE,
            example="2024-03-01",
        ),
        Column("term_end", gettext_lazy("任期结束"), aliases=("任期结束日期", "任期截止"), type=DATE),
    )
    instructions = (
        gettext_lazy("按手机号码匹配：本区域已有的指导员更新其信息；已有账号的人员登记为指导员；其余人员新建账号。"),
        gettext_lazy("新建的账号在导入完成后显示一次临时密码，首次登录须修改密码。留空的单元格不修改已有数据。"),
    )

    def prepare(self, ctx):
        ctx.cache["guides"] = {guide.user.mobile: guide for guide in _guide_rows(ctx) if guide.user.mobile}
        ctx.cache["guide_users"] = set(Guide.objects.values_list("user_id", flat=True))
        kit.departments(ctx, above=False)
        kit.zones(ctx)
        kit.accounts(ctx)

    def check_row(self, row, ctx):
        mobile, name = row.values.get("mobile"), kit.text(row, "name")
        if not mobile or not name or not self.first_seen(row, ctx, "mobile", mobile):
            return
        sender = self._sender(row, ctx)
        term_start, term_end = row.values.get("term_start"), row.values.get("term_end")
        if term_start and term_end and term_end < term_start:
            row.error("term_end", _("任期结束日期不能早于选派日期。"))
        if sender is None or row.has_errors:
            return
        fields = {"name": name}
        for key, enum in (("kind", Guide.Kind), ("rank", Guide.Rank)):
            if kit.given(row, key):
                fields[key] = kit.choice_value(enum, row.values[key])
        for key in ("position", "phone"):
            if kit.given(row, key):
                fields[key] = kit.text(row, key)
        for key in ("term_start", "term_end"):
            if row.values.get(key) is not None:
                fields[key] = row.values[key]
        row.data.update(sender=sender, fields=fields)
        guide = ctx.cache["guides"].get(mobile)
        if guide is not None:
            row.data["guide"] = guide
            changes = kit.changed_fields(
                {key: getattr(guide, key) for key in fields}, fields, {key: self.header_of(key) for key in fields}
            )
            if guide.sender != sender:
                changes.append(self.header_of("sender"))
            kit.set_outcome(row, changes)
            return
        person, problem = kit.accounts(ctx).find(mobile)
        if problem:
            row.error("mobile", problem)
            return
        if person is not None and person.pk in ctx.cache["guide_users"]:
            row.error("mobile", _("手机号码 %s 的账号已是其他区域的党建指导员。") % mobile)
            return
        if person is None:
            kit.announce_new_account(row, ctx, "name", name)
        row.data["person"] = person
        kit.set_outcome(row, None)

    def _sender(self, row, ctx):
        value = kit.text(row, "sender")
        if not value:
            return None
        departments, zones = kit.departments(ctx, above=False), kit.zones(ctx)
        if value in departments.by_name and value in zones.by_name:
            row.error("sender", _("“%s”既是部门又是片区的名称，无法确定派出单位。") % value)
            return None
        lookup = zones if value in zones.by_name else departments
        if value not in departments.by_name and value not in zones.by_name:
            row.error("sender", kit.not_found(ctx, _("派出单位"), value, [*departments.names(), *zones.names()]))
            return None
        sender, problem = lookup.find(ctx, value)
        if problem:
            row.error("sender", problem)
        return sender

    def apply_row(self, row, ctx):
        sender, fields = row.data["sender"], dict(row.data["fields"])
        by = {"department": sender} if isinstance(sender, Department) else {"zone": sender}
        guide = row.data.get("guide")
        if guide is not None:
            moved = by if guide.sender != sender else {}
            services.guide_update(actor=ctx.user, guide=guide, **moved, **fields)
            return
        person = row.data["person"]
        if person is None:
            unit = sender if isinstance(sender, Department) else sender.region
            person = kit.create_account(ctx, row, real_name=fields["name"], mobile=row.values["mobile"], unit=unit)
        services.guide_create(actor=ctx.user, user=person, **by, **fields)


@import_kinds.register
class GuideAssignmentKind(kit.StaffKind):
    identifier = "guide_assignments"
    verbose_name = gettext_lazy("指导员联系安排")
    columns = (
        Column(
            "guide",
            gettext_lazy("指导员"),
            aliases=("指导员姓名", "姓名"),
            example="孙立",
            help=gettext_lazy("指导员和指导组填其一"),
        ),
        Column(
            "guide_mobile",
            gettext_lazy("指导员手机"),
            aliases=("手机号码", "手机", "手机号"),
            type=MOBILE,
            example="13900000000",
            help=gettext_lazy("同名指导员须填写手机号码"),
        ),
        Column(
            "team",
            gettext_lazy("指导组"),
            aliases=("指导组名称", "服务队", "工作组"),
            help=gettext_lazy("组团式联系时填写指导组名称，指导员留空"),
        ),
        Column(
            "target_type",
            gettext_lazy("联系对象类型"),
            aliases=("对象类型",),
            type=CHOICE,
            choices=kit.labels(Assignment.Target),
            synonyms={"片区": "工作片区", "园区": "工作片区", "联盟": "联盟成员企业", "产业链党委": "联盟成员企业"},
            help=gettext_lazy("留空时按联系对象的名称判断"),
        ),
        Column(
            "target",
            gettext_lazy("联系对象"),
            aliases=("联系企业", "联系片区", "包联对象", "服务对象", "包联企业"),
            required=True,
            example="某某纺织有限公司",
            help=gettext_lazy("片区、企业（名称或统一社会信用代码）或联盟的名称"),
            width=30,
        ),
        Column(
            "starts_on",
            gettext_lazy("开始日期"),
            aliases=("联系开始日期", "起始日期", "包联开始日期"),
            required=True,
            type=DATE,
            example="2024-04-01",
        ),
        Column("ends_on", gettext_lazy("结束日期"), aliases=("联系结束日期", "截止日期"), type=DATE),
        Column(
            "cadence",
            gettext_lazy("走访频次"),
            aliases=("走访频率",),
            type=CHOICE,
            choices=kit.labels(Assignment.Cadence),
            synonyms={"每月": "每月走访", "月度": "每月走访", "每季度": "每季度走访", "季度": "每季度走访"},
            help=gettext_lazy("留空为每季度走访"),
        ),
        Column("note", gettext_lazy("备注"), max_length=200),
    )
    instructions = (
        gettext_lazy(
            "按指导员（或指导组）、联系对象和开始日期匹配已有联系安排；填写结束日期即结束该安排，历史记录保留。"
        ),
        gettext_lazy("指导员须先登记（导入“党建指导员”），指导组须先在指导组页面建立。"),
    )

    TARGETS = (
        (Assignment.Target.ZONE, "zone"),
        (Assignment.Target.ENTERPRISE, "enterprise"),
        (Assignment.Target.ALLIANCE, "alliance"),
    )

    def prepare(self, ctx):
        by_name, by_mobile = {}, {}
        for guide in _guide_rows(ctx):
            by_name.setdefault(guide.name.strip(), []).append(guide)
            if guide.user.mobile:
                by_mobile[guide.user.mobile] = guide
        ctx.cache["guides"] = (by_name, by_mobile)
        regions = kit.regions_of(ctx.region)
        ctx.cache["teams"] = kit.ByName(Team.objects.filter(region__in=regions).order_by("pk"), what=_("指导组"))
        existing = {}
        for assignment in Assignment.objects.filter(Q(guide__region__in=regions) | Q(team__region__in=regions)):
            target_id = assignment.zone_id or assignment.enterprise_id or assignment.alliance_id
            assignee = ("guide", assignment.guide_id) if assignment.guide_id else ("team", assignment.team_id)
            existing.setdefault((*assignee, assignment.target, target_id), []).append(assignment)
        ctx.cache["assignments"] = existing
        kit.zones(ctx)
        kit.enterprises(ctx)
        kit.alliances(ctx)

    def check_row(self, row, ctx):
        assignee = self._assignee(row, ctx)
        target, obj = self._target(row, ctx)
        starts_on, ends_on = row.values.get("starts_on"), row.values.get("ends_on")
        if assignee is None or obj is None or starts_on is None or row.has_errors:
            return
        if ends_on is not None and ends_on < starts_on:
            row.error("ends_on", _("结束日期不能早于开始日期。"))
            return
        who = ("team" if isinstance(assignee, Team) else "guide", assignee.pk)
        if not self.first_seen(row, ctx, "target", (*who, target, obj.pk, starts_on)):
            return
        cadence = kit.choice_value(Assignment.Cadence, row.values.get("cadence"))
        note = kit.text(row, "note") if kit.given(row, "note") else None
        row.data.update(assignee={who[0]: assignee}, target=target, obj=obj, cadence=cadence, note=note)
        history = ctx.cache["assignments"].get((*who, target, obj.pk), [])
        same = next((a for a in history if a.starts_on == starts_on), None)
        if same is None:
            self._check_new(row, assignee, obj, history, starts_on, ends_on)
        else:
            self._check_existing(row, same, cadence, note, ends_on)
        if not row.has_errors and same is None:
            self._apart_from_earlier_rows(row, ctx, (*who, target, obj.pk), starts_on, ends_on)

    def _assignee(self, row, ctx):
        """The guide or the team the row assigns (one of them), or None after an error."""
        if kit.given(row, "team"):
            if kit.given(row, "guide") or kit.given(row, "guide_mobile"):
                row.error("team", _("指导员和指导组只能填一个：组团式联系填指导组，个人联系填指导员。"))
                return None
            team, problem = ctx.cache["teams"].find(ctx, kit.text(row, "team"))
            if problem:
                row.error("team", problem)
            return team
        if not (kit.given(row, "guide") or kit.given(row, "guide_mobile")):
            row.error("guide", _("请填写指导员（或组团式联系的指导组）。"))
            return None
        return self._guide(row, ctx)

    def _apart_from_earlier_rows(self, row, ctx, key, starts_on, ends_on):
        """Two new rows of one guide and target may not overlap (the service would refuse the second)."""
        spans = ctx.cache.setdefault("assignment:spans", {}).setdefault(key, [])
        for number, start, end in spans:
            if (end is None or starts_on <= end) and (ends_on is None or ends_on >= start):
                row.error("starts_on", _("与第 %d 行的联系安排日期重叠。") % number)
                return
        spans.append((row.number, starts_on, ends_on))

    def _guide(self, row, ctx):
        by_name, by_mobile = ctx.cache["guides"]
        name, mobile = kit.text(row, "guide"), row.values.get("guide_mobile")
        if mobile:
            guide = by_mobile.get(mobile)
            if guide is None:
                row.error("guide_mobile", _("本区域没有手机号码为 %s 的党建指导员，请先导入指导员。") % mobile)
            elif name and guide.name != name:
                row.error(
                    "guide", _("手机号码 %(mobile)s 的指导员是“%(name)s”。") % {"mobile": mobile, "name": guide.name}
                )
                return None
            return guide
        if not name:
            return None
        found = by_name.get(name, [])
        if len(found) > 1:
            row.error(
                "guide_mobile",
                _("本区域有 %(n)d 名叫“%(name)s”的指导员，请填写手机号码。") % {"n": len(found), "name": name},
            )
            return None
        if not found:
            row.error("guide", kit.not_found(ctx, _("指导员"), name, by_name.keys()))
            return None
        return found[0]

    def _target(self, row, ctx):
        value = kit.text(row, "target")
        if not value:
            return None, None
        lookups = {"zone": kit.zones(ctx), "enterprise": kit.enterprises(ctx), "alliance": kit.alliances(ctx)}
        chosen = kit.choice_value(Assignment.Target, row.values.get("target_type"))
        if chosen is None and kit.given(row, "target_type"):
            return None, None
        if chosen is None:
            fitting = [
                target
                for target, key in self.TARGETS
                if value in lookups[key].by_name or (key == "enterprise" and kit.CREDIT_CODE.match(value.upper()))
            ]
            if len(fitting) > 1:
                row.error("target_type", _("“%s”可能是片区、企业或联盟中的多个，请填写联系对象类型。") % value)
                return None, None
            if not fitting:
                names = [name for lookup in lookups.values() for name in lookup.names()]
                row.error("target", kit.not_found(ctx, _("联系对象"), value, names))
                return None, None
            chosen = fitting[0]
        obj, problem = lookups[dict(self.TARGETS)[chosen]].find(ctx, value)
        if problem:
            row.error("target", problem)
        return chosen, obj

    def _check_new(self, row, assignee, obj, history, starts_on, ends_on):
        # assignment_create's rules (guides.services.people), checked here so the report names the row.
        try:
            people_services.assignment_check_assignee(assignee=assignee, starts_on=starts_on)
        except ValidationError as error:
            row.error("team" if isinstance(assignee, Team) else "starts_on", "；".join(error.messages))
            return
        try:
            clash = next((a for a in history if _overlaps(a, starts_on, ends_on)), None)
            people_services.assignment_check_clash(assignee=assignee, target=obj, clash=clash)
        except ValidationError as error:
            row.error("starts_on", "；".join(error.messages))
            return
        kit.set_outcome(row, None)

    def _check_existing(self, row, assignment, cadence, note, ends_on):
        row.data["assignment"] = assignment
        changes = []  # in the columns' order
        if ends_on != assignment.ends_on:
            if assignment.ends_on is not None:
                row.error(
                    "ends_on",
                    _("该联系安排已于 %s 结束，结束日期不能通过导入修改；如再次安排，请另起一行填写新的开始日期。")
                    % assignment.ends_on.isoformat(),
                )
                return
            changes.append(self.header_of("ends_on"))
        if cadence is not None and cadence != assignment.cadence:
            changes.append(self.header_of("cadence"))
        if note is not None and note != assignment.note:
            changes.append(self.header_of("note"))
        kit.set_outcome(row, changes)

    def apply_row(self, row, ctx):
        data, ends_on = row.data, row.values.get("ends_on")
        assignment = data.get("assignment")
        if assignment is None:
            services.assignment_create(
                actor=ctx.user,
                **data["assignee"],
                starts_on=row.values["starts_on"],
                ends_on=ends_on,
                cadence=data["cadence"] or Assignment.Cadence.QUARTERLY,
                note=data["note"] or "",
                **{dict(self.TARGETS)[data["target"]]: data["obj"]},
            )
            return
        assignment_update(actor=ctx.user, assignment=assignment, cadence=data["cadence"], note=data["note"])
        if ends_on is not None and assignment.ends_on is None:
            services.assignment_end(actor=ctx.user, assignment=assignment, ends_on=ends_on)
