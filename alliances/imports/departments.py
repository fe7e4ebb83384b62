"""Import kinds: departments (要素保障部门) and their handlers (部门办理人).

Departments are matched by name within the import's region. Handlers are matched by mobile number
among the accounts the importing staff member reaches; a number nobody has yet gets a new account
(alliances.people.services.person_create, affiliated to the department) with a first-login password
change, and the handler role is given or taken through alliances.services as the department page does.
"""

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chainparty import roles
from chainparty.imports.base import CHOICE, MOBILE, Column
from chainparty.imports.registry import import_kinds

from .. import people, services
from ..models import Department, DepartmentUserObjectPermission
from ..people import services as people_services
from . import kit

FactorGroup = Department.FactorGroup
HANDLER = gettext_lazy("办理人")
STAFF = gettext_lazy("工作人员")


@import_kinds.register
class DepartmentKind(kit.StaffKind):
    identifier = "departments"
    verbose_name = gettext_lazy("职能部门")
    columns = (
        Column(
            "name",
            gettext_lazy("部门名称"),
            aliases=("部门", "部门全称", "单位名称"),
            required=True,
            max_length=100,
            example="某某县人力资源和社会保障局",
            width=32,
        ),
        Column("short_name", gettext_lazy("简称"), aliases=("部门简称",), max_length=20, example="人社局"),
        Column(
            "factor_group",
            gettext_lazy("要素组"),
            aliases=("要素保障类别", "保障类别", "要素类别", "要素保障组"),
            required=True,
            type=CHOICE,
            choices=kit.labels(FactorGroup),
            synonyms={
                "人才保障": "人才",
                "政策": "政策支持",
                "金融保障": "金融",
                "土地保障": "土地",
                "环保": "生态环境",
            },
            example="人才",
        ),
        Column("phone", gettext_lazy("联系电话"), aliases=("办公电话", "电话"), max_length=30, example="0537-7212345"),
    )
    instructions = (
        gettext_lazy("按部门名称匹配本区域已有的部门：名称相同的行更新该部门，否则新建。"),
        gettext_lazy("留空的单元格不修改已有数据。"),
    )

    def prepare(self, ctx):
        ctx.cache["departments"] = {d.name.strip(): d for d in Department.objects.filter(region=ctx.region)}

    def check_row(self, row, ctx):
        name = kit.text(row, "name")
        if not name or not self.first_seen(row, ctx, "name", name):
            return
        factor_group = kit.choice_value(FactorGroup, row.values.get("factor_group"))
        if factor_group is None:
            return
        fields = {}  # in the columns' order, so the report names the changes in that order
        if kit.given(row, "short_name"):
            fields["short_name"] = kit.text(row, "short_name")
        fields["factor_group"] = factor_group
        if kit.given(row, "phone"):
            fields["phone"] = kit.text(row, "phone")
        department = ctx.cache["departments"].get(name)
        row.data.update(department=department, fields=fields)
        if department is None:
            kit.set_outcome(row, None)
            return
        current = {key: getattr(department, key) for key in fields}
        kit.set_outcome(row, kit.changed_fields(current, fields, {key: self.header_of(key) for key in fields}))

    def apply_row(self, row, ctx):
        department, fields = row.data["department"], row.data["fields"]
        if row.outcome == kit.NEW:
            services.department_create(name=kit.text(row, "name"), region=ctx.region, **fields)
        elif row.outcome == kit.CHANGED:
            services.department_update(department=department, **fields)


