"""Imports for administrators at the command line (issue 11 §2):

    python manage.py import_workbook --template KIND -o FILE [--region ID]
    python manage.py import_workbook --kind KIND FILE [--dry-run] [--region ID] [--report OUT.xlsx]
                                     [--user USERNAME] [--accept-fixes]

The second form checks every row and, without --dry-run, applies the file in one transaction. It
prints the counts and every message, writes the marked copy with --report, and exits non-zero when
a row (or the file) is refused: nothing is applied then. Without --user the import is the
platform's own (no actor in the audit log); with it, that person's access is checked.
"""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from chainparty.imports.base import ImportContext
from chainparty.imports.check import apply_workbook, check_workbook
from chainparty.imports.marked import write_marked_copy
from chainparty.imports.registry import import_kinds
from chainparty.imports.template import write_template


class Command(BaseCommand):
    help = "导入 Excel 工作簿（--kind），或写出导入模板（--template）。"

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", help="要导入的 .xlsx 文件")
        parser.add_argument("--kind", help="导入内容，如 enterprises")
        parser.add_argument("--template", metavar="KIND", help="写出该导入内容的模板")
        parser.add_argument("-o", "--output", help="模板的输出文件")
        parser.add_argument("--region", type=int, help="导入到的区域编号")
        parser.add_argument("--dry-run", action="store_true", help="只检查，不导入")
        parser.add_argument("--report", help="写出标注后的检查结果 .xlsx")
        parser.add_argument("--user", help="以该用户名的身份导入（检查其权限）")
        parser.add_argument("--accept-fixes", action="store_true", help="采用建议的修正（全角字符、空格等）")

    def _kind(self, identifier):
        kind_class = import_kinds.get(identifier or "")
        if kind_class is None:
            known = ", ".join(sorted(kind.identifier for kind in import_kinds.all()))
            raise CommandError(f"未知的导入内容：{identifier}（可用：{known}）")
        return kind_class()

    def _region(self, kind, region_id, user):
        if region_id is None:
            return None
        region = kind.get_region(user, region_id) if user is not None else kind.find_region(region_id)
        if region is None:
            raise CommandError(f"区域 {region_id} 不存在，或该用户无权向其导入。")
        return region

    def handle(self, *args, **options):
        user = None
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"], is_active=True).first()
            if user is None:
                raise CommandError(f"没有可用的用户：{options['user']}")
        if options["template"]:
            return self._template(options, user)
        if not options["kind"] or not options["file"]:
            raise CommandError("请给出 --kind 和要导入的文件，或用 --template KIND -o FILE 写出模板。")
        kind = self._kind(options["kind"])
        region = self._region(kind, options["region"], user)
        if region is None:
            raise CommandError("请用 --region 给出导入到的区域编号。")
        ctx = ImportContext(user=user, region=region, accept_fixes=options["accept_fixes"], filename=options["file"])
        try:
            file = open(options["file"], "rb")  # noqa: SIM115 - closed below, after the report
        except OSError as error:
            raise CommandError(f"无法打开文件：{error}") from error
        with file:
            result = check_workbook(file, kind=kind, ctx=ctx)
            applied = False
            if not result.refused and not options["dry_run"]:
                applied = apply_workbook(result, ctx)
            self._print(result)
            if options["report"]:
                with open(options["report"], "wb") as out:
                    write_marked_copy(file, result, out)
                self.stdout.write(f"检查结果已写入 {options['report']}")
        if result.refused:
            raise CommandError("有错误，未导入任何内容。")
        self.stdout.write(self.style.SUCCESS("已导入。" if applied else "检查通过（--dry-run，未导入）。"))
        if applied and ctx.secrets:
            # Accounts the import made: their temporary passwords exist only here (changed at first login).
            self.stdout.write("新建账号的初始密码只显示这一次，请转交本人（首次登录须修改密码）：")
            for number, label, secret in ctx.secrets:
                self.stdout.write(f"第 {number} 行 {label} 初始密码：{secret}")

    def _template(self, options, user):
        if not options["output"]:
            raise CommandError("请用 -o 给出模板的输出文件。")
        kind = self._kind(options["template"])
        region = self._region(kind, options["region"], user)
        ctx = ImportContext(user=user, region=region) if region is not None else None
        with open(options["output"], "wb") as out:
            write_template(kind, out, ctx=ctx)
        self.stdout.write(self.style.SUCCESS(f"模板已写入 {options['output']}"))

    def _print(self, result):
        counts = result.counts()
        for text in result.file_errors:
            self.stderr.write(f"错误：{text}")
        for text in result.file_warnings:
            self.stdout.write(f"提示：{text}")
        for row in result.rows:
            for message in row.messages:
                level = "错误" if message.level == "error" else "提示"
                cell = result.cell_of(row, message.key)
                line = f"第 {row.number} 行{(' ' + cell) if cell else ''}：{level}：{message.text}"
                (self.stderr if message.level == "error" else self.stdout).write(line)
        self.stdout.write(
            "新增 {new}，修改 {changed}，无变化 {unchanged}，有错误 {refused}（共 {total} 行）".format(**counts)
        )
