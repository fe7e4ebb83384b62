"""The organisational core: regions, work zones, enterprises, Party organisations, departments,
alliances with their members, committee seats and rotating chairs."""

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, F, OuterRef, Q
from django.db.models.lookups import StartsWith
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from guardian.models import UserObjectPermissionBase

from chainparty.validators import DateRangeValidator, validate_date, validate_phone

from ..meetings.leads import validate_reminder_leads
from ..validators import validate_credit_code

#: The founding of the Communist Party of China: no Party organisation is older.
PARTY_FOUNDED = dt.date(1921, 7, 1)

__all__ = [
    "Alliance",
    "CommitteeSeat",
    "Department",
    "DepartmentUserObjectPermission",
    "Enterprise",
    "EnterpriseUserObjectPermission",
    "Membership",
    "PartyOrganization",
    "Region",
    "RegionQuerySet",
    "RegionUserObjectPermission",
    "RotatingChair",
    "WorkZone",
    "WorkZoneUserObjectPermission",
    "within_regions_q",
]


def within_regions_q(regions, *, field="region") -> Q:
    """Rows whose `field` (a foreign key to Region; "" for Region rows themselves) is one of
    `regions` or lies under one of them.

    `regions` is a Region or an iterable of Regions: each becomes a prefix match on the indexed
    materialised path, which the index serves. An iterable of region ids (what a user's scope
    holds) becomes a literal match of "/<id>/" inside the path: no query to load the regions, and
    a pattern whose selectivity the planner can estimate (a correlated prefix match against
    another query's paths is estimated at one row, which sent province-wide need lists into a
    nested loop over every need). A queryset of Regions is matched inside the same query."""
    path = f"{field}__path" if field else "path"
    if isinstance(regions, models.QuerySet):
        return Q(Exists(regions.filter(StartsWith(OuterRef(path), F("path")))))
    if isinstance(regions, Region):
        regions = [regions]
    condition = Q(pk__in=[])
    for region in regions:
        if isinstance(region, Region):
            condition |= Q(**{f"{path}__startswith": region.path})
        else:
            condition |= Q(**{f"{path}__contains": f"/{int(region)}/"})
    return condition


class RegionQuerySet(models.QuerySet):
    def subtree_of(self, regions):
        """`regions` (see within_regions_q) and every region under them."""
        return self.filter(within_regions_q(regions, field=""))


class Region(models.Model):
    class Level(models.TextChoices):
        PROVINCE = "province", _("省")
        CITY = "city", _("市")
        COUNTY = "county", _("县（市、区）")

    name = models.CharField(_("名称"), max_length=50)
    code = models.CharField(_("行政区划代码"), max_length=6, unique=True)
    level = models.CharField(_("层级"), max_length=10, choices=Level.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children", verbose_name=_("上级")
    )
    # Materialised path "/<id>/<id>/" so "this region and everything under it" is one indexed prefix.
    path = models.CharField(max_length=255, editable=False, db_index=True, default="")

    objects = RegionQuerySet.as_manager()

    class Meta:
        verbose_name = _("行政区域")
        verbose_name_plural = _("行政区域")
        ordering = ["code"]
        permissions = [("manage_region", _("管理本区域（组织部）"))]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        path = self.compute_path()
        if path != self.path:
            self.path = path
            Region.objects.filter(pk=self.pk).update(path=path)
            for child in self.children.all():
                child.save(update_fields=["path"])

    def clean(self):
        if self.parent_id and self.pk and self.parent.is_within(self):
            raise ValidationError({"parent": _("上级区域不能是本区域或其下级。")})

    @staticmethod
    def ids_in_path(path: str) -> list[int]:
        """The region ids of a materialised path, from the top region down to this one."""
        return [int(part) for part in path.strip("/").split("/") if part]

    def is_within(self, *regions) -> bool:
        """True when this region is one of `regions` (Regions or ids) or lies under one of them."""
        mine = set(self.ids_in_path(self.path))
        return any((region if isinstance(region, int) else region.pk) in mine for region in regions)

    def ancestor_ids(self) -> list[int]:
        """This region and the regions above it, nearest first."""
        return self.ids_in_path(self.path)[::-1]

    def compute_path(self):
        return f"{self.parent.path if self.parent_id else '/'}{self.pk}/"


