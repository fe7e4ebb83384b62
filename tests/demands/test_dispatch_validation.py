"""Dispatch rules, checked once by workflow.need_dispatch and shown by the page and the API:
- a department without an active handler cannot take a part (issue 7 defect 2.12: the part used to
  land in nobody's 待办);
- one lead, either a department or a member's resource (issue 7 §4: the form and the serializer
  used to check it again with their own messages)."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from alliances import services as alliance_services
from alliances import services as org
from demands.models import Assignment, Need, NeedEvent, Resource
from demands.services import workflow
from tests import factories

S = Need.State


def _no_handler(department):
    return f"“{department.name}”暂无办理人，派单后无人办理。请先为该部门指定办理人，或选择其他部门。"


@pytest.fixture
def unstaffed(world):
    """A county department nobody handles for yet."""
    return factories.DepartmentFactory(name="汶上县工业和信息化局", region=world.county)


@pytest.fixture
def accepted(personas, file_need):
    return workflow.need_accept(need=file_need(), actor=personas.secretary)


def _unchanged(need):
    fresh = Need.objects.get(pk=need.pk)
    assert (fresh.state, fresh.version) == (S.ACCEPTED, need.version)
    assert not Assignment.objects.filter(need=need).exists()
    assert not NeedEvent.objects.filter(need=need, action=NeedEvent.Action.DISPATCH).exists()


def _service_error(**kwargs) -> dict:
    with pytest.raises(ValidationError) as error:
        workflow.need_dispatch(**kwargs)
    return error.value.message_dict


def _post_page(client, need, data):
    return client.post(reverse("demands:need_action", args=[need.pk, "dispatch"]), {"version": need.version, **data})


def _page_field_errors(response, name) -> list[str]:
    """The messages shown under field `name` of the dispatch form on the returned page."""
    html = response.content.decode()
    block = re.search(rf'<select name="{name}".*?</select>(.*?)(?:<label|</form>)', html, re.S)
    assert block, name
    return re.findall(r'<div class="invalid-feedback d-block">(.*?)</div>', block.group(1))


def _post_api(user, need, data):
    client = APIClient()
    client.force_authenticate(user)
    return client.post(f"/api/needs/{need.pk}/dispatch/", data, format="json")


# -- a department without an active handler ------------------------------------------------------------
def test_service_refuses_a_lead_department_without_handler(world, personas, accepted, unstaffed):
    errors = _service_error(need=accepted, actor=personas.secretary, lead_department=unstaffed)
    assert errors == {"lead_department": [_no_handler(unstaffed)]}
    _unchanged(accepted)


def test_service_refuses_a_co_department_without_handler(world, personas, accepted, unstaffed, co_department):
    errors = _service_error(
        need=accepted,
        actor=personas.secretary,
        lead_department=world.department,
        co_departments=[co_department, unstaffed],
    )
    assert errors == {"co_departments": [_no_handler(unstaffed)]}
    _unchanged(accepted)


def test_a_department_whose_only_handler_left_counts_as_without_handler(world, personas, accepted, co_department):
    co_department.test_handler.is_active = False
    co_department.test_handler.save(update_fields=["is_active"])
    errors = _service_error(need=accepted, actor=personas.secretary, lead_department=co_department)
    assert errors == {"lead_department": [_no_handler(co_department)]}
    _unchanged(accepted)


def test_a_department_resource_needs_a_handler_too(world, personas, accepted, unstaffed):
    resource = Resource.objects.create(
        department=unstaffed, category=Resource.Category.TRAINING, title="技能培训补贴", region=world.county
    )
    errors = _service_error(need=accepted, actor=personas.secretary, lead_resource=resource)
    assert errors == {"lead_resource": [_no_handler(unstaffed)]}
    _unchanged(accepted)
    org.department_add_handler(department=unstaffed, user=factories.UserFactory(username="iit_handler"), system=True)
    need = workflow.need_dispatch(need=accepted, actor=personas.secretary, lead_resource=resource)
    assert need.assignments.get().department == unstaffed


def test_once_the_department_has_a_handler_it_may_take_the_part(world, personas, accepted, unstaffed):
    handler = factories.UserFactory(username="iit_handler")
    org.department_add_handler(department=unstaffed, user=handler, system=True)
    need = workflow.need_dispatch(
        need=accepted, actor=personas.secretary, lead_department=world.department, co_departments=[unstaffed]
    )
    assert need.state == S.DISPATCHED
    assert [a.department for a in need.assignments.order_by("-role")] == [world.department, unstaffed]


def test_page_shows_the_refusal_on_the_field_and_saves_nothing(
    world, personas, accepted, unstaffed, co_department, client_for
):
    client = client_for(personas.secretary)
    response = _post_page(client, accepted, {"lead_department": unstaffed.pk})
    assert response.status_code == 400
    assert _page_field_errors(response, "lead_department") == [_no_handler(unstaffed)]
    _unchanged(accepted)
    response = _post_page(
        client, accepted, {"lead_department": world.department.pk, "co_departments": [co_department.pk, unstaffed.pk]}
    )
    assert response.status_code == 400
    assert _page_field_errors(response, "co_departments") == [_no_handler(unstaffed)]
    assert _page_field_errors(response, "lead_department") == []
    _unchanged(accepted)


def test_api_answers_400_with_the_refusal_on_the_field(world, personas, accepted, unstaffed):
    response = _post_api(personas.secretary, accepted, {"lead_department": unstaffed.pk})
    assert response.status_code == 400
    assert response.json() == {"lead_department": [_no_handler(unstaffed)]}
    response = _post_api(
        personas.secretary, accepted, {"lead_department": world.department.pk, "co_departments": [unstaffed.pk]}
    )
    assert response.status_code == 400
    assert response.json() == {"co_departments": [_no_handler(unstaffed)]}
    _unchanged(accepted)


# -- one lead: a department or a resource, checked by the service alone ------------------------------------
@pytest.fixture
def member_resource(world):
    return Resource.objects.create(
        enterprise=world.member, category=Resource.Category.TRAINING, title="熟练工短期培训", region=world.county
    )


def _lead_choices(world, member_resource):
    """Neither a lead department nor a resource, and both."""
    return [{}, {"lead_department": world.department.pk, "lead_resource": member_resource.pk}]


def test_service_refuses_no_lead_and_two_leads(world, personas, accepted, member_resource):
    for leads in ({}, {"lead_department": world.department, "lead_resource": member_resource}):
        errors = _service_error(need=accepted, actor=personas.secretary, **leads)
        assert errors == {"lead_department": ["请选择一个牵头部门，或匹配一项成员资源（二选一）。"]}
    _unchanged(accepted)


def test_page_and_api_show_the_services_message(world, personas, accepted, member_resource, client_for):
    service = _service_error(need=accepted, actor=personas.secretary)
    client = client_for(personas.secretary)
    for data in _lead_choices(world, member_resource):
        page = _post_page(client, accepted, data)
        assert page.status_code == 400
        assert _page_field_errors(page, "lead_department") == service["lead_department"]
        form = next(p["form"] for p in page.context["panels"] if p["action"] == "dispatch")
        assert not form.non_field_errors()  # no second, form-level copy of the rule
        api = _post_api(personas.secretary, accepted, data)
        assert api.status_code == 400
        assert api.json() == service
    _unchanged(accepted)


def test_a_member_resource_needs_a_secretary_to_answer_it(world, personas, accepted):
    """A member enterprise's resource is answered by its Party secretary: none, and it is refused."""
    silent = factories.EnterpriseFactory(name="无书记纺织有限公司", region=world.county, zone=world.zone)
    factories.MembershipFactory(alliance=world.alliance, enterprise=silent)
    resource = Resource.objects.create(
        enterprise=silent, category=Resource.Category.TRAINING, title="闲置厂房", region=world.county
    )
    with pytest.raises(ValidationError) as error:
        workflow.need_dispatch(need=accepted, actor=personas.secretary, lead_resource=resource)
    assert "“无书记纺织有限公司”暂无党组织书记账号" in error.value.message_dict["lead_resource"][0]
    _unchanged(accepted)
    secretary = factories.UserFactory()
    alliance_services.enterprise_grant_secretary(enterprise=silent, user=secretary, system=True)
    need = workflow.need_dispatch(need=accepted, actor=personas.secretary, lead_resource=resource)
    assert need.assignments.get().provider_enterprise == silent
