"""DOMAIN.md stories 1, 3 and 5 in a real browser, on the demo organisation (alliances.demo.build()).

Every step is what a user does: open a page, fill a form, press a button. The database is checked
after each step that should change it, and the pages are checked for what the next user has to see.
"""

import datetime as dt
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from alliances import demo
from chainparty.models import Notification
from demands.models import Assignment, Cooperation, Match, Need, Policy, PolicyDelivery, Resource

from .conftest import answer_from_worklist, expect_flash, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


# -- story 1 ---------------------------------------------------------------------------------------
STORY_1_TITLE = "2000台玉米收获机紧急订单，产能不足"
CAPACITY_TITLE = "玉米收获机生产线闲置产能"
COOPERATION_TEXT = "五征山拖分包生产玉米收获机300台"


def test_story_1_rush_order_matched_with_spare_capacity_becomes_a_cooperation(login, page, live_server):
    org = demo.build()
    wuzheng, jindafeng = org.enterprises["wuzheng"], org.enterprises["jindafeng"]
    url = live_server.url

    # Wuzheng Shantuo lists its spare assembly capacity in the resource list.
    login("wuzheng")
    page.goto(f"{url}/resources/new/")
    page.select_option("#id_owner", f"e{wuzheng.pk}")
    page.select_option("#id_category", "capacity")
    page.fill("#id_title", CAPACITY_TITLE)
    page.fill("#id_description", "总装线有闲置产能，可承接玉米收获机整机及割台、籽粒箱等关键部件的外协生产。")
    page.fill("#id_quantity", "300台/月")
    page.click("main form button[type=submit]")
    expect_flash(page, "资源已发布，联盟成员可以看到它。")
    capacity = Resource.objects.get(title=CAPACITY_TITLE)
    assert capacity.enterprise == wuzheng and capacity.status == Resource.Status.ACTIVE

    # Jindafeng's Party secretary posts the rush order.
    login("jindafeng")
    page.goto(f"{url}/needs/new/")
    page.select_option("#id_enterprise", str(jindafeng.pk))
    page.select_option("#id_category", "market")
    page.select_option("#id_urgency", "urgent")
    page.fill("#id_title", STORY_1_TITLE)
    page.fill(
        "#id_description",
        "公司承接2000台玉米收获机紧急订单，交期三个月，现有总装产能不足，希望链上企业协作分包整机生产。",
    )
    page.click("#need-form button[type=submit]")
    expect(page.locator("h1")).to_have_text(STORY_1_TITLE)
    need = Need.objects.get(title=STORY_1_TITLE)
    assert need.state == Need.State.SUBMITTED and need.alliance == org.alliances["yz_farm"]

    # The farm chain's secretary finds it among the needs waiting for acceptance and accepts it.
    login("farm_secretary")
    page.goto(f"{url}/needs/incoming/")
    page.locator("#need-table").get_by_role("link", name=STORY_1_TITLE).click()
    page.click("#action-accept button[type=submit]")
    expect_flash(page, "已受理。")
    need.refresh_from_db()
    assert need.state == Need.State.ACCEPTED

    # The matches fragment (htmx) suggests Wuzheng's spare capacity, with why; the secretary proposes it.
    suggestion = page.locator("#need-suggestions li").filter(has_text=CAPACITY_TITLE)
    expect(suggestion).to_contain_text(wuzheng.name)
    expect(suggestion).to_contain_text("300台/月")
    expect(suggestion).to_contain_text("同属农机装备产业链")
    suggestion.get_by_role("button", name="发起对接").click()
    expect_flash(page, "已发起对接，等待双方确认。")
    match = Match.objects.get(need=need)
    assert match.resource == capacity and not match.is_confirmed
    expect(page.locator("#need-suggestions li").filter(has_text=CAPACITY_TITLE)).to_contain_text("已发起对接")
    assert Notification.objects.filter(recipient=org.users["wuzheng"], kind="match").exists()
    assert Notification.objects.filter(recipient=org.users["jindafeng"], kind="match").exists()

    # Jindafeng confirms on its need page.
    login("jindafeng")
    page.goto(f"{url}{need.get_absolute_url()}")
    page.locator("#need-matches").get_by_role("button", name="需求方确认").click()
    expect_flash(page, "已确认对接。")
    expect(page.locator("#need-matches")).to_contain_text("需求方：已确认（刘金锋）")
    match.refresh_from_db()
    assert match.need_confirmed_by == org.users["jindafeng"] and not Cooperation.objects.exists()

    # Wuzheng follows its notification to the match list, confirms last and records the deal.
    login("wuzheng")
    page.click("#notification-bell")
    page.get_by_role("link", name=f"供需对接待确认：{STORY_1_TITLE}").click()
    page.wait_for_url(f"{url}/matches/")
    waiting = page.locator("#waiting-matches li").filter(has_text=STORY_1_TITLE)
    waiting.get_by_label("合作内容").fill(COOPERATION_TEXT)
    waiting.get_by_label("合作金额（万元）").fill("4500")
    waiting.get_by_label("合作日期（留空为今天）").fill(dt.date.today().isoformat())
    waiting.get_by_role("button", name="提供方确认").click()
    expect_flash(page, "双方均已确认，已登记为促成合作。")

    cooperation = Cooperation.objects.get()
    assert cooperation.match == match and cooperation.need == need
    assert (cooperation.provider_enterprise, cooperation.receiver_enterprise) == (wuzheng, jindafeng)
    assert (cooperation.alliance, cooperation.value_wan) == (org.alliances["yz_farm"], Decimal("4500"))
    assert cooperation.description == COOPERATION_TEXT

    # The committee sees it in the cooperation list, with the total value, and opens it.
    login("farm_secretary")
    page.goto(f"{url}/cooperations/")
    expect(page.locator("#cooperation-totals")).to_contain_text("共 1 项合作，合计 4500")
    row = page.locator("#cooperation-rows tbody tr").filter(has_text=COOPERATION_TEXT)
    expect(row).to_contain_text(wuzheng.name)
    expect(row).to_contain_text(jindafeng.name)
    row.get_by_role("link", name=COOPERATION_TEXT).click()
    page.wait_for_url(f"{url}{cooperation.get_absolute_url()}")
    details = page.locator("main dl")
    expect(details).to_contain_text("4500.00 万元")
    expect(details).to_contain_text(STORY_1_TITLE)
    expect(details).to_contain_text(CAPACITY_TITLE)
    screenshot(page, "story-1-cooperation")

    # Back on the need, the committee is told what comes next: dispatch it to the matched resource.
    page.goto(f"{url}{need.get_absolute_url()}")
    expect(page.locator("#need-matches")).to_contain_text("下一步：在“派单”中选择此资源作为牵头方")


