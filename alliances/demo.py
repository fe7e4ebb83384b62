"""Demo organisation: Jining city with Wenshang county and Yanzhou district, from the seed articles.

`build()` is idempotent: every row is looked up by a natural key before it is created, through the
services, so running it twice changes nothing.
"""

import datetime as dt
import hashlib
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.utils import timezone

from . import services
from .models import Alliance, CommitteeSeat, Department, Enterprise, Membership, PartyOrganization, Region, WorkZone
from .validators import uscc_check_char

DEMO_PASSWORD = "Demo@2026"
ORG_STAFF_GROUP = "组织部工作人员"


@dataclass
class DemoOrg:
    users: dict = field(default_factory=dict)
    regions: dict = field(default_factory=dict)
    zones: dict = field(default_factory=dict)
    enterprises: dict = field(default_factory=dict)
    departments: dict = field(default_factory=dict)
    alliances: dict = field(default_factory=dict)


def demo_credit_code(region_code: str, name: str) -> str:
    digits = str(int(hashlib.sha256(name.encode()).hexdigest(), 16))[:9]
    body = f"91{region_code}{digits}"
    return body + uscc_check_char(body)


REGIONS = [
    ("shandong", "山东省", "370000", Region.Level.PROVINCE, None),
    ("jining", "济宁市", "370800", Region.Level.CITY, "shandong"),
    ("wenshang", "汶上县", "370830", Region.Level.COUNTY, "jining"),
    ("yanzhou", "兖州区", "370812", Region.Level.COUNTY, "jining"),
]

ZONES = [
    ("ws_devzone", "汶上经济开发区", WorkZone.Kind.PARK, "wenshang", None, "汶上县经济开发区"),
    ("ws_textile_park", "纺织服装产业园", WorkZone.Kind.AREA, "wenshang", "ws_devzone", "汶上经济开发区纺织服装片区"),
    ("ws_center", "开发区党群服务中心", WorkZone.Kind.SERVICE_CENTER, "wenshang", "ws_devzone", ""),
    ("ws_nanzhan", "南站镇", WorkZone.Kind.TOWN, "wenshang", None, "汶上县南站镇"),
    ("yz_industry", "兖州工业园区", WorkZone.Kind.PARK, "yanzhou", None, "兖州区工业园区"),
    ("yz_xinyan", "新兖镇", WorkZone.Kind.TOWN, "yanzhou", None, "兖州区新兖镇"),
    ("yz_station", "兖州区党建工作指导站", WorkZone.Kind.GUIDANCE_STATION, "yanzhou", "yz_industry", ""),
]

# key, name, industry, size, region, zone, employees, legal representative
ENTERPRISES = [
    ("hongruixuan", "汶上县鸿瑞轩服饰有限公司", "纺织服装", "above", "wenshang", "ws_textile_park", 560, "孔令军"),
    ("xinhuayuan", "山东新花源纺织有限公司", "纺织服装", "above", "wenshang", "ws_textile_park", 820, "刘海涛"),
    ("ws_textile_1", "山东如意技术纺织有限公司", "纺织服装", "above", "wenshang", "ws_textile_park", 1300, "邱亚夫"),
    ("ws_textile_2", "汶上县正权纺织有限公司", "纺织服装", "below", "wenshang", "ws_textile_park", 180, "王正权"),
    ("ws_textile_3", "汶上县华城百灵服饰有限公司", "纺织服装", "above", "wenshang", "ws_textile_park", 420, "张华城"),
    ("ws_textile_4", "汶上县好姐妹服饰有限公司", "纺织服装", "below", "wenshang", "ws_nanzhan", 95, "李秀梅"),
    ("ws_textile_5", "汶上县诚信人和制衣有限公司", "纺织服装", "below", "wenshang", "ws_nanzhan", 130, "赵诚"),
    ("ws_textile_6", "汶上县锦程休闲服饰有限公司", "纺织服装", "below", "wenshang", "ws_textile_park", 76, "陈锦程"),
    ("ws_equip_1", "山东汶上智能装备制造有限公司", "高端装备", "above", "wenshang", "ws_devzone", 640, "周立强"),
    ("ws_equip_2", "汶上县精工液压机械有限公司", "高端装备", "below", "wenshang", "ws_devzone", 150, "吴建国"),
    ("ws_chem_1", "汶上县绿源新材料有限公司", "绿色化工", "above", "wenshang", "ws_devzone", 380, "郑绿源"),
    ("ws_chem_2", "山东汶化环保科技有限公司", "绿色化工", "below", "wenshang", "ws_devzone", 88, "孙化"),
    ("jindafeng", "山东金大丰机械有限公司", "农机装备", "above", "yanzhou", "yz_industry", 900, "刘金大"),
    ("wuzheng", "五征集团山拖农机装备有限公司", "农机装备", "above", "yanzhou", "yz_industry", 1500, "姜卫东"),
    ("yz_farm_1", "兖州区红色农机配件有限公司", "农机装备", "below", "yanzhou", "yz_industry", 120, "高红"),
    ("yz_farm_2", "济宁兖州丰收农业机械有限公司", "农机装备", "below", "yanzhou", "yz_xinyan", 70, "冯丰收"),
    ("supermarket", "兖州区新世纪连锁超市有限公司", "食品医药", "above", "yanzhou", "yz_xinyan", 1100, "田新"),
    ("jinmailang", "今麦郎食品（兖州）有限公司", "食品医药", "above", "yanzhou", "yz_industry", 1600, "范现国"),
    ("yz_food_1", "兖州区康源医药有限公司", "食品医药", "below", "yanzhou", "yz_xinyan", 140, "康源"),
]

