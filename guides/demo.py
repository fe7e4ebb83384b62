"""Demo guides for load_demo (issue 9 §4).

`load_people(org)` runs right after the organisational core and before the needs, because guide_li
files needs from visits (demands/demo): 李指导, a 红帆指导员 sent by the Wenshang development zone's
Party working committee, assigned (monthly, 三包三联) to the zone and to its textile park.

`load(org)` runs last and builds Wenshang's guides on top of everything else:
- the 69 党建工作指导员 sent by 12 county departments (three departments are added to the nine
  of the core demo), each assigned to one or two enterprises (quarterly; the 工信局 and 人社局
  instructors visit the chain enterprises monthly, 三包三联), a few to a whole town;
- a 红帆党建指导组 led by the development zone's Party secretary (county level) with guide_li and
  two more members, serving the textile chain's members; its leader has a 红帆党建工作室;
- a 红领专家服务队 of six experts from the factor departments doing 政策上门 in the zone;
- two 驻企干部 stationed in 助企攀登 enterprises;
- 19 more Wenshang enterprises (two more towns), so that 69 instructors have somewhere to go;
- visits over the last two quarters: most confirmed by the enterprise's secretary, one disputed
  with a reason, the last ten days' still pending; opinions counted; one visit by guide_li raised
  a need (visit_raise_need); four enterprises never visited and two not since before last month;
- a building goal at two small firms of 次丘镇 that ended in a new joint branch (联合建), recorded
  through alliances' services, and two goals still open; activists and members developed;
- the 述职评价 of the last half-year: reports, secretaries' and staff's ratings (some left to rate).

Everything is dated relative to the moment of loading and made by the services, each step under a
clock set back to its day (as demands/demo does), never later than the moment of loading. New
accounts: the Party secretaries of the enterprises (to confirm visits and rate) and every guide;
those named in LOGINS sign in with the demo password, the others have no usable password.

Running it twice changes nothing: people, zones, enterprises, teams and assignments are found by
their natural keys; the visit history, the building story and the evaluation are made once (found
by what they made).
"""

import datetime as dt
import random
from contextlib import contextmanager
from unittest import mock

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from alliances import services as org_services
from alliances.demo import DEMO_PASSWORD, demo_credit_code
from alliances.models import Department, Enterprise, PartyOrganization, WorkZone
from chainparty import workdays
from demands.models import Need

from . import services
from .models import (
    Assignment,
    BuildingGoal,
    EvaluationPeriod,
    Guide,
    GuideReport,
    MemberDevelopment,
    Team,
    TeamMember,
    Visit,
)
from .selectors import QUARTER, period_start, previous_period_start

GUIDE_LI_SINCE = dt.date(2023, 9, 1)
K, C = Visit.Kind, Visit.Checklist


def load_people(org, stdout=None) -> Guide:
    user = org.users["guide_li"]
    guide = Guide.objects.filter(user=user).first() or services.guide_create(
        actor=None,
        user=user,
        kind=Guide.Kind.RED_SAIL,
        zone=org.zones["ws_devzone"],
        rank=Guide.Rank.SECTION,
        position="开发区党工委组织部副部长",
        term_start=GUIDE_LI_SINCE,
    )
    for key in ("ws_devzone", "ws_textile_park"):
        zone = org.zones[key]
        if not Assignment.objects.filter(guide=guide, zone=zone).exists():
            services.assignment_create(
                actor=None,
                guide=guide,
                zone=zone,
                starts_on=GUIDE_LI_SINCE,
                cadence=Assignment.Cadence.MONTHLY,
                note="三包三联",
            )
    if stdout is not None:
        stdout.write(f"党建指导员：{guide.name}（{guide.kind_label}）")
    return guide


# -- data -----------------------------------------------------------------------------------------
# Three more county departments, so the instructors come from 12 (seed 002).
DEPARTMENTS = [
    ("ws_commerce", "汶上县商务局", "商务局", Department.FactorGroup.POLICY),
    ("ws_science", "汶上县科学技术局", "科技局", Department.FactorGroup.TALENT),
    ("ws_housing", "汶上县住房和城乡建设局", "住建局", Department.FactorGroup.LAND),
]
#: department key -> how many instructors it sends (69 in all)
SENDERS = {
    "ws_iit": 7,
    "ws_hr": 7,
    "ws_ndrc": 6,
    "ws_land": 6,
    "ws_fic": 6,
    "ws_finance": 6,
    "ws_tax": 6,
    "ws_market": 6,
    "ws_env": 5,
    "ws_commerce": 5,
    "ws_science": 5,
    "ws_housing": 4,
}
INSTRUCTORS = sum(SENDERS.values())

ZONES = [
    ("ws_ciqiu", "次丘镇", WorkZone.Kind.TOWN, "汶上县次丘镇"),
    ("ws_guolou", "郭楼镇", WorkZone.Kind.TOWN, "汶上县郭楼镇"),
]

