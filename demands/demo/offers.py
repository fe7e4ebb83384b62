"""Demo resources, policies and the cooperation of story 1, on top of alliances.demo.build().

Idempotent: resources are looked up by owner and title, policies by department and title, the
story-1 need by enterprise and title, so running load_demo again changes nothing. Rows are made
through the services; only history (publication and reading dates) is back-dated afterwards.

Story 1's value: 300 corn harvesters at about 15 万元 each → 4500 万元.
"""

import datetime as dt
from decimal import Decimal

from django.core.files.base import ContentFile
from django.utils import timezone

from ..models import Cooperation, Match, Need, Policy, PolicyDelivery, Resource
from ..permissions.matches import NEED_SIDE, PROVIDER_SIDE
from ..services import policies as services
from ..services.matches import match_confirm, match_propose
from ..services.resources import resource_create, resource_set_status

STORY1_TITLE = "2000台玉米收获机紧急订单，产能不足"
STORY1_VALUE_WAN = Decimal("4500")

# owner key ("e:<enterprise>" or "d:<department>"), creating user or None, category, title, description,
# quantity, valid for days (None: open-ended), status
RESOURCES = [
    (
        "e:wuzheng",
        "wuzheng",
        "capacity",
        "玉米收获机生产线闲置产能",
        "山拖农机装备公司总装线有闲置产能，可承接玉米收获机整机及割台、籽粒箱等关键部件的外协生产，质量体系通过认证。",
        "300台/月",
        180,
        "active",
    ),
    (
        "e:wuzheng",
        "wuzheng",
        "equipment",
        "大型数控激光切割设备共享",
        "两台6千瓦光纤激光切割机，非生产时段对链上企业开放，可切割20毫米以内钢板。",
        "2台",
        365,
        "active",
    ),
    (
        "e:yz_farm_1",
        None,
        "capacity",
        "农机配件冲压加工产能",
        "冲压、折弯、焊接生产线，可承接拖拉机、收获机钣金件和结构件加工。",
        "5万件/月",
        120,
        "active",
    ),
    (
        "d:yz_hr",
        "hr_handler",
        "training",
        "济宁技师学院订单式技工培训",
        "与济宁技师学院合作，为企业定向培养焊工、装配钳工、数控操作工，结业即上岗，培训费用可申请补贴。",
        "每期50人",
        365,
        "active",
    ),
    (
        "d:yz_land",
        "land_handler",
        "space",
        "兖州工业园区标准化厂房",
        "工业园区标准化厂房可租可售，层高9米，配套行车和变电设施，适合装备制造和食品加工企业。",
        "2万平方米",
        None,
        "active",
    ),
    (
        "e:jinmailang",
        None,
        "logistics",
        "冷链与干线物流车队共享",
        "自有干线物流车队返程空载，可承接济宁至京津冀、长三角方向的整车和零担运输。",
        "40辆",
        180,
        "active",
    ),
    (
        "e:supermarket",
        "supermarket",
        "order",
        "超市本地农产品与食品采购订单",
        "门店每年采购本地食品、农副产品，欢迎链上食品企业进场供货。",
        "年采购额约3000万元",
        365,
        "active",
    ),
    (
        "e:hongruixuan",
        "hongruixuan",
        "order",
        "休闲服饰外发加工订单",
        "旺季休闲服饰订单外发，需要具备缝制、整烫能力的配套企业承接。",
        "每月5万件",
        90,
        "active",
    ),
    (
        "e:xinhuayuan",
        None,
        "capacity",
        "纺纱织造闲置产能",
        "环锭纺和喷气织机有富余产能，可承接棉、涤棉面料的纺纱和织造订单。",
        "面料30万米/月",
        120,
        "active",
    ),
    (
        "e:ws_textile_1",
        None,
        "technology",
        "智能纺纱车间技改经验分享",
        "智能纺纱车间改造经验与供应商资源，可为链上企业提供技改方案咨询和现场观摩。",
        "",
        None,
        "active",
    ),
    (
        "d:ws_hr",
        None,
        "training",
        "缝纫工技能提升培训",
        "县人社局组织缝纫工、整烫工技能提升培训，培训合格发放职业技能等级证书并给予补贴。",
        "每期60人",
        240,
        "active",
    ),
    (
        "d:ws_finance",
        "finance_handler",
        "funding",
        "中小企业应急转贷资金",
        "县级应急转贷资金为到期贷款续贷提供过桥，降低企业转贷成本。",
        "规模1亿元",
        365,
        "active",
    ),
    (
        "e:ws_equip_1",
        None,
        "equipment",
        "三坐标测量仪对外检测服务",
        "高精度三坐标测量仪可为链上企业提供零部件检测服务。",
        "1台",
        None,
        "paused",
    ),
]

