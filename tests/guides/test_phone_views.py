"""The phone pages of the guides app (issue 9 §2-3): 我的企业, logging a visit, the visit's page and
the need raised from it, the guide's visit history, the enterprise secretary's confirmation or
dispute, 述职评价; each for the persona who may and those who may not, with bad input answered in
Chinese and nothing saved, and list pages in a number of queries that does not grow with rows."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from chainparty.models import Notification
from demands.models import Need
from guides import services
from guides.models import Rating, Visit, VisitNeed, VisitPerson, VisitPhoto
from tests import factories

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def png(name="现场.png"):
    return SimpleUploadedFile(name, PNG, content_type="image/png")


def url(name, *args):
    return reverse(f"guides:{name}", args=args)


@pytest.fixture
def guide(personas, frozen):
    """The personas' guide (zone assignment: the lead and the member enterprise)."""
    return personas.guide.guide_profile


@pytest.fixture
def other_guide(world, frozen):
    """A guide of the other county, serving the outsider enterprise only."""
    other = factories.GuideFactory(region=world.other_county, department=world.other_department, name="兖州指导员")
    services.assignment_create(actor=None, guide=other, enterprise=world.outsider_enterprise)
    return other


@pytest.fixture
def visit(world, guide):
    """A visit the personas' guide logged to the lead enterprise, waiting for its secretary."""
    return services.visit_log(
        actor=guide.user,
        enterprise=world.lead,
        visited_on=dt.date(2026, 5, 11),
        kind=Visit.Kind.SANBAO,
        checklist=[Visit.Checklist.POLICY_BRIEFING, Visit.Checklist.COLLECT_NEEDS],
        findings="党员 3 名，尚未建立党组织",
        opinions="希望协调技工培训",
        opinions_count=1,
    )


def _visit_post(enterprise, **extra):
    data = {
        "enterprise": enterprise.pk,
        "visited_on": "2026-05-12",
        "kind": Visit.Kind.VISIT,
        "checklist": [Visit.Checklist.FOUND_ORGANIZATION, Visit.Checklist.DEVELOP_MEMBERS],
        "findings": "有党员 3 名，具备组建条件",
        "opinions": "用工紧张；希望对接技校",
        "opinions_count": "2",
    }
    data.update(extra)
    return data


# -- 我的企业 -------------------------------------------------------------------------------------
def test_my_enterprises_lists_the_guides_enterprises_overdue_first(client_for, world, personas, guide):
    factories.VisitFactory(enterprise=world.lead, guide=guide, visited_on=dt.date(2026, 5, 2))
    response = client_for(personas.guide).get(url("my_enterprises"))
    assert response.status_code == 200
    rows = list(response.context["page"])
    assert [e.name for e in rows] == [world.member.name, world.lead.name]  # never visited first
    assert [e.status_label for e in rows] == ["逾期未走访", "本期已走访"]
    body = response.content.decode()
    assert f"{url('visit_log')}?enterprise={world.member.pk}" in body
    assert url("enterprise_need", world.member.pk) in body
    assert "2026-05-02" in body and "从未走访" in body and "每季度" in body
    assert world.outsider_enterprise.name not in body


@pytest.mark.parametrize("persona", ["enterprise_secretary", "org_staff", "outsider", "handler"])
def test_my_enterprises_refused_to_someone_who_is_not_a_guide(client_for, personas, frozen, persona):
    response = client_for(getattr(personas, persona)).get(url("my_enterprises"))
    assert response.status_code == 403
    assert "只有党建指导员" in response.content.decode()


def test_my_enterprises_query_budget(client_for, world, personas, guide, django_assert_max_num_queries):
    client = client_for(personas.guide)
    client.get(url("my_enterprises"))
    for _ in range(30):
        enterprise = factories.EnterpriseFactory(region=world.county, zone=world.zone)
        factories.VisitFactory(enterprise=enterprise, guide=guide, visited_on=dt.date(2026, 4, 1))
    with django_assert_max_num_queries(8):
        response = client.get(url("my_enterprises"))
    assert len(response.context["page"]) == 25 and response.context["page"].paginator.count == 32


