"""The needs list exported to Excel: exactly the rows the list shows, to exactly who may open it."""

import datetime as dt
import io
import re
from decimal import Decimal

import openpyxl
import pytest
import time_machine
from django.urls import reverse

from chainparty.models import AuditLog
from demands import exporters
from demands.models import Need
from demands.selectors import needs as selectors
from tests.demands.conftest import at

NUMBER = re.compile(r"XQ-\d{4}-\d{6}")


def _listed(client, url_name, query=""):
    """The need numbers the list page shows, in its order (a number may appear twice per row)."""
    response = client.get(f"{reverse(url_name)}?{query}")
    assert response.status_code == 200
    return list(dict.fromkeys(NUMBER.findall(response.content.decode())))


def _exported(client, query=""):
    response = client.get(f"{reverse('demands:need_export')}?{query}")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    return response, list(sheet.iter_rows(values_only=True))


@pytest.fixture
def needs(world, personas, file_need, dispatched_need):
    """Two needs of the lead enterprise (one dispatched), one of the member enterprise."""
    dispatched = dispatched_need(title="扩产急需缝纫工", people=30)
    land = file_need(category=Need.Category.LAND, title="扩建厂房用地", land_mu=Decimal("12.5"))
    member = file_need(actor=personas.other_enterprise_secretary, enterprise=world.member, title="=HYPERLINK(1)")
    return dispatched, land, member


@pytest.mark.parametrize("persona", ["org_staff", "secretary", "enterprise_secretary"])
@pytest.mark.parametrize("query", ["", "category=labor", "q=扩建"])
def test_the_export_holds_exactly_the_rows_the_list_shows(needs, personas, client_for, persona, query):
    client = client_for(getattr(personas, persona))
    listed = _listed(client, "demands:need_list", query)
    _, rows = _exported(client, f"{query}&box=all")
    assert rows[0][:3] == ("编号", "标题", "企业")
    assert [row[0] for row in rows[1:]] == listed
    assert listed  # every persona sees at least one need with each of these filters


def test_an_enterprise_secretary_exports_only_their_enterprise(needs, personas, client_for):
    dispatched, land, member = needs
    _, rows = _exported(client_for(personas.enterprise_secretary))
    assert {row[0] for row in rows[1:]} == {dispatched.number, land.number}
    _, rows = _exported(client_for(personas.other_enterprise_secretary))
    assert [(row[0], row[1]) for row in rows[1:]] == [(member.number, "=HYPERLINK(1)")]  # text, not a formula


def test_the_row_shows_what_the_need_page_says(needs, personas, client_for, world):
    dispatched, land, _ = needs
    _, rows = _exported(client_for(personas.org_staff), "box=all")
    by_number = {row[0]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}
    row = by_number[dispatched.number]
    assert row["企业"] == world.lead.name and row["联盟"] == world.alliance.name
    assert row["类别"] == "用工/人才" and row["状态"] == dispatched.state_label
    assert row["牵头承办"] == world.department.name and row["用工人数"] == 30
    assert row["办理时限"] == dt.datetime.combine(dispatched.deadline, dt.time())
    assert isinstance(row["提交时间"], dt.datetime)
    assert by_number[land.number]["用地面积（亩）"] == 12.5


def test_boxes_follow_the_lists_rules(needs, personas, client_for):
    client = client_for(personas.enterprise_secretary)
    _, rows = _exported(client, "box=mine")
    assert [row[0] for row in rows[1:]] == _listed(client, "demands:my_needs")
    # Only enterprise secretaries have 我的需求, for the list as for the export.
    client = client_for(personas.handler)
    assert client.get(reverse("demands:my_needs")).status_code == 403
    assert client.get(reverse("demands:need_export") + "?box=mine").status_code == 403


def test_an_outsider_exports_what_the_list_shows_them_nothing(needs, personas, client_for):
    client = client_for(personas.outsider)
    assert _listed(client, "demands:need_list") == []
    _, rows = _exported(client)
    assert len(rows) == 1  # the header row only


