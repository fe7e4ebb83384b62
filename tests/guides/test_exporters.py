"""走访台账 (issue 9 §2): the staff desk's download of a month's or a quarter's visits, read back with
openpyxl (ledger title, headers, rows, dates as dates, opinions and needs raised, text that never
becomes a formula), who may download it, bad periods, a query budget that does not grow with the
visits, and the same sheet in the monthly workbook."""

import datetime as dt
import io

import openpyxl
import pytest
from django.urls import reverse

from alliances import exporters as alliance_exporters
from chainparty.models import AuditLog
from guides import services
from guides.models import Visit
from tests import factories

pytestmark = pytest.mark.django_db

URL = reverse("guides:visit_ledger_export")
EVIL = '=HYPERLINK("http://evil.example/","点我")'


def book_of(response):
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def values(sheet, row):
    return [cell.value for cell in sheet[row]]


@pytest.fixture
def visits(frozen, world, personas, guide_of_member):
    """April: one visit by the zone guide. May: 周's visit with department staff, a need raised and an
    evil text; the zone guide's visit to the lead, disputed."""
    zone_guide = personas.guide.guide_profile
    april = services.visit_log(actor=personas.guide, enterprise=world.lead, visited_on=dt.date(2026, 4, 20))
    may = services.visit_log(
        actor=guide_of_member.user,
        enterprise=world.member,
        visited_on=dt.date(2026, 5, 6),
        kind=Visit.Kind.SANBAO,
        checklist=["policy_briefing", "collect_needs"],
        findings=EVIL,
        opinions="希望组织专场招聘会",
        opinions_count=3,
        companions=[zone_guide],
        staff=[("王科员", world.department)],
    )
    need = services.visit_raise_need(
        actor=guide_of_member.user,
        visit=may,
        category="labor",
        title="招聘挡车工 30 名",
        description="订单增加",
        contact_name="赵书记",
        contact_phone="13800000000",
    )
    disputed = services.visit_log(actor=personas.guide, enterprise=world.lead, visited_on=dt.date(2026, 5, 8))
    services.visit_dispute(actor=personas.enterprise_secretary, visit=disputed, reason="当天无人来访")
    return april, may, need, disputed


def test_the_month_ledger_read_back(visits, world, personas, guide_of_member, client_for):
    need = visits[2]
    sheet = book_of(client_for(personas.org_staff).get(URL, {"period": "2026-05"}))["走访台账"]
    assert sheet["A1"].value == "汶上县企业走访台账（2026年5月）"
    assert sheet["A2"].value == "填报单位：汶上县委组织部"
    assert values(sheet, 3) == [
        "序号",
        "走访日期",
        "企业",
        "所在片区",
        "走访类型",
        "走访人员",
        "指导组",
        "工作内容",
        "发现的问题与工作情况",
        "收集的意见建议",
        "意见建议条数",
        "提交的需求",
        "企业确认",
        "异议理由",
    ]
    first, second = values(sheet, 4), values(sheet, 5)
    assert first[:5] == [1, dt.datetime(2026, 5, 6), world.member.name, world.zone.name, "三包三联"]
    assert sheet["B4"].is_date and sheet["B4"].number_format == "yyyy-mm-dd"
    assert first[5] == f"{guide_of_member.name}、{personas.guide.guide_profile.name}、王科员（{world.department.name}）"
    assert first[7] == "政策宣讲、收集诉求"
    assert first[9:13] == ["希望组织专场招聘会", 3, f"{need.number} 招聘挡车工 30 名", "待企业确认"]
    # Text a user typed is text: never a formula.
    assert first[8] == EVIL and sheet["I4"].data_type == "s"
    assert second[2] == world.lead.name and second[12:] == ["企业有异议", "当天无人来访"]
    assert values(sheet, 6)[0] is None or not isinstance(values(sheet, 6)[0], int)  # April is not in May
    record = AuditLog.objects.get(action=AuditLog.Action.EXPORT)
    assert record.actor == personas.org_staff and record.data["period"] == "2026-05"


