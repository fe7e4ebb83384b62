"""Import kinds "departments" and "handlers" (issue 11): departments, their handlers' accounts and roles."""

import html
import re

import pytest
from django.contrib.auth import get_user_model
from guardian.shortcuts import get_users_with_perms

from alliances.models import Department
from chainparty.imports.registry import import_kinds
from chainparty.security.services import password_change_due
from tests.imports_support import check, messages, outcomes, run

User = get_user_model()
DEPARTMENTS = ["部门名称", "简称", "要素组", "联系电话"]
HANDLERS = ["所属部门", "姓名", "手机号码", "角色"]


def department_rows(world):
    return [
        [world.department.name, "人社局", "人才", ""],
        ["汶上县地方金融监督管理局", "金融局", "金融", "0537-7210000"],
    ]


@pytest.fixture
def personas(personas):
    personas.handler.mobile = "13800000001"
    personas.handler.save(update_fields=["mobile"])
    return personas


def handlers_of(department):
    return set(get_users_with_perms(department, only_with_perms_in=["handle_department"]))


def test_departments_new_unchanged_and_changed(world, personas):
    world.department.short_name = "人社局"
    world.department.factor_group = Department.FactorGroup.TALENT
    world.department.save()
    result = run("departments", personas.org_staff, world.county, DEPARTMENTS, department_rows(world))
    assert result.applied, messages(result)
    assert outcomes(result) == ["unchanged", "new"]
    finance = Department.objects.get(name="汶上县地方金融监督管理局")
    assert (finance.region, finance.factor_group, finance.short_name) == (world.county, "finance", "金融局")
    again = run("departments", personas.org_staff, world.county, DEPARTMENTS, department_rows(world))
    assert outcomes(again) == ["unchanged", "unchanged"]
    later = department_rows(world)
    later[1][1:3] = ["金融办", "基金"]
    result = run("departments", personas.org_staff, world.county, DEPARTMENTS, later)
    assert result.rows[1].changes == ["简称", "要素组"]
    finance.refresh_from_db()
    assert (finance.short_name, finance.factor_group) == ("金融办", "fund")


def test_bad_department_rows(world, personas):
    rows = [*department_rows(world), ["汶上县地方金融监督管理局", "", "金融", ""], ["某局", "", "人材", ""]]
    result = run("departments", personas.org_staff, world.county, DEPARTMENTS, rows)
    assert not result.applied
    assert messages(result) == ["4:name:与第 3 行重复。", "5:factor_group:“要素组”不是可选的值：人材，是否应为“人才”？"]
    assert not Department.objects.filter(name="汶上县地方金融监督管理局").exists()


def test_handlers_get_accounts_with_a_first_login_password_change(world, personas):
    rows = [
        [world.department.name, "人社局刘科员", personas.handler.mobile, "办理人"],
        [world.department.name, "陈静", "13912345678", ""],
        [world.department.name, "周强", "13912345679", "工作人员"],
    ]
    result, ctx = check("handlers", personas.org_staff, world.county, HANDLERS, rows)
    assert outcomes(result) == ["unchanged", "new", "new"]
    assert any("将新建账号“陈静”" in text for text in messages(result, "warning"))
    from chainparty.imports.check import apply_workbook

    assert apply_workbook(result, ctx)
    chen = User.objects.get(mobile="13912345678")
    zhou = User.objects.get(mobile="13912345679")
    assert chen.real_name == "陈静" and chen.affiliation_unit == world.department
    assert handlers_of(world.department) == {personas.handler, chen}
    # The temporary passwords are handed back once, and must be changed at the first login.
    assert [(number, label.split("（")[0]) for number, label, _secret in ctx.secrets] == [(3, "陈静"), (4, "周强")]
    _number, _label, secret = ctx.secrets[0]
    chen.refresh_from_db()
    assert chen.check_password(secret)
    assert password_change_due(chen) == "temporary"
    assert password_change_due(zhou) == "temporary"
    again = run("handlers", personas.org_staff, world.county, HANDLERS, rows)
    assert outcomes(again) == ["unchanged"] * 3
    assert User.objects.filter(mobile__in=["13912345678", "13912345679"]).count() == 2


def test_a_later_file_renames_and_takes_the_role_back(world, personas):
    rows = [[world.department.name, "刘强", personas.handler.mobile, "工作人员"]]
    result = run("handlers", personas.org_staff, world.county, HANDLERS, rows)
    assert result.applied, messages(result)
    assert result.rows[0].changes == ["姓名", "角色"]
    personas.handler.refresh_from_db()
    assert personas.handler.real_name == "刘强"
    assert personas.handler not in handlers_of(world.department)


