"""manage.py import_workbook: template, dry run, apply, report, exit status."""

import subprocess
import sys

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook

from alliances.models import Enterprise

from .import_helpers import credit_code, xlsx

pytestmark = pytest.mark.django_db

ROWS = [[credit_code(1), "甲纺织有限公司", "纺织服装", "规上", "汶上经济开发区", 120]]


def _file(tmp_path, rows, name="企业.xlsx"):
    path = tmp_path / name
    path.write_bytes(xlsx(rows).read())
    return str(path)


def test_template(tmp_path, world):
    out = tmp_path / "模板.xlsx"
    call_command("import_workbook", "--template", "enterprises", "-o", str(out), "--region", str(world.county.pk))
    sheet = load_workbook(out).worksheets[0]
    assert sheet["A3"].value == "credit_code" and sheet.row_dimensions[3].hidden


def test_dry_run_then_apply(tmp_path, world, capsys):
    path = _file(tmp_path, ROWS)
    call_command("import_workbook", "--kind", "enterprises", path, "--region", str(world.county.pk), "--dry-run")
    assert "新增 1" in capsys.readouterr().out and not Enterprise.objects.filter(credit_code=credit_code(1)).exists()
    call_command("import_workbook", "--kind", "enterprises", path, "--region", str(world.county.pk))
    assert Enterprise.objects.filter(credit_code=credit_code(1), region=world.county).exists()
    call_command("import_workbook", "--kind", "enterprises", path, "--region", str(world.county.pk))
    assert "无变化 1" in capsys.readouterr().out


def test_a_refused_row_exits_non_zero_applies_nothing_and_writes_the_report(tmp_path, world, capsys):
    path = _file(tmp_path, [*ROWS, ["9.13E+17", "乙公司", "纺织服装", "", "", 3]])
    report = tmp_path / "结果.xlsx"
    with pytest.raises(CommandError, match="未导入任何内容"):
        call_command(
            "import_workbook", "--kind", "enterprises", path, "--region", str(world.county.pk), "--report", str(report)
        )
    assert "科学计数法" in capsys.readouterr().err
    assert not Enterprise.objects.filter(credit_code=credit_code(1)).exists()
    assert load_workbook(report).sheetnames[0] == "检查结果"


def test_user_access_is_checked(tmp_path, world, personas):
    path = _file(tmp_path, ROWS)
    with pytest.raises(CommandError, match="无权"):
        call_command(
            "import_workbook", "--kind", "enterprises", path, "--region", str(world.county.pk), "--user", "leader_x"
        )
    call_command("import_workbook", "--kind", "enterprises", path, "--region", str(world.county.pk), "--user", "staff")
    assert Enterprise.objects.filter(credit_code=credit_code(1)).exists()


def test_the_exit_status_of_the_command_line(tmp_path):
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "import_workbook",
            "--kind",
            "nothing",
            str(tmp_path / "x.xlsx"),
            "--region",
            "1",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0 and "未知的导入内容" in result.stderr


def test_accounts_made_on_the_command_line_get_their_temporary_password_printed_once(tmp_path, world, personas, capsys):
    """The command applies as its --user: a new handler's temporary password goes to its output
    (there is no page to show it once); it used to be dropped, leaving an account nobody could use."""
    from django.contrib.auth import get_user_model

    path = tmp_path / "办理人.xlsx"
    path.write_bytes(
        xlsx(
            [[world.department.name, "陈静", "13912345678", "办理人"]], headers=["所属部门", "姓名", "手机号码", "角色"]
        ).read()
    )
    call_command(
        "import_workbook", "--kind", "handlers", str(path), "--region", str(world.county.pk), "--user", "staff"
    )
    out = capsys.readouterr().out
    chen = get_user_model().objects.get(mobile="13912345678")
    line = next(line for line in out.splitlines() if "陈静" in line and "初始密码：" in line)
    assert line.startswith("第 2 行") and chen.check_password(line.rsplit("初始密码：", 1)[1].strip())