# -- story 3 ---------------------------------------------------------------------------------------
STORY_3_TITLE = "新建冷链物流配送中心需用地20亩、资金3000万元"
LAND_ANSWER = "配送中心用地20亩已纳入年度供地计划，完成规划调整并挂牌出让。"
FUNDING_ANSWER = "协调区农商银行、邮储银行组成银团，授信3000万元，已完成首笔放款。"


def test_story_3_one_need_two_departments_each_answers_its_part(login, page, live_server):
    org = demo.build()
    land, fic = org.departments["yz_land"], org.departments["yz_fic"]
    url = live_server.url

    # The supermarket chain files one need for land and money.
    login("supermarket")
    page.goto(f"{url}/needs/new/")
    page.select_option("#id_enterprise", str(org.enterprises["supermarket"].pk))
    page.select_option("#id_category", "land")
    page.fill("#id_title", STORY_3_TITLE)
    page.fill(
        "#id_description",
        "为保障城乡门店生鲜供应，计划新建冷链物流配送中心，需建设用地约20亩，项目总投资缺口3000万元。",
    )
    page.fill("#id_funding_wan", "3000")
    page.fill("#id_land_mu", "20")
    page.click("#need-form button[type=submit]")
    expect(page.locator("h1")).to_have_text(STORY_3_TITLE)
    need = Need.objects.get(title=STORY_3_TITLE)
    assert need.alliance == org.alliances["yz_food"] and need.state == Need.State.SUBMITTED
    assert (need.land_mu, need.funding_wan) == (Decimal("20"), Decimal("3000"))

    # The food chain's secretary accepts and dispatches it: natural resources leads, the federation
    # of industry and commerce co-handles.
    login("food_secretary")
    page.goto(f"{url}{need.get_absolute_url()}")
    page.click("#action-accept button[type=submit]")
    expect_flash(page, "已受理。")
    dispatch = page.locator("#action-dispatch")
    dispatch.locator("select[name=lead_department]").select_option(str(land.pk))
    dispatch.locator("select[name=co_departments]").select_option([str(fic.pk)])
    dispatch.locator("textarea[name=instruction]").fill("自然资源局负责用地，工商联协调金融机构解决资金。")
    dispatch.locator("button[type=submit]").click()
    expect_flash(page, "已派单。")
    need.refresh_from_db()
    assert need.state == Need.State.DISPATCHED
    lead = need.assignments.get(role=Assignment.Role.LEAD)
    co = need.assignments.get(role=Assignment.Role.CO)
    assert (lead.department, co.department) == (land, fic)
    parts = page.locator("#need-assignments")
    expect(parts.locator(f"#assignment-{lead.pk}")).to_contain_text(land.name)
    expect(parts.locator(f"#assignment-{co.pk}")).to_contain_text(fic.name)

    # The co-handler answers the funding part from its worklist; the need stays open for the lead.
    login("fic_handler")

    def fill_funding():
        page.fill("#id_answer", FUNDING_ANSWER)
        page.fill("#id_funding_wan_solved", "3000")

    answer_from_worklist(page, url, title=STORY_3_TITLE, fill=fill_funding)
    co.refresh_from_db()
    need.refresh_from_db()
    assert co.state == Assignment.State.ANSWERED and co.answered_by == org.users["fic_handler"]
    assert need.state == Need.State.DISPATCHED and need.funding_wan_solved == Decimal("3000")

    # The lead answers the land part; that finishes the need.
    login("land_handler")

    def fill_land():
        page.fill("#id_answer", LAND_ANSWER)
        page.fill("#id_land_mu_solved", "20")

    answer_from_worklist(page, url, title=STORY_3_TITLE, fill=fill_land)
    lead.refresh_from_db()
    need.refresh_from_db()
    assert lead.state == Assignment.State.ANSWERED and lead.answered_by == org.users["land_handler"]
    assert need.state == Need.State.ANSWERED
    assert (need.land_mu_solved, need.funding_wan_solved) == (Decimal("20"), Decimal("3000"))
    assert set(need.assignments.values_list("state", flat=True)) == {Assignment.State.ANSWERED}

    # The supermarket sees both parts with their answers on its need page.
    login("supermarket")
    page.goto(f"{url}{need.get_absolute_url()}")
    lead_item = page.locator(f"#assignment-{lead.pk}")
    expect(lead_item).to_contain_text(land.name)
    expect(lead_item).to_contain_text(LAND_ANSWER)
    expect(lead_item).to_contain_text("用地 20 亩")
    co_item = page.locator(f"#assignment-{co.pk}")
    expect(co_item).to_contain_text(fic.name)
    expect(co_item).to_contain_text(FUNDING_ANSWER)
    expect(co_item).to_contain_text("融资 3000 万元")
    expect(page.locator("#need-state")).to_contain_text("已办结")
    expect(page.locator("#action-rate")).to_be_visible()
    screenshot(page, "story-3-answered")