# key, name, industry, size, zone, employees, legal representative
ENTERPRISES = [
    ("ws_hengtai", "汶上县恒泰智能科技有限公司", "高端装备", "below", "ws_devzone", 60, "钱恒泰"),
    ("ws_luwen", "山东鲁汶新能源材料有限公司", "绿色化工", "below", "ws_devzone", 110, "鲁文斌"),
    ("ws_hongda", "汶上县宏达包装制品有限公司", "包装印刷", "below", "ws_nanzhan", 65, "许宏达"),
    ("ws_fengyuan", "汶上县丰源面粉有限公司", "食品加工", "above", "ws_nanzhan", 230, "丁丰源"),
    ("ws_xinhe", "汶上县鑫和机械配件厂", "高端装备", "below", "ws_nanzhan", 48, "马鑫和"),
    ("ws_tianyi", "汶上县天意服饰有限公司", "纺织服装", "below", "ws_nanzhan", 85, "田一鸣"),
    ("ws_lvye", "汶上县绿野果蔬专业合作社", "食品加工", "below", "ws_nanzhan", 40, "贾绿野"),
    ("ws_jinhe", "汶上县金禾农业科技有限公司", "食品加工", "below", "ws_ciqiu", 35, "金禾田"),
    ("ws_chengxin", "汶上县诚鑫木业有限公司", "建材家居", "below", "ws_ciqiu", 28, "程鑫"),
    ("ws_ruifeng", "山东瑞丰化工有限公司", "绿色化工", "above", "ws_ciqiu", 320, "邓瑞丰"),
    ("ws_hualong", "汶上县华隆建材有限公司", "建材家居", "below", "ws_ciqiu", 90, "华隆"),
    ("ws_yongsheng", "汶上县永盛纺织有限公司", "纺织服装", "below", "ws_ciqiu", 150, "杜永盛"),
    ("ws_boyuan", "汶上县博远电子科技有限公司", "电子信息", "below", "ws_ciqiu", 55, "袁博"),
    ("ws_guolou_steel", "汶上县郭楼钢结构有限公司", "高端装备", "below", "ws_guolou", 120, "郭长林"),
    ("ws_lianhe", "汶上县联合食品有限公司", "食品加工", "above", "ws_guolou", 410, "谢联合"),
    ("ws_minghui", "汶上县明辉服装厂", "纺织服装", "below", "ws_guolou", 70, "蒋明辉"),
    ("ws_shengda", "汶上县盛大塑业有限公司", "新材料", "below", "ws_guolou", 64, "盛大力"),
    ("ws_haoyun", "汶上县好运来物流有限公司", "现代物流", "below", "ws_guolou", 45, "侯运来"),
    ("ws_dongfang", "汶上县东方农机服务有限公司", "农机装备", "below", "ws_guolou", 30, "方东"),
]
#: two small firms of 次丘镇 whose building goal ended in a joint branch (联合建)
JOINT = ("ws_jinhe", "ws_chengxin")
JOINT_BRANCH_NAME = "汶上县次丘镇非公企业联合党支部"
#: still no Party organisation: a goal in progress, and a new project no goal yet
OPEN_GOALS = ("ws_boyuan", "ws_textile_6")
UNCOVERED_NEW = {"ws_hengtai", "ws_boyuan", "ws_dongfang", *JOINT}
#: never visited by anyone; and visited, but not since before the previous month began
NEVER_VISITED = ("ws_hengtai", "ws_haoyun", "ws_dongfang", "ws_lvye")
LAPSED = ("ws_chem_2", "ws_shengda")
#: newly registered: no guide assigned to them directly (only 郭楼镇's instructor, through the town)
UNASSIGNED = ("ws_haoyun", "ws_dongfang")

#: guide accounts that sign in with the demo password (besides guide_li)
LOGINS = ("guide_wang", "guide_hongfan", "guide_expert", "guide_zhuqi")

# username, name, kind, sender ("d:key" or "z:key"), rank, position
HONGFAN_LEADER = ("guide_hongfan", "赵振华", Guide.Kind.RED_SAIL, "z:ws_devzone", "county", "汶上经济开发区党工委书记")
HONGFAN_MEMBERS = [
    ("ws_guide_hf1", "马晓燕", Guide.Kind.RED_SAIL, "z:ws_devzone", "staff", "开发区党群服务中心主任"),
    ("ws_guide_hf2", "宋立新", Guide.Kind.RED_SAIL, "d:ws_hr", "section", "汶上县人力资源和社会保障局机关党委书记"),
]
EXPERTS = [
    ("guide_expert", "韩启明", Guide.Kind.RED_COLLAR, "d:ws_ndrc", "section", "汶上县发展和改革局党组成员、副局长"),
    ("ws_expert_2", "刘慧敏", Guide.Kind.RED_COLLAR, "d:ws_finance", "staff", "汶上县地方金融服务中心信贷科科长"),
    ("ws_expert_3", "孟凡强", Guide.Kind.RED_COLLAR, "d:ws_tax", "section", "国家税务总局汶上县税务局纳税服务股股长"),
    ("ws_expert_4", "吕静", Guide.Kind.RED_COLLAR, "d:ws_market", "staff", "汶上县市场监督管理局质量股四级主任科员"),
    ("ws_expert_5", "牛振东", Guide.Kind.RED_COLLAR, "d:ws_iit", "staff", "汶上县工业和信息化局技术改造股股长"),
    ("ws_expert_6", "褚玉洁", Guide.Kind.RED_COLLAR, "d:ws_hr", "staff", "汶上县人力资源和社会保障局就业股股长"),
]
STATIONED = [
    (
        "guide_zhuqi",
        "孙海涛",
        Guide.Kind.STATIONED,
        "d:ws_iit",
        "section",
        "汶上县工业和信息化局二级主任科员",
        "ws_equip_1",
    ),
    ("ws_zhuqi_2", "高雪", Guide.Kind.STATIONED, "d:ws_ndrc", "staff", "发展和改革局一级科员", "xinhuayuan"),
]
HONGFAN_TEAM = "汶上县红帆党建指导组（纺织服装产业链）"
EXPERT_TEAM = "汶上县红领专家服务队"

SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁宋谢韩唐冯于董程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏"
    "薛叶阎潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟段雷钱汤尹常武乔贺"
)
GIVEN = [
    "建国",
    "建军",
    "志强",
    "海燕",
    "秀英",
    "立新",
    "文静",
    "晓东",
    "玉兰",
    "红梅",
    "庆华",
    "国栋",
    "明亮",
    "春雨",
    "德胜",
    "保华",
    "丽娟",
    "振宇",
    "雪梅",
    "宏伟",
    "传荣",
    "兆祥",
    "凤霞",
    "金龙",
    "文博",
    "慧芳",
    "永刚",
    "继红",
    "彦军",
    "新民",
    "洪涛",
    "瑞雪",
    "学军",
    "春燕",
    "成林",
    "书香",
    "庆国",
    "晓丽",
    "世杰",
    "延平",
    "冬梅",
    "广才",
    "昭阳",
    "爱玲",
    "景山",
    "淑珍",
    "向阳",
    "长青",
    "伟",
    "敏",
    "静",
    "磊",
    "军",
    "涛",
    "斌",
    "娜",
    "超",
    "强",
    "勇",
    "艳",
    "杰",
    "霞",
    "鹏",
    "华",
]
SECTION_POSITIONS = ["党组成员、副局长", "机关党委书记", "办公室主任", "机关党委专职副书记", "二级主任科员"]
STAFF_POSITIONS = ["一级科员", "四级主任科员", "三级主任科员", "科员", "综合股股长"]

OPINIONS = [
    "建议加大对中小企业技改贴息的宣传力度。",
    "企业反映熟练工流失较快，希望组织订单式培训。",
    "希望简化产品出口备案手续。",
    "建议园区统一建设职工宿舍。",
    "企业希望对接县内银行的信用贷款产品。",
    "反映厂区周边道路夜间照明不足。",
    "希望联盟牵头组织上下游订单对接会。",
    "建议开展安全生产标准化专题培训。",
    "企业党员希望参加县里的党务骨干培训班。",
    "希望帮助申报高新技术企业认定。",
]
FINDINGS = {
    K.VISIT: "了解企业生产经营和用工情况，宣讲近期惠企政策。",
    K.SANBAO: "三包三联走访：逐项了解企业订单、用工、融资情况，收集意见建议。",
    K.POLICY: "红领专家政策上门：解读技改贴息、稳岗返还和研发费用加计扣除政策，现场答疑。",
    K.GUIDANCE: "指导企业党支部规范“三会一课”，查阅组织生活记录，帮助制定党员发展计划。",
    K.STATIONED: "驻企工作：参加企业生产调度会，协调解决用电和物流问题。",
}
CHECKLISTS = {
    K.VISIT: [C.POLICY_BRIEFING, C.COLLECT_NEEDS],
    K.SANBAO: [C.COLLECT_NEEDS, C.POLICY_BRIEFING],
    K.POLICY: [C.POLICY_BRIEFING],
    K.GUIDANCE: [C.ORGANIZATIONAL_LIFE, C.DEVELOP_MEMBERS],
    K.STATIONED: [C.COLLECT_NEEDS, C.OTHER],
}
DISPUTE_REASON = "走访当天企业负责人和党支部书记均外出参加展会，厂内无人接待，记录与实际不符。"
NEED_TITLE = "液压件生产线智能化改造缺少技术支持"


# -- clock ----------------------------------------------------------------------------------------
class _Clock:
    """Back-dates the services' clock to a day of the past, never later than the moment of loading."""

    def __init__(self):
        self.moment = timezone.now()
        self.today = timezone.localdate()

    def at(self, day: dt.date, hour: int = 10):
        moment = timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))
        return _frozen(min(moment, self.moment))


@contextmanager
def _frozen(moment):
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


def _workday_on_or_before(day: dt.date, floor: dt.date) -> dt.date | None:
    while day >= floor:
        if workdays.is_workday(day):
            return day
        day -= dt.timedelta(days=1)
    return None


