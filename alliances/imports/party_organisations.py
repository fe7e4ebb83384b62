"""Import kind: Party organisations (党组织) with the enterprises they cover (组织覆盖).

Rows are matched by the organisation's name within the import's region; the enterprises covered are
named by credit code or name, several in one cell separated by 、 or a comma (a 联合党支部 covers
several). Written through alliances.services (party_organization_create / _update).
"""

from django.db.models import Prefetch
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chainparty.imports.base import CHOICE, DATE, INT, Column
from chainparty.imports.registry import import_kinds

from .. import services
from ..models import Enterprise, PartyOrganization
from . import kit

Kind = PartyOrganization.Kind
COUNTS = ("members", "probationary_members", "activists")
FIELDS = ("kind", "secretary_name", *COUNTS, "founded_on")


@import_kinds.register
class PartyOrganisationKind(kit.StaffKind):
    identifier = "party_organisations"
    verbose_name = gettext_lazy("党组织")
    columns = (
        Column(
            "name",
            gettext_lazy("党组织名称"),
            aliases=("组织名称", "党组织全称", "党组织"),
            required=True,
            max_length=100,
            example="中共某某纺织有限公司支部委员会",
            width=36,
        ),
        Column(
            "kind",
            gettext_lazy("党组织类型"),
            aliases=("组织类型", "组织类别", "党组织类别", "组织形式", "类型"),
            required=True,
            type=CHOICE,
            choices=kit.labels(Kind),
            synonyms={"支部": "党支部", "党总支部": "党总支", "总支": "党总支", "联合支部": "联合党支部"},
            example="党支部",
        ),
        Column(
            "enterprises",
            gettext_lazy("覆盖企业"),
            aliases=("所在企业", "所在单位", "覆盖单位", "单位名称", "企业名称", "覆盖企业名称"),
            example="某某纺织有限公司",
            help=gettext_lazy("统一社会信用代码或企业名称；联合党支部覆盖多家企业时用“、”或逗号分隔"),
            width=40,
        ),
        Column(
            "secretary_name",
            gettext_lazy("书记"),
            aliases=("书记姓名", "党组织书记", "支部书记"),
            max_length=50,
            example="李明",
        ),
        Column(
            "members", gettext_lazy("正式党员"), aliases=("正式党员数", "党员人数", "党员数"), type=INT, example="12"
        ),
        Column("probationary_members", gettext_lazy("预备党员"), aliases=("预备党员数",), type=INT, example="2"),
        Column(
            "activists", gettext_lazy("入党积极分子"), aliases=("积极分子", "入党积极分子数"), type=INT, example="3"
        ),
        Column(
            "founded_on",
            gettext_lazy("成立日期"),
            aliases=("成立时间", "组建日期", "组建时间"),
            type=DATE,
            example="2019-07-01",
        ),
    )
    instructions = (
        gettext_lazy("按党组织名称匹配本区域已有的党组织：名称相同的行更新该党组织，否则新建。"),
        gettext_lazy("留空的单元格不修改已有数据。"),
    )

    def prepare(self, ctx):
        existing = {}
        organizations = PartyOrganization.objects.filter(region__in=kit.regions_of(ctx.region)).prefetch_related(
            Prefetch("enterprises", queryset=Enterprise.objects.only("pk", "name", "region_id"))
        )
        for organization in organizations:
            existing.setdefault(organization.name.strip(), []).append(organization)
        ctx.cache["party_organisations"] = existing
        kit.enterprises(ctx)

    def check_row(self, row, ctx):
        name = kit.text(row, "name")
        if not name or not self.first_seen(row, ctx, "name", name):
            return
        found = ctx.cache["party_organisations"].get(name, [])
        if len(found) > 1:
            row.error("name", _("本区域有 %d 个同名党组织，无法确定更新哪一个。") % len(found))
            return
        organization = found[0] if found else None
        kind = kit.choice_value(Kind, row.values.get("kind"))
        if kind is None:
            return  # the core has reported the choice
        kit.not_negative(row, *COUNTS)
        enterprises = self._enterprises(row, ctx)
        if enterprises is None:
            return
        if enterprises is not False:
            self._check_coverage(row, ctx, kind, organization, enterprises)
        elif organization is not None and kind != Kind.JOINT_BRANCH and len(organization.enterprises.all()) > 1:
            row.error("kind", _("该党组织现覆盖多家企业，只有联合党支部可以覆盖多家企业；改类型时请一并填写覆盖企业。"))
        if row.has_errors:
            return
        fields = {"kind": kind, **{key: row.values[key] for key in FIELDS[1:] if kit.given(row, key)}}
        row.data.update(organization=organization, fields=fields, enterprises=enterprises)
        if organization is None:
            kit.set_outcome(row, None)
            return
        changes = kit.changed_fields(
            {key: getattr(organization, key) for key in fields}, fields, {key: self.header_of(key) for key in fields}
        )
        if enterprises is not False and {e.pk for e in enterprises} != {e.pk for e in organization.enterprises.all()}:
            changes.append(self.header_of("enterprises"))
        kit.set_outcome(row, changes)

    def _enterprises(self, row, ctx):
        """The enterprises named (a list), False when the cell is empty, None after an error."""
        if not kit.given(row, "enterprises"):
            return False
        lookup = kit.enterprises(ctx)
        found, problems = [], []
        for value in kit.split_names(row.values["enterprises"]):
            enterprise, problem = lookup.find(ctx, value)
            if problem:
                problems.append(problem)
            else:
                found.append(enterprise)
        if problems:
            row.error("enterprises", "；".join(problems))
            return None
        return list({e.pk: e for e in found}.values())

    def _check_coverage(self, row, ctx, kind, organization, enterprises):
        # The service's rules (party_organization_set_enterprises), checked here so the report names the row.
        if kind != Kind.JOINT_BRANCH and len(enterprises) > 1:
            row.error("enterprises", _("只有联合党支部可以覆盖多家企业。"))
            return
        region_id = organization.region_id if organization else (enterprises[0].region_id if enterprises else None)
        outside = [e.name for e in enterprises if e.region_id != region_id]
        if outside:
            row.error("enterprises", _("以下企业与该党组织不在同一区域：%s") % "、".join(outside))

    def apply_row(self, row, ctx):
        if row.outcome == kit.UNCHANGED:
            return
        fields, enterprises = dict(row.data["fields"]), row.data["enterprises"]
        organization = row.data["organization"]
        if organization is None:
            region = enterprises[0].region if enterprises else ctx.region
            services.party_organization_create(
                name=kit.text(row, "name"),
                region=region,
                enterprises=enterprises or (),
                **fields,
            )
        else:
            services.party_organization_update(
                organization=organization,
                enterprises=None if enterprises is False else enterprises,
                **fields,
            )