# -- 记录走访 -------------------------------------------------------------------------------------
def test_log_visit_form_made_for_a_phone(client_for, world, personas, guide):
    response = client_for(personas.guide).get(url("visit_log"), {"enterprise": world.member.pk})
    assert response.status_code == 200
    form = response.context["form"]
    assert form["visited_on"].value() == dt.date(2026, 5, 12)  # today
    assert set(form.fields["enterprise"].queryset) == {world.lead, world.member}
    body = response.content.decode()
    assert f'<option value="{world.member.pk}" selected>' in body
    assert 'max="2026-05-12"' in body
    assert 'accept="image/*"' in body and 'capture="environment"' in body and "multiple" in body
    for label in ("组建党组织", "发展党员", "规范组织生活", "政策宣讲", "收集诉求", "其他"):
        assert label in body
    assert body.count('class="btn-check"') == 6


def test_a_guide_logs_a_visit_with_companions_staff_and_photos(
    client_for, world, personas, guide, django_capture_on_commit_callbacks
):
    companion = factories.GuideFactory(region=world.county, department=world.department, name="同行指导员")
    data = _visit_post(
        world.member,
        companions=[companion.pk],
        staff_name_1="人社局王科长",
        staff_department_1=world.department.pk,
        photos=[png("一.png"), png("二.png")],
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(personas.guide).post(url("visit_log"), data)
    visit = Visit.objects.get()
    assert response.status_code == 302 and response["Location"] == url("visit_detail", visit.pk)
    assert (visit.enterprise, visit.guide, visit.visited_on) == (world.member, guide, dt.date(2026, 5, 12))
    assert visit.checklist == ["found_organization", "develop_members"] and visit.opinions_count == 2
    people = {(p.person_name, p.guide_id, p.department_id) for p in visit.people.all()}
    assert people == {
        (guide.name, guide.pk, None),
        ("同行指导员", companion.pk, None),
        ("人社局王科长", None, world.department.pk),
    }
    assert sorted(p.name for p in visit.photos.all()) == ["一.png", "二.png"]
    note = Notification.objects.get(recipient=personas.other_enterprise_secretary)
    assert note.url == url("visit_detail", visit.pk) and note.kind == "visit"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"visited_on": "2026-05-13"}, "走访日期不能晚于今天。"),
        ({"visited_on": "昨天"}, "有效的日期"),
        ({"opinions_count": "-1"}, "大于或等于0"),
        ({"checklist": ["dancing"]}, "不在可用的选项中"),
        ({"photos": [SimpleUploadedFile("假照片.jpg", b"<html><script>alert(1)</script>")]}, "假照片.jpg"),
        ({"staff_department_1": "1"}, "请填写同行人员姓名。"),
    ],
)
def test_bad_visit_input_is_answered_in_chinese_and_nothing_is_saved(
    client_for, world, personas, guide, change, message
):
    if "staff_department_1" in change:
        change = {"staff_department_1": world.department.pk}
    response = client_for(personas.guide).post(url("visit_log"), _visit_post(world.member, **change))
    assert response.status_code == 400
    body = response.content.decode()
    assert message in body and "本次没有保存任何内容" in body
    assert not Visit.objects.exists() and not VisitPerson.objects.exists() and not VisitPhoto.objects.exists()


def test_a_visit_to_an_enterprise_not_in_the_guides_charge_is_refused(client_for, world, personas, guide):
    response = client_for(personas.guide).post(url("visit_log"), _visit_post(world.outsider_enterprise))
    assert response.status_code == 400
    assert "选择一个有效的选项" in response.content.decode()
    assert not Visit.objects.exists()


def test_a_visit_before_the_assignment_began_is_refused_by_the_service(client_for, world, personas, guide):
    response = client_for(personas.guide).post(url("visit_log"), _visit_post(world.member, visited_on="2023-08-01"))
    assert response.status_code == 400
    assert "不在您的联系范围内" in response.content.decode()
    assert not Visit.objects.exists()


@pytest.mark.parametrize("persona", ["enterprise_secretary", "outsider", "org_staff"])
def test_only_a_guide_logs_visits(client_for, world, personas, frozen, persona):
    client = client_for(getattr(personas, persona))
    assert client.get(url("visit_log")).status_code == 403
    assert client.post(url("visit_log"), _visit_post(world.lead)).status_code == 403
    assert not Visit.objects.exists()


