"""What the import kinds of the alliances, demands and guides apps share (issue 11): who may import
for a region, lookups loaded once per file with a "did you mean" for names that do not exist, the
comparison that makes a row new, changed or unchanged, and accounts matched by mobile number.

The kinds themselves follow `chainparty.imports.base.ImportKind`. Only `create_account` writes (for
apply_row, through the people services); everything else is for check_row and reads.
"""

import re
from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chainparty.imports.base import CHANGED, NEW, UNCHANGED, ImportKind

from ..access import scope_for
from ..models import Alliance, Department, Enterprise, Region, WorkZone
from .base import OrgStaffKind

#: What separates several names in one cell: 、 , ， ; ； / and line breaks.
SEPARATORS = re.compile(r"[、,，;；/\n]+")
#: A unified social credit code (18 characters, digits and the letters the standard uses).
CREDIT_CODE = re.compile(r"^[0-9A-Z]{18}$")


# -- who may import --------------------------------------------------------------------------
def manages_region(user, region) -> bool:
    """Organisation staff of `region` or a region above it, and platform administrators."""
    scope = scope_for(user)
    if scope.is_global_admin:
        return True
    return bool(scope.managed_region_ids) and region.is_within(*scope.managed_region_ids)


def managed_alliance_ids(user, region) -> set[int]:
    """The alliances of `region`'s subtree that `user` runs as a secretary (a managing seat in force)."""
    scope = scope_for(user)
    if not scope.managed_alliance_ids:
        return set()
    return set(
        Alliance.objects.filter(pk__in=scope.managed_alliance_ids, region__in=regions_of(region)).values_list(
            "pk", flat=True
        )
    )


def secretary_regions(user) -> list:
    """The regions of the alliances `user` runs as a secretary."""
    scope = scope_for(user)
    if not scope.managed_alliance_ids:
        return []
    ids = Alliance.objects.filter(pk__in=scope.managed_alliance_ids).values("region_id")
    return list(Region.objects.filter(pk__in=ids).order_by("code"))


def regions_of(region):
    """`region` and every region under it, as a subquery of ids."""
    return Region.objects.subtree_of(region).values("pk")


# -- values ------------------------------------------------------------------------------------
def text(row, key) -> str:
    value = row.values.get(key)
    if value is None:
        return ""
    return str(value).strip()


def split_names(value) -> list[str]:
    """ "A公司、B公司, C公司" -> ["A公司", "B公司", "C公司"], each once, in order."""
    names = [part.strip() for part in SEPARATORS.split(str(value or "")) if part.strip()]
    return list(dict.fromkeys(names))


def choice_value(enum, label):
    """The stored value of a TextChoices `enum` for its Chinese `label` (None when not one)."""
    if label in (None, ""):
        return None
    label = str(label).strip()
    for value, choice_label in enum.choices:
        if label in (str(choice_label), value):
            return value
    return None


def labels(enum) -> tuple[str, ...]:
    return tuple(str(label) for _value, label in enum.choices)


# -- lookups -----------------------------------------------------------------------------------
def not_found(ctx, what: str, name: str, candidates: Iterable[str]) -> str:
    """ "联盟“纺织产业链党委”不存在，是否为“汶上县纺织服装产业链党委”？" (the closest name, when one is close)."""
    hint = ctx.closest(name, list(candidates))
    if hint:
        return _("%(what)s“%(name)s”不存在，是否为“%(hint)s”？") % {"what": what, "name": name, "hint": hint}
    return _("%(what)s“%(name)s”不存在。") % {"what": what, "name": name}


class ByName:
    """Objects by name (and, for enterprises, by credit code), loaded once for a file."""

    def __init__(self, objects, *, what: str, code_attr: str | None = None):
        self.what = what
        self.by_name = defaultdict(list)
        self.by_code = {}
        self.by_pk = {}
        for obj in objects:
            self.by_pk[obj.pk] = obj
            self.by_name[obj.name.strip()].append(obj)
            if code_attr:
                self.by_code[getattr(obj, code_attr).upper()] = obj

    def names(self):
        return self.by_name.keys()

    def find(self, ctx, value):
        """(object, None) or (None, Chinese message). A value shaped like a credit code is looked up
        by code first; a name that several objects share asks for the code."""
        value = str(value or "").strip()
        if self.by_code and CREDIT_CODE.match(value.upper()):
            found = self.by_code.get(value.upper())
            if found is not None:
                return found, None
            return None, _("统一社会信用代码为“%(code)s”的%(what)s不存在。") % {"code": value, "what": self.what}
        found = self.by_name.get(value, [])
        if len(found) == 1:
            return found[0], None
        if len(found) > 1:
            if self.by_code:
                return None, _("有 %(n)d 家名为“%(name)s”的%(what)s，请填写统一社会信用代码。") % {
                    "n": len(found),
                    "name": value,
                    "what": self.what,
                }
            return None, _("有 %(n)d 个名为“%(name)s”的%(what)s，无法确定是哪一个。") % {
                "n": len(found),
                "name": value,
                "what": self.what,
            }
        return None, not_found(ctx, self.what, value, self.names())


