"""Builders shared by the lists tests (resources, policies, needs to match, PDF bytes)."""

import datetime as dt
import itertools

from django.core.files.uploadedfile import SimpleUploadedFile

from alliances import services as org
from alliances.models import Membership
from demands.models import Need, Resource
from demands.services import policies as services
from demands.services.resources import resource_create
from tests import factories

_numbers = itertools.count(1)

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf_file(name="政策原文.pdf", content=PDF_BYTES):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def make_resource(user, *, enterprise=None, department=None, **fields):
    values = {
        "category": "capacity",
        "title": "闲置产能",
        "description": "可承接外协加工",
        "quantity": "100台/月",
        **fields,
    }
    return resource_create(user=user, enterprise=enterprise, department=department, **values)


def make_policy(user, department, *, publish=False, categories=("finance",), **fields):
    values = {"title": "测试政策", "summary": "面向中小企业的扶持政策", **fields}
    policy = services.policy_create(user=user, department=department, categories=categories, **values)
    if publish:
        services.policy_publish(policy=policy, user=user)
        policy.refresh_from_db()
    return policy


def make_need(enterprise, alliance, *, category=Need.Category.MARKET, state=Need.State.ACCEPTED, **fields):
    """A need row for matching tests (the needs workflow has its own tests)."""
    values = {
        "title": "需求",
        "description": "",
        "contact_name": "联系人",
        "contact_phone": "13800000000",
        **fields,
    }
    return Need.objects.create(
        number=f"XQ-T-{next(_numbers):06d}",
        enterprise=enterprise,
        alliance=alliance,
        region=enterprise.region,
        category=category,
        state=state,
        **values,
    )


def farm_chain(world):
    """Yanzhou's 红色农机 chain: Jindafeng (链主) short of capacity, Wuzheng with capacity to spare."""
    yanzhou = world.other_county
    jindafeng = factories.EnterpriseFactory(name="山东金大丰机械有限公司", region=yanzhou, industry="农机装备")
    wuzheng = factories.EnterpriseFactory(name="五征集团山拖农机装备有限公司", region=yanzhou, industry="农机装备")
    stamping = factories.EnterpriseFactory(name="兖州钣金配套厂", region=yanzhou, industry="农机装备")
    alliance = org.alliance_create(
        name="兖州区红色农机产业链党委",
        chain="农机装备",
        region=yanzhou,
        founded_on=dt.date(2022, 6, 1),
        lead_enterprise=jindafeng,
    )
    for member in (wuzheng, stamping):
        org.membership_add(
            alliance=alliance, enterprise=member, position=Membership.Position.UPSTREAM, joined_on=dt.date(2022, 6, 1)
        )
    wuzheng_secretary = factories.UserFactory(username="wz_sec")
    org.enterprise_grant_secretary(enterprise=wuzheng, user=wuzheng_secretary, system=True)
    jindafeng_secretary = factories.UserFactory(username="jdf_sec")
    org.enterprise_grant_secretary(enterprise=jindafeng, user=jindafeng_secretary, system=True)
    capacity = make_resource(
        wuzheng_secretary,
        enterprise=wuzheng,
        category=Resource.Category.CAPACITY,
        title="玉米收获机生产线闲置产能",
        description="山拖农机装备生产线有闲置产能，可承接玉米收获机整机及割台等关键部件的外协生产。",
        quantity="300台/月",
    )
    distractors = [
        make_resource(
            None,
            enterprise=stamping,
            category=Resource.Category.CAPACITY,
            title="驾驶室钣金冲压产能",
            description="冲压线可承接拖拉机驾驶室钣金件加工。",
        ),
        make_resource(
            None,
            enterprise=stamping,
            category=Resource.Category.LOGISTICS,
            title="农机整机运输车队",
            description="10辆低平板运输车，可承接整机配送。",
        ),
        make_resource(
            None,
            enterprise=world.member,
            category=Resource.Category.CAPACITY,
            title="服装缝制闲置产能",
            description="可承接休闲服装缝制外协订单。",
        ),
    ]
    need = make_need(
        jindafeng,
        alliance,
        category=Need.Category.MARKET,
        title="2000台玉米收获机紧急订单产能不足",
        description="承接2000台玉米收获机紧急订单，交期三个月，现有产能不足，需要协作企业分包整机生产。",
    )
    return {
        "alliance": alliance,
        "jindafeng": jindafeng,
        "wuzheng": wuzheng,
        "capacity": capacity,
        "distractors": distractors,
        "need": need,
        "wuzheng_secretary": wuzheng_secretary,
        "jindafeng_secretary": jindafeng_secretary,
    }
