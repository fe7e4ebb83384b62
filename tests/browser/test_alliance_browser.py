import pytest

from alliances import demo
from alliances.models import Alliance

from .conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_org_admin_creates_alliance_and_adds_member(login, live_server):
    org = demo.build()
    page = login("org_admin")
    assert "张组织" in page.content()
    page.goto(f"{live_server.url}/alliances/new/")
    page.fill("#id_name", "汶上县新能源产业链党委")
    page.fill("#id_chain", "新能源")
    page.select_option("#id_region", label="汶上县")
    page.fill("#id_founded_on", "2026-03-01")
    page.click("main button[type=submit]")
    page.wait_for_selector("text=产业链党委已创建")
    alliance = Alliance.objects.get(name="汶上县新能源产业链党委")
    assert page.url.endswith(alliance.get_absolute_url())

    member = org.enterprises["ws_equip_2"]
    page.select_option("#membership-form select[name=enterprise]", str(member.pk))
    page.select_option("#membership-form select[name=position]", "supporting")
    page.fill("#membership-form input[name=joined_on]", "2026-03-02")
    page.click("#membership-form button")
    page.wait_for_selector("text=成员已加入")
    assert page.locator("#members").get_by_text(member.name).is_visible()
    screenshot(page, "alliance-detail")


def test_enterprise_list_filters_with_htmx(login, live_server):
    demo.build()
    page = login("org_admin")
    page.goto(f"{live_server.url}/enterprises/")
    page.select_option("select[name=party]", "uncovered")
    page.wait_for_url("**party=uncovered**")
    # The htmx swap replaces the 19 rows with the 4 enterprises that have no Party organisation.
    page.wait_for_function("document.querySelectorAll('#enterprise-rows tbody tr').length === 4")
    assert "汶上县锦程休闲服饰有限公司" in page.locator("#enterprise-rows").inner_text()
    screenshot(page, "enterprise-list")
