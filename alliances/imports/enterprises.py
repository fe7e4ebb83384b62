"""The reference import kind: enterprises (企业台账), matched by 统一社会信用代码, else by name
within the region. Applied through alliances.services.enterprises_bulk_upsert, which validates each
enterprise as the forms' services do and writes them in batches."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from alliances import services
from alliances.models import Enterprise, Region, WorkZone
from alliances.validators import validate_credit_code
from chainparty.imports.base import CHOICE, CODE, INT, NEW, Column, ImportContext, ImportKind, ImportRow
from chainparty.imports.registry import import_kinds

from .base import OrgStaffKind

SIZE_LABELS = {str(label): value for value, label in Enterprise.Size.choices}
#: Fields the file may set, in the order of the columns (credit code and name match the row).
FIELDS = (
    "name",
    "industry",
    "size",
    "zone",
    "address",
    "employees",
    "legal_representative",
    "contact_name",
    "contact_phone",
)


def _zones(ctx: ImportContext) -> dict[str, WorkZone]:
    if "zones" not in ctx.cache:
        zones = WorkZone.objects.filter(region__in=Region.objects.subtree_of(ctx.region)) if ctx.region else []
        ctx.cache["zones"] = {zone.name: zone for zone in zones}
    return ctx.cache["zones"]


def _zone_names(ctx: ImportContext) -> list[str]:
    return list(_zones(ctx))


def credit_code_problem(code: str) -> str | None:
    """The Chinese message for a wrong 统一社会信用代码: the model's validator's (it names the
    expected check character), or None."""
    try:
        validate_credit_code(code)
    except ValidationError as error:
        return "；".join(error.messages)
    return None


@import_kinds.register
class EnterpriseImport(OrgStaffKind, ImportKind):
    identifier = "enterprises"
    verbose_name = gettext_lazy("企业")
    columns = (
        Column(
            "credit_code",
            gettext_lazy("统一社会信用代码"),
            aliases=("信用代码", "社会信用代码", "统一代码", "统一社会信用代码证", "组织机构代码"),
            required=True,
            type=CODE,
            example="91370830MA3C12340C",
            help=gettext_lazy("18位，按营业执照填写；请保持该列为“文本”格式，以免 Excel 改成科学计数法。"),
            width=24,
        ),
        Column(
            "name",
            gettext_lazy("企业名称"),
            aliases=("企业", "名称", "单位名称", "企业全称"),
            required=True,
            example="汶上县示例纺织有限公司",
            help=gettext_lazy("与营业执照一致；没有信用代码匹配时，按本区域内的企业名称匹配已有企业。"),
            width=30,
            max_length=100,
        ),
        Column(
            "industry",
            gettext_lazy("所属行业"),
            aliases=("行业", "行业类别", "所属产业"),
            required=True,
            example="纺织服装",
            width=14,
            max_length=50,
        ),
        Column(
            "size",
            gettext_lazy("企业规模"),
            aliases=("规模", "规上/规下", "规模类型"),
            type=CHOICE,
            choices=tuple(SIZE_LABELS),
            synonyms={"规模以上": "规上", "规上企业": "规上", "规模以下": "规下", "规下企业": "规下"},
            example="规上",
            help=gettext_lazy("规上或规下；留空时新企业记为规下。"),
            width=10,
        ),
        Column(
            "zone",
            gettext_lazy("所在片区"),
            aliases=("片区", "园区", "所在园区", "镇街", "所在镇街"),
            type=CHOICE,
            choices=_zone_names,
            example="",
            help=gettext_lazy("本区域已登记的片区、园区或镇街名称；名称不符时报告最接近的片区。"),
            width=20,
        ),
        Column("address", gettext_lazy("地址"), aliases=("企业地址", "注册地址", "经营地址"), width=30, max_length=200),
        Column(
            "employees",
            gettext_lazy("职工人数"),
            aliases=("员工人数", "从业人数", "职工数", "人数"),
            type=INT,
            example="320",
            width=10,
        ),
        Column(
            "legal_representative",
            gettext_lazy("法定代表人"),
            aliases=("法人", "法人代表"),
            example="张三",
            width=12,
            max_length=50,
        ),
        Column(
            "contact_name", gettext_lazy("联系人"), aliases=("企业联系人",), example="李四", width=12, max_length=50
        ),
        Column(
            "contact_phone",
            gettext_lazy("联系电话"),
            aliases=("电话", "联系方式", "手机", "联系人电话"),
            example="13800000000",
            width=16,
            max_length=30,
        ),
    )
    instructions = (
        gettext_lazy(
            "已登记的企业按统一社会信用代码匹配（没有匹配时按本区域内的企业名称），文件中的内容会更新到已有企业。"
        ),
        gettext_lazy("留空的单元格不会清除系统中已有的内容。"),
    )

    def prepare(self, ctx: ImportContext) -> None:
        _zones(ctx)
        within = Region.objects.subtree_of(ctx.region)
        mine = list(Enterprise.objects.filter(region__in=within).select_related("zone"))
        ctx.cache["by_code"] = {enterprise.credit_code: enterprise for enterprise in mine}
        ctx.cache["by_name"] = {enterprise.name: enterprise for enterprise in mine}
        # Credit codes are unique across the platform: know those registered elsewhere, without the rows.
        ctx.cache["elsewhere"] = dict(
            Enterprise.objects.exclude(region__in=within).values_list("credit_code", "region__name")
        )

    def check_row(self, row: ImportRow, ctx: ImportContext) -> None:
        code, name = row.values.get("credit_code"), row.values.get("name")
        if code:
            problem = credit_code_problem(code)
            if problem:
                row.error("credit_code", problem)
            elif code in ctx.cache["elsewhere"]:
                row.error(
                    "credit_code",
                    _("该统一社会信用代码已登记在%(region)s，不能在本区域导入。")
                    % {"region": ctx.cache["elsewhere"][code]},
                )
            self.first_seen(row, ctx, "credit_code", code)
        if name:
            self.first_seen(row, ctx, "name", name)
        enterprise = ctx.cache["by_code"].get(code) if code else None
        if enterprise is None and name:
            enterprise = ctx.cache["by_name"].get(name)
            if enterprise is not None and code and enterprise.credit_code != code:
                row.error(
                    "credit_code",
                    _("本区域已有同名企业“%(name)s”，其统一社会信用代码为 %(code)s，与本行不同；请核对。")
                    % {"name": name, "code": enterprise.credit_code},
                )
        elif enterprise is not None and name and name != enterprise.name:
            other = ctx.cache["by_name"].get(name)
            if other is not None and other.pk != enterprise.pk:
                row.error(
                    "name",
                    _("企业名称“%(name)s”已被本区域另一家企业（%(code)s）使用。")
                    % {"name": name, "code": other.credit_code},
                )
        row.data["enterprise"] = enterprise
        fields = self._fields(row, ctx, enterprise)
        row.data["fields"] = fields
        self.compare(row, enterprise, {key: value for key, value in fields.items() if key != "zone"})
        if enterprise is not None and "zone" in fields and fields["zone"].pk != enterprise.zone_id:
            row.changes.append(self.header_of("zone"))
            row.outcome = "changed"

    def _fields(self, row: ImportRow, ctx: ImportContext, enterprise) -> dict:
        """What the row sets: its non-empty cells (an empty cell keeps what is there)."""
        fields = {}
        for key in FIELDS:
            value = row.values.get(key)
            if value is None or value == "":
                continue
            if key == "size":
                value = SIZE_LABELS.get(value)
                if value is None:
                    continue
            if key == "zone":
                value = _zones(ctx).get(value)
                if value is None:
                    continue
            fields[key] = value
        if enterprise is None:
            fields.setdefault("size", Enterprise.Size.BELOW)
        return fields

    def apply_row(self, row: ImportRow, ctx: ImportContext) -> None:
        """Collected, then written at once by finish_apply (enterprises_bulk_upsert validates each)."""
        fields = dict(row.data["fields"])
        if row.outcome == NEW:
            ctx.cache.setdefault("creates", []).append({**fields, "credit_code": row.values["credit_code"]})
            return
        enterprise = row.data["enterprise"]
        changed = {key: value for key, value in fields.items() if _differs(enterprise, key, value)}
        if row.values.get("credit_code") and enterprise.credit_code != row.values["credit_code"]:
            changed["credit_code"] = row.values["credit_code"]
        if changed:
            ctx.cache.setdefault("updates", []).append((enterprise, changed))

    def finish_apply(self, ctx: ImportContext) -> None:
        services.enterprises_bulk_upsert(
            region=ctx.region, creates=ctx.cache.get("creates", []), updates=ctx.cache.get("updates", [])
        )


def _differs(enterprise, key, value) -> bool:
    if key == "zone":
        return enterprise.zone_id != value.pk
    return getattr(enterprise, key) != value