# key, name, short name, factor group, region
DEPARTMENTS = [
    ("ws_ndrc", "汶上县发展和改革局", "发改局", "policy", "wenshang"),
    ("ws_iit", "汶上县工业和信息化局", "工信局", "policy", "wenshang"),
    ("ws_hr", "汶上县人力资源和社会保障局", "人社局", "talent", "wenshang"),
    ("ws_land", "汶上县自然资源和规划局", "自然资源局", "land", "wenshang"),
    ("ws_fic", "汶上县工商业联合会", "工商联", "other", "wenshang"),
    ("ws_finance", "汶上县地方金融服务中心", "金融服务中心", "finance", "wenshang"),
    ("ws_tax", "国家税务总局汶上县税务局", "税务局", "policy", "wenshang"),
    ("ws_market", "汶上县市场监督管理局", "市场监管局", "policy", "wenshang"),
    ("ws_env", "济宁市生态环境局汶上县分局", "生态环境分局", "environment", "wenshang"),
    ("yz_ndrc", "兖州区发展和改革局", "发改局", "policy", "yanzhou"),
    ("yz_iit", "兖州区工业和信息化局", "工信局", "policy", "yanzhou"),
    ("yz_hr", "兖州区人力资源和社会保障局", "人社局", "talent", "yanzhou"),
    ("yz_land", "兖州区自然资源局", "自然资源局", "land", "yanzhou"),
    ("yz_fic", "兖州区工商业联合会", "工商联", "finance", "yanzhou"),
    ("yz_finance", "兖州区地方金融服务中心", "金融服务中心", "finance", "yanzhou"),
    ("yz_tax", "国家税务总局济宁市兖州区税务局", "税务局", "policy", "yanzhou"),
    ("yz_market", "兖州区市场监督管理局", "市场监管局", "policy", "yanzhou"),
    ("yz_energy", "国网济宁市兖州区供电公司", "供电公司", "energy", "yanzhou"),
]

