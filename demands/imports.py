"""Import kinds of the demands app (issue 11): needs collected on paper (走访 or 会议), resources and
policies, each written through demands.services.

- Needs are matched by 编号 when the sheet has one, else by enterprise, title and the day raised. A
  need once filed is in the workflow (its timeline is append-only): a later file that differs is
  refused with what differs, to be handled on the need's page; a new one is filed through
  need_file (the alliance's managers are told, as for any filing) and dated the day it was raised.
- Resources are matched by provider (an enterprise or a department) and name.
- Policies are matched by 文号 within the department when given, else by department and title;
  new ones are drafts, published from the policy page after review (publishing pushes them).
"""

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from alliances.imports import kit
from alliances.models import Department, Enterprise, Membership
from chainparty.imports.base import CHOICE, DATE, DECIMAL, INT, Column
from chainparty.imports.registry import import_kinds

from .models import Need, Policy, Resource
from .services import policies as policy_services
from .services import resources as resource_services
from .services.paper import need_file_collected

COLLECTED = (Need.Source.VISIT, Need.Source.MEETING)


def _alliance_names(ctx):
    return sorted(kit.alliances(ctx).names())


def _owner(ctx, value):
    """An enterprise (name or credit code) or a department of the region, whichever `value` names."""
    enterprises, departments = kit.enterprises(ctx), kit.departments(ctx, above=False)
    if value in enterprises.by_name or kit.CREDIT_CODE.match(value.upper()):
        return enterprises.find(ctx, value)
    if value in departments.by_name:
        return departments.find(ctx, value)
    return None, kit.not_found(ctx, _("提供单位"), value, [*enterprises.names(), *departments.names()])


def _labels_in(row, key, enum, ctx):
    """The values of the labels listed in the cell (several separated by 、), or None after an error."""
    values, bad = [], []
    labels = kit.labels(enum)
    for label in kit.split_names(row.values.get(key)):
        value = kit.choice_value(enum, label)
        if value is None:
            hint = ctx.closest(label, labels)
            bad.append(f"“{label}”" + (_("（是否为“%s”？）") % hint if hint else ""))
        else:
            values.append(value)
    if bad:
        row.error(
            key, _("不是可选的值：%(bad)s。可选：%(labels)s。") % {"bad": "、".join(bad), "labels": "、".join(labels)}
        )
        return None
    return sorted(set(values))