# -- story 5 ---------------------------------------------------------------------------------------
POLICY_TITLE = "休闲服饰贷·扩产专项"


def test_story_5_loan_policy_pushed_to_textile_enterprises_and_reading_tracked(login, page, live_server):
    org = demo.build()
    finance = org.departments["ws_finance"]
    hongruixuan = org.enterprises["hongruixuan"]
    url = live_server.url
    today = dt.date.today()
    textile = {
        e.pk for e in org.enterprises.values() if e.industry == "纺织服装" and e.region == org.regions["wenshang"]
    }
    assert len(textile) == 8

    # The finance service centre's handler enters the policy as a draft.
    login("finance_handler")
    page.goto(f"{url}/policies/new/")
    page.select_option("#id_department", str(finance.pk))
    page.fill("#id_title", POLICY_TITLE)
    page.fill("#id_doc_number", "汶金服发〔2026〕9号")
    page.check("input[name=categories][value=finance]")
    page.fill("#id_summary", "面向全县纺织服装中小企业，单户最高可贷5000万元，优先支持休闲服饰企业扩产。")
    page.fill("#id_industries", "纺织服装")
    page.fill("#id_valid_from", today.isoformat())
    page.fill("#id_valid_to", (today + dt.timedelta(days=365)).isoformat())
    page.fill("#id_contact", "周金融 0537-7212345")
    page.click("main form button[type=submit]")
    expect_flash(page, "政策已保存为草稿")
    policy = Policy.objects.get(title=POLICY_TITLE)
    assert policy.state == Policy.State.DRAFT and policy.department == finance
    assert policy.industries == ["纺织服装"] and not PolicyDelivery.objects.exists()

    # Publishing pushes it to every textile enterprise of Wenshang county, and only to those.
    page.get_by_role("button", name="发布并推送").click()
    expect_flash(page, "政策已发布。")
    expect_flash(page, "本次新推送 8 家企业，企业党组织书记将收到通知。")
    policy.refresh_from_db()
    assert policy.state == Policy.State.PUBLISHED and policy.published_by == org.users["finance_handler"]
    assert set(PolicyDelivery.objects.filter(policy=policy).values_list("enterprise_id", flat=True)) == textile
    notified = Notification.objects.filter(title__contains=POLICY_TITLE)
    assert set(notified.values_list("recipient__username", flat=True)) == {"hongruixuan"}
    expect(page.locator("#awareness")).to_contain_text("0.0%（0/8）")

    # 鸿瑞轩's secretary finds it unread in the policy inbox and opens it.
    login("hongruixuan")
    page.goto(f"{url}/policies/inbox/")
    expect(page.locator("h1")).to_contain_text("1 条未读")
    entry = page.locator("#inbox a").filter(has_text=POLICY_TITLE)
    expect(entry).to_contain_text("未读")
    expect(entry).to_contain_text(hongruixuan.name)
    entry.click()
    page.wait_for_url(f"{url}{policy.get_absolute_url()}")
    expect(page.locator("h1")).to_contain_text(POLICY_TITLE)
    expect(page.locator("main")).to_contain_text("单户最高可贷5000万元")
    assert PolicyDelivery.objects.get(policy=policy, enterprise=hongruixuan).read_at is None  # opening is not 知晓
    page.get_by_role("button", name="我已阅读").click()
    expect(page.locator("#my-reading")).to_contain_text("已于")
    delivery = PolicyDelivery.objects.get(policy=policy, enterprise=hongruixuan)
    assert delivery.read_at is not None and delivery.read_by == org.users["hongruixuan"]
    page.goto(f"{url}/policies/inbox/")
    expect(page.locator("#inbox a").filter(has_text=POLICY_TITLE)).to_contain_text("孔鸿瑞 于")
    expect(page.locator("h1")).not_to_contain_text("条未读")

    # The publisher sees who has read it and the awareness rate.
    login("finance_handler")
    page.goto(f"{url}{policy.get_absolute_url()}")
    awareness = page.locator("#awareness")
    expect(awareness).to_contain_text("12.5%（1/8）")
    expect(awareness.locator("tbody tr").filter(has_text=org.alliances["ws_textile"].name)).to_contain_text("12.5%")
    page.locator("#readers").get_by_role("link", name="已读", exact=True).click()
    page.wait_for_url("**read=1")
    readers = page.locator("#readers tbody tr")
    expect(readers).to_have_count(1)
    expect(readers).to_contain_text(hongruixuan.name)
    expect(readers).to_contain_text("孔鸿瑞")
    policy.refresh_from_db()
    assert (policy.read_count, policy.delivered_count) == (1, 8)
    screenshot(page, "story-5-awareness")
