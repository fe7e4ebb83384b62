"""Demo needs on top of alliances.demo.build(): every workflow state across the demo alliances,
stories 2 and 3 as real data, overdue needs (one escalated twice by the sweep) and one reopened
after an unsatisfied rating.

Every row is made by the services. History is back-dated by running each step under a frozen
clock (`django.utils.timezone.now` patched), so timestamps, working-day deadlines and the
escalation sweep all agree. Idempotent: a scenario whose need (enterprise + title) exists is skipped.
"""

import datetime as dt
from contextlib import contextmanager
from decimal import Decimal
from unittest import mock

from django.db import transaction
from django.utils import timezone

from chainparty import workdays

from ..models import Need
from ..services import deadlines, escalation, filing, workflow

N = Need


def _workdays_ago(count: int, hour: int = 10) -> dt.datetime:
    """A moment `count` working days before today (0: today), at `hour` o'clock, never later than
    now: loaded at 01:00, what happened "today at 09:00" happened just now."""
    day = workdays.local_today()
    while count > 0:
        day -= dt.timedelta(days=1)
        count -= workdays.is_workday(day)
    return min(timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0))), timezone.now())


@contextmanager
def _clock(moment: dt.datetime):
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


class _Story:
    """Runs the steps of one need, each at its own back-dated moment, refreshing the row between steps."""

    def __init__(self, org):
        self.org = org
        self.need = None

    def at(self, ago, hour=10):
        return _clock(_workdays_ago(ago, hour))

    def file(self, ago, *, by, enterprise, **fields):
        with self.at(ago, 9):
            self.need = filing.need_file(
                actor=self.org.users[by], enterprise=self.org.enterprises[enterprise], **fields
            )
        return self

    def step(self, ago, service, by, hour=10, **kwargs):
        self.need = N.objects.get(pk=self.need.pk)
        with self.at(ago, hour):
            result = service(need=self.need, actor=self.org.users[by], **kwargs)
        self.need = N.objects.get(pk=self.need.pk)
        return result

    def part(self, department):
        return self.need.assignments.get(department=self.org.departments[department])

    def sweep(self, ago, hour=9):
        with self.at(ago, hour):
            escalation.escalation_sweep()


def _story_2(s: _Story):
    """Story 2: Wuzheng Shantuo lacks skilled workers; human resources links it to a technician
    college; 19 people are hired; the enterprise is satisfied and the need is closed out."""
    s.file(
        62,
        by="wuzheng",
        enterprise="wuzheng",
        category=N.Category.LABOR,
        urgency=N.Urgency.URGENT,
        title="缺少数控机床熟练技工",
        description="新上玉米收获机生产线，急需数控机床操作、焊接等熟练技工30名，本地招聘困难。",
        people=30,
    )
    s.step(61, workflow.need_accept, "farm_secretary", note="提交联盟月度会议研究，请人社局牵头。")
    s.step(
        61,
        workflow.need_dispatch,
        "farm_secretary",
        hour=15,
        lead_department=s.org.departments["yz_hr"],
        instruction="请对接济宁技师学院订单式培训和区内技工院校毕业生。",
    )
    s.step(60, workflow.need_start, "hr_handler", assignment=s.part("yz_hr"))
    s.step(
        57,
        workflow.need_answer,
        "hr_handler",
        assignment=s.part("yz_hr"),
        answer="已对接济宁技师学院开设订单班，并组织专场招聘会。5月招聘19名数控、焊接技工入职，其余岗位纳入下期订单班。",
        people_solved=19,
    )
    s.step(45, workflow.need_rate, "wuzheng", rating=N.Rating.SATISFIED, comment="人社局跑前跑后，19名技工已上岗。")
    s.step(44, workflow.need_close, "farm_secretary", note="回访满意，予以销号。")