def test_bad_handler_rows_and_nothing_half_saved(world, personas):
    rows = [
        [world.department.name, "陈静", "13912345678", "办理人"],
        ["汶上县人力资源社会保障局", "王五", "13912345670", "办理人"],
        [world.other_department.name, "赵六", "13912345671", "办理人"],
        [world.department.name, "陈静", "13912345678", "办理人"],
        [world.department.name, "孙七", "1391234567", "办理人"],
        [world.department.name, "外县人员", "13700000000", "办理人"],
    ]
    get_user_model().objects.create(username="far", real_name="外县人员", mobile="13700000000")
    result = run("handlers", personas.org_staff, world.county, HANDLERS, rows)
    assert not result.applied
    errors = messages(result)
    assert f"3:department:部门“汶上县人力资源社会保障局”不存在，是否为“{world.department.name}”？" in errors
    assert any(e.startswith(f"4:department:部门“{world.other_department.name}”不存在") for e in errors)
    assert "5:mobile:与第 2 行重复。" in errors
    assert any(e.startswith("6:mobile:“手机号码”应为11位手机号码") for e in errors)
    assert any(e.startswith("7:mobile:手机号码 13700000000 已有账号，但不在您的管理范围内") for e in errors)
    assert not User.objects.filter(mobile="13912345678").exists()


@pytest.mark.parametrize("identifier", ["departments", "handlers"])
def test_only_the_regions_staff_may_import(world, personas, identifier):
    kind = import_kinds.get(identifier)()
    assert kind.may_import(personas.org_staff, world.county)
    assert not kind.may_import(personas.org_staff, world.other_county)
    for persona in ("leader", "secretary", "enterprise_secretary", "handler", "guide", "outsider"):
        assert not kind.may_import(getattr(personas, persona), world.county), persona


def test_one_new_person_in_two_departments_gets_one_account(world, personas):
    finance = Department.objects.create(name="汶上县地方金融监督管理局", factor_group="finance", region=world.county)
    rows = [
        [world.department.name, "陈静", "13912345678", "办理人"],
        [finance.name, "陈静", "13912345678", "办理人"],
        ["汶上县工业和信息化局", "陈晶", "13912345678", "办理人"],
    ]
    Department.objects.create(name="汶上县工业和信息化局", factor_group="policy", region=world.county)
    result = run("handlers", personas.org_staff, world.county, HANDLERS, rows)
    assert messages(result) == ["4:real_name:与第 2 行手机号码相同，姓名却是“陈静”。"]
    result, ctx = check("handlers", personas.org_staff, world.county, HANDLERS, rows[:2])
    assert outcomes(result) == ["new", "new"]
    from chainparty.imports.check import apply_workbook

    assert apply_workbook(result, ctx)
    chen = User.objects.get(mobile="13912345678")
    assert chen in handlers_of(world.department) and chen in handlers_of(finance)
    assert len(ctx.secrets) == 1


def test_through_the_pages_the_temporary_password_is_shown_once(
    world, personas, client_for, django_capture_on_commit_callbacks
):
    from django.urls import reverse

    from chainparty.imports.models import ImportJob
    from tests.imports_support import workbook

    client = client_for(personas.org_staff)
    rows = [[world.department.name, "陈静", "13912345678", "办理人"]]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("imports:index"),
            {"kind": "handlers", "region": world.county.pk, "file": workbook(HANDLERS, rows)},
        )
    job = ImportJob.objects.get()
    assert job.state == ImportJob.State.CHECKED and job.counts["new"] == 1
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("imports:job_confirm", args=[job.pk]))
    job.refresh_from_db()
    assert job.state == ImportJob.State.APPLIED
    chen = User.objects.get(mobile="13912345678")
    page = client.get(reverse("imports:job_secrets", args=[job.pk]))
    assert page["Cache-Control"] == "no-store"
    shown = re.findall(r'<td class="font-monospace"[^>]*>([^<]+)</td>', page.content.decode())
    assert len(shown) == 1 and chen.check_password(html.unescape(shown[0]))
    assert password_change_due(chen) == "temporary"
    assert "13912345678" not in str(job.report)
    again = client.get(reverse("imports:job_secrets", args=[job.pk])).content.decode()
    assert "陈静" not in again