# -- the visit's page ---------------------------------------------------------------------------
def test_the_visit_page_for_the_guide_who_went(client_for, world, personas, visit):
    response = client_for(personas.guide).get(url("visit_detail", visit.pk))
    assert response.status_code == 200
    body = response.content.decode()
    for text in ("政策宣讲", "收集诉求", "三包三联", "党员 3 名", "收集意见建议 1 条", "待企业确认"):
        assert text in body
    assert url("visit_need", visit.pk) in body and url("visit_photos", visit.pk) in body
    assert url("visit_confirm", visit.pk) not in body


def test_the_visit_page_for_the_enterprise_secretary_offers_confirm_and_dispute(client_for, personas, visit):
    response = client_for(personas.enterprise_secretary).get(url("visit_detail", visit.pk))
    assert response.status_code == 200
    body = response.content.decode()
    assert url("visit_confirm", visit.pk) in body and url("visit_dispute", visit.pk) in body
    assert url("visit_need", visit.pk) not in body


@pytest.mark.parametrize("persona", ["other_enterprise_secretary", "outsider", "handler"])
def test_the_visit_page_is_not_found_for_others(client_for, personas, visit, persona):
    assert client_for(getattr(personas, persona)).get(url("visit_detail", visit.pk)).status_code == 404


def test_the_visit_page_is_not_found_for_another_guide(client_for, visit, other_guide):
    assert client_for(other_guide.user).get(url("visit_detail", visit.pk)).status_code == 404


def test_visit_page_queries(client_for, world, personas, guide, visit, django_assert_max_num_queries):
    for index in range(5):
        services.visit_add_photos(actor=guide.user, visit=visit, files=[png(f"{index}.png")])
    client = client_for(personas.guide)
    with django_assert_max_num_queries(10):
        assert client.get(url("visit_detail", visit.pk)).status_code == 200


# -- photos -------------------------------------------------------------------------------------
def test_the_guide_adds_photos_and_the_secretary_downloads_one(client_for, personas, visit):
    response = client_for(personas.guide).post(url("visit_photos", visit.pk), {"photos": [png("补拍.png")]})
    assert response.status_code == 302
    photo = visit.photos.get()
    download = client_for(personas.enterprise_secretary).get(url("visit_photo", photo.pk))
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    assert b"".join(download.streaming_content) == PNG
    assert client_for(personas.other_enterprise_secretary).get(url("visit_photo", photo.pk)).status_code == 404
    assert client_for(personas.outsider).get(url("visit_photo", 999999)).status_code == 404


def test_bad_photos_are_refused_and_the_secretary_cannot_add_any(client_for, personas, visit):
    bad = SimpleUploadedFile("x.png", b"not a picture at all")
    response = client_for(personas.guide).post(url("visit_photos", visit.pk), {"photos": [bad]})
    assert response.status_code == 400 and "x.png" in response.content.decode()
    secretary = client_for(personas.enterprise_secretary)
    assert secretary.post(url("visit_photos", visit.pk), {"photos": [png()]}).status_code == 403
    assert not visit.photos.exists()


# -- a need raised from the visit ---------------------------------------------------------------
NEED = {
    "category": Need.Category.LABOR,
    "urgency": Need.Urgency.NORMAL,
    "title": "缺熟练缝纫工 30 名",
    "description": "旺季订单增加，急需熟练工。",
    "contact_name": "孔经理",
    "contact_phone": "13800000001",
}


def test_a_need_raised_from_the_visit_is_linked_both_ways(client_for, world, personas, visit):
    client = client_for(personas.guide)
    form = client.get(url("visit_need", visit.pk))
    assert form.status_code == 200 and "希望协调技工培训" in form.content.decode()  # the opinions, to start from
    response = client.post(url("visit_need", visit.pk), NEED)
    need = Need.objects.get(title=NEED["title"])
    assert response.status_code == 302 and response["Location"] == need.get_absolute_url()
    assert (need.enterprise, need.source) == (world.lead, Need.Source.VISIT)
    assert VisitNeed.objects.get(need=need).visit == visit
    page = client.get(need.get_absolute_url()).content.decode()
    assert "来源走访" in page and url("visit_detail", visit.pk) in page
    visit_page = client.get(url("visit_detail", visit.pk)).content.decode()
    assert need.number in visit_page and need.get_absolute_url() in visit_page
    secretary_sees = client_for(personas.enterprise_secretary).get(need.get_absolute_url()).content.decode()
    assert url("visit_detail", visit.pk) in secretary_sees