def _story_3(s: _Story):
    """Story 3: a supermarket chain needs 20 mu of land and 30 million yuan; natural resources leads,
    the federation of industry and commerce answers the funding part."""
    s.file(
        40,
        by="supermarket",
        enterprise="supermarket",
        category=N.Category.LAND,
        urgency=N.Urgency.NORMAL,
        title=STORY_3_TITLE,
        description="为保障城乡门店生鲜供应，计划新建冷链物流配送中心，需建设用地约20亩，项目总投资缺口3000万元。",
        land_mu=Decimal("20"),
        funding_wan=Decimal("3000"),
    )
    s.step(39, workflow.need_accept, "food_secretary", note="涉及用地和融资，由区自然资源局牵头、区工商联协办。")
    s.step(
        39,
        workflow.need_dispatch,
        "food_secretary",
        hour=15,
        lead_department=s.org.departments["yz_land"],
        co_departments=[s.org.departments["yz_fic"]],
        instruction="自然资源局负责用地，工商联协调金融机构解决资金。",
    )
    s.step(
        30,
        workflow.need_answer,
        "fic_handler",
        assignment=s.part("yz_fic"),
        funding_wan_solved=Decimal("3000"),
        answer="协调区农商银行、邮储银行组成银团，授信3000万元，已完成首笔放款。",
    )
    s.step(
        27,
        workflow.need_answer,
        "land_handler",
        assignment=s.part("yz_land"),
        land_mu_solved=Decimal("20"),
        answer="配送中心用地20亩已纳入年度供地计划，完成规划调整并挂牌出让。",
    )
    s.step(20, workflow.need_rate, "supermarket", rating=N.Rating.SATISFIED, comment="用地和资金都落实了。")


STORY_3_TITLE = "新建冷链物流配送中心需用地20亩、资金3000万元"


def _duplicate_of_story_3(s: _Story):
    original = Need.objects.get(enterprise=s.org.enterprises["supermarket"], title=STORY_3_TITLE)
    s.file(
        39,
        by="supermarket",
        enterprise="supermarket",
        category=N.Category.LAND,
        title="配送中心项目用地指标咨询",
        description="配送中心项目用地指标如何申请？",
    )
    s.step(39, workflow.need_merge, "org_admin", hour=14, into=original, note="与配送中心用地需求重复，合并办理。")


def _reopened_by_rating(s: _Story):
    """Jindafeng rates an answer 不满意: the lead part is reopened and counted as a redo."""
    s.file(
        30,
        by="jindafeng",
        enterprise="jindafeng",
        category=N.Category.LABOR,
        title="招聘持证电焊工10名",
        description="收获机订单增加，需要持证电焊工10名，本地招聘困难。",
        people=10,
    )
    s.step(30, workflow.need_accept, "farm_secretary")
    s.step(29, workflow.need_dispatch, "farm_secretary", lead_department=s.org.departments["yz_hr"])
    s.step(25, workflow.need_answer, "hr_handler", assignment=s.part("yz_hr"), answer="已推荐参加区春季招聘会。")
    s.step(
        20,
        workflow.need_rate,
        "jindafeng",
        rating=N.Rating.UNSATISFIED,
        comment="只推荐了招聘会，没有招到持证焊工。",
    )


def _escalated_twice(s: _Story):
    """Nobody acts on an urgent approval: the sweep warns, then escalates to the alliance and to the
    organisation department."""
    s.file(
        14,
        by="farm_secretary",
        enterprise="yz_farm_2",
        source=N.Source.HOTLINE,
        category=N.Category.APPROVAL,
        urgency=N.Urgency.URGENT,
        title="农机购置补贴申领材料审核进度",
        description="企业申领的农机购置补贴材料提交已一个月，审核进度不明，影响资金周转。",
    )
    s.step(14, workflow.need_accept, "farm_secretary")
    s.step(13, workflow.need_dispatch, "farm_secretary", lead_department=s.org.departments["yz_iit"])
    for ago in range(12, 0, -1):  # the sweep as beat would have run it, once each working day
        s.sweep(ago)