def cached(ctx, key, load):
    """`load()` once per file, kept in ctx.cache under `key`."""
    if key not in ctx.cache:
        ctx.cache[key] = load()
    return ctx.cache[key]


def enterprises(ctx) -> ByName:
    """The enterprises of the import's region and below it, by name and credit code."""
    return cached(
        ctx,
        "kit:enterprises",
        lambda: ByName(
            Enterprise.objects.filter(region__in=regions_of(ctx.region)).select_related("region").order_by("pk"),
            what=_("企业"),
            code_attr="credit_code",
        ),
    )


def departments(ctx, *, above=True) -> ByName:
    """The departments of the import's region, and with `above` of the regions above it too (an
    alliance may take in a city's department)."""
    key = f"kit:departments:{above}"

    def load():
        ids = ctx.region.ancestor_ids() if above else [ctx.region.pk]
        return ByName(
            Department.objects.filter(Q(region__in=ids) | Q(region__in=regions_of(ctx.region))).order_by("pk"),
            what=_("部门"),
        )

    return cached(ctx, key, load)


def zones(ctx) -> ByName:
    return cached(
        ctx,
        "kit:zones",
        lambda: ByName(
            WorkZone.objects.filter(region__in=regions_of(ctx.region)).select_related("region").order_by("pk"),
            what=_("片区"),
        ),
    )


def alliances(ctx) -> ByName:
    return cached(
        ctx,
        "kit:alliances",
        lambda: ByName(
            Alliance.objects.filter(region__in=regions_of(ctx.region)).select_related("region").order_by("pk"),
            what=_("联盟"),
        ),
    )


# -- rows --------------------------------------------------------------------------------------
def changed_fields(current: dict, new: dict, names: dict) -> list[str]:
    """The Chinese names (`names[key]`) of the keys whose new value differs from the current one."""
    return [str(names[key]) for key in new if new[key] != current.get(key)]


def set_outcome(row, changes: list[str] | None) -> None:
    """None: a new row; [] unchanged; else changed, with the Chinese names of what changed."""
    if changes is None:
        row.outcome, row.changes = NEW, []
    else:
        row.outcome, row.changes = (CHANGED if changes else UNCHANGED), list(changes)


def given(row, key) -> bool:
    """Whether the sheet gave `key` a value (an empty cell, or a column the sheet lacks, keeps what is on file)."""
    value = row.values.get(key)
    return value is not None and value != ""


def not_negative(row, *keys) -> None:
    for key in keys:
        value = row.values.get(key)
        if value is not None and value < 0:
            row.error(key, _("不能为负数。"))


class StaffKind(OrgStaffKind, ImportKind):
    """A kind that organisation staff import for a region they manage (or one under it)."""


# -- accounts (handlers, guides) ---------------------------------------------------------------
class Accounts:
    """The accounts an import may match by mobile number: those the importing person reaches
    (alliances.people), and whether a number belongs to anyone at all (so a number in use outside
    their reach is refused instead of creating a second account for the same person)."""

    def __init__(self, user):
        from django.contrib.auth import get_user_model

        from .. import people

        self.reached = defaultdict(list)
        for person in people.people_reached(user).exclude(mobile="").order_by("pk"):
            self.reached[person.mobile].append(person)
        self.taken = set(get_user_model().objects.exclude(mobile="").values_list("mobile", flat=True))

    def find(self, mobile):
        """(account or None, Chinese message or None). None and no message: nobody has the number."""
        found = self.reached.get(mobile, [])
        if len(found) > 1:
            return None, _("手机号码 %(mobile)s 对应 %(n)d 个账号，请先在人员管理中合并或修改。") % {
                "mobile": mobile,
                "n": len(found),
            }
        if found:
            return found[0], None
        if mobile in self.taken:
            return None, _("手机号码 %s 已有账号，但不在您的管理范围内，请联系其所在单位的组织部门。") % mobile
        return None, None


def accounts(ctx) -> Accounts:
    return cached(ctx, "kit:accounts", lambda: Accounts(ctx.user))


NEW_ACCOUNT_NOTE = gettext_lazy("将新建账号“%(name)s”：导入完成后显示一次临时密码，请转交本人，首次登录须修改密码。")


def announce_new_account(row, ctx, key, name) -> None:
    """Tell the importer, in the report, how a new account gets its first password."""
    row.warning(key, NEW_ACCOUNT_NOTE % {"name": name})


def create_account(ctx, row, *, real_name: str, mobile: str, unit, email: str = ""):
    """A new account through the people services, with a temporary password that must be changed at
    the first login, handed back once in ctx.secrets (the job page shows it to who confirmed, the
    command prints it)."""
    from ..people import services as people_services

    person = people_services.person_create(
        actor=ctx.user, real_name=real_name, mobile=mobile, affiliation_unit=unit, email=email
    )
    password = people_services.password_set_temporary(actor=ctx.user, person=person)
    ctx.secrets.append((row.number, f"{real_name}（{person.username}）", password))
    return person
