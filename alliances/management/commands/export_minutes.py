"""python manage.py export_minutes --month 2026-11 [--alliance ID | --region ID] -o FILE

The monthly minutes workbook from the shell, through the same code as the download and the job:
one alliance, one region (its organisation department's workbook), or every alliance (default).
Recorded in the audit log as an export with no signed-in actor.
"""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from alliances import exporters
from alliances.models import Alliance, Region
from chainparty import audit


class Command(BaseCommand):
    help = "导出某月的会议台账（会议、参会情况、议定事项、本月诉求）为 Excel 文件。"

    def add_arguments(self, parser):
        parser.add_argument("--month", required=True, help="月份，例如 2026-11")
        target = parser.add_mutually_exclusive_group()
        target.add_argument("--alliance", type=int, help="联盟 ID")
        target.add_argument("--region", type=int, help="区域 ID（该区域及下级区域的全部联盟）")
        parser.add_argument("-o", "--output", required=True, help="输出文件路径（.xlsx）")

    def handle(self, *args, month, alliance, region, output, **options):
        try:
            year, month_number = exporters.parse_month(month)
            scope = self._scope(year, month_number, alliance, region)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        counts = exporters.write_minutes(scope, output)
        audit.record(
            action=audit.Action.EXPORT,
            region=scope.alliances.first().region if alliance else None,
            data={"exporter": exporters.WORKBOOK, "command": "export_minutes", **scope.params, "rows": counts},
        )
        self.stdout.write(f"{output}: " + ", ".join(f"{name} {rows}" for name, rows in counts.items()))

    def _scope(self, year, month, alliance_id, region_id):
        if alliance_id is not None:
            alliance = Alliance.objects.filter(pk=alliance_id).first()
            if alliance is None:
                raise CommandError(f"联盟 {alliance_id} 不存在。")
            return exporters.minutes_scope_for_alliance(alliance=alliance, year=year, month=month)
        if region_id is not None:
            region_obj = Region.objects.filter(pk=region_id).first()
            if region_obj is None:
                raise CommandError(f"区域 {region_id} 不存在。")
            return exporters.minutes_scope_for_region(region=region_obj, year=year, month=month)
        return exporters.minutes_scope_for_all(year=year, month=month)