def _overdue_level_one(s: _Story):
    s.file(
        8,
        by="guide_li",
        enterprise="xinhuayuan",
        category=N.Category.LABOR,
        urgency=N.Urgency.URGENT,
        title="纺纱车间熟练挡车工短缺",
        description="走访了解到：纺纱车间缺熟练挡车工20名，夜班岗位尤其难招。",
        people=20,
    )
    s.step(8, workflow.need_accept, "textile_secretary")
    s.step(7, workflow.need_dispatch, "textile_secretary", lead_department=s.org.departments["ws_hr"])
    s.sweep(1)


def _answered_financing(s: _Story):
    s.file(
        12,
        by="hongruixuan",
        enterprise="hongruixuan",
        category=N.Category.FINANCING,
        urgency=N.Urgency.URGENT,
        title="旺季备料流动资金500万元",
        description="秋冬季订单集中，面料备料需流动资金500万元。",
        funding_wan=Decimal("500"),
    )
    s.step(12, workflow.need_accept, "textile_secretary")
    s.step(11, workflow.need_dispatch, "textile_secretary", lead_department=s.org.departments["ws_finance"])
    s.step(10, workflow.need_start, "finance_handler", assignment=s.part("ws_finance"))
    s.step(
        8,
        workflow.need_answer,
        "finance_handler",
        assignment=s.part("ws_finance"),
        answer="已按“休闲服饰贷”对接县农商银行，授信500万元，无需抵押，三个工作日内放款。",
        funding_wan_solved=Decimal("500"),
    )


def _closed_policy(s: _Story):
    s.file(
        50,
        by="hongruixuan",
        enterprise="hongruixuan",
        category=N.Category.POLICY,
        title="技改设备贷款贴息政策咨询",
        description="计划购置自动裁床等设备，咨询技改贷款贴息政策和申报条件。",
    )
    s.step(50, workflow.need_accept, "textile_secretary")
    s.step(49, workflow.need_dispatch, "textile_secretary", lead_department=s.org.departments["ws_finance"])
    s.step(
        46,
        workflow.need_answer,
        "finance_handler",
        assignment=s.part("ws_finance"),
        answer="已上门讲解技改贷款贴息政策，协助准备申报材料。",
    )
    s.step(40, workflow.need_rate, "hongruixuan", rating=N.Rating.BASICALLY_SATISFIED)
    s.step(39, workflow.need_close, "textile_secretary")


def _in_progress_land(s: _Story):
    s.file(
        6,
        by="jindafeng",
        enterprise="jindafeng",
        category=N.Category.LAND,
        title="新建试验场用地规划调整",
        description="收获机田间试验场需调整约8亩用地规划。",
        land_mu=Decimal("8"),
    )
    s.step(6, workflow.need_accept, "farm_secretary")
    s.step(5, workflow.need_dispatch, "farm_secretary", lead_department=s.org.departments["yz_land"])
    s.step(4, workflow.need_start, "land_handler", assignment=s.part("yz_land"))


def _returned(s: _Story):
    s.file(
        4,
        by="wuzheng",
        enterprise="wuzheng",
        category=N.Category.FINANCING,
        title="技改项目贷款贴息申请",
        description="智能焊接生产线技改项目申请贷款贴息。",
    )
    s.step(3, workflow.need_return, "farm_secretary", reason="请补充技改项目备案证明和设备投资明细。")


def _rejected(s: _Story):
    s.file(
        9,
        by="farm_secretary",
        enterprise="yz_farm_2",
        source=N.Source.HOTLINE,
        category=N.Category.OTHER,
        title="厂门前道路车辆乱停放",
        description="厂门前道路经常有社会车辆乱停放，影响货车进出。",
    )
    s.step(
        9,
        workflow.need_reject,
        "farm_secretary",
        hour=15,
        reason="不属于产业链党委职责范围，已告知企业向交警部门反映。",
    )