def test_anonymous_users_are_sent_to_log_in(needs, client):
    response = client.get(reverse("demands:need_export"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_the_download_is_named_in_chinese_and_audited(needs, personas, client_for):
    response, rows = _exported(client_for(personas.org_staff), "category=labor&box=all")
    assert "filename*=utf-8''" in response["Content-Disposition"]
    assert "%E9%9C%80%E6%B1%82%E6%B8%85%E5%8D%95" in response["Content-Disposition"]  # 需求清单
    entry = AuditLog.objects.get(action=AuditLog.Action.EXPORT)
    assert entry.actor == personas.org_staff
    assert entry.data["exporter"] == "needs" and entry.data["rows"] == len(rows) - 1
    assert entry.data["filters"] == {"category": "labor", "box": "all"}


def test_the_list_links_to_the_export_with_its_filters(needs, personas, client_for):
    body = client_for(personas.org_staff).get(reverse("demands:need_list") + "?category=labor").content.decode()
    assert f'href="{reverse("demands:need_export")}?category=labor&amp;box=all"' in body
    assert "导出 Excel" in body
    # Filters applied in place (htmx) carry over to the button too.
    client = client_for(personas.org_staff)
    fragment = client.get(reverse("demands:need_overdue") + "?q=扩建", HTTP_HX_REQUEST="true").content.decode()
    assert 'id="need-export" href="/needs/export/?q=%E6%89%A9%E5%BB%BA&amp;box=overdue" hx-swap-oob="true"' in fragment


#: Rows per chunk in the tests below, so a few dozen needs cross several chunk boundaries.
SMALL_CHUNK = 7


@pytest.mark.parametrize(
    ("persona", "queries_per_chunk"),
    [("org_staff", 1), ("enterprise_secretary", 2)],  # a wide scope; a sparse one, read ids first
)
def test_the_query_count_does_not_grow_with_rows(
    world, personas, client_for, file_need, django_assert_max_num_queries, monkeypatch, persona, queries_per_chunk
):
    monkeypatch.setattr(exporters, "CHUNK_SIZE", SMALL_CHUNK)
    client = client_for(getattr(personas, persona))

    def export_with(total):
        while Need.objects.count() < total:
            file_need(title=f"需求{Need.objects.count()}")
        with django_assert_max_num_queries(12 + 4 * queries_per_chunk) as captured:
            _, rows = _exported(client, "box=all")
        assert len(rows) == total + 1
        # Each chunk goes on from the last row (keyset): no OFFSET scan that grows with the depth.
        assert not any("OFFSET" in query["sql"] for query in captured.captured_queries)
        return len(captured)

    # 3 rows are one chunk, 30 rows five (7+7+7+7+2): only the chunks' own queries are added.
    one_chunk = export_with(3)
    assert export_with(30) == one_chunk + 4 * queries_per_chunk


def _list_order(user, box):
    """The list's needs in its order: what its pages show, page after page."""
    return [need.number for need in selectors.need_list(user=user, box=box)]


@pytest.fixture
def many_needs_sharing_filed_at(file_need):
    """Twenty needs filed at four instants, five at each: ties on filed_at inside and across chunks."""
    for instant in range(4):
        with time_machine.travel(at(2026, 6, 1 + instant, hour=9), tick=False):
            for n in range(5):
                file_need(title=f"并列提交{instant}-{n}")


@pytest.mark.parametrize("persona", ["org_staff", "enterprise_secretary"])
def test_the_export_keeps_the_lists_order_across_chunks_while_needs_are_filed(
    many_needs_sharing_filed_at, personas, client_for, file_need, monkeypatch, persona
):
    monkeypatch.setattr(exporters, "CHUNK_SIZE", SMALL_CHUNK)
    user = getattr(personas, persona)
    listed = _list_order(user, selectors.BOX_ALL)
    assert len(listed) == 20

    # A need filed while the export is being written (after its first chunk) goes to the top of
    # the list: it must neither push a row into the next chunk twice nor hide one.
    reading = exporters.NeedExporter.iter_rows

    def iter_rows_while_filing(self):
        for n, row in enumerate(reading(self), 1):
            yield row
            if n == SMALL_CHUNK:
                with time_machine.travel(at(2026, 6, 4, hour=9), tick=False):  # ties with the newest
                    file_need(title="导出时新提交")

    monkeypatch.setattr(exporters.NeedExporter, "iter_rows", iter_rows_while_filing)
    _, rows = _exported(client_for(user), "box=all")
    assert [row[0] for row in rows[1:]] == listed


def test_the_overdue_export_keeps_its_order_across_chunks_with_tied_deadlines(
    personas, client_for, dispatched_need, monkeypatch
):
    monkeypatch.setattr(exporters, "CHUNK_SIZE", SMALL_CHUNK)
    with time_machine.travel(at(2026, 6, 1), tick=False):
        for n in range(17):  # deadlines over three days, most of them shared
            dispatched_need(title=f"超期{n}", deadline=dt.date(2026, 6, 10 + n % 3))
    with time_machine.travel(at(2026, 7, 1), tick=False):
        listed = _list_order(personas.org_staff, selectors.BOX_OVERDUE)
        _, rows = _exported(client_for(personas.org_staff), "box=overdue")
    assert len(listed) == 17
    assert [row[0] for row in rows[1:]] == listed
    deadlines = [row[8] for row in rows[1:]]
    assert deadlines == sorted(deadlines)


def test_an_export_too_big_is_refused_with_a_message_on_the_list(needs, personas, client_for, monkeypatch):
    monkeypatch.setattr(exporters, "EXPORT_MAX_ROWS", 1)

    def write_nothing(*args, **kwargs):
        raise AssertionError("no workbook may be written for a refused export")

    monkeypatch.setattr("demands.views.needs.workbook_response", write_nothing)
    client = client_for(personas.org_staff)
    response = client.get(reverse("demands:need_export") + "?q=%E6%89%A9&box=all")  # 扩: two needs
    assert response.status_code == 302
    assert response["Location"] == reverse("demands:need_list") + "?q=%E6%89%A9"
    page = client.get(response["Location"]).content.decode()
    assert "导出的需求超过 1 条，无法导出。请缩小筛选范围" in page
    assert not AuditLog.objects.filter(action=AuditLog.Action.EXPORT).exists()


def test_an_export_at_the_cap_is_written(needs, personas, client_for, monkeypatch):
    monkeypatch.setattr(exporters, "EXPORT_MAX_ROWS", 2)
    client = client_for(personas.enterprise_secretary)  # sees two of the three needs
    _, rows = _exported(client, "box=mine")
    assert len(rows) == 3  # the header and both needs