def test_a_need_without_a_title_is_refused_and_nothing_saved(client_for, personas, visit):
    response = client_for(personas.guide).post(url("visit_need", visit.pk), {**NEED, "title": ""})
    assert response.status_code == 400
    assert "该字段是必填项。" in response.content.decode()
    assert not Need.objects.exists() and not VisitNeed.objects.exists()


def test_only_a_guide_who_went_raises_a_need_from_the_visit(client_for, personas, visit, other_guide):
    assert client_for(personas.enterprise_secretary).post(url("visit_need", visit.pk), NEED).status_code == 403
    assert client_for(personas.outsider).get(url("visit_need", visit.pk)).status_code == 404
    assert client_for(other_guide.user).post(url("visit_need", visit.pk), NEED).status_code == 404
    assert not Need.objects.exists()


def test_a_need_from_a_card_of_my_enterprises(client_for, world, personas, guide):
    client = client_for(personas.guide)
    assert client.get(url("enterprise_need", world.member.pk)).status_code == 200
    response = client.post(url("enterprise_need", world.member.pk), NEED)
    need = Need.objects.get()
    assert response.status_code == 302 and need.enterprise == world.member
    assert client.get(url("enterprise_need", world.outsider_enterprise.pk)).status_code == 404
    assert client_for(personas.enterprise_secretary).get(url("enterprise_need", world.lead.pk)).status_code == 403


# -- the guide's visit history ------------------------------------------------------------------
def test_my_visits_lists_the_visits_the_guide_went_on(client_for, world, personas, guide, visit):
    companion = factories.GuideFactory(region=world.county, department=world.department, name="同行指导员")
    services.assignment_create(actor=None, guide=companion, enterprise=world.member, starts_on=dt.date(2026, 1, 1))
    theirs = services.visit_log(actor=companion.user, enterprise=world.member, companions=[guide])
    alone = services.visit_log(actor=companion.user, enterprise=world.member, visited_on=dt.date(2026, 5, 1))
    response = client_for(personas.guide).get(url("my_visits"))
    assert response.status_code == 200
    assert [v.pk for v in response.context["page"]] == [theirs.pk, visit.pk]
    assert alone.pk not in [v.pk for v in response.context["page"]]
    assert client_for(personas.outsider).get(url("my_visits")).status_code == 403
    assert client_for(personas.enterprise_secretary).get(url("my_visits")).status_code == 403


def test_my_visits_query_budget(client_for, world, personas, guide, django_assert_max_num_queries):
    client = client_for(personas.guide)
    client.get(url("my_visits"))
    for day in range(1, 31):
        services.visit_log(actor=guide.user, enterprise=world.lead, visited_on=dt.date(2026, 4, day))
    with django_assert_max_num_queries(7):
        response = client.get(url("my_visits"))
    assert len(response.context["page"]) == 25


# -- the enterprise's secretary: confirm or dispute ---------------------------------------------
def test_the_secretary_sees_their_enterprises_visits_pending_first(client_for, world, personas, guide, visit):
    answered = factories.VisitFactory(
        enterprise=world.lead,
        guide=guide,
        visited_on=dt.date(2026, 5, 12),
        confirmation=Visit.Confirmation.CONFIRMED,
        confirmed_at=dt.datetime(2026, 5, 12, tzinfo=dt.UTC),
    )
    elsewhere = factories.VisitFactory(enterprise=world.member, guide=guide)
    response = client_for(personas.enterprise_secretary).get(url("visits_to_confirm"))
    assert response.status_code == 200
    assert [v.pk for v in response.context["page"]] == [visit.pk, answered.pk]
    body = response.content.decode()
    assert url("visit_confirm", visit.pk) in body and url("visit_confirm", answered.pk) not in body
    assert url("visit_detail", elsewhere.pk) not in body
    assert guide.name in body  # who went


