from django.core.management.base import BaseCommand
from django.db import transaction

from alliances import demo as org_demo
from alliances.meetings import demo as meetings_demo
from chainparty import demo as calendar_demo
from demands import demo as demands_demo
from demands.demo import meetings as demands_meetings_demo
from guides import demo as guides_demo


class Command(BaseCommand):
    help = (
        "载入示范数据（济宁市汶上县、兖州区的产业链党委、企业、部门、会议、需求、资源、政策与演示账号）。可重复执行。"
    )

    def handle(self, *args, **options):
        with transaction.atomic():
            calendar_demo.load(stdout=self.stdout)  # first: the demo's deadlines count 2027's working days
            org = org_demo.build(stdout=self.stdout)
            meetings_demo.load(org, stdout=self.stdout)
            guides_demo.load_people(org, stdout=self.stdout)  # before the needs: guide_li files from visits
            demands_demo.load(org, stdout=self.stdout)
            demands_meetings_demo.load(org, stdout=self.stdout)  # a decision becomes a need: both loaded
            guides_demo.load(org, stdout=self.stdout)  # last: visits raise needs, secretaries answer them
        self.stdout.write(self.style.SUCCESS(f"示范数据已就绪。演示账号密码均为 {org_demo.DEMO_PASSWORD}"))
