import pytest

from alliances.models import Enterprise
from chainparty.imports.base import ImportContext
from chainparty.imports.check import apply_workbook, check_workbook
from chainparty.imports.registry import import_kinds
from tests.chainparty.import_helpers import credit_code, xlsx

pytestmark = pytest.mark.django_db


def run(file, user, region, *, apply=False, accept_fixes=False):
    kind = import_kinds.get("enterprises")()
    ctx = ImportContext(user=user, region=region, accept_fixes=accept_fixes, filename="企业台账.xlsx")
    result = check_workbook(file, kind=kind, ctx=ctx)
    if apply:
        apply_workbook(result, ctx)
    return result


def test_new_enterprises_are_created_and_reimport_is_unchanged(world, personas):
    rows = [
        [credit_code(1), "甲纺织有限公司", "纺织服装", "规上", "汶上经济开发区", 120],
        [credit_code(2), "乙服饰有限公司", "纺织服装", "规下", "", 30],
    ]
    result = run(xlsx(rows), personas.org_staff, world.county, apply=True)
    assert result.applied, result.report()
    assert result.counts()["new"] == 2
    first = Enterprise.objects.get(credit_code=credit_code(1))
    assert (first.name, first.size, first.zone, first.employees) == ("甲纺织有限公司", "above", world.zone, 120)
    again = run(xlsx(rows), personas.org_staff, world.county, apply=True)
    assert again.counts()["unchanged"] == 2 and again.counts()["new"] == 0