def _months_back(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 - months
    return dt.date(index // 12, index % 12 + 1, 1)


# -- people ---------------------------------------------------------------------------------------
class _Demo:
    def __init__(self, org):
        self.org = org
        self.clock = _Clock()
        self.today = self.clock.today
        self.rng = random.Random(9)
        self.region = org.regions["wenshang"]
        self.departments = dict(org.departments)
        self.zones = dict(org.zones)
        self.enterprises = {k: e for k, e in org.enterprises.items() if e.region_id == self.region.pk}
        # Assignments and terms began a year ago (first day of that quarter), so the last half-year's
        # evaluation has enterprises served; the guides were sent a month before.
        self.since = _months_back(period_start(self.today, QUARTER), 12)
        self.sent_on = _months_back(self.since, 1)
        self.guides: dict[str, Guide] = {}
        self.secretaries: dict[int, object] = {}  # enterprise id -> user
        self.instructors: list[Guide] = []

    # organisation
    def ensure_org(self):
        for key, name, short, group in DEPARTMENTS:
            self.departments[key] = Department.objects.filter(
                region=self.region, name=name
            ).first() or org_services.department_create(
                name=name, short_name=short, factor_group=group, region=self.region
            )
        for key, name, kind, address in ZONES:
            self.zones[key] = WorkZone.objects.filter(region=self.region, name=name).first() or (
                org_services.zone_create(name=name, kind=kind, region=self.region, address=address)
            )
        for key, name, industry, size, zone, employees, legal in ENTERPRISES:
            code = demo_credit_code(self.region.code, name)
            self.enterprises[key] = Enterprise.objects.filter(credit_code=code).first() or (
                org_services.enterprise_create(
                    name=name,
                    credit_code=code,
                    industry=industry,
                    region=self.region,
                    zone=self.zones[zone],
                    size=size,
                    employees=employees,
                    legal_representative=legal,
                    address=f"{self.region.name}{self.zones[zone].name}",
                    contact_name=legal,
                    contact_phone="0537-" + code[9:16],
                )
            )
            if key not in UNCOVERED_NEW:
                self._party_org(self.enterprises[key])

    def _party_org(self, enterprise):
        if enterprise.party_organizations.exists():
            return
        org_services.party_organization_create(
            name=f"{enterprise.name}党支部",
            kind=PartyOrganization.Kind.BRANCH,
            region=self.region,
            enterprises=[enterprise],
            secretary_name=enterprise.legal_representative,
            members=max(3, enterprise.employees // 20),
            probationary_members=1,
            activists=max(1, enterprise.employees // 100),
            founded_on=dt.date(2016 + len(enterprise.name) % 7, 7, 1),
        )

    def ensure_secretaries(self):
        """Each Wenshang enterprise's Party secretary (or, without an organisation, its contact person)
        has an account, so visits are confirmed and guides rated by the enterprise itself."""
        existing = {}
        for enterprise in self.enterprises.values():
            users = scope_users_for(enterprise)
            if users:
                existing[enterprise.pk] = users[0]
        for key, enterprise in self.enterprises.items():
            if enterprise.pk in existing:
                self.secretaries[enterprise.pk] = existing[enterprise.pk]
                continue
            user = _account(
                f"sec_{key}",
                enterprise.legal_representative,
                f"{enterprise.name}党组织书记",
                mobile=self._mobile(f"sec_{key}"),
            )
            org_services.enterprise_grant_secretary(enterprise=enterprise, user=user, system=True)
            self.secretaries[enterprise.pk] = user
        self.demo_logins = {pk for pk, user in existing.items() if user.has_usable_password()}

    def _mobile(self, seed: str) -> str:
        rng = random.Random(seed)
        return f"1{rng.choice('3578')}{rng.randrange(10**9):09d}"

    def _guide(self, username, name, kind, sender, rank, position) -> Guide:
        user = _account(
            username,
            name,
            f"{self._sender(sender)}（{Guide.Kind(kind).label}）",
            mobile=self._mobile(username),
            login=username in LOGINS,
        )
        guide = Guide.objects.filter(user=user).first()
        if guide is None:
            where, key = sender.split(":")
            guide = services.guide_create(
                actor=None,
                user=user,
                kind=kind,
                department=self.departments[key] if where == "d" else None,
                zone=self.zones[key] if where == "z" else None,
                rank=rank,
                position=position,
                phone=user.mobile,
                term_start=self.sent_on,
            )
        self.guides[username] = guide
        return guide

    def _sender(self, sender):
        where, key = sender.split(":")
        return (self.departments if where == "d" else self.zones)[key].name

    def ensure_guides(self):
        names = set(Guide.objects.values_list("name", flat=True)) | {
            row[1] for row in (HONGFAN_LEADER, *HONGFAN_MEMBERS, *EXPERTS, *STATIONED)
        }
        rng = random.Random(69)
        number = 0
        for department, count in SENDERS.items():
            short = self.departments[department].short_name or self.departments[department].name
            for i in range(count):
                number += 1
                username = "guide_wang" if number == 1 else f"ws_guide_{number:02d}"
                name = "王建军" if number == 1 else _unique_name(rng, names)
                names.add(name)
                section = i % 3 == 0
                rank = Guide.Rank.SECTION if section else Guide.Rank.STAFF
                position = f"{short}{rng.choice(SECTION_POSITIONS if section else STAFF_POSITIONS)}"
                self.instructors.append(
                    self._guide(username, name, Guide.Kind.PARTY_BUILDING, f"d:{department}", rank, position)
                )
        for row in (HONGFAN_LEADER, *HONGFAN_MEMBERS, *EXPERTS):
            self._guide(*row)
        for *row, _enterprise in STATIONED:
            self._guide(*row)
        self.guides["guide_li"] = Guide.objects.get(user=self.org.users["guide_li"])
        leader = self.guides[HONGFAN_LEADER[0]]
        if not leader.studio_name:
            services.guide_name_studio(
                actor=None,
                guide=leader,
                studio_name=f"{leader.name}红帆党建工作室",
                granted_on=_months_back(self.today, 3),
            )

    # teams and assignments
    def _team(self, name, kind, department, leader, members) -> Team:
        team = Team.objects.filter(region=self.region, name=name).first() or services.team_create(
            actor=None, name=name, kind=kind, region=self.region, department=department, formed_on=self.since
        )
        for guide, role in [(leader, TeamMember.Role.LEADER), *((m, TeamMember.Role.MEMBER) for m in members)]:
            if not TeamMember.objects.filter(team=team, guide=guide).exists():
                services.team_member_add(actor=None, team=team, guide=guide, role=role, starts_on=self.since)
        return team

    def _assign(self, who, cadence=Assignment.Cadence.QUARTERLY, note="", **target):
        field = "guide" if isinstance(who, Guide) else "team"
        if Assignment.objects.filter(**{field: who}, **target).exists():
            return
        services.assignment_create(
            actor=None, **{field: who}, **target, starts_on=self.since, cadence=cadence, note=note
        )

    def ensure_assignments(self):
        g = self.guides
        self.hongfan = self._team(
            HONGFAN_TEAM,
            Team.Kind.RED_SAIL,
            None,
            g[HONGFAN_LEADER[0]],
            [g["guide_li"], *(g[row[0]] for row in HONGFAN_MEMBERS)],
        )
        self._assign(self.hongfan, alliance=self.org.alliances["ws_textile"], note="组团式党建指导")
        self.experts = self._team(
            EXPERT_TEAM,
            Team.Kind.RED_COLLAR,
            self.departments["ws_ndrc"],
            g[EXPERTS[0][0]],
            [g[r[0]] for r in EXPERTS[1:]],
        )
        for zone in ("ws_devzone", "ws_textile_park"):
            self._assign(self.experts, zone=self.zones[zone], note="政策上门")
        for row in STATIONED:
            self._assign(g[row[0]], Assignment.Cadence.MONTHLY, "助企攀登驻企", enterprise=self.enterprises[row[-1]])
        chain = set(self._chain_keys())
        targets = [k for k in self.enterprises if k not in UNASSIGNED]
        for number, guide in enumerate(self.instructors):
            department = guide.department.name
            if number % 17 == 5:  # a few instructors serve a whole town
                zone = ("ws_ciqiu", "ws_guolou", "ws_nanzhan")[number % 3]
                self._assign(guide, zone=self.zones[zone])
                continue
            picks = [targets[number % len(targets)]]
            if number % 3 == 0:
                picks.append(targets[(number * 7 + 3) % len(targets)])
            for key in dict.fromkeys(picks):
                monthly = key in chain and ("工业和信息化" in department or "人力资源" in department)
                self._assign(
                    guide,
                    Assignment.Cadence.MONTHLY if monthly else Assignment.Cadence.QUARTERLY,
                    "三包三联" if monthly else "",
                    enterprise=self.enterprises[key],
                )

    def _chain_keys(self):
        ids = {
            m.enterprise_id
            for a in self.org.alliances.values()
            if a.region_id == self.region.pk
            for m in a.memberships.filter(enterprise__isnull=False, left_on__isnull=True)
        }
        return [k for k, e in self.enterprises.items() if e.pk in ids]


def scope_users_for(enterprise):
    """The accounts already holding the enterprise's secretary role (alliances.selectors)."""
    from alliances.selectors import enterprise_secretaries

    return list(enterprise_secretaries([enterprise.pk]).get(enterprise.pk, []))


def _account(username, real_name, affiliation, *, mobile="", login=False):
    User = get_user_model()
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User.objects.create_user(
            username=username,
            password=DEMO_PASSWORD if login else None,
            real_name=real_name,
            affiliation=affiliation,
            email=f"{username}@example.com",
            mobile=mobile,
        )
    return user


def _unique_name(rng, taken) -> str:
    while True:
        name = rng.choice(SURNAMES) + rng.choice(GIVEN)
        if name not in taken:
            return name


# -- visits ---------------------------------------------------------------------------------------
class _Planned:
    __slots__ = ("companions", "day", "enterprise", "guide", "kind", "staff", "team")

    def __init__(self, day, guide, enterprise, kind, team=None, companions=(), staff=()):
        self.day, self.guide, self.enterprise, self.kind = day, guide, enterprise, kind
        self.team, self.companions, self.staff = team, companions, staff


def _periods(today, monthly: bool):
    """The calendar periods of the last two quarters up to today: (first day, last day)."""
    start = previous_period_start(today, QUARTER)
    step = 1 if monthly else 3
    periods = []
    while start <= today:
        end = _months_back(start, -step) - dt.timedelta(days=1)
        periods.append((start, min(end, today)))
        start = _months_back(start, -step)
    return periods


class _Visits:
    def __init__(self, demo: _Demo):
        self.demo = demo
        self.rng = random.Random(2026)
        self.plan: list[_Planned] = []

    def _day(self, first, last):
        span = (last - first).days
        return _workday_on_or_before(first + dt.timedelta(days=self.rng.randint(0, span)), first)

    def _cover(self, guide, enterprises, *, monthly, kind, chance, team=None, companions=(), staff=()):
        for first, last in _periods(self.demo.today, monthly):
            current = last == self.demo.today
            for enterprise in enterprises:
                if self.rng.random() < (chance * (0.7 if current else 1)):
                    day = self._day(first, last)
                    if day is not None:
                        self.plan.append(_Planned(day, guide, enterprise, kind, team, companions, staff))

    def build_plan(self):
        d, g, e = self.demo, self.demo.guides, self.demo.enterprises
        for a in Assignment.objects.filter(guide__in=d.instructors).select_related("guide", "enterprise", "zone"):
            targets = [a.enterprise] if a.enterprise_id else list(Enterprise.objects.filter(zone=a.zone))
            monthly = a.cadence == Assignment.Cadence.MONTHLY
            kind = K.SANBAO if monthly else self.rng.choice([K.VISIT, K.VISIT, K.GUIDANCE])
            self._cover(a.guide, targets, monthly=monthly, kind=kind, chance=0.75 if monthly else 0.85)
        members = [g["guide_li"], *(g[row[0]] for row in HONGFAN_MEMBERS)]
        textile = [
            e[k] for k in d._chain_keys() if e[k].zone_id in {d.zones["ws_textile_park"].pk, d.zones["ws_nanzhan"].pk}
        ]
        self._cover(
            g[HONGFAN_LEADER[0]], textile, monthly=False, kind=K.GUIDANCE, chance=0.8,
            team=d.hongfan, companions=members[:2],
        )  # fmt: skip
        zone_enterprises = list(Enterprise.objects.filter(zone__in=[d.zones["ws_devzone"], d.zones["ws_textile_park"]]))
        self._cover(
            g[EXPERTS[0][0]], zone_enterprises, monthly=False, kind=K.POLICY, chance=0.5,
            team=d.experts, companions=[g[r[0]] for r in EXPERTS[1:3]],
            staff=[("郑工信", d.departments["ws_iit"])],
        )  # fmt: skip
        for row in STATIONED:
            self._cover(g[row[0]], [e[row[-1]]], monthly=True, kind=K.STATIONED, chance=1.0)
        # guide_li's monthly rounds (三包三联) in the zone and its textile park
        self._cover(g["guide_li"], zone_enterprises, monthly=True, kind=K.SANBAO, chance=0.45)
        never = {e[k].pk for k in NEVER_VISITED}
        lapsed_from = previous_period_start(d.today, "month")
        lapsed = {e[k].pk for k in LAPSED}
        self.plan = [
            p
            for p in self.plan
            if p.enterprise.pk not in never and not (p.enterprise.pk in lapsed and p.day >= lapsed_from)
        ]
        self.plan.sort(key=lambda p: (p.day, p.enterprise.pk, p.guide.pk))

    def log(self) -> list[Visit]:
        visits = []
        for p in self.plan:
            picked = self.rng.sample(OPINIONS, self.rng.choice([0, 1, 1, 2, 3] if p.kind != K.SANBAO else [1, 2, 3]))
            checklist = list(CHECKLISTS[p.kind])
            if not p.enterprise.party_organizations.exists():
                checklist.insert(0, C.FOUND_ORGANIZATION)
            with self.demo.clock.at(p.day, 16):
                visits.append(
                    services.visit_log(
                        actor=p.guide.user,
                        enterprise=p.enterprise,
                        visited_on=p.day,
                        kind=p.kind,
                        checklist=checklist,
                        findings=FINDINGS[p.kind],
                        opinions="\n".join(picked),
                        opinions_count=len(picked),
                        companions=p.companions,
                        staff=p.staff,
                        team=p.team,
                    )
                )
        return visits

    def answer(self, visits: list[Visit]):
        """Most visits confirmed by the enterprise's secretary a day or three later; the last ten
        days' and a few more still pending (left for the demo's own secretaries to answer); one
        disputed."""
        d = self.demo
        recent = d.today - dt.timedelta(days=10)
        disputed = self._disputed(visits)
        for visit in visits:
            secretary = d.secretaries.get(visit.enterprise_id)
            if secretary is None or visit.enterprise_id in d.demo_logins or visit.visited_on > recent:
                continue
            if visit is disputed:
                with d.clock.at(visit.visited_on + dt.timedelta(days=1), 9):
                    services.visit_dispute(actor=secretary, visit=visit, reason=DISPUTE_REASON)
            elif self.rng.random() < 0.9:
                with d.clock.at(visit.visited_on + dt.timedelta(days=self.rng.randint(1, 3)), 11):
                    services.visit_confirm(actor=secretary, visit=visit)

    def _disputed(self, visits):
        """An instructor's visit in the previous quarter to an enterprise visited by others too."""
        quarter = period_start(self.demo.today, QUARTER)
        by_enterprise = {}
        for v in visits:
            by_enterprise.setdefault(v.enterprise_id, []).append(v)
        for v in visits:
            if (
                v.visited_on < quarter
                and v.guide.kind == Guide.Kind.PARTY_BUILDING
                and v.enterprise_id not in self.demo.demo_logins
                and len(by_enterprise[v.enterprise_id]) > 2
            ):
                return v
        return None

    def raise_need(self):
        """guide_li went to 精工液压 two working days ago and filed what they heard as a need."""
        d = self.demo
        guide, enterprise = d.guides["guide_li"], d.enterprises["ws_equip_2"]
        day = d.today
        for _ in range(2):
            day = _workday_on_or_before(day - dt.timedelta(days=1), day - dt.timedelta(days=10)) or day
        with d.clock.at(day, 15):
            visit = services.visit_log(
                actor=guide.user,
                enterprise=enterprise,
                visited_on=day,
                kind=K.SANBAO,
                checklist=[C.COLLECT_NEEDS, C.POLICY_BRIEFING],
                findings="企业计划对液压件生产线进行智能化改造，缺少工艺设计和设备选型方面的技术支持。",
                opinions="希望对接高校或链主企业的技术团队。\n希望了解省级技改专项资金申报条件。",
                opinions_count=2,
            )
        services.visit_raise_need(
            actor=guide.user,
            visit=visit,
            category=Need.Category.TECHNOLOGY,
            title=NEED_TITLE,
            description="走访了解到：企业液压件生产线计划智能化改造，需要工艺设计和设备选型技术支持，"
            "希望产业链党委协调链主企业或高校技术团队对接。",
            contact_name=enterprise.legal_representative,
        )


# -- building, development, evaluation ----------------------------------------------------------------
def _building(d: _Demo):
    e, g = d.enterprises, d.guides
    if BuildingGoal.objects.filter(enterprise__in=[e[k] for k in JOINT]).exists():
        return
    guide = d.instructors[7]  # an instructor of 工信局 serving 次丘镇's small firms
    opened = d.since + dt.timedelta(days=20)
    steps = [
        (BuildingGoal.Stage.HAS_MEMBERS, 45),
        (BuildingGoal.Stage.PREPARING, 120),
    ]
    founded_on = _workday_on_or_before(d.today - dt.timedelta(days=40), d.today - dt.timedelta(days=60))
    goals = []
    for key in JOINT:
        with d.clock.at(opened):
            goal = services.building_goal_open(actor=None, enterprise=e[key], guide=guide, opened_on=opened,
                                               note="企业党员人数不足3人，拟与邻近企业联合组建。")  # fmt: skip
        for stage, days in steps:
            with d.clock.at(opened + dt.timedelta(days=days)):
                goal = services.building_goal_advance(
                    actor=None, goal=goal, stage=stage, changed_on=opened + dt.timedelta(days=days)
                )
        goals.append(goal)
    people = [("周晓明", "developed"), ("吴倩", "activist"), ("郑凯", "activist"), ("何丽", "candidate")]
    for (name, kind), key in zip(people, JOINT * 2, strict=True):
        on = opened + dt.timedelta(days=60 + 10 * len(name))
        with d.clock.at(on):
            services.member_development_record(
                actor=None, enterprise=e[key], kind=kind, person_name=name, recorded_on=on, guide=guide
            )
    with d.clock.at(founded_on):
        branch = org_services.party_organization_create(
            name=JOINT_BRANCH_NAME,
            kind=PartyOrganization.Kind.JOINT_BRANCH,
            region=d.region,
            enterprises=[e[k] for k in JOINT],
            secretary_name="金禾田",
            members=4,
            probationary_members=1,
            activists=2,
            founded_on=founded_on,
        )  # guides/receivers.py closes both goals as 已组建（联合建）
    on = _workday_on_or_before(d.today - dt.timedelta(days=7), d.today - dt.timedelta(days=14))
    with d.clock.at(on):
        services.member_development_record(
            actor=None, enterprise=e[JOINT[0]], kind=MemberDevelopment.Kind.ACTIVIST, person_name="陈思远",
            recorded_on=on, party_organization=branch, guide=guide,
        )  # fmt: skip
    # two goals still open: a young electronics firm in 摸排 and 锦程休闲服饰 (guide_li) 筹建中
    for key, who, stage in (("ws_boyuan", d.instructors[12], None), ("ws_textile_6", g["guide_li"], "preparing")):
        with d.clock.at(opened):
            goal = services.building_goal_open(actor=None, enterprise=e[key], guide=who, opened_on=opened)
        if stage:
            on = d.today - dt.timedelta(days=30)
            with d.clock.at(on):
                services.building_goal_advance(actor=None, goal=goal, stage=stage, changed_on=on)
    # members developed this year at covered enterprises
    for i, key in enumerate(("hongruixuan", "xinhuayuan", "ws_fengyuan", "ws_ruifeng", "ws_lianhe")):
        enterprise = e[key]
        organization = enterprise.party_organizations.first()
        on = _workday_on_or_before(d.today - dt.timedelta(days=25 + 37 * i), d.today - dt.timedelta(days=40 + 37 * i))
        with d.clock.at(on):
            services.member_development_record(
                actor=None, enterprise=enterprise, kind=MemberDevelopment.Kind.DEVELOPED,
                person_name=["孔祥瑞", "刘佳", "丁明", "邓雨晴", "谢文涛"][i], recorded_on=on,
                party_organization=organization, guide=d.instructors[(i * 11) % len(d.instructors)],
            )  # fmt: skip


def _last_half_year(today: dt.date) -> tuple[dt.date, dt.date]:
    if today.month > 6:
        return dt.date(today.year, 1, 1), dt.date(today.year, 6, 30)
    return dt.date(today.year - 1, 7, 1), dt.date(today.year - 1, 12, 31)


REPORT = (
    "{half}，本人按照县委组织部安排，联系{count}家企业，坚持每季度至少走访一次，"
    "帮助企业规范党组织“三会一课”，宣讲惠企政策，收集并转交企业诉求。下一步将重点推动未建企业党组织组建，"
    "做好党员发展和流动党员管理工作。"
)


RATING_COMMENTS = ["指导及时，帮助很大。", "经常到企业走访，政策讲解清楚。", "希望走访频次再高一些。"]


def _evaluation(d: _Demo):
    starts_on, ends_on = _last_half_year(d.today)
    if EvaluationPeriod.objects.filter(region=d.region, starts_on=starts_on, ends_on=ends_on).exists():
        return
    staff = d.org.users["org_admin"]
    with d.clock.at(ends_on + dt.timedelta(days=1), 9):
        period = services.evaluation_period_create(actor=None, region=d.region, starts_on=starts_on, ends_on=ends_on)
    rng = random.Random(7)
    reporters = [d.guides[u] for u in ("guide_li", "guide_wang", HONGFAN_LEADER[0], EXPERTS[0][0], STATIONED[0][0])]
    reporters += d.instructors[1:16]
    for number, guide in enumerate(reporters):
        served = services.served_enterprise_ids(guide=guide, starts_on=starts_on, ends_on=ends_on)
        with d.clock.at(ends_on + dt.timedelta(days=5 + number % 5), 10):
            report = services.guide_report_submit(
                actor=guide.user,
                period=period,
                text=REPORT.format(half=period.name.replace("党建指导员述职评价", ""), count=len(served)),
            )
        raters = [pk for pk in sorted(served) if pk in d.secretaries and pk not in d.demo_logins][:3]
        for enterprise_id in raters:
            with d.clock.at(ends_on + dt.timedelta(days=12), 15):
                services.rating_submit(
                    actor=d.secretaries[enterprise_id],
                    report=report,
                    score=rng.choice([5, 5, 4, 4, 4, 3]),
                    comment=rng.choice(
                        ["指导及时，帮助很大。", "经常到企业走访，政策讲解清楚。", "希望走访频次再高一些。"]
                    ),
                    enterprise=Enterprise.objects.get(pk=enterprise_id),
                )
        if number % 2 == 0:
            with d.clock.at(ends_on + dt.timedelta(days=14), 10):
                services.rating_submit(actor=staff, report=report, score=rng.choice([4, 5]), comment="工作扎实。")


@transaction.atomic
def load(org, stdout=None):
    """Wenshang's guides, teams, assignments, visits, building goals and evaluation (see above)."""
    d = _Demo(org)
    d.ensure_org()
    d.ensure_secretaries()
    d.ensure_guides()
    d.ensure_assignments()
    if not Visit.objects.filter(region=d.region, guide__in=d.instructors).exists():
        visits = _Visits(d)
        visits.build_plan()
        logged = visits.log()
        visits.answer(logged)
        visits.raise_need()
    _building(d)
    _evaluation(d)
    if stdout is not None:
        stdout.write(
            f"党建指导员示范数据：{Guide.objects.filter(region=d.region).count()} 名指导员，"
            f"{Team.objects.filter(region=d.region).count()} 个指导组，"
            f"{Visit.objects.filter(region=d.region).count()} 次走访，"
            f"{GuideReport.objects.filter(period__region=d.region).count()} 份述职报告。"
        )
    return d
