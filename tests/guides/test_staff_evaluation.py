"""述职评价 pages (issue 9 §1): periods set up and closed by staff, a period's results per guide, team
and sending unit, a report with its ratings and the staff's own rating; who may and may not."""

import datetime as dt

import pytest
from django.urls import reverse

from guides import services
from guides.models import EvaluationPeriod, Rating, Team
from tests import factories

pytestmark = pytest.mark.django_db

H1 = (dt.date(2026, 1, 1), dt.date(2026, 6, 30))


@pytest.fixture
def period(world, personas, frozen):
    return services.evaluation_period_create(actor=None, region=world.county, starts_on=H1[0], ends_on=H1[1])


@pytest.fixture
def reports(world, personas, period, guide_of_member):
    """周指导 (the department's, serving the member) and the zone's guide, both reporting; 周指导 in a
    red-sail team; the member's secretary rated 周指导 4, the lead's secretary rated the zone guide 2."""
    team = services.team_create(
        actor=None, name="红帆一组", kind=Team.Kind.RED_SAIL, region=world.county, formed_on=dt.date(2026, 1, 15)
    )
    services.team_member_add(actor=None, team=team, guide=guide_of_member, starts_on=dt.date(2026, 2, 1))
    mine = services.guide_report_submit(actor=guide_of_member.user, period=period, text="上半年走访 12 家企业。")
    zone = services.guide_report_submit(actor=personas.guide, period=period, text="联系开发区企业。")
    services.rating_submit(actor=personas.other_enterprise_secretary, report=mine, score=4, comment="常来企业")
    services.rating_submit(actor=personas.enterprise_secretary, report=zone, score=2)
    return mine, zone, team


def test_staff_sets_up_a_period(client_for, world, personas, frozen):
    client = client_for(personas.org_staff)
    form = client.get(reverse("guides:evaluation_create"))
    assert form.context["form"].initial["starts_on"] == dt.date(2026, 1, 1)
    data = {
        "region": world.county.pk,
        "kind": "half_year",
        "starts_on": "2026-01-01",
        "ends_on": "2026-06-30",
        "name": "",
    }
    response = client.post(reverse("guides:evaluation_create"), data)
    assert response.status_code == 302
    period = EvaluationPeriod.objects.get()
    assert period.name == "2026年上半年党建指导员述职评价"
    again = client.post(reverse("guides:evaluation_create"), data)
    assert again.status_code == 400 and "本区域该时段的述职评价已设立" in again.content.decode()
    backwards = client.post(reverse("guides:evaluation_create"), {**data, "starts_on": "2026-07-01"})
    assert backwards.status_code == 400 and "结束日期不能早于开始日期" in backwards.content.decode()
    assert EvaluationPeriod.objects.count() == 1
    listing = client.get(reverse("guides:evaluation_list"))
    assert [p.name for p in listing.context["page"]] == [period.name]


def test_results_per_guide_team_and_sender(client_for, world, personas, period, reports, guide_of_member):
    response = client_for(personas.org_staff).get(reverse("guides:evaluation_detail", args=[period.pk]))
    assert response.status_code == 200
    rows = {r.guide.name: r for r in response.context["reports"]}
    assert (rows["周指导"].ratings_count, rows["周指导"].secretary_average) == (1, 4)
    assert rows[personas.guide.guide_profile.name].average == 2
    assert [(g.name, g.guides, g.average) for g in response.context["by_team"]] == [("红帆一组", 1, 4)]
    senders = {g.name: g.average for g in response.context["by_sender"]}
    assert senders == {world.department.name: 4, world.zone.name: 2}


def test_staff_rates_a_report_once(client_for, world, personas, period, reports):
    mine, _zone, _team = reports
    client = client_for(personas.org_staff)
    url = reverse("guides:report_detail", args=[mine.pk])
    page = client.get(url)
    assert page.status_code == 200 and page.context["form"] is not None
    assert "常来企业" in page.content.decode()  # staff read the secretaries' comments
    bad = client.post(url, {"score": "9", "comment": ""})
    assert bad.status_code == 400 and "选择一个有效的选项" in bad.content.decode()
    assert client.post(url, {"score": "5", "comment": "材料扎实"}).status_code == 302
    rating = Rating.objects.get(report=mine, rater=personas.org_staff)
    assert (rating.score, rating.rater_role) == (5, "staff")
    again = client.get(url)
    assert again.context["form"] is None and "您已评价" in again.content.decode()
    assert client.post(url, {"score": "3"}).status_code == 302
    assert Rating.objects.filter(report=mine, rater=personas.org_staff).get().score == 5


def test_close_a_period(client_for, world, personas, period, reports):
    mine, _zone, _team = reports
    url = reverse("guides:evaluation_close", args=[period.pk])
    assert client_for(personas.leader).post(url).status_code == 403
    assert client_for(personas.org_staff).post(url).status_code == 302
    period.refresh_from_db()
    assert period.state == EvaluationPeriod.State.CLOSED
    page = client_for(personas.org_staff).get(reverse("guides:report_detail", args=[mine.pk]))
    assert page.context["form"] is None
    assert (
        client_for(personas.org_staff).post(reverse("guides:report_detail", args=[mine.pk]), {"score": "5"}).status_code
        == 403
    )


def test_evaluation_pages_refuse_others(client_for, world, personas, period, reports):
    mine, _zone, _team = reports
    detail = reverse("guides:evaluation_detail", args=[period.pk])
    for persona in ("outsider", "handler", "enterprise_secretary"):
        client = client_for(getattr(personas, persona))
        assert client.get(reverse("guides:evaluation_list")).status_code == 403
        assert client.get(detail).status_code == 404
    assert client_for(personas.outsider).get(reverse("guides:report_detail", args=[mine.pk])).status_code == 404
    # The department that sent the guide reads the report and the averages, not who said what.
    handler = client_for(personas.handler).get(reverse("guides:report_detail", args=[mine.pk]))
    assert handler.status_code == 200 and handler.context["ratings"] is None and handler.context["form"] is None
    assert client_for(personas.leader).get(detail).status_code == 200
    assert client_for(personas.leader).get(reverse("guides:evaluation_create")).status_code == 403


def test_period_page_query_budget(client_for, world, personas, period, reports, django_assert_max_num_queries):
    client = client_for(personas.org_staff)
    url = reverse("guides:evaluation_detail", args=[period.pk])
    client.get(url)
    for _ in range(10):
        guide = factories.GuideFactory(region=world.county, department=world.department)
        report = services.guide_report_submit(actor=None, period=period, guide=guide, text="述职")
        services.rating_submit(actor=personas.org_staff, report=report, score=3)
    with django_assert_max_num_queries(10):
        response = client.get(url)
    assert len(response.context["reports"]) == 12