# key, name, chain, region, lead enterprise, founded, cadence, members [(enterprise, position)], departments
ALLIANCES = [
    (
        "ws_textile",
        "汶上县纺织服装产业链党委",
        "纺织服装",
        "wenshang",
        "hongruixuan",
        dt.date(2023, 9, 1),
        "monthly",
        [
            ("xinhuayuan", "upstream"),
            ("ws_textile_1", "upstream"),
            ("ws_textile_2", "supporting"),
            ("ws_textile_3", "downstream"),
            ("ws_textile_4", "downstream"),
            ("ws_textile_5", "supporting"),
            ("ws_textile_6", "downstream"),
        ],
        ["ws_hr", "ws_finance", "ws_iit", "ws_market", "ws_tax"],
    ),
    (
        "ws_equipment",
        "汶上县高端装备产业链党委",
        "高端装备",
        "wenshang",
        "ws_equip_1",
        dt.date(2023, 9, 1),
        "monthly",
        [("ws_equip_2", "supporting")],
        ["ws_iit", "ws_ndrc", "ws_land"],
    ),
    (
        "ws_chemical",
        "汶上县绿色化工产业链党委",
        "绿色化工",
        "wenshang",
        "ws_chem_1",
        dt.date(2023, 9, 1),
        "quarterly",
        [("ws_chem_2", "downstream")],
        ["ws_env", "ws_iit"],
    ),
    (
        "yz_farm",
        "兖州区“红色农机”产业链党建联盟",
        "农机装备",
        "yanzhou",
        "jindafeng",
        dt.date(2022, 6, 28),
        "monthly",
        [("wuzheng", "upstream"), ("yz_farm_1", "supporting"), ("yz_farm_2", "downstream")],
        ["yz_hr", "yz_iit", "yz_finance", "yz_land", "yz_energy"],
    ),
    (
        "yz_food",
        "兖州区食品医药产业链党建联盟",
        "食品医药",
        "yanzhou",
        "jinmailang",
        dt.date(2022, 7, 1),
        "quarterly",
        [("supermarket", "downstream"), ("yz_food_1", "supporting")],
        ["yz_land", "yz_fic", "yz_market", "yz_hr"],
    ),
]

# username, real name, affiliation, e-mail (example.com is reserved: a demo loaded on a server with
# SMTP configured never mails a real address)
USERS = [
    ("org_admin", "张组织", "济宁市委组织部", "org_admin@example.com"),
    ("textile_secretary", "王纺织", "汶上县纺织服装产业链党委", "textile@example.com"),
    ("farm_secretary", "李农机", "兖州区“红色农机”产业链党建联盟", "farm@example.com"),
    ("food_secretary", "范现国", "兖州区食品医药产业链党建联盟", "food@example.com"),
    ("jindafeng", "刘金锋", "山东金大丰机械有限公司党支部", "jindafeng@example.com"),
    ("wuzheng", "姜山拖", "五征集团山拖农机装备有限公司党委", "wuzheng@example.com"),
    ("supermarket", "田超市", "兖州区新世纪连锁超市有限公司党支部", "supermarket@example.com"),
    ("hongruixuan", "孔鸿瑞", "汶上县鸿瑞轩服饰有限公司党支部", "hongruixuan@example.com"),
    ("hr_handler", "赵人社", "兖州区人力资源和社会保障局", "hr@example.com"),
    ("land_handler", "钱土地", "兖州区自然资源局", "land@example.com"),
    ("fic_handler", "孙工商", "兖州区工商业联合会", "fic@example.com"),
    ("finance_handler", "周金融", "汶上县地方金融服务中心", "finance@example.com"),
    # Every department the demo dispatches to has a handler: the workflow refuses one without.
    ("ws_hr_handler", "吴人社", "汶上县人力资源和社会保障局", "ws_hr@example.com"),
    ("ws_iit_handler", "郑工信", "汶上县工业和信息化局", "ws_iit@example.com"),
    ("ws_env_handler", "冯环保", "济宁市生态环境局汶上县分局", "ws_env@example.com"),
    ("yz_iit_handler", "陈工信", "兖州区工业和信息化局", "yz_iit@example.com"),
    ("guide_li", "李指导", "汶上县委组织部（红帆指导员）", "guide@example.com"),
    ("leader", "陈领导", "济宁市委", "leader@example.com"),
]

# Enterprises left without a Party organisation, so coverage is a real figure.
UNCOVERED = {"ws_textile_6", "ws_textile_4", "yz_farm_2", "ws_chem_2"}
JOINT_BRANCH = {"ws_textile_2", "ws_textile_5"}


def _user(username, real_name, affiliation, email):
    User = get_user_model()
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User.objects.create_user(
            username=username, password=DEMO_PASSWORD, real_name=real_name, affiliation=affiliation, email=email
        )
    return user


def _org_staff_group():
    group, _ = Group.objects.get_or_create(name=ORG_STAFF_GROUP)
    group.permissions.set(
        Permission.objects.filter(content_type__app_label__in=["alliances", "demands", "guides"]).exclude(
            codename__startswith="delete_"
        )
    )
    return group