# department, publisher, title, doc number, categories, summary, industries, sizes, published days ago,
# enterprises that have read it (keys; None reads through the enterprise's secretary account)
POLICIES = [
    (
        "ws_finance",
        "finance_handler",
        "休闲服饰贷",
        "汶金服发〔2026〕3号",
        ["finance"],
        "面向全县纺织服装中小企业的专属信贷产品，单户最高可贷5000万元，优先支持休闲服饰企业扩产、技改和流动资金周转，"
        "利率较普通经营贷下浮，县级担保机构提供增信。",
        ["纺织服装"],
        [],
        12,
        ["hongruixuan", "xinhuayuan", "ws_textile_3"],
    ),
    (
        "yz_hr",
        "hr_handler",
        "技能人才引进和培养补贴",
        "兖人社字〔2026〕8号",
        ["talent"],
        "企业新引进高级工以上技能人才给予一次性生活补贴；与技工院校开展订单式培养的，按每人2000元给予培训补贴。",
        [],
        [],
        30,
        ["wuzheng", "jindafeng"],
    ),
    (
        "yz_land",
        "land_handler",
        "工业用地“标准地”出让",
        "兖自然资发〔2026〕2号",
        ["land", "approval"],
        "工业用地按“标准地”出让，拿地即开工；对链主企业和规上企业扩产用地优先保障，手续并联审批。",
        [],
        ["above"],
        20,
        ["supermarket"],
    ),
    (
        "ws_tax",
        "org_admin",
        "小微企业“六税两费”减免",
        "",
        ["tax"],
        "小型微利企业和个体工商户减半征收资源税、城市维护建设税、房产税等“六税两费”。",
        [],
        ["below"],
        45,
        ["ws_textile_2"],
    ),
]

DRAFTS = [
    (
        "yz_finance",
        "org_admin",
        "农机装备企业技改贷款贴息（征求意见稿）",
        ["finance", "technology"],
        "对农机装备企业智能化技改项目贷款给予贴息，单个项目最高贴息200万元。",
        ["农机装备"],
    ),
]


def _say(stdout, message):
    if stdout is not None:
        stdout.write(message)


def _pdf(title: str) -> bytes:
    """A one-page PDF (ASCII text) so the demo policy has a real attachment to open."""
    text = f"ChainParty demo attachment: {title}".encode("ascii", "ignore").decode()
    stream = f"BT /F1 14 Tf 72 760 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _owner(org, key):
    kind, name = key.split(":")
    return {"enterprise": org.enterprises[name]} if kind == "e" else {"department": org.departments[name]}


def _resources(org, stdout):
    today = timezone.localdate()
    created = 0
    for owner_key, username, category, title, description, quantity, days, status in RESOURCES:
        owner = _owner(org, owner_key)
        if Resource.objects.filter(title=title, **owner).exists():
            continue
        resource = resource_create(
            user=org.users.get(username) if username else None,
            category=category,
            title=title,
            description=description,
            quantity=quantity,
            valid_until=today + dt.timedelta(days=days) if days else None,
            **owner,
        )
        if status != Resource.Status.ACTIVE:
            resource_set_status(resource=resource, status=status)
        created += 1
    _say(stdout, f"资源清单：新增 {created} 项。")


