"""Issue 11 §4 in Chromium: download the template, upload a workbook with slips, read the report,
download the marked copy, upload the corrected file, confirm, and see the enterprises on the list;
the report as cards on a 360 px phone."""

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from alliances import demo
from alliances.models import Enterprise
from tests.chainparty.import_helpers import credit_code

from .conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _upload(page, live_server, path):
    page.goto(f"{live_server.url}/imports/")
    page.select_option("#id_kind", "enterprises")
    page.select_option("#id_region", label="汶上县")
    page.set_input_files("#id_file", str(path))
    page.click("#import-upload button[type=submit]")
    page.wait_for_url("**/imports/jobs/*/")
    expect(page.locator("#import-counts")).to_be_visible()


def test_staff_imports_enterprises_from_the_template(login, live_server, tmp_path):
    demo.build()
    page = login("org_admin")
    page.locator("#mainnav").get_by_role("link", name="组织", exact=True).click()
    page.locator("#nav-imports").click()
    page.wait_for_url(f"{live_server.url}/imports/")

    with page.expect_download() as download:
        page.locator('[data-template-link="enterprises"]').click()
    template = tmp_path / "模板.xlsx"
    download.value.save_as(template)
    workbook = load_workbook(template)
    sheet = workbook.worksheets[0]
    good, slipped = credit_code(501), credit_code(502)
    sheet.append([good, "汶上县导入测试纺织有限公司", "纺织服装", "规上", "南站镇", 88])
    sheet.append([slipped[:8] + "　" + slipped[8:], "汶上县导入测试服饰有限公司", "纺织服装", "规模以上", "南站", 20])
    slips = tmp_path / "企业台账.xlsx"
    workbook.save(slips)

    _upload(page, live_server, slips)
    messages = page.locator("#import-messages")
    expect(messages).to_contain_text("空格")
    expect(messages).to_contain_text("应填“规上”")
    expect(messages).to_contain_text("是否应为“南站镇”")
    expect(page.locator("#import-confirm")).to_have_count(0)
    with page.expect_download() as download:
        page.click("#import-marked")
    marked = tmp_path / "标注.xlsx"
    download.value.save_as(marked)
    marked_sheet = load_workbook(marked)["企业"]
    assert "规上" in marked_sheet["D6"].comment.text

    page.set_viewport_size({"width": 360, "height": 780})
    assert page.locator("#import-messages thead").is_hidden()
    screenshot(page, "import-report-phone")
    page.set_viewport_size({"width": 1366, "height": 900})

    sheet["A6"], sheet["D6"], sheet["E6"] = slipped, "规上", "南站镇"
    fixed = tmp_path / "企业台账-改正.xlsx"
    workbook.save(fixed)
    _upload(page, live_server, fixed)
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#import-confirm")
    expect(page.locator("#import-applied")).to_be_visible()
    assert Enterprise.objects.filter(credit_code__in=[good, slipped], region__name="汶上县").count() == 2

    page.goto(f"{live_server.url}/enterprises/?q=导入测试")
    expect(page.locator("#enterprise-rows")).to_contain_text("汶上县导入测试服饰有限公司")
    page.goto(f"{live_server.url}/imports/jobs/")
    expect(page.locator("#import-jobs tbody tr")).to_have_count(2)