class WorkZone(models.Model):
    class Kind(models.TextChoices):
        PARK = "park", _("园区")
        AREA = "area", _("片区")
        TOWN = "town", _("镇街")
        SERVICE_CENTER = "service_center", _("党群服务中心")
        GUIDANCE_STATION = "guidance_station", _("党建工作指导站")

    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="zones", verbose_name=_("所属区域"))
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children", verbose_name=_("上级片区")
    )
    address = models.CharField(_("地址"), max_length=200, blank=True)
    description = models.TextField(_("简介"), blank=True)

    class Meta:
        verbose_name = _("工作片区")
        verbose_name_plural = _("工作片区")
        ordering = ["region__code", "name"]
        permissions = [("guide_zone", _("指导本片区（党建指导员）"))]
        constraints = [models.UniqueConstraint(fields=["region", "name"], name="zone_name_unique_in_region")]

    def __str__(self):
        return self.name

    def clean(self):
        if self.parent_id:
            if self.parent_id == self.pk:
                raise ValidationError({"parent": _("上级片区不能是自身。")})
            if self.region_id and self.parent.region_id != self.region_id:
                raise ValidationError({"parent": _("上级片区必须属于同一区域。")})


class Enterprise(models.Model):
    class Size(models.TextChoices):
        ABOVE = "above", _("规上")
        BELOW = "below", _("规下")

    name = models.CharField(_("企业名称"), max_length=100)
    credit_code = models.CharField(
        _("统一社会信用代码"),
        max_length=18,
        unique=True,
        validators=[validate_credit_code],
        error_messages={"unique": _("该统一社会信用代码已被其他企业使用。")},
    )
    industry = models.CharField(_("所属行业"), max_length=50)
    size = models.CharField(_("企业规模"), max_length=10, choices=Size.choices, default=Size.BELOW)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="enterprises", verbose_name=_("所属区域"))
    zone = models.ForeignKey(
        WorkZone,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="enterprises",
        verbose_name=_("所在片区"),
    )
    address = models.CharField(_("地址"), max_length=200, blank=True)
    employees = models.PositiveIntegerField(_("职工人数"), default=0)
    legal_representative = models.CharField(_("法定代表人"), max_length=50, blank=True)
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=30, blank=True, validators=[validate_phone])
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("企业")
        verbose_name_plural = _("企业")
        ordering = ["name", "id"]
        permissions = [("manage_enterprise", _("管理本企业（企业党组织书记）"))]
        indexes = [
            models.Index(fields=["region", "name"], name="enterprise_region_name"),
            models.Index(fields=["industry"], name="enterprise_industry"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("alliances:enterprise_detail", args=[self.pk])

    def clean(self):
        if self.credit_code:
            self.credit_code = self.credit_code.strip().upper()
        if self.zone_id and self.region_id and self.zone.region_id != self.region_id:
            raise ValidationError({"zone": _("所在片区不属于所选区域。")})


class PartyOrganization(models.Model):
    class Kind(models.TextChoices):
        COMMITTEE = "committee", _("党委")
        GENERAL_BRANCH = "general_branch", _("党总支")
        BRANCH = "branch", _("党支部")
        JOINT_BRANCH = "joint_branch", _("联合党支部")

    name = models.CharField(_("党组织名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="party_organizations", verbose_name=_("所属区域")
    )
    enterprises = models.ManyToManyField(
        Enterprise, related_name="party_organizations", blank=True, verbose_name=_("覆盖企业")
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children", verbose_name=_("上级党组织")
    )
    secretary_name = models.CharField(_("书记"), max_length=50, blank=True)
    secretary = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("书记账号"),
    )
    members = models.PositiveIntegerField(_("正式党员"), default=0)
    probationary_members = models.PositiveIntegerField(_("预备党员"), default=0)
    activists = models.PositiveIntegerField(_("入党积极分子"), default=0)
    # A Party organisation may be older than the portal's working dates, not older than the Party.
    founded_on = models.DateField(
        _("成立日期"), null=True, blank=True, validators=[DateRangeValidator(minimum=PARTY_FOUNDED)]
    )

    class Meta:
        verbose_name = _("党组织")
        verbose_name_plural = _("党组织")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Department(models.Model):
    class FactorGroup(models.TextChoices):
        TALENT = "talent", _("人才")
        POLICY = "policy", _("政策支持")
        FINANCE = "finance", _("金融")
        FUND = "fund", _("基金")
        LAND = "land", _("土地")
        ENVIRONMENT = "environment", _("生态环境")
        ENERGY = "energy", _("能源")
        OTHER = "other", _("其他")

    name = models.CharField(_("部门名称"), max_length=100)
    short_name = models.CharField(_("简称"), max_length=20, blank=True)
    factor_group = models.CharField(_("要素组"), max_length=20, choices=FactorGroup.choices)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="departments", verbose_name=_("所属区域"))
    phone = models.CharField(_("联系电话"), max_length=30, blank=True, validators=[validate_phone])

    class Meta:
        verbose_name = _("职能部门")
        verbose_name_plural = _("职能部门")
        ordering = ["region__code", "name"]
        permissions = [("handle_department", _("办理本部门事项（部门办理人）"))]
        constraints = [models.UniqueConstraint(fields=["region", "name"], name="department_name_unique_in_region")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("alliances:department_detail", args=[self.pk])


class Alliance(models.Model):
    class Kind(models.TextChoices):
        COMMITTEE = "committee", _("产业链党委")
        ALLIANCE = "alliance", _("产业链党建联盟")

    class Cadence(models.TextChoices):
        MONTHLY = "monthly", _("每月")
        QUARTERLY = "quarterly", _("每季度")

    name = models.CharField(_("名称"), max_length=100)
    chain = models.CharField(_("产业链"), max_length=50)
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices, default=Kind.COMMITTEE)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="alliances", verbose_name=_("所属区域"))
    lead_enterprise = models.ForeignKey(
        Enterprise,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="led_alliances",
        verbose_name=_("链主企业"),
    )
    founded_on = models.DateField(_("成立日期"), validators=[validate_date])
    meeting_cadence = models.CharField(_("会议频次"), max_length=10, choices=Cadence.choices, default=Cadence.MONTHLY)
    meeting_reminders = models.CharField(
        _("会前提醒"),
        max_length=60,
        blank=True,
        validators=[validate_reminder_leads],
        help_text=_("留空为默认：提前 1 个工作日 16:00 和会前 2 小时。格式如：1d@16:00, 2h, 30m。"),
    )
    description = models.TextField(_("简介"), blank=True)

    class Meta:
        verbose_name = _("产业链党委（联盟）")
        verbose_name_plural = _("产业链党委（联盟）")
        ordering = ["region__code", "name"]
        constraints = [models.UniqueConstraint(fields=["region", "name"], name="alliance_name_unique_in_region")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("alliances:alliance_detail", args=[self.pk])


class Membership(models.Model):
    """An enterprise's or department's time in an alliance. Leaving sets `left_on`; rejoining adds a row."""

    class Position(models.TextChoices):
        LEAD = "lead", _("链主")
        UPSTREAM = "upstream", _("上游")
        DOWNSTREAM = "downstream", _("下游")
        SUPPORTING = "supporting", _("配套")
        FACTOR = "factor", _("要素保障")

    alliance = models.ForeignKey(Alliance, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("联盟"))
    enterprise = models.ForeignKey(
        Enterprise, null=True, blank=True, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("企业")
    )
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("部门")
    )
    position = models.CharField(_("链上位置"), max_length=20, choices=Position.choices)
    joined_on = models.DateField(_("加入日期"), validators=[validate_date])
    left_on = models.DateField(_("退出日期"), null=True, blank=True, validators=[validate_date])
    note = models.CharField(_("备注"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("成员")
        verbose_name_plural = _("成员")
        ordering = ["alliance", "-joined_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(enterprise__isnull=False, department__isnull=True)
                | Q(enterprise__isnull=True, department__isnull=False),
                name="membership_enterprise_xor_department",
                violation_error_message=_("成员必须是一家企业或一个部门，二者选一。"),
            ),
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(left_on__gte=F("joined_on")),
                name="membership_leaves_after_joining",
                violation_error_message=_("退出日期不能早于加入日期。"),
            ),
            models.UniqueConstraint(
                fields=["alliance", "enterprise"],
                condition=Q(left_on__isnull=True, enterprise__isnull=False),
                name="membership_one_active_enterprise",
                violation_error_message=_("该企业已是本联盟的在册成员。"),
            ),
            models.UniqueConstraint(
                fields=["alliance", "department"],
                condition=Q(left_on__isnull=True, department__isnull=False),
                name="membership_one_active_department",
                violation_error_message=_("该部门已是本联盟的在册成员。"),
            ),
        ]
        indexes = [models.Index(fields=["enterprise", "left_on"], name="membership_enterprise_active")]

    def __str__(self):
        return str(self.enterprise or self.department)

    @property
    def member(self):
        return self.enterprise or self.department

    @property
    def is_active(self):
        return self.left_on is None

    def clean(self):
        if self.position == self.Position.FACTOR and self.enterprise_id:
            raise ValidationError({"position": _("“要素保障”只适用于部门。")})
        if self.department_id and self.position != self.Position.FACTOR:
            self.position = self.Position.FACTOR