@transaction.atomic
def build(*, stdout=None) -> DemoOrg:
    org = DemoOrg()
    for key, name, code, level, parent in REGIONS:
        region = Region.objects.filter(code=code).first() or services.region_create(
            name=name, code=code, level=level, parent=org.regions.get(parent)
        )
        org.regions[key] = region
    for key, name, kind, region, parent, address in ZONES:
        zone = WorkZone.objects.filter(region=org.regions[region], name=name).first() or services.zone_create(
            name=name, kind=kind, region=org.regions[region], parent=org.zones.get(parent), address=address
        )
        org.zones[key] = zone
    for key, name, industry, size, region, zone, employees, legal in ENTERPRISES:
        code = demo_credit_code(org.regions[region].code, name)
        enterprise = Enterprise.objects.filter(credit_code=code).first() or services.enterprise_create(
            name=name,
            credit_code=code,
            industry=industry,
            region=org.regions[region],
            zone=org.zones[zone],
            size=size,
            employees=employees,
            legal_representative=legal,
            address=f"{org.regions[region].name}{org.zones[zone].name}",
            contact_name=legal,
            contact_phone="0537-" + code[9:16],
        )
        org.enterprises[key] = enterprise
    for key, name, short, group, region in DEPARTMENTS:
        department = Department.objects.filter(region=org.regions[region], name=name).first() or (
            services.department_create(name=name, short_name=short, factor_group=group, region=org.regions[region])
        )
        org.departments[key] = department
    for key, name, *_ in ENTERPRISES:
        if key not in UNCOVERED | JOINT_BRANCH:
            _party_org(org, key, name)
    _joint_branch(org)
    for key, name, chain, region, lead, founded, cadence, members, departments in ALLIANCES:
        alliance = Alliance.objects.filter(region=org.regions[region], name=name).first()
        if alliance is None:
            alliance = services.alliance_create(
                name=name,
                chain=chain,
                region=org.regions[region],
                founded_on=founded,
                lead_enterprise=org.enterprises[lead],
                meeting_cadence=cadence,
                description=f"{chain}产业链党委，以党建链赋能产业链，联合链主企业、上下游企业和要素保障部门共同解决企业难题。",
            )
            for enterprise_key, position in members:
                services.membership_add(
                    alliance=alliance, enterprise=org.enterprises[enterprise_key], position=position, joined_on=founded
                )
            for department_key in departments:
                services.membership_add(
                    alliance=alliance,
                    department=org.departments[department_key],
                    position=Membership.Position.FACTOR,
                    joined_on=founded,
                )
        org.alliances[key] = alliance
    for username, real_name, affiliation, email in USERS:
        org.users[username] = _user(username, real_name, affiliation, email)
    _grants(org)
    _history(org)
    if stdout:
        stdout.write(
            f"示范数据：{len(org.regions)} 个区域，{len(org.enterprises)} 家企业，"
            f"{len(org.departments)} 个部门，{len(org.alliances)} 个产业链党委，{len(org.users)} 个演示账号。"
        )
    return org