def _accepted(s: _Story):
    s.file(
        2,
        by="org_admin",
        enterprise="jinmailang",
        source=N.Source.MEETING,
        category=N.Category.LOGISTICS,
        title="原料运输车辆城区通行证办理",
        description="面粉原料运输车辆夜间进城需办理通行证，每月约200车次。",
    )
    s.step(2, workflow.need_accept, "org_admin", hour=15)


def _dispatched(s: _Story):
    s.file(
        2,
        by="textile_secretary",
        enterprise="ws_textile_3",
        source=N.Source.MEETING,
        category=N.Category.MARKET,
        title="外贸服装订单对接",
        description="企业有闲置产能，希望对接外贸服装订单。",
    )
    s.step(2, workflow.need_accept, "textile_secretary")
    s.step(1, workflow.need_dispatch, "textile_secretary", lead_department=s.org.departments["ws_iit"])


def _dispatched_chemical(s: _Story):
    s.file(
        3,
        by="org_admin",
        enterprise="ws_chem_1",
        source=N.Source.HOTLINE,
        category=N.Category.SAFETY,
        title="危险废物处置渠道",
        description="新材料项目投产后每月产生约5吨危险废物，需落实合规处置渠道。",
    )
    s.step(3, workflow.need_accept, "org_admin")
    s.step(2, workflow.need_dispatch, "org_admin", lead_department=s.org.departments["ws_env"])


def _submitted_talent(s: _Story):
    s.file(
        0,
        by="jindafeng",
        enterprise="jindafeng",
        category=N.Category.LABOR,
        title="高端农机研发人才引进",
        description="需引进农机智能控制方向研发人才3名。",
    )


def _submitted_by_guide(s: _Story):
    s.file(
        0,
        by="guide_li",
        enterprise="ws_textile_6",
        category=N.Category.LABOR,
        title="品牌设计人才和电商运营培训",
        description="走访了解到：企业缺少品牌设计和电商运营人才，希望联盟组织培训。",
    )


# In the order they were filed, so the numbers XQ-<year>-<n> follow the dates.
SCENARIOS = [
    ("wuzheng", "缺少数控机床熟练技工", _story_2),
    ("hongruixuan", "技改设备贷款贴息政策咨询", _closed_policy),
    ("supermarket", STORY_3_TITLE, _story_3),
    ("supermarket", "配送中心项目用地指标咨询", _duplicate_of_story_3),
    ("jindafeng", "招聘持证电焊工10名", _reopened_by_rating),
    ("yz_farm_2", "农机购置补贴申领材料审核进度", _escalated_twice),
    ("hongruixuan", "旺季备料流动资金500万元", _answered_financing),
    ("yz_farm_2", "厂门前道路车辆乱停放", _rejected),
    ("xinhuayuan", "纺纱车间熟练挡车工短缺", _overdue_level_one),
    ("jindafeng", "新建试验场用地规划调整", _in_progress_land),
    ("wuzheng", "技改项目贷款贴息申请", _returned),
    ("ws_chem_1", "危险废物处置渠道", _dispatched_chemical),
    ("jinmailang", "原料运输车辆城区通行证办理", _accepted),
    ("ws_textile_3", "外贸服装订单对接", _dispatched),
    ("jindafeng", "高端农机研发人才引进", _submitted_talent),
    ("ws_textile_6", "品牌设计人才和电商运营培训", _submitted_by_guide),
]


def _exists(org, enterprise, title):
    return Need.objects.filter(enterprise=org.enterprises[enterprise], title=title).exists()


@transaction.atomic
def load(org, *, stdout=None):
    """Create the demo needs that are not there yet; returns how many were created."""
    deadlines.deadline_rules_ensure_defaults()
    created = 0
    for enterprise, title, scenario in SCENARIOS:
        if not _exists(org, enterprise, title):
            scenario(_Story(org))
            created += 1
    if stdout:
        total = Need.objects.filter(enterprise__in=org.enterprises.values()).count()
        stdout.write(f"需求示范数据：新增 {created} 条，共 {total} 条需求。")
    return created