class CommitteeSeat(models.Model):
    class Role(models.TextChoices):
        SECRETARY = "secretary", _("书记")
        DEPUTY = "deputy", _("副书记")
        MEMBER_FULLTIME = "member_fulltime", _("委员（专职）")
        MEMBER_PARTTIME = "member_parttime", _("委员（兼职）")
        LIAISON = "liaison", _("联络员")

    MANAGING_ROLES = (Role.SECRETARY, Role.DEPUTY, Role.LIAISON)

    alliance = models.ForeignKey(Alliance, on_delete=models.PROTECT, related_name="seats", verbose_name=_("联盟"))
    role = models.CharField(_("职务"), max_length=20, choices=Role.choices)
    person_name = models.CharField(_("姓名"), max_length=50)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="committee_seats",
        verbose_name=_("平台账号"),
    )
    enterprise = models.ForeignKey(
        Enterprise, null=True, blank=True, on_delete=models.PROTECT, related_name="seats", verbose_name=_("来自企业")
    )
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.PROTECT, related_name="seats", verbose_name=_("来自部门")
    )
    term_start = models.DateField(_("任期开始"), validators=[validate_date])
    term_end = models.DateField(_("任期结束"), null=True, blank=True, validators=[validate_date])

    class Meta:
        verbose_name = _("党委班子成员")
        verbose_name_plural = _("党委班子成员")
        ordering = ["alliance", "role", "term_start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(term_end__isnull=True) | Q(term_end__gte=F("term_start")),
                name="seat_term_ends_after_start",
                violation_error_message=_("任期结束不能早于任期开始。"),
            ),
            models.CheckConstraint(
                condition=~Q(enterprise__isnull=False, department__isnull=False),
                name="seat_one_origin",
                violation_error_message=_("班子成员只能来自一家企业或一个部门。"),
            ),
        ]

    def __str__(self):
        return f"{self.get_role_display()} {self.person_name}"

    @property
    def is_current(self):
        return self.term_end is None or self.term_end >= timezone.localdate()

    @property
    def origin(self):
        return self.enterprise or self.department

    def clean(self):
        if not self.alliance_id or not (self.enterprise_id or self.department_id):
            return
        members = Membership.objects.filter(alliance_id=self.alliance_id)
        members = (
            members.filter(enterprise_id=self.enterprise_id)
            if self.enterprise_id
            else members.filter(department_id=self.department_id)
        )
        day = self.term_start or timezone.localdate()
        on_day = members.filter(joined_on__lte=day).filter(Q(left_on__isnull=True) | Q(left_on__gte=day))
        if not on_day.exists():
            field = "enterprise" if self.enterprise_id else "department"
            raise ValidationError({field: _("任职单位在任期开始时不是本联盟的成员，不能在本联盟任职。")})