def _party_org(org, key, name):
    enterprise = org.enterprises[key]
    if enterprise.party_organizations.exists():
        return
    big = enterprise.employees >= 800
    services.party_organization_create(
        name=f"{name}{'党委' if big else '党支部'}",
        kind=PartyOrganization.Kind.COMMITTEE if big else PartyOrganization.Kind.BRANCH,
        region=enterprise.region,
        enterprises=[enterprise],
        secretary_name=enterprise.legal_representative,
        members=max(3, enterprise.employees // 25),
        probationary_members=max(1, enterprise.employees // 300),
        activists=max(2, enterprise.employees // 120),
        founded_on=dt.date(2015 + len(name) % 8, 7, 1),
    )


def _joint_branch(org):
    """Two small textile firms share a joint branch (联合党支部), as the seeds describe."""
    a, b = (org.enterprises[key] for key in sorted(JOINT_BRANCH))
    if PartyOrganization.objects.filter(name="汶上县纺织服装企业联合党支部").exists():
        return
    services.party_organization_create(
        name="汶上县纺织服装企业联合党支部",
        kind=PartyOrganization.Kind.JOINT_BRANCH,
        region=a.region,
        enterprises=[a, b],
        secretary_name="王正权",
        members=9,
        probationary_members=1,
        activists=4,
        founded_on=dt.date(2023, 10, 16),
    )


def _grants(org):
    u, e, d, a = org.users, org.enterprises, org.departments, org.alliances
    services.region_grant(region=org.regions["jining"], user=u["org_admin"], manage=True, system=True)
    if not u["org_admin"].is_staff:
        u["org_admin"].is_staff = True
        u["org_admin"].save(update_fields=["is_staff"])
    u["org_admin"].groups.add(_org_staff_group())
    services.region_grant(region=org.regions["jining"], user=u["leader"], manage=False, system=True)
    for username, enterprise in [
        ("jindafeng", "jindafeng"),
        ("wuzheng", "wuzheng"),
        ("supermarket", "supermarket"),
        ("hongruixuan", "hongruixuan"),
    ]:
        services.enterprise_grant_secretary(enterprise=e[enterprise], user=u[username], system=True)
    for username, department in [
        ("hr_handler", "yz_hr"),
        ("land_handler", "yz_land"),
        ("fic_handler", "yz_fic"),
        ("finance_handler", "ws_finance"),
        ("ws_hr_handler", "ws_hr"),
        ("ws_iit_handler", "ws_iit"),
        ("ws_env_handler", "ws_env"),
        ("yz_iit_handler", "yz_iit"),
    ]:
        services.department_add_handler(department=d[department], user=u[username], system=True)
    # guide_li's zones are assigned by guides.demo.load_people (a guide's reach is a guides.Assignment).
    seats = [
        ("ws_textile", CommitteeSeat.Role.SECRETARY, "王纺织", "textile_secretary", "hongruixuan", None),
        ("ws_textile", CommitteeSeat.Role.DEPUTY, "刘海涛", None, "xinhuayuan", None),
        ("ws_textile", CommitteeSeat.Role.MEMBER_PARTTIME, "王人社", None, None, "ws_hr"),
        ("ws_textile", CommitteeSeat.Role.LIAISON, "周金融", "finance_handler", None, "ws_finance"),
        ("yz_farm", CommitteeSeat.Role.SECRETARY, "李农机", "farm_secretary", "jindafeng", None),
        ("yz_farm", CommitteeSeat.Role.MEMBER_FULLTIME, "姜山拖", None, "wuzheng", None),
        ("yz_farm", CommitteeSeat.Role.MEMBER_PARTTIME, "赵人社", None, None, "yz_hr"),
        ("yz_food", CommitteeSeat.Role.SECRETARY, "范现国", "food_secretary", "jinmailang", None),
        ("ws_equipment", CommitteeSeat.Role.SECRETARY, "周立强", None, "ws_equip_1", None),
        ("ws_chemical", CommitteeSeat.Role.SECRETARY, "郑绿源", None, "ws_chem_1", None),
    ]
    for alliance, role, person, username, enterprise, department in seats:
        if a[alliance].seats.filter(role=role, person_name=person).exists():
            continue
        services.seat_assign(
            alliance=a[alliance],
            role=role,
            person_name=person,
            user=u.get(username),
            enterprise=e.get(enterprise),
            department=d.get(department),
            term_start=a[alliance].founded_on,
            system=True,
        )
    today = timezone.localdate()
    quarter = (today.month - 1) // 3 + 1
    for offset, (enterprise, person) in enumerate(
        [("hongruixuan", "孔令军"), ("xinhuayuan", "刘海涛"), ("ws_textile_1", "邱亚夫"), ("ws_textile_3", "张华城")]
    ):
        q = (quarter - 1 + offset) % 4 + 1
        year = today.year + (quarter - 1 + offset) // 4
        services.rotation_set(
            alliance=a["ws_textile"], year=year, quarter=q, enterprise=e[enterprise], person_name=person
        )


def _history(org):
    """A member that left and rejoined keeps both periods (history is never overwritten)."""
    alliance, enterprise = org.alliances["yz_farm"], org.enterprises["yz_farm_2"]
    if alliance.memberships.filter(enterprise=enterprise).count() > 1:
        return
    current = alliance.memberships.get(enterprise=enterprise, left_on__isnull=True)
    services.membership_end(membership=current, left_on=dt.date(2024, 3, 31))
    services.membership_add(
        alliance=alliance,
        enterprise=enterprise,
        position=Membership.Position.DOWNSTREAM,
        joined_on=dt.date(2024, 9, 1),
        note="重新加入",
    )