# -- needs ---------------------------------------------------------------------------------------
@import_kinds.register
class NeedKind(kit.StaffKind):
    identifier = "needs"
    verbose_name = gettext_lazy("需求（走访、会议收集）")
    columns = (
        Column(
            "number",
            gettext_lazy("编号"),
            aliases=("需求编号",),
            max_length=20,
            help=gettext_lazy("已在平台登记的需求编号，新需求留空"),
        ),
        Column(
            "enterprise",
            gettext_lazy("企业名称"),
            aliases=("企业", "提出企业", "需求企业", "需求单位"),
            required=True,
            example="某某纺织有限公司",
            help=gettext_lazy("企业名称或统一社会信用代码"),
            width=28,
        ),
        Column(
            "alliance",
            gettext_lazy("受理联盟"),
            aliases=("所属联盟", "产业链党委"),
            type=CHOICE,
            choices=_alliance_names,
            help=gettext_lazy("企业只加入一个联盟时可留空"),
            width=28,
        ),
        Column(
            "category",
            gettext_lazy("需求类别"),
            aliases=("类别", "需求类型"),
            required=True,
            type=CHOICE,
            choices=kit.labels(Need.Category),
            synonyms={
                "用工": "用工/人才",
                "人才": "用工/人才",
                "招工": "用工/人才",
                "资金": "融资",
                "土地": "用地",
                "技术": "技改/技术",
                "技改": "技改/技术",
                "订单": "订单/市场",
                "市场": "订单/市场",
                "政策": "政策咨询",
                "审批": "审批手续",
                "环保": "安全环保",
            },
            example="用工/人才",
        ),
        Column(
            "title",
            gettext_lazy("需求标题"),
            aliases=("标题", "需求名称", "需求事项"),
            required=True,
            max_length=100,
            example="急需缝纫工50名",
            width=30,
        ),
        Column(
            "description",
            gettext_lazy("需求描述"),
            aliases=("详细描述", "具体内容", "需求内容", "需求详情"),
            required=True,
            max_length=5000,
            example="旺季订单增加，需熟练缝纫工50名",
            width=40,
        ),
        Column(
            "source",
            gettext_lazy("来源"),
            aliases=("需求来源", "收集方式"),
            required=True,
            type=CHOICE,
            choices=tuple(str(Need.Source(value).label) for value in COLLECTED),
            synonyms={"入企走访": "走访", "走访收集": "走访", "会议收集": "会议", "座谈会": "会议", "联席会议": "会议"},
            example="走访",
        ),
        Column(
            "raised_on",
            gettext_lazy("提出日期"),
            aliases=("收集日期", "走访日期", "会议日期", "提出时间"),
            required=True,
            type=DATE,
            example="2026-03-02",
        ),
        Column(
            "urgency",
            gettext_lazy("紧急程度"),
            type=CHOICE,
            choices=kit.labels(Need.Urgency),
            help=gettext_lazy("留空为一般"),
        ),
        Column("funding_wan", gettext_lazy("融资金额（万元）"), aliases=("融资金额",), type=DECIMAL),
        Column("land_mu", gettext_lazy("用地面积（亩）"), aliases=("用地面积",), type=DECIMAL),
        Column("people", gettext_lazy("用工人数"), aliases=("需求人数",), type=INT),
        Column("contact_name", gettext_lazy("联系人"), max_length=50),
        Column("contact_phone", gettext_lazy("联系电话"), aliases=("联系方式",), max_length=30),
    )
    instructions = (
        gettext_lazy(
            "有编号的行按编号匹配平台上的需求；没有编号的行按企业、需求标题和提出日期匹配，匹配不到的作为新需求提交。"
        ),
        gettext_lazy("需求提交后进入办理流程，内容不能通过导入修改，请在需求页面处理。"),
        gettext_lazy("新需求提交后，受理联盟的书记和联络员会收到待受理提醒。"),
    )
    COMPARED = ("category", "description", "source", "urgency", "funding_wan", "land_mu", "people")

    def may_import(self, user, region) -> bool:
        return super().may_import(user, region) or bool(kit.managed_alliance_ids(user, region))

    def regions_for(self, user) -> list:
        regions = {region.pk: region for region in super().regions_for(user)}
        for region in kit.secretary_regions(user):
            regions.setdefault(region.pk, region)
        return list(regions.values())

    def job_regions_for(self, user) -> list:
        """Organisation staff see every job of their regions; a secretary only their own."""
        return super().regions_for(user)

    def offered_to(self, user) -> bool:
        from alliances.access import scope_for

        scope = scope_for(user) if user is not None and user.is_authenticated else None
        return bool(scope and (scope.is_org_staff or scope.is_alliance_secretary))

    def prepare(self, ctx):
        kit.enterprises(ctx)
        kit.alliances(ctx)
        ctx.cache["needs:staff"] = kit.manages_region(ctx.user, ctx.region)
        ctx.cache["needs:own"] = kit.managed_alliance_ids(ctx.user, ctx.region)
        members = {}
        active = Membership.objects.filter(
            left_on__isnull=True, enterprise__isnull=False, alliance__region__in=kit.regions_of(ctx.region)
        )
        for enterprise_id, alliance_id in active.values_list("enterprise_id", "alliance_id"):
            members.setdefault(enterprise_id, set()).add(alliance_id)
        ctx.cache["needs:members"] = members
        by_number, by_key = {}, {}
        fields = ("number", "enterprise_id", "alliance_id", "title", "filed_at", "state", *self.COMPARED)
        for need in Need.objects.filter(region__in=kit.regions_of(ctx.region)).only("pk", *fields):
            by_number[need.number] = need
            by_key[(need.enterprise_id, need.title.strip(), timezone.localdate(need.filed_at))] = need
        ctx.cache["needs"] = (by_number, by_key)

    def check_row(self, row, ctx):
        if not kit.given(row, "enterprise"):
            return
        enterprise, problem = kit.enterprises(ctx).find(ctx, kit.text(row, "enterprise"))
        if problem:
            row.error("enterprise", problem)
            return
        alliance = self._alliance(row, ctx, enterprise)
        title, raised_on = kit.text(row, "title"), row.values.get("raised_on")
        if alliance is None or not title or raised_on is None:
            return
        if raised_on > ctx.today:
            row.error("raised_on", _("提出日期不能晚于今天。"))
        if not (kit.given(row, "contact_phone") or enterprise.contact_phone or ctx.user.mobile):
            row.error("contact_phone", _("该企业没有登记联系电话，请填写联系电话。"))
        kit.not_negative(row, "funding_wan", "land_mu", "people")
        if not self.first_seen(row, ctx, "title", (enterprise.pk, title, raised_on)):
            return
        values = self._values(row)
        row.data.update(enterprise=enterprise, alliance=alliance, values=values)
        need = self._existing(row, ctx, enterprise, title, raised_on)
        if need is False or row.has_errors:
            return
        if need is None:
            kit.set_outcome(row, None)
            return
        differs = [
            self.header_of(key) for key, value in values.items() if value is not None and getattr(need, key) != value
        ]
        if differs:
            row.error(
                "",
                _(
                    "需求 %(number)s 已在平台办理（%(state)s），表中的%(fields)s与平台不同；"
                    "需求提交后不能通过导入修改，请在需求页面处理。"
                )
                % {
                    "number": need.number,
                    "state": need.state_label,
                    "fields": "、".join(f"“{name}”" for name in differs),
                },
            )
            return
        kit.set_outcome(row, [])

    def _alliance(self, row, ctx, enterprise):
        joined = ctx.cache["needs:members"].get(enterprise.pk, set())
        if kit.given(row, "alliance"):
            alliance, problem = kit.alliances(ctx).find(ctx, kit.text(row, "alliance"))
            if problem:
                row.error("alliance", problem)
                return None
            if alliance.pk not in joined:
                row.error(
                    "alliance",
                    _("“%(enterprise)s”不是“%(alliance)s”的在册成员。")
                    % {"enterprise": enterprise, "alliance": alliance},
                )
                return None
        elif len(joined) == 1:
            alliance = kit.alliances(ctx).by_pk[next(iter(joined))]
        else:
            row.error(
                "alliance",
                _("该企业加入了多个联盟，请填写受理联盟。")
                if joined
                else _("该企业尚未加入任何产业链党委（联盟），无法提交需求。"),
            )
            return None
        if not ctx.cache["needs:staff"] and alliance.pk not in ctx.cache["needs:own"]:
            row.error("alliance", _("您只能导入本人所在联盟受理的需求。"))
            return None
        return alliance

    def _values(self, row):
        values = {key: row.values.get(key) for key in ("funding_wan", "land_mu", "people")}
        values["category"] = kit.choice_value(Need.Category, row.values.get("category"))
        values["description"] = kit.text(row, "description") or None
        values["source"] = kit.choice_value(Need.Source, row.values.get("source"))
        values["urgency"] = kit.choice_value(Need.Urgency, row.values.get("urgency"))
        return {key: values[key] for key in self.COMPARED}

    def _existing(self, row, ctx, enterprise, title, raised_on):
        """The need the row stands for, None for a new one, False after an error."""
        by_number, by_key = ctx.cache["needs"]
        number = kit.text(row, "number")
        if number:
            need = by_number.get(number)
            if need is not None and not ctx.cache["needs:staff"] and need.alliance_id not in ctx.cache["needs:own"]:
                need = None  # another alliance's need: a secretary learns nothing about it
            if need is None:
                row.error("number", _("编号为 %s 的需求不存在（新需求请把编号留空）。") % number)
                return False
            if need.enterprise_id != enterprise.pk or need.title.strip() != title:
                row.error(
                    "number",
                    _("编号 %(number)s 的需求是“%(title)s”，与本行的企业或标题不符。")
                    % {"number": number, "title": need.title},
                )
                return False
            return need
        return by_key.get((enterprise.pk, title, raised_on))

    def apply_row(self, row, ctx):
        values = {key: value for key, value in row.data["values"].items() if value is not None}
        need_file_collected(
            actor=ctx.user,
            raised_on=row.values["raised_on"],
            enterprise=row.data["enterprise"],
            alliance=row.data["alliance"],
            title=kit.text(row, "title"),
            contact_name=kit.text(row, "contact_name"),
            contact_phone=kit.text(row, "contact_phone"),
            **values,
        )