@import_kinds.register
class HandlerKind(kit.StaffKind):
    identifier = "handlers"
    verbose_name = gettext_lazy("部门办理人")
    columns = (
        Column(
            "department",
            gettext_lazy("所属部门"),
            aliases=("部门名称", "部门", "工作单位", "单位"),
            required=True,
            example="某某县人力资源和社会保障局",
            width=32,
        ),
        Column(
            "real_name",
            gettext_lazy("姓名"),
            aliases=("办理人", "办理人姓名"),
            required=True,
            max_length=50,
            example="张伟",
        ),
        Column(
            "mobile",
            gettext_lazy("手机号码"),
            aliases=("手机", "手机号", "联系方式", "联系电话"),
            required=True,
            type=MOBILE,
            example="13800000000",
        ),
        Column(
            "role",
            gettext_lazy("角色"),
            aliases=("平台角色",),
            type=CHOICE,
            choices=(str(HANDLER), str(STAFF)),
            example=str(HANDLER),
            help=gettext_lazy("办理人可办理派给本部门的需求；工作人员只开账号。留空为办理人"),
        ),
        Column("email", gettext_lazy("电子邮箱"), aliases=("邮箱",), max_length=254),
    )
    instructions = (
        gettext_lazy("按手机号码匹配您管理范围内的已有账号；没有账号的人员将新建账号，首次登录须修改密码。"),
        gettext_lazy("角色填“工作人员”的已有办理人，将收回其办理人权限（账号保留）。"),
    )

    def prepare(self, ctx):
        kit.departments(ctx, above=False)
        kit.accounts(ctx)
        grants = DepartmentUserObjectPermission.objects.filter(
            permission__codename=roles.HANDLE_DEPARTMENT, content_object__region__in=kit.regions_of(ctx.region)
        )
        ctx.cache["handlers"] = set(grants.values_list("content_object_id", "user_id"))

    def check_row(self, row, ctx):
        department, problem = kit.departments(ctx, above=False).find(ctx, kit.text(row, "department"))
        if problem:
            row.error("department", problem)
            return
        mobile, real_name = row.values.get("mobile"), kit.text(row, "real_name")
        if not mobile or not real_name or row.has_errors:
            return
        if not self.first_seen(row, ctx, "mobile", (department.pk, mobile)):
            return
        handler = (row.values.get("role") or str(HANDLER)) == str(HANDLER)
        person, problem = kit.accounts(ctx).find(mobile)
        if problem:
            row.error("mobile", problem)
            return
        row.data.update(department=department, person=person, handler=handler)
        # One person in several departments' rows: one name, and one account made by their first row.
        first = ctx.cache.setdefault("handlers:names", {}).setdefault(mobile, (row.number, real_name))
        if first[1] != real_name:
            row.error(
                "real_name",
                _("与第 %(row)d 行手机号码相同，姓名却是“%(name)s”。") % {"row": first[0], "name": first[1]},
            )
            return
        if person is None:
            if first[0] == row.number:
                kit.announce_new_account(row, ctx, "real_name", real_name)
            kit.set_outcome(row, None)
            return
        changes = []
        if person.real_name != real_name:
            if not people.may_manage_person(ctx.user, person):
                row.error("real_name", _("该账号登记的姓名为“%s”，您无权修改其账号信息。") % person.real_name)
                return
            changes.append(self.header_of("real_name"))
        if handler != ((department.pk, person.pk) in ctx.cache["handlers"]):
            changes.append(self.header_of("role"))
        kit.set_outcome(row, changes)

    def apply_row(self, row, ctx):
        if row.outcome == kit.UNCHANGED:
            return
        department, person, handler = row.data["department"], row.data["person"], row.data["handler"]
        real_name = kit.text(row, "real_name")
        created = ctx.cache.setdefault("handlers:created", {})
        if person is None and row.values["mobile"] in created:
            person = created[row.values["mobile"]]
        elif person is None:
            person = created[row.values["mobile"]] = kit.create_account(
                ctx,
                row,
                real_name=real_name,
                mobile=row.values["mobile"],
                unit=department,
                email=kit.text(row, "email"),
            )
        elif person.real_name != real_name:
            person = get_user_model().objects.get(pk=person.pk)
            people_services.person_update(
                actor=ctx.user,
                person=person,
                real_name=real_name,
                mobile=person.mobile,
                email=person.email,
                affiliation_unit=person.affiliation_unit,
            )
        granted = (department.pk, person.pk) in ctx.cache["handlers"]
        if handler and not granted:
            services.department_add_handler(department=department, user=person, actor=ctx.user)
        elif not handler and granted:
            services.department_remove_handler(department=department, user=person, actor=ctx.user)