def _policies(org, stdout):
    today = timezone.localdate()
    created = 0
    for department, username, title, doc_number, categories, summary, industries, sizes, age, readers in POLICIES:
        department = org.departments[department]
        if Policy.objects.filter(department=department, title=title).exists():
            continue
        user = org.users[username]
        policy = services.policy_create(
            user=user,
            department=department,
            title=title,
            doc_number=doc_number,
            categories=categories,
            summary=summary,
            industries=industries,
            sizes=sizes,
            valid_from=dt.date(today.year, 1, 1),
            valid_to=dt.date(today.year, 12, 31),
            contact=f"{department.short_name or department.name} {department.phone}".strip(),
            attachment=ContentFile(_pdf(title), name=f"{title}.pdf"),
        )
        services.policy_publish(policy=policy, user=user)
        # The push task would notify the secretaries; the demo does it now so the bell shows it at once.
        services.policy_notify_deliveries(policy_id=policy.pk)
        published = timezone.now() - dt.timedelta(days=age)
        Policy.objects.filter(pk=policy.pk).update(published_at=published)
        PolicyDelivery.objects.filter(policy=policy).update(delivered_at=published)
        for index, key in enumerate(readers):
            enterprise = org.enterprises[key]
            services.policy_mark_read(policy=policy, user=org.users.get(key), enterprise_ids=[enterprise.pk])
            PolicyDelivery.objects.filter(policy=policy, enterprise=enterprise).update(
                read_at=published + dt.timedelta(days=1 + index, hours=3)
            )
        created += 1
    for department, username, title, categories, summary, industries in DRAFTS:
        department = org.departments[department]
        if Policy.objects.filter(department=department, title=title).exists():
            continue
        services.policy_create(
            user=org.users[username],
            department=department,
            title=title,
            categories=categories,
            summary=summary,
            industries=industries,
        )
        created += 1
    _say(stdout, f"政策清单：新增 {created} 项（含推送与阅读记录）。")


def _story_one(org, stdout):
    """Jindafeng's rush order of 2000 harvesters, matched with Wuzheng's spare capacity: 300 subcontracted."""
    from ..services import filing, workflow

    jindafeng, wuzheng = org.enterprises["jindafeng"], org.enterprises["wuzheng"]
    users = org.users
    need = Need.objects.filter(enterprise=jindafeng, title=STORY1_TITLE).first()
    if need is None:
        need = filing.need_file(
            actor=users["jindafeng"],
            enterprise=jindafeng,
            alliance=org.alliances["yz_farm"],
            category=Need.Category.MARKET,
            title=STORY1_TITLE,
            description="公司承接2000台玉米收获机紧急订单，交期三个月，现有总装产能不足，"
            "希望链上企业协作分包整机生产，我方提供图纸、关键部件和质量标准。",
            urgency=Need.Urgency.URGENT,
            contact_name="刘金锋",
            contact_phone="13805371234",
        )
        need = workflow.need_accept(need=need, actor=users["farm_secretary"])
    capacity = Resource.objects.get(enterprise=wuzheng, title=RESOURCES[0][3])
    match = Match.objects.filter(need=need, resource=capacity).first()
    if match is None:
        match = match_propose(need=need, resource=capacity, user=users["farm_secretary"])
    if match.need_confirmed_at is None:
        match = match_confirm(match=match, user=users["jindafeng"], side=NEED_SIDE)
    if match.provider_confirmed_at is None:
        match_confirm(
            match=match,
            user=users["wuzheng"],
            side=PROVIDER_SIDE,
            description="五征集团山拖农机装备有限公司利用闲置总装产能，为山东金大丰机械有限公司分包生产玉米收获机300台，"
            "按期交付，缓解了紧急订单的产能缺口。",
            value_wan=STORY1_VALUE_WAN,
            date=timezone.localdate(),
        )
    need.refresh_from_db()
    if need.state == Need.State.ACCEPTED:
        need = workflow.need_dispatch(
            need=need,
            actor=users["farm_secretary"],
            lead_resource=capacity,
            instruction="请五征山拖对接金大丰，落实分包生产。",
        )
        part = need.assignments.get()
        workflow.need_start(need=need, assignment=part, actor=users["wuzheng"])
        workflow.need_answer(
            need=Need.objects.get(pk=need.pk),
            assignment=part,
            actor=users["wuzheng"],
            answer="已与金大丰签订分包协议，分包玉米收获机300台，首批100台已交付。",
        )
        workflow.need_rate(
            need=Need.objects.get(pk=need.pk),
            actor=users["jindafeng"],
            rating=Need.Rating.SATISFIED,
            comment="联盟牵线及时，五征山拖按期交付。",
        )
    cooperation = Cooperation.objects.get(match=match)
    _say(stdout, f"故事一：{cooperation.provider} → {cooperation.receiver_enterprise}，{cooperation.value_wan} 万元。")


def load(org, *, stdout=None):
    """Resources, policies (with pushes and readings) and story 1's cooperation for the demo org."""
    _resources(org, stdout)
    _policies(org, stdout)
    _story_one(org, stdout)