# -- resources -----------------------------------------------------------------------------------
@import_kinds.register
class ResourceKind(kit.StaffKind):
    identifier = "resources"
    verbose_name = gettext_lazy("资源")
    columns = (
        Column(
            "owner",
            gettext_lazy("提供单位"),
            aliases=("提供企业", "提供部门", "企业名称", "单位名称"),
            required=True,
            example="某某纺织有限公司",
            help=gettext_lazy("企业名称或统一社会信用代码，或部门名称"),
            width=28,
        ),
        Column(
            "category",
            gettext_lazy("资源类别"),
            aliases=("类别",),
            required=True,
            type=CHOICE,
            choices=kit.labels(Resource.Category),
            synonyms={"产能共享": "产能", "设备共享": "设备", "培训": "人才培训", "厂房": "场地", "仓储": "场地"},
            example="产能",
        ),
        Column(
            "title",
            gettext_lazy("资源名称"),
            aliases=("名称", "资源"),
            required=True,
            max_length=100,
            example="闲置缝制产能",
            width=28,
        ),
        Column("description", gettext_lazy("资源说明"), aliases=("说明", "资源描述"), max_length=5000, width=40),
        Column("quantity", gettext_lazy("数量/规模"), aliases=("数量", "规模"), max_length=50, example="300台/月"),
        Column("valid_until", gettext_lazy("有效期至"), aliases=("有效期",), type=DATE),
        Column("contact", gettext_lazy("联系人及电话"), aliases=("联系人", "联系方式"), max_length=100),
    )
    instructions = (
        gettext_lazy("按提供单位和资源名称匹配已有资源：相同的行更新该资源，否则新增。留空的单元格不修改已有数据。"),
    )
    FIELDS = ("category", "description", "quantity", "valid_until", "contact")

    def prepare(self, ctx):
        kit.enterprises(ctx)
        kit.departments(ctx, above=False)
        existing = {}
        for resource in Resource.objects.filter(region__in=kit.regions_of(ctx.region)).order_by("pk"):
            owner = (
                ("enterprise", resource.enterprise_id)
                if resource.enterprise_id
                else ("department", resource.department_id)
            )
            existing.setdefault((*owner, resource.title.strip()), []).append(resource)
        ctx.cache["resources"] = existing

    def check_row(self, row, ctx):
        title = kit.text(row, "title")
        if not kit.given(row, "owner") or not title:
            return
        owner, problem = _owner(ctx, kit.text(row, "owner"))
        if problem:
            row.error("owner", problem)
            return
        kind = "department" if isinstance(owner, Department) else "enterprise"
        if not self.first_seen(row, ctx, "title", (kind, owner.pk, title)):
            return
        category = kit.choice_value(Resource.Category, row.values.get("category"))
        if category is None:
            return
        fields = {"category": category}
        for key in self.FIELDS[1:]:
            if kit.given(row, key):
                fields[key] = row.values[key] if key == "valid_until" else kit.text(row, key)
        found = ctx.cache["resources"].get((kind, owner.pk, title), [])
        if len(found) > 1:
            row.error(
                "title",
                _("“%(owner)s”有 %(n)d 条名为“%(title)s”的资源，无法确定更新哪一条。")
                % {"owner": owner, "n": len(found), "title": title},
            )
            return
        resource = found[0] if found else None
        valid_until = fields.get("valid_until")
        status = resource.status if resource else Resource.Status.ACTIVE
        if valid_until is not None and valid_until < ctx.today and status == Resource.Status.ACTIVE:
            row.error("valid_until", _("有效期不能早于今天。"))
            return
        row.data.update(owner_kind=kind, owner=owner, resource=resource, fields=fields)
        if resource is None:
            kit.set_outcome(row, None)
            return
        current = {key: getattr(resource, key) for key in fields}
        kit.set_outcome(row, kit.changed_fields(current, fields, {key: self.header_of(key) for key in fields}))

    def apply_row(self, row, ctx):
        fields, resource = row.data["fields"], row.data["resource"]
        if resource is None:
            resource_services.resource_create(
                user=ctx.user, title=kit.text(row, "title"), **{row.data["owner_kind"]: row.data["owner"]}, **fields
            )
        else:
            resource_services.resource_update(resource=resource, **fields)