class RotatingChair(models.Model):
    """轮值书记 for one quarter, from a member enterprise."""

    alliance = models.ForeignKey(Alliance, on_delete=models.PROTECT, related_name="rotations", verbose_name=_("联盟"))
    year = models.PositiveSmallIntegerField(_("年度"))
    quarter = models.PositiveSmallIntegerField(_("季度"), choices=[(q, f"Q{q}") for q in range(1, 5)])
    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.PROTECT, related_name="rotations", verbose_name=_("轮值企业")
    )
    person_name = models.CharField(_("轮值书记"), max_length=50)

    class Meta:
        verbose_name = _("轮值书记")
        verbose_name_plural = _("轮值书记")
        ordering = ["alliance", "-year", "-quarter"]
        constraints = [
            models.UniqueConstraint(
                fields=["alliance", "year", "quarter"],
                name="rotation_one_per_quarter",
                violation_error_message=_("该季度已安排轮值书记。"),
            ),
            models.CheckConstraint(condition=Q(quarter__gte=1, quarter__lte=4), name="rotation_quarter_range"),
        ]

    def __str__(self):
        return f"{self.year}Q{self.quarter} {self.person_name}"

    def clean(self):
        if self.alliance_id and self.enterprise_id:
            active = Membership.objects.filter(
                alliance_id=self.alliance_id, enterprise_id=self.enterprise_id, left_on__isnull=True
            )
            if not active.exists():
                raise ValidationError({"enterprise": _("轮值企业必须是本联盟的在册成员企业。")})


# django-guardian direct foreign-key permission tables, one per container that carries grants. An
# alliance has none: its rights follow the committee seats in force (alliances.access).
class RegionUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Region, on_delete=models.CASCADE)


class EnterpriseUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Enterprise, on_delete=models.CASCADE)


class DepartmentUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Department, on_delete=models.CASCADE)


class WorkZoneUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(WorkZone, on_delete=models.CASCADE)