@pytest.mark.parametrize("persona", ["guide", "outsider", "org_staff"])
def test_visits_to_confirm_refused_to_someone_who_is_not_an_enterprise_secretary(client_for, personas, persona):
    assert client_for(getattr(personas, persona)).get(url("visits_to_confirm")).status_code == 403


def test_visits_to_confirm_query_budget(client_for, world, personas, guide, django_assert_max_num_queries):
    client = client_for(personas.enterprise_secretary)
    client.get(url("visits_to_confirm"))
    for day in range(1, 31):
        services.visit_log(
            actor=guide.user, enterprise=world.lead, visited_on=dt.date(2026, 4, day), staff=[("王科长", None)]
        )
    with django_assert_max_num_queries(8):
        response = client.get(url("visits_to_confirm"))
    assert len(response.context["page"]) == 25


def test_one_tap_confirm(client_for, personas, visit):
    client = client_for(personas.enterprise_secretary)
    back = url("visits_to_confirm")
    response = client.post(url("visit_confirm", visit.pk), {"next": back})
    assert response.status_code == 302 and response["Location"] == back
    visit.refresh_from_db()
    assert visit.confirmation == Visit.Confirmation.CONFIRMED and visit.confirmed_by == personas.enterprise_secretary
    again = client.post(url("visit_confirm", visit.pk))
    assert again.status_code == 403 and "企业已确认" in again.content.decode()
    offsite = client_for(personas.enterprise_secretary).post(
        url("visit_confirm", factories.VisitFactory(enterprise=visit.enterprise).pk), {"next": "https://evil.example/"}
    )
    assert offsite["Location"].startswith("/visits/")


def test_confirm_refused_to_the_guide_and_other_enterprises(client_for, personas, visit):
    assert client_for(personas.guide).post(url("visit_confirm", visit.pk)).status_code == 403
    assert client_for(personas.other_enterprise_secretary).post(url("visit_confirm", visit.pk)).status_code == 404
    assert client_for(personas.outsider).post(url("visit_confirm", visit.pk)).status_code == 404
    assert client_for(personas.enterprise_secretary).get(url("visit_confirm", visit.pk)).status_code == 405
    visit.refresh_from_db()
    assert visit.confirmation == Visit.Confirmation.PENDING


def test_a_dispute_needs_a_reason(client_for, personas, visit):
    response = client_for(personas.enterprise_secretary).post(url("visit_dispute", visit.pk), {"reason": "  "})
    assert response.status_code == 400
    assert "请说明对走访记录的异议理由。" in response.content.decode()
    visit.refresh_from_db()
    assert visit.confirmation == Visit.Confirmation.PENDING