def test_a_quarter_takes_in_april_and_may(visits, personas, client_for):
    sheet = book_of(client_for(personas.leader).get(URL, {"period": "2026-q2"}))["走访台账"]
    assert sheet["A1"].value == "汶上县企业走访台账（2026年第2季度）"
    days = [values(sheet, row)[1] for row in range(4, 7)]
    assert days == [dt.datetime(2026, 4, 20), dt.datetime(2026, 5, 6), dt.datetime(2026, 5, 8)]


def test_an_empty_period_says_so(frozen, world, personas, client_for):
    sheet = book_of(client_for(personas.org_staff).get(URL, {"period": "2026-03"}))["走访台账"]
    assert sheet["A4"].value == "本期无走访记录。"


def test_who_may_not_download(visits, world, personas, guide_of_member, client_for):
    for user in (
        personas.handler,
        personas.enterprise_secretary,
        personas.guide,
        personas.secretary,
        personas.outsider,
    ):
        assert client_for(user).get(URL, {"period": "2026-05"}).status_code == 403
    other_county = client_for(personas.org_staff).get(URL, {"period": "2026-05", "region": world.other_county.pk})
    assert other_county.status_code == 404
    assert not AuditLog.objects.filter(action=AuditLog.Action.EXPORT).exists()


def test_the_staff_of_another_county_see_none_of_these_visits(visits, world, client_for):
    staff = factories.UserFactory(username="staff_yz")
    from alliances import services as org_services

    org_services.region_grant(region=world.other_county, user=staff, manage=True, system=True)
    sheet = book_of(client_for(staff).get(URL, {"period": "2026-05"}))["走访台账"]
    assert sheet["A1"].value == "兖州区企业走访台账（2026年5月）" and sheet["A4"].value == "本期无走访记录。"


@pytest.mark.parametrize(
    ("period", "message"),
    [
        ("2026-13", "期间格式应为"),
        ("五月", "期间格式应为"),
        ("2026-Q5", "期间格式应为"),
        ("2026-06", "2026年6月尚未到来，不能导出走访台账。"),
    ],
)
def test_bad_periods_are_refused_in_chinese(frozen, world, personas, client_for, period, message):
    response = client_for(personas.org_staff).get(URL, {"period": period})
    assert response.status_code == 400 and message in response.content.decode()


def test_the_form_without_a_period(frozen, world, personas, client_for):
    response = client_for(personas.org_staff).get(URL)
    assert response.status_code == 200 and "?period=2026-Q2" in response.content.decode()


def test_queries_do_not_grow_with_the_visits(visits, world, guide_of_member, personas, client_for, monkeypatch):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from guides import exporters

    # Rows are streamed in chunks of two here, so anything read per chunk (who went, the needs
    # raised) would show as more queries for more visits.
    monkeypatch.setattr(exporters, "CHUNK_SIZE", 2)
    client = client_for(personas.org_staff)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            book_of(client.get(URL, {"period": "2026-05"}))
        return len(captured)

    few = queries()
    for day in range(9, 12):
        visit = services.visit_log(
            actor=guide_of_member.user, enterprise=world.member, visited_on=dt.date(2026, 5, day), staff=[("李", None)]
        )
        services.visit_raise_need(
            actor=guide_of_member.user,
            visit=visit,
            category="labor",
            title=f"招聘{day}",
            description="订单增加",
            contact_name="赵书记",
            contact_phone="13800000000",
        )
    assert queries() == few


# -- the monthly workbook ---------------------------------------------------------------------------
def monthly(scope):
    buffer = io.BytesIO()
    alliance_exporters.write_minutes(scope, buffer)
    buffer.seek(0)
    return openpyxl.load_workbook(buffer)


def test_the_monthly_workbook_has_the_visits_of_its_month(visits, world, personas):
    region_book = monthly(alliance_exporters.minutes_scope_for_region(region=world.county, year=2026, month=5))
    sheet = region_book["走访台账"]
    assert sheet["A1"].value == "汶上县产业链党委企业走访台账（2026年5月）"
    assert [values(sheet, row)[2] for row in (4, 5)] == [world.member.name, world.lead.name]
    # An alliance's workbook: the visits to its member enterprises (the lead is its lead enterprise).
    alliance_book = monthly(alliance_exporters.minutes_scope_for_alliance(alliance=world.alliance, year=2026, month=4))
    assert [values(alliance_book["走访台账"], 4)[1]] == [dt.datetime(2026, 4, 20)]