# -- policies ------------------------------------------------------------------------------------
@import_kinds.register
class PolicyKind(kit.StaffKind):
    identifier = "policies"
    verbose_name = gettext_lazy("政策")
    columns = (
        Column(
            "department",
            gettext_lazy("发布部门"),
            aliases=("部门", "发文部门", "责任部门"),
            required=True,
            example="某某县工业和信息化局",
            width=28,
        ),
        Column(
            "title",
            gettext_lazy("政策名称"),
            aliases=("政策标题", "名称", "文件名称"),
            required=True,
            max_length=200,
            example="纺织企业技改补贴办法",
            width=36,
        ),
        Column(
            "doc_number",
            gettext_lazy("文号"),
            aliases=("发文字号", "文件编号"),
            max_length=100,
            example="汶工信发〔2026〕3号",
        ),
        Column(
            "issuer",
            gettext_lazy("发文机关"),
            aliases=("发文单位",),
            max_length=100,
            help=gettext_lazy("留空为发布部门"),
        ),
        Column(
            "summary",
            gettext_lazy("政策摘要"),
            aliases=("摘要", "主要内容", "政策内容"),
            required=True,
            max_length=5000,
            example="对年度技改投入超过500万元的纺织企业，按投入额的10%给予补贴",
            width=40,
        ),
        Column(
            "categories",
            gettext_lazy("政策类别"),
            aliases=("类别",),
            required=True,
            example="科技创新",
            help=gettext_lazy("可填多个，用“、”分隔：%s") % "、".join(kit.labels(Policy.Category)),
        ),
        Column("industries", gettext_lazy("适用行业"), aliases=("行业",), help=gettext_lazy("可填多个，用“、”分隔")),
        Column(
            "sizes", gettext_lazy("适用企业规模"), aliases=("企业规模",), help=gettext_lazy("规上、规下，留空为不限")
        ),
        Column("valid_from", gettext_lazy("有效期起"), aliases=("生效日期", "施行日期"), type=DATE),
        Column("valid_to", gettext_lazy("有效期止"), aliases=("失效日期", "截止日期"), type=DATE),
        Column("contact", gettext_lazy("咨询联系人及电话"), aliases=("联系人", "咨询电话"), max_length=100),
    )
    instructions = (
        gettext_lazy(
            "有文号的行按部门和文号匹配已有政策，没有文号的按部门和政策名称匹配；新政策为草稿，审核后在政策页面发布推送。"
        ),
        gettext_lazy("留空的单元格不修改已有数据；已撤回的政策不能修改。"),
    )
    FIELDS = ("title", "doc_number", "issuer", "summary", "industries", "sizes", "valid_from", "valid_to", "contact")

    def prepare(self, ctx):
        kit.departments(ctx, above=False)
        by_number, by_title = {}, {}
        policies = Policy.objects.filter(region__in=kit.regions_of(ctx.region)).prefetch_related("category_rows")
        for policy in policies.order_by("pk"):
            if policy.doc_number:
                by_number.setdefault((policy.department_id, policy.doc_number.strip()), []).append(policy)
            by_title.setdefault((policy.department_id, policy.title.strip()), []).append(policy)
        ctx.cache["policies"] = (by_number, by_title)

    def check_row(self, row, ctx):
        if not kit.given(row, "department"):
            return
        department, problem = kit.departments(ctx, above=False).find(ctx, kit.text(row, "department"))
        if problem:
            row.error("department", problem)
            return
        title, number = kit.text(row, "title"), kit.text(row, "doc_number")
        categories = _labels_in(row, "categories", Policy.Category, ctx) if kit.given(row, "categories") else None
        sizes = _labels_in(row, "sizes", Enterprise.Size, ctx) if kit.given(row, "sizes") else None
        valid_from, valid_to = row.values.get("valid_from"), row.values.get("valid_to")
        if valid_from and valid_to and valid_to < valid_from:
            row.error("valid_to", _("有效期止不能早于有效期起。"))
        if not title or row.has_errors:
            return
        key = ("doc_number", department.pk, number) if number else ("title", department.pk, title)
        if not self.first_seen(row, ctx, "doc_number" if number else "title", key):
            return
        fields = {"title": title}
        for name in ("doc_number", "issuer", "summary", "contact"):
            if kit.given(row, name):
                fields[name] = kit.text(row, name)
        if kit.given(row, "industries"):
            fields["industries"] = sorted(set(kit.split_names(row.values["industries"])))
        if sizes is not None:
            fields["sizes"] = sizes
        for name in ("valid_from", "valid_to"):
            if row.values.get(name) is not None:
                fields[name] = row.values[name]
        policy = self._existing(row, ctx, department, number, title)
        if policy is False:
            return
        row.data.update(department=department, policy=policy, fields=fields, categories=categories)
        if policy is None:
            kit.set_outcome(row, None)
            return
        if policy.state == Policy.State.WITHDRAWN:
            row.error("title", _("政策“%s”已撤回，不能再修改。") % policy.title)
            return
        current = {name: getattr(policy, name) for name in fields}
        changes = kit.changed_fields(current, fields, {name: self.header_of(name) for name in fields})
        if categories is not None and categories != sorted(policy.categories):
            changes.append(self.header_of("categories"))
        kit.set_outcome(row, changes)

    def _existing(self, row, ctx, department, number, title):
        by_number, by_title = ctx.cache["policies"]
        found = by_number.get((department.pk, number), []) if number else by_title.get((department.pk, title), [])
        if len(found) > 1:
            row.error(
                "title",
                _("“%(department)s”有 %(n)d 条相同的政策，无法确定更新哪一条。")
                % {"department": department, "n": len(found)},
            )
            return False
        return found[0] if found else None

    def apply_row(self, row, ctx):
        data = row.data
        fields = dict(data["fields"])
        if data["policy"] is None:
            policy_services.policy_create(
                user=ctx.user, department=data["department"], categories=data["categories"] or (), **fields
            )
        else:
            policy_services.policy_update(policy=data["policy"], categories=data["categories"], **fields)
