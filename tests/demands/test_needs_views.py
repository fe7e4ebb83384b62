"""Need pages: every page for the persona who may use it and for one who may not; stories 2 and 3
through the pages; query budgets that do not grow with the rows; attachments."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from demands.models import Assignment, DeadlineRule, Need, NeedAttachment
from demands.services import filing, workflow
from tests.demands.conftest import at

PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def _url(name, *args):
    return reverse(f"demands:{name}", args=args)


def _post_need(client, world, **extra):
    data = {
        "enterprise": world.lead.pk,
        "category": "labor",
        "urgency": "normal",
        "title": "缺少熟练缝纫工",
        "description": "旺季订单增加，缺熟练缝纫工30名。",
        "people": "30",
        "contact_name": "李书记",
        "contact_phone": "13800000001",
    }
    data.update(extra)
    return client.post(_url("need_create"), data)


# -- filing --------------------------------------------------------------------------------------------
def test_enterprise_secretary_files_a_need_with_attachments(world, personas, client_for):
    client = client_for(personas.enterprise_secretary)
    page = client.get(_url("need_create"))
    assert page.status_code == 200 and "提交需求" in page.content.decode()
    response = _post_need(
        client,
        world,
        attachments=[
            SimpleUploadedFile("../../岗位 需求<表>.pdf", PDF, content_type="application/pdf"),
            SimpleUploadedFile("现场照片.png", PNG, content_type="image/png"),
        ],
    )
    need = Need.objects.get()
    assert response.status_code == 302 and response["Location"] == need.get_absolute_url()
    assert sorted(need.attachments.values_list("name", flat=True)) == ["岗位 需求_表.pdf", "现场照片.png"]
    download = client.get(need.attachments.get(kind="pdf").get_absolute_url())
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert "attachment" in download["Content-Disposition"]


def test_bad_input_shows_chinese_errors_and_saves_nothing(world, personas, client_for):
    client = client_for(personas.enterprise_secretary)
    response = _post_need(client, world, title="", category="", people="-3")
    body = response.content.decode()
    assert response.status_code == 400
    assert "该字段是必填项" in body
    assert "本次没有保存任何内容" in body
    assert not Need.objects.exists()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("报告.pdf", PNG, "扩展名与文件内容不符"),
        ("病毒.exe", b"MZ\x90\x00" + b"\x00" * 20, "不是可接受的类型"),
        ("空.pdf", b"", "空文件"),
    ],
)
def test_wrong_attachments_are_refused(world, personas, client_for, name, content, message):
    client = client_for(personas.enterprise_secretary)
    response = _post_need(client, world, attachments=[SimpleUploadedFile(name, content)])
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Need.objects.exists() and not NeedAttachment.objects.exists()


def test_too_big_attachment_is_refused(world, personas, client_for, settings):
    client = client_for(personas.enterprise_secretary)
    big = SimpleUploadedFile("大文件.pdf", PDF + b"0" * (20 * 1024 * 1024), content_type="application/pdf")
    response = _post_need(client, world, attachments=[big])
    assert response.status_code == 400
    assert "超过 20 MB" in response.content.decode()
    assert not Need.objects.exists()


def test_who_may_open_the_filing_form(world, personas, client_for):
    assert client_for(personas.guide).get(_url("need_create")).status_code == 200
    assert client_for(personas.secretary).get(_url("need_create")).status_code == 200
    assert client_for(personas.handler).get(_url("need_create")).status_code == 403
    assert client_for(personas.outsider).get(_url("need_create")).status_code == 403
    # Another enterprise's secretary cannot pick world.lead: not a valid choice, nothing saved.
    response = _post_need(client_for(personas.other_enterprise_secretary), world)
    assert response.status_code == 400 and not Need.objects.exists()


# -- the need page and who sees it -------------------------------------------------------------------------
def test_need_page_visibility(world, personas, client_for, dispatched_need):
    need = dispatched_need()
    url = need.get_absolute_url()
    for persona in ("enterprise_secretary", "secretary", "org_staff", "leader", "handler", "guide"):
        response = client_for(getattr(personas, persona)).get(url)
        assert response.status_code == 200, persona
        assert need.number in response.content.decode()
    for persona in ("other_enterprise_secretary", "outsider"):
        assert client_for(getattr(personas, persona)).get(url).status_code == 404, persona


def test_attachment_download_is_access_checked(world, personas, client_for, file_need):
    need = file_need(attachments=[SimpleUploadedFile("a.pdf", PDF)])
    url = need.attachments.get().get_absolute_url()
    assert client_for(personas.other_enterprise_secretary).get(url).status_code == 404
    assert client_for(personas.secretary).get(url).status_code == 200


def test_actions_offered_by_role(world, personas, client_for, file_need):
    need = file_need()
    secretary_page = client_for(personas.secretary).get(need.get_absolute_url()).content.decode()
    assert 'id="action-accept"' in secretary_page and 'id="action-reject"' in secretary_page
    owner_page = client_for(personas.enterprise_secretary).get(need.get_absolute_url()).content.decode()
    assert 'id="action-accept"' not in owner_page and 'id="action-attach"' in owner_page
    leader_page = client_for(personas.leader).get(need.get_absolute_url()).content.decode()
    assert 'id="action-' not in leader_page


def test_action_forbidden_for_who_can_see_but_not_act(world, personas, client_for, file_need):
    need = file_need()
    url = _url("need_action", need.pk, "accept")
    assert client_for(personas.leader).post(url, {"version": need.version}).status_code == 403
    assert client_for(personas.enterprise_secretary).post(url, {"version": need.version}).status_code == 403
    assert client_for(personas.outsider).post(url, {"version": need.version}).status_code == 404
    assert client_for(personas.secretary).post(_url("need_action", need.pk, "explode"), {}).status_code == 404
    assert Need.objects.get(pk=need.pk).state == Need.State.SUBMITTED


def test_stale_form_gets_a_conflict_message(world, personas, client_for, file_need):
    need = file_need()
    stale = need.version
    workflow.need_accept(need=need, actor=personas.org_staff)
    client = client_for(personas.secretary)
    response = client.post(_url("need_action", need.pk, "return"), {"version": stale, "reason": "补充"}, follow=True)
    assert "已被他人处理，请刷新后重试" in response.content.decode()
    assert Need.objects.get(pk=need.pk).state == Need.State.ACCEPTED


def test_missing_reason_is_shown_on_the_need_page(world, personas, client_for, file_need):
    need = file_need()
    response = client_for(personas.secretary).post(
        _url("need_action", need.pk, "reject"), {"version": need.version, "reason": ""}
    )
    assert response.status_code == 400
    assert "该字段是必填项" in response.content.decode()
    assert Need.objects.get(pk=need.pk).state == Need.State.SUBMITTED


# -- stories through the pages ----------------------------------------------------------------------------
def test_story_2_through_the_pages(world, personas, client_for):
    """Filed by the enterprise, accepted and dispatched by the secretary, answered by the handler
    (19 hired), rated satisfied by the enterprise, closed out by the secretary."""
    with time_machine.travel(at(2026, 4, 20), tick=False):
        owner = client_for(personas.enterprise_secretary)
        _post_need(owner, world, title="缺少数控熟练技工", urgency="urgent")
        need = Need.objects.get()
        secretary = client_for(personas.secretary)
        secretary.post(_url("need_action", need.pk, "accept"), {"version": need.version, "note": "已受理"})
        need.refresh_from_db()
        page = secretary.get(need.get_absolute_url()).content.decode()
        assert 'id="action-dispatch"' in page and world.department.name in page
        secretary.post(
            _url("need_action", need.pk, "dispatch"),
            {"version": need.version, "lead_department": world.department.pk, "instruction": "请对接技工学校"},
        )
        need.refresh_from_db()
        assert need.state == Need.State.DISPATCHED and need.deadline == dt.date(2026, 4, 27)
    part = need.assignments.get()
    handler = client_for(personas.handler)
    worklist = handler.get(_url("assignment_list")).content.decode()
    assert need.number in worklist
    handler.post(_url("assignment_start", part.pk))
    response = handler.post(
        _url("assignment_answer", part.pk), {"answer": "已对接技工学校，5月招聘19人。", "people_solved": "19"}
    )
    assert response.status_code == 302
    need.refresh_from_db()
    assert need.state == Need.State.ANSWERED and need.people_solved == 19
    owner = client_for(personas.enterprise_secretary)
    owner.post(_url("need_action", need.pk, "rate"), {"version": need.version, "rating": "satisfied"})
    need.refresh_from_db()
    assert need.state == Need.State.RATED
    closeout = client_for(personas.secretary).get(_url("need_closeout")).content.decode()
    assert need.number in closeout
    client_for(personas.secretary).post(_url("need_action", need.pk, "close"), {"version": need.version})
    need.refresh_from_db()
    assert need.state == Need.State.CLOSED
    page = client_for(personas.enterprise_secretary).get(need.get_absolute_url()).content.decode()
    for text in ("提交需求", "受理", "派单", "开始办理", "答复", "回访评价", "销号", "招用 19 人"):
        assert text in page, text


def test_story_3_through_the_pages(world, personas, client_for, co_department):
    owner = client_for(personas.enterprise_secretary)
    _post_need(
        owner, world, title="用地20亩和资金3000万元", category="land", land_mu="20", funding_wan="3000", people=""
    )
    need = Need.objects.get()
    secretary = client_for(personas.secretary)
    secretary.post(_url("need_action", need.pk, "accept"), {"version": need.version})
    need.refresh_from_db()
    secretary.post(
        _url("need_action", need.pk, "dispatch"),
        {"version": need.version, "lead_department": co_department.pk, "co_departments": [world.department.pk]},
    )
    lead = need.assignments.get(role=Assignment.Role.LEAD)
    co = need.assignments.get(role=Assignment.Role.CO)
    # Each handler sees only their own part in 待办 and may answer only it.
    assert client_for(personas.handler).get(_url("assignment_answer", lead.pk)).status_code == 403
    client_for(personas.handler).post(
        _url("assignment_answer", co.pk), {"answer": "银行授信3000万元", "funding_wan_solved": "3000"}
    )
    need.refresh_from_db()
    assert need.state == Need.State.DISPATCHED
    client_for(co_department.test_handler).post(
        _url("assignment_answer", lead.pk), {"answer": "工业用地20亩已挂牌", "land_mu_solved": "20"}
    )
    need.refresh_from_db()
    assert need.state == Need.State.ANSWERED
    assert (need.land_mu_solved, need.funding_wan_solved) == (Decimal("20"), Decimal("3000"))
    page = client_for(personas.enterprise_secretary).get(need.get_absolute_url()).content.decode()
    assert "银行授信3000万元" in page and "工业用地20亩已挂牌" in page


# -- lists, filters, totals, query budgets ------------------------------------------------------------------
def _many(n, dispatched_need, file_need):
    with time_machine.travel(at(2026, 6, 1), tick=False):
        for i in range(n):
            if i % 2:
                dispatched_need(title=f"需求{i}", urgency=Need.Urgency.URGENT)
            else:
                file_need(title=f"需求{i}")


LIST_PAGES = [
    ("org_staff", "need_list"),
    ("secretary", "need_list"),
    ("secretary", "need_incoming"),
    ("secretary", "need_overdue"),
    ("enterprise_secretary", "my_needs"),
    ("handler", "need_list"),
    ("leader", "need_list"),
]


@pytest.mark.parametrize(("persona", "name"), LIST_PAGES)
def test_list_pages_keep_a_query_budget(
    persona, name, world, personas, client_for, dispatched_need, file_need, django_assert_max_num_queries
):
    client = client_for(getattr(personas, persona))
    _many(10, dispatched_need, file_need)
    with time_machine.travel(at(2026, 6, 20), tick=False):
        with django_assert_max_num_queries(8):
            assert client.get(_url(name)).status_code == 200
        _many(50, dispatched_need, file_need)
        with django_assert_max_num_queries(8):
            response = client.get(_url(name))
    assert response.status_code == 200


def test_worklist_keeps_a_query_budget(world, personas, client_for, dispatched_need, django_assert_max_num_queries):
    client = client_for(personas.handler)
    for _ in range(10):
        dispatched_need()
    with django_assert_max_num_queries(7):
        client.get(_url("assignment_list"))
    for _ in range(50):
        dispatched_need()
    with django_assert_max_num_queries(7):
        body = client.get(_url("assignment_list")).content.decode()
    assert body.count("/answer/") == 25


def test_need_page_keeps_a_query_budget(
    world, personas, client_for, dispatched_need, co_department, django_assert_max_num_queries
):
    need = dispatched_need(co_departments=[co_department])
    for _ in range(10):
        filing.need_attach(need=need, actor=personas.enterprise_secretary, files=[SimpleUploadedFile("a.pdf", PDF)])
    client = client_for(personas.enterprise_secretary)
    with django_assert_max_num_queries(14):
        assert client.get(need.get_absolute_url()).status_code == 200


def test_need_page_timeline_names_each_part_without_a_query_per_event(
    world, personas, client_for, dispatched_need, co_department
):
    need = dispatched_need(co_departments=[co_department])
    client = client_for(personas.org_staff)
    client.get(need.get_absolute_url())  # warm the session and caches
    with CaptureQueriesContext(connection) as before:
        client.get(need.get_absolute_url())
    part = need.assignments.get(department=world.department)
    workflow.need_start(need=Need.objects.get(pk=need.pk), assignment=part, actor=personas.handler)
    workflow.need_answer(need=Need.objects.get(pk=need.pk), assignment=part, actor=personas.handler, answer="已办结")
    with CaptureQueriesContext(connection) as after:
        body = client.get(need.get_absolute_url()).content.decode()
    assert body.count(f'<span class="small text-muted">· {world.department.name}</span>') == 2, "start and answer"
    assert len(after.captured_queries) <= len(before.captured_queries), "two more events, no more queries"


def test_overdue_needs_are_marked_on_lists(world, personas, client_for, dispatched_need):
    with time_machine.travel(at(2026, 6, 1), tick=False):
        need = dispatched_need(urgency=Need.Urgency.URGENT)  # due 8 June
    with time_machine.travel(at(2026, 6, 11), tick=False):
        pages = (("secretary", "need_overdue"), ("org_staff", "need_list"), ("handler", "assignment_list"))
        for persona, name in pages:
            body = client_for(getattr(personas, persona)).get(_url(name)).content.decode()
            assert "超期 3 个工作日" in body, (persona, name)
        owner = client_for(personas.enterprise_secretary).get(_url("my_needs")).content.decode()
        assert need.number in owner and "超期 3 个工作日" in owner


def test_filters_and_htmx_rows(world, personas, client_for, dispatched_need, file_need, co_department):
    with time_machine.travel(at(2026, 6, 1), tick=False):
        land = dispatched_need(title="用地需求", category=Need.Category.LAND)
        labor = file_need(title="用工需求")
    client = client_for(personas.org_staff)
    body = client.get(_url("need_list"), {"category": "land"}).content.decode()
    assert land.number in body and labor.number not in body
    assert '<option value="land" selected>' in body, "the filter bar keeps the choice"
    body = client.get(_url("need_list"), {"department": world.department.pk}).content.decode()
    assert land.number in body and labor.number not in body
    assert f'<option value="{world.department.pk}" selected>' in body
    body = client.get(_url("need_list"), {"state": "submitted"}, HTTP_HX_REQUEST="true").content.decode()
    assert labor.number in body and land.number not in body and "<html" not in body
    body = client.get(_url("need_list"), {"filed_from": "2026-06-02"}).content.decode()
    assert land.number not in body and labor.number not in body
    body = client.get(_url("need_list"), {"filed_from": "2026-06-05", "filed_to": "2026-06-01"}).content.decode()
    assert "结束日期不能早于开始日期" in body


def test_region_totals(world, personas, client_for, dispatched_need, django_assert_max_num_queries):
    with time_machine.travel(at(2026, 6, 1), tick=False):
        solved = dispatched_need()
        workflow.need_answer(
            need=solved, assignment=solved.assignments.get(), actor=personas.handler, answer="好", people_solved=19
        )
        solved.refresh_from_db()
        workflow.need_rate(need=solved, actor=personas.enterprise_secretary, rating="satisfied")
        dispatched_need()
    client = client_for(personas.org_staff)
    with django_assert_max_num_queries(6):
        body = client.get(_url("need_totals")).content.decode()
    assert "用工 19 人" in body and "100.0%" in body
    assert client_for(personas.outsider).get(_url("need_totals")).status_code == 200  # sees zero of nothing


def test_list_pages_personas(world, personas, client_for):
    assert client_for(personas.handler).get(_url("my_needs")).status_code == 403
    assert client_for(personas.guide).get(_url("assignment_list")).status_code == 403
    assert client_for(personas.outsider).get(_url("need_list")).status_code == 200
    assert client_for(personas.enterprise_secretary).get(_url("my_needs")).status_code == 200
    assert client_for(personas.handler).get(_url("assignment_list")).status_code == 200


def test_other_enterprise_does_not_see_the_need_in_lists(world, personas, client_for, file_need):
    need = file_need()
    body = client_for(personas.other_enterprise_secretary).get(_url("need_list")).content.decode()
    assert need.number not in body


# -- deadline rules page -----------------------------------------------------------------------------------------
def test_deadline_rules_page(world, personas, client_for):
    staff = client_for(personas.org_staff)
    assert "内置默认" in staff.get(_url("deadline_rules")).content.decode()
    response = staff.post(
        _url("deadline_rules"), {"region": world.county.pk, "urgency": "urgent", "category": "land", "workdays": "3"}
    )
    assert response.status_code == 302
    rule = DeadlineRule.objects.get(region=world.county)
    assert (rule.urgency, rule.category, rule.workdays) == ("urgent", "land", 3)
    bad = staff.post(_url("deadline_rules"), {"region": world.county.pk, "urgency": "urgent", "workdays": "0"})
    assert bad.status_code == 400 and "1 至 120" in bad.content.decode()
    other = staff.post(_url("deadline_rules"), {"region": world.other_county.pk, "urgency": "urgent", "workdays": "3"})
    assert other.status_code == 400  # not a region this staff member manages
    assert client_for(personas.secretary).get(_url("deadline_rules")).status_code == 403
    assert client_for(personas.secretary).post(_url("deadline_rule_delete", rule.pk)).status_code == 403
    assert client_for(personas.org_staff).post(_url("deadline_rule_delete", rule.pk)).status_code == 302
    assert not DeadlineRule.objects.exists()


# -- navigation (with the needs context processor registered) and admin --------------------------------------------
@pytest.fixture
def needs_nav(settings):
    processors = settings.TEMPLATES[0]["OPTIONS"]["context_processors"]
    if "demands.context_processors.needs_nav" not in processors:
        settings.TEMPLATES = [
            {
                **settings.TEMPLATES[0],
                "OPTIONS": {
                    **settings.TEMPLATES[0]["OPTIONS"],
                    "context_processors": [*processors, "demands.context_processors.needs_nav"],
                },
            }
        ]


@pytest.mark.parametrize(
    ("persona", "shown", "hidden"),
    [
        ("enterprise_secretary", ["我的需求", "提交需求", "待办"], ["待受理", "办理时限规则"]),
        ("secretary", ["待受理", "超期督办", "待销号", "提交需求"], ["我的需求", "办理时限规则"]),
        ("org_staff", ["待受理", "办理时限规则", "全部需求"], ["我的需求"]),
        ("handler", ["待办", "全部需求"], ["待受理", "提交需求"]),
        ("leader", ["全部需求"], ["待受理", "提交需求", "待办"]),
    ],
)
def test_navigation_by_persona(persona, shown, hidden, world, personas, client_for, needs_nav):
    body = client_for(getattr(personas, persona)).get(_url("need_list")).content.decode()
    nav = body.split("<main", 1)[0]
    for text in shown:
        assert text in nav, (persona, text)
    for text in hidden:
        assert text not in nav, (persona, text)


def test_navigation_adds_no_query(
    world, personas, client_for, needs_nav, dispatched_need, django_assert_max_num_queries
):
    dispatched_need()
    client = client_for(personas.secretary)
    with django_assert_max_num_queries(8):
        assert client.get(_url("need_list")).status_code == 200


def test_admin_is_read_only_for_needs_and_events(world, personas, file_need, client):
    from tests import factories

    need = file_need()
    admin = factories.UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(admin)
    assert client.get(reverse("admin:demands_need_changelist")).status_code == 200
    page = client.get(reverse("admin:demands_need_change", args=[need.pk]))
    assert page.status_code == 200 and need.number in page.content.decode()
    assert client.get(reverse("admin:demands_need_add")).status_code == 403
    event = need.events.get()
    assert client.post(reverse("admin:demands_needevent_delete", args=[event.pk]), {"post": "yes"}).status_code == 403
    assert need.events.count() == 1
    response = client.post(
        reverse("admin:demands_deadlinerule_add"),
        {"region": "", "urgency": "critical", "category": "", "workdays": "1"},
    )
    assert response.status_code == 302
    assert DeadlineRule.objects.get(region=None, urgency="critical").workdays == 1


@pytest.mark.parametrize("state", [s.value for s in Need.State])
def test_need_page_renders_in_every_state(state, world, personas, client_for, dispatched_need, file_need):
    from tests.demands.test_needs_services import _drive

    need = _drive(state, world=world, personas=personas, dispatched_need=dispatched_need, file_need=file_need)
    for persona in ("secretary", "enterprise_secretary", "handler", "leader"):
        response = client_for(getattr(personas, persona)).get(need.get_absolute_url())
        if persona == "handler" and not need.assignments.exists():
            assert response.status_code == 404
            continue
        assert response.status_code == 200, (state, persona)
        assert str(need.state_label) in response.content.decode()


def test_list_pages_page_without_counting(world, personas, client_for, file_need):
    for i in range(30):
        file_need(title=f"第{i}条")
    client = client_for(personas.secretary)
    with CaptureQueriesContext(connection) as queries:
        first = client.get(_url("need_list")).content.decode()
    assert not [q for q in queries.captured_queries if "COUNT(" in q["sql"] and "demands_need" in q["sql"]]
    assert first.count('class="text-reset"') == 25 and "page=2" in first and "第 1 页" in first
    second = client.get(_url("need_list"), {"page": 2}).content.decode()
    assert second.count('class="text-reset"') == 5 and "page=3" not in second and "page=1" in second
    assert "第 1 页" in client.get(_url("need_list"), {"page": "x"}).content.decode()


def test_dispatch_suggestions_fragment_and_dispatch_to_a_resource(world, personas, client_for, file_need):
    from demands.models import Resource

    resource = Resource.objects.create(
        enterprise=world.member,
        category=Resource.Category.TRAINING,
        title="缝纫工岗前培训",
        description="熟练缝纫工 培训",
        region=world.county,
    )
    need = workflow.need_accept(need=file_need(title="缺少熟练缝纫工培训"), actor=personas.secretary)
    url = _url("need_dispatch_suggestions", need.pk)
    assert client_for(personas.enterprise_secretary).get(url).status_code == 403
    assert client_for(personas.outsider).get(url).status_code == 404
    secretary = client_for(personas.secretary)
    page = secretary.get(need.get_absolute_url()).content.decode()
    assert url in page  # the slot loads the suggestions after the page
    fragment = secretary.get(url).content.decode()
    assert resource.title in fragment and f'value="{resource.pk}"' in fragment
    response = secretary.post(
        _url("need_action", need.pk, "dispatch"), {"version": need.version, "lead_resource": resource.pk}
    )
    assert response.status_code == 302
    part = Need.objects.get(pk=need.pk).assignments.get()
    assert (part.provider_enterprise, part.resource) == (world.member, resource)


def test_secondary_action_forms_load_on_demand(world, personas, client_for, file_need):
    need = file_need()
    page = client_for(personas.secretary).get(need.get_absolute_url()).content.decode()
    assert _url("need_action_form", need.pk, "reject") in page  # a button, not the form
    assert 'name="reason"' not in page.split('id="action-reject"')[1].split("</div>")[1]
    fragment = client_for(personas.secretary).get(_url("need_action_form", need.pk, "reject"))
    assert fragment.status_code == 200 and 'name="reason"' in fragment.content.decode()
    assert client_for(personas.enterprise_secretary).get(_url("need_action_form", need.pk, "reject")).status_code == 403
    assert client_for(personas.outsider).get(_url("need_action_form", need.pk, "reject")).status_code == 404
    assert client_for(personas.secretary).get(_url("need_action_form", need.pk, "close")).status_code == 403
    assert client_for(personas.secretary).get(_url("need_action_form", need.pk, "nonsense")).status_code == 404


def test_filter_by_an_alliance_out_of_reach_shows_nothing_of_it(world, personas, client_for, file_need):
    need = file_need()
    client = client_for(personas.outsider)
    body = client.get(_url("need_list"), {"alliance": need.alliance_id}).content.decode()
    assert need.number not in body
    offered = body.split('<select name="alliance"', 1)[1].split("</select>", 1)[0]
    assert f'<option value="{need.alliance_id}"' not in offered, "an alliance out of reach is not offered"
    own = client_for(personas.secretary).get(_url("need_list"), {"alliance": need.alliance_id}).content.decode()
    offered = own.split('<select name="alliance"', 1)[1].split("</select>", 1)[0]
    assert need.number in own and f'<option value="{need.alliance_id}" selected>' in offered


def test_answer_from_a_stale_page_is_refused_and_saves_nothing(personas, client_for, dispatched_need):
    need = dispatched_need()
    part = need.assignments.get()
    seen = need.version
    workflow.need_start(
        need=Need.objects.get(pk=need.pk), assignment=part, actor=personas.handler
    )  # someone acts first
    response = client_for(personas.handler).post(
        _url("assignment_answer", part.pk), {"version": seen, "answer": "已办结", "people_solved": "3"}, follow=True
    )
    assert "已被他人处理" in response.content.decode()
    part.refresh_from_db()
    need.refresh_from_db()
    assert part.answer == "" and need.state == Need.State.IN_PROGRESS and need.people_solved is None


def test_home_page_offers_the_worklist_to_handlers(personas, client_for):
    body = client_for(personas.handler).get(reverse("home")).content.decode()
    assert f'href="{_url("assignment_list")}">待办</a>' in body
    assert (
        f'href="{_url("assignment_list")}">待办</a>'
        not in client_for(personas.leader).get(reverse("home")).content.decode()
    )