def test_a_dispute_with_a_reason_tells_the_guide(client_for, personas, visit, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(personas.enterprise_secretary).post(
            url("visit_dispute", visit.pk), {"reason": "当天无人来访"}
        )
    assert response.status_code == 302
    visit.refresh_from_db()
    assert (visit.confirmation, visit.dispute_reason) == (Visit.Confirmation.DISPUTED, "当天无人来访")
    note = Notification.objects.get(recipient=personas.guide, kind="visit")
    assert note.body == "当天无人来访" and note.url == url("visit_detail", visit.pk)
    assert client_for(personas.guide).post(url("visit_dispute", visit.pk), {"reason": "x"}).status_code == 403


# -- 述职评价 -------------------------------------------------------------------------------------
@pytest.fixture
def period(world):
    return services.evaluation_period_create(
        actor=None, region=world.county, starts_on=dt.date(2026, 1, 1), ends_on=dt.date(2026, 6, 30)
    )


@pytest.fixture
def report(period, guide):
    return services.guide_report_submit(
        actor=guide.user, period=period, text="上半年走访企业 12 家，指导组建党支部 1 个。"
    )


@pytest.fixture
def member_report(period, guide_of_member):
    """A report of a guide who serves only the member enterprise."""
    return services.guide_report_submit(actor=guide_of_member.user, period=period, text="联系新花源纺织。")


def test_a_secretary_rates_the_report_of_a_guide_serving_their_enterprise(
    client_for, world, personas, report, member_report
):
    client = client_for(personas.enterprise_secretary)
    listing = client.get(url("rating_list"))
    assert listing.status_code == 200
    assert [r.pk for r in listing.context["reports"]] == [report.pk]  # not the member's guide
    body = listing.content.decode()
    assert "上半年走访企业 12 家" in body and body.count('type="radio"') == 5
    response = client.post(url("rating_submit", report.pk), {"score": "4", "comment": "走访扎实"})
    assert response.status_code == 302
    rating = Rating.objects.get()
    assert (rating.score, rating.comment, rating.enterprise, rating.rater_role) == (
        4,
        "走访扎实",
        world.lead,
        "secretary",
    )
    after = client.get(url("rating_list"))
    assert after.context["reports"][0].my_rating == rating and "您已评价：4 分" in after.content.decode()
    again = client.post(url("rating_submit", report.pk), {"score": "5"})
    assert again.status_code == 400 and "您已评价过这份述职报告。" in again.content.decode()
    assert Rating.objects.count() == 1


def test_a_rating_for_a_guide_who_does_not_serve_the_enterprise_is_refused(client_for, personas, member_report):
    response = client_for(personas.enterprise_secretary).post(url("rating_submit", member_report.pk), {"score": "5"})
    assert response.status_code == 404
    assert not Rating.objects.exists()


@pytest.mark.parametrize(("score", "message"), [("7", "评分须在 1 至 5 分之间。"), ("", "请选择 1 至 5 分。")])
def test_a_bad_score_is_refused(client_for, personas, report, score, message):
    response = client_for(personas.enterprise_secretary).post(url("rating_submit", report.pk), {"score": score})
    assert response.status_code == 400 and message in response.content.decode()
    assert not Rating.objects.exists()


def test_a_closed_period_cannot_be_rated(client_for, personas, period, report):
    services.evaluation_period_close(actor=None, period=period)
    client = client_for(personas.enterprise_secretary)
    assert client.get(url("rating_list")).context["reports"] == []
    assert client.post(url("rating_submit", report.pk), {"score": "3"}).status_code == 403


@pytest.mark.parametrize("persona", ["guide", "outsider", "handler"])
def test_ratings_refused_to_someone_who_is_not_an_enterprise_secretary(client_for, personas, report, persona):
    client = client_for(getattr(personas, persona))
    assert client.get(url("rating_list")).status_code == 403
    assert client.post(url("rating_submit", report.pk), {"score": "3"}).status_code == 403


def test_rating_list_query_budget(client_for, world, personas, period, report, django_assert_max_num_queries):
    client = client_for(personas.enterprise_secretary)
    client.get(url("rating_list"))
    for index in range(10):
        other = factories.GuideFactory(region=world.county, department=world.department, name=f"指导员{index}")
        services.assignment_create(actor=None, guide=other, enterprise=world.lead, starts_on=dt.date(2026, 1, 1))
        services.guide_report_submit(actor=other.user, period=period, text="述职")
    with django_assert_max_num_queries(8):
        response = client.get(url("rating_list"))
    assert len(response.context["reports"]) == 11


# -- the menu -----------------------------------------------------------------------------------
def test_the_menu_offers_each_persona_their_pages(client_for, personas, frozen):
    guide_page = client_for(personas.guide).get("/").content.decode()
    assert url("my_enterprises") in guide_page and url("my_visits") in guide_page
    assert url("visits_to_confirm") not in guide_page
    secretary_page = client_for(personas.enterprise_secretary).get("/").content.decode()
    assert url("visits_to_confirm") in secretary_page and url("rating_list") in secretary_page
    assert url("my_enterprises") not in secretary_page
    outsider_page = client_for(personas.outsider).get("/").content.decode()
    assert url("my_enterprises") not in outsider_page and url("visits_to_confirm") not in outsider_page


def test_anonymous_goes_to_login(client, visit):
    for target in (url("my_enterprises"), url("visit_log"), url("visit_detail", visit.pk), url("rating_list")):
        response = client.get(target)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
