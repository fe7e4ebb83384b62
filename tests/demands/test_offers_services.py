"""Resources, policies, push, read tracking, awareness and cooperations through the services."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from alliances import services as org
from chainparty.errors import StateError
from chainparty.models import Notification
from demands.models import Cooperation, Match, Policy, PolicyCategory, PolicyDelivery, Resource
from demands.permissions.matches import NEED_SIDE, PROVIDER_SIDE
from demands.selectors import policies as selectors
from demands.services import policies as services
from demands.services.matches import cooperation_record, match_confirm, match_propose
from demands.services.resources import resource_set_status, resource_update
from demands.tasks.policies import push_policy
from demands.tasks.resources import expire_resources
from tests import factories
from tests.demands.offers_support import make_need, make_policy, make_resource, pdf_file

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Uploaded policy PDFs go to a temporary folder, not the project's."""
    settings.MEDIA_ROOT = tmp_path


# -- resources ---------------------------------------------------------------------------
def test_resource_takes_owner_region_zone_and_tokens(world, personas):
    resource = make_resource(
        personas.enterprise_secretary,
        enterprise=world.lead,
        title="缝纫车间闲置产能",
        description="可承接休闲服装外协加工，熟练缝纫工人80名",
    )
    assert resource.region == world.county
    assert resource.zone == world.zone
    assert {"缝纫", "车间", "服装", "外协"} <= set(resource.tokens.split())
    assert resource.status == Resource.Status.ACTIVE


def test_resource_bad_input_saves_nothing(world, personas):
    with pytest.raises(ValidationError) as error:
        make_resource(personas.enterprise_secretary, enterprise=world.lead, category="magic")
    assert "category" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        make_resource(personas.enterprise_secretary, enterprise=world.lead, title="")
    assert "title" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        make_resource(
            personas.enterprise_secretary, enterprise=world.lead, valid_until=timezone.localdate() - dt.timedelta(1)
        )
    assert "valid_until" in error.value.message_dict
    with pytest.raises(ValidationError):
        make_resource(personas.enterprise_secretary)
    assert Resource.objects.count() == 0


def test_resource_update_retokenises_and_status_rules(world, personas):
    resource = make_resource(personas.enterprise_secretary, enterprise=world.lead)
    resource_update(resource=resource, title="印染设备共享", description="")
    resource.refresh_from_db()
    assert "印染" in resource.tokens.split()
    resource_set_status(resource=resource, status=Resource.Status.PAUSED)
    with pytest.raises(StateError):
        resource_set_status(resource=resource, status=Resource.Status.PAUSED)
    with pytest.raises(StateError):
        resource_set_status(resource=resource, status=Resource.Status.EXPIRED)
    assert Resource.objects.get(pk=resource.pk).status == Resource.Status.PAUSED


def test_expiry_sweep_is_idempotent(world, personas):
    resource = make_resource(
        personas.enterprise_secretary, enterprise=world.lead, valid_until=timezone.localdate() + dt.timedelta(3)
    )
    keep = make_resource(personas.enterprise_secretary, enterprise=world.lead)
    with time_machine.travel(timezone.now() + dt.timedelta(days=5), tick=False):
        assert Resource.objects.get(pk=resource.pk).effective_status == Resource.Status.EXPIRED
        assert expire_resources.delay().get() == 1
        assert expire_resources.delay().get() == 0
    assert Resource.objects.get(pk=resource.pk).status == Resource.Status.EXPIRED
    assert Resource.objects.get(pk=keep.pk).status == Resource.Status.ACTIVE


# -- policies: creation and validation ------------------------------------------------------
def test_policy_bad_input_saves_nothing(world, personas):
    department = world.department
    with pytest.raises(ValidationError) as error:
        make_policy(personas.handler, department, valid_from=dt.date(2026, 3, 1), valid_to=dt.date(2026, 2, 1))
    assert "valid_to" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        make_policy(personas.handler, department, attachment=pdf_file("假的.pdf", b"<html>not a pdf</html>"))
    assert "attachment" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        make_policy(personas.handler, department, categories=())
    assert "categories" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        make_policy(personas.handler, department, title="", summary="")
    assert {"title", "summary"} <= set(error.value.message_dict)
    with pytest.raises(ValidationError) as error:
        make_policy(personas.handler, department, target_regions=[world.other_county])
    assert "target_regions" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        make_policy(personas.handler, department, sizes=["huge"])
    assert "sizes" in error.value.message_dict
    assert Policy.objects.count() == 0
    assert PolicyCategory.objects.count() == 0


def test_policy_keeps_pdf_under_a_safe_name(world, personas):
    policy = make_policy(personas.handler, world.department, attachment=pdf_file("../../休闲服饰贷 办法.pdf"))
    assert policy.attachment.name.startswith("policies/") and policy.attachment.name.endswith(".pdf")
    assert ".." not in policy.attachment.name
    assert policy.attachment_name == "休闲服饰贷 办法.pdf"
    assert policy.issuer == world.department.name


def test_policy_update_rules(world, personas):
    policy = make_policy(personas.handler, world.department, categories=["finance"])
    services.policy_update(policy=policy, categories=["finance", "tax"], title="税贷联动")
    policy.refresh_from_db()
    assert set(policy.category_rows.values_list("category", flat=True)) == {"finance", "tax"}
    assert "税贷" in policy.tokens or "联动" in policy.tokens
    with pytest.raises(ValidationError):
        services.policy_update(policy=policy, valid_from=dt.date(2026, 5, 1), valid_to=dt.date(2026, 4, 1))
    assert Policy.objects.get(pk=policy.pk).valid_to is None
    services.policy_publish(policy=policy, user=personas.handler)
    services.policy_withdraw(policy=policy, user=personas.handler)
    with pytest.raises(StateError):
        services.policy_update(policy=policy, title="再改")
    with pytest.raises(StateError):
        services.policy_publish(policy=policy, user=personas.handler)
    with pytest.raises(StateError):
        services.policy_withdraw(policy=policy, user=personas.handler)


# -- push targeting, idempotent publish, read tracking ----------------------------------------
@pytest.fixture
def textile_policy(world, personas):
    return make_policy(
        personas.handler,
        world.department,
        title="休闲服饰贷",
        summary="纺织服装中小企业单户最高可贷5000万元",
        categories=["finance"],
        industries=["纺织服装"],
    )


def test_publish_targets_every_matching_enterprise_only(world, personas, textile_policy):
    chemical = factories.EnterpriseFactory(name="汶上化工", region=world.county, industry="化工")
    result = services.policy_publish(policy=textile_policy, user=personas.handler)
    reached = set(PolicyDelivery.objects.filter(policy=textile_policy).values_list("enterprise_id", flat=True))
    assert reached == {world.lead.pk, world.member.pk}
    assert chemical.pk not in reached and world.outsider_enterprise.pk not in reached
    assert result.new_deliveries == 2
    textile_policy.refresh_from_db()
    assert textile_policy.state == Policy.State.PUBLISHED and textile_policy.delivered_count == 2


def test_size_zone_and_alliance_criteria_all_apply(world, personas):
    small = factories.EnterpriseFactory(region=world.county, zone=world.zone, size="below")
    factories.EnterpriseFactory(region=world.county, size="below")  # not in the zone
    policy = make_policy(personas.handler, world.department, sizes=["below"], target_zones=[world.zone])
    assert set(selectors.policy_targets(policy)) == {small}
    policy = make_policy(personas.handler, world.department, target_alliances=[world.alliance])
    assert set(selectors.policy_targets(policy)) == {world.lead, world.member}


def test_publish_twice_adds_only_new_targets_and_notifies_once(
    world, personas, textile_policy, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.policy_publish(policy=textile_policy, user=personas.handler)
    assert Notification.objects.filter(recipient=personas.enterprise_secretary, kind="policy").count() == 1
    assert Notification.objects.filter(recipient=personas.other_enterprise_secretary, kind="policy").count() == 1
    assert not Notification.objects.filter(recipient=personas.outsider).exists()
    newcomer = factories.EnterpriseFactory(name="新开纺织", region=world.county)
    newcomer_secretary = factories.UserFactory(username="newcomer")
    org.enterprise_grant_secretary(enterprise=newcomer, user=newcomer_secretary, system=True)
    with django_capture_on_commit_callbacks(execute=True):
        result = services.policy_publish(policy=textile_policy, user=personas.handler)
        push_policy.delay(textile_policy.pk)
    assert result.new_deliveries == 1
    assert PolicyDelivery.objects.filter(policy=textile_policy).count() == 3
    assert Notification.objects.filter(recipient=personas.enterprise_secretary, kind="policy").count() == 1
    assert Notification.objects.filter(recipient=newcomer_secretary, kind="policy").count() == 1
    assert not PolicyDelivery.objects.filter(policy=textile_policy, notified_at__isnull=True).exists()
    first_published = Policy.objects.get(pk=textile_policy.pk).published_at
    services.policy_publish(policy=textile_policy, user=personas.handler)
    assert Policy.objects.get(pk=textile_policy.pk).published_at == first_published


def test_first_reading_counts_once_and_awareness_per_alliance(world, personas, textile_policy):
    other_alliance = org.alliance_create(
        name="汶上县服装产业链党委",
        chain="服装",
        region=world.county,
        founded_on=dt.date(2024, 1, 1),
        lead_enterprise=world.member,
    )
    services.policy_publish(policy=textile_policy, user=personas.handler)
    policy = Policy.objects.get(pk=textile_policy.pk)
    assert (
        services.policy_mark_read(policy=policy, user=personas.enterprise_secretary, enterprise_ids=[world.lead.pk])
        == 1
    )
    first = PolicyDelivery.objects.get(policy=policy, enterprise=world.lead)
    with time_machine.travel(timezone.now() + dt.timedelta(hours=2), tick=False):
        assert services.policy_mark_read(policy=policy, user=personas.secretary, enterprise_ids=[world.lead.pk]) == 0
    again = PolicyDelivery.objects.get(policy=policy, enterprise=world.lead)
    assert (again.read_at, again.read_by) == (first.read_at, personas.enterprise_secretary)
    policy.refresh_from_db()
    assert (policy.delivered_count, policy.read_count, policy.awareness_rate) == (2, 1, 50.0)
    rows = {row.name: row for row in selectors.policy_awareness(policy=policy, user=personas.handler)}
    assert (rows[world.alliance.name].delivered, rows[world.alliance.name].read, rows[world.alliance.name].rate) == (
        2,
        1,
        50.0,
    )
    assert (rows[other_alliance.name].delivered, rows[other_alliance.name].read) == (1, 0)


def test_inbox_lists_unread_first(world, personas):
    older = make_policy(personas.handler, world.department, title="较早政策", publish=True)
    newer = make_policy(personas.handler, world.department, title="较新政策", publish=True)
    services.policy_mark_read(policy=newer, user=personas.enterprise_secretary, enterprise_ids=[world.lead.pk])
    inbox = list(selectors.policy_inbox(user=personas.enterprise_secretary))
    assert [d.policy for d in inbox] == [older, newer]
    assert selectors.policy_inbox_unread_count(user=personas.enterprise_secretary) == 1
    assert list(selectors.policy_inbox(user=personas.outsider)) == []


def test_expired_policy_cannot_be_published(world, personas):
    policy = make_policy(
        personas.handler, world.department, valid_from=dt.date(2020, 1, 1), valid_to=dt.date(2020, 12, 31)
    )
    with pytest.raises(ValidationError):
        services.policy_publish(policy=policy, user=personas.handler)
    assert not PolicyDelivery.objects.exists()
    assert Policy.objects.get(pk=policy.pk).state == Policy.State.DRAFT


# -- matches and cooperations -----------------------------------------------------------------
def test_match_needs_both_sides_then_becomes_cooperation(world, personas):
    resource = make_resource(personas.other_enterprise_secretary, enterprise=world.member, title="闲置缝纫产能")
    need = make_need(world.lead, world.alliance, title="订单激增缺少缝纫产能")
    match = match_propose(need=need, resource=resource, user=personas.secretary)
    assert match.score > 0 and match.reasons
    assert match_propose(need=need, resource=resource, user=personas.secretary) == match
    match_confirm(match=match, user=personas.enterprise_secretary, side=NEED_SIDE)
    assert not Cooperation.objects.exists()
    with pytest.raises(StateError):
        match_confirm(match=match, user=personas.enterprise_secretary, side=NEED_SIDE)
    match_confirm(
        match=match,
        user=personas.other_enterprise_secretary,
        side=PROVIDER_SIDE,
        description="分包5000件休闲服装",
        value_wan=Decimal("120"),
        date=dt.date(2026, 1, 5),
    )
    cooperation = Cooperation.objects.get()
    assert (cooperation.provider_enterprise, cooperation.receiver_enterprise) == (world.member, world.lead)
    assert (cooperation.need, cooperation.match, cooperation.alliance) == (need, match, world.alliance)
    assert cooperation.value_wan == Decimal("120")


def test_proposer_side_counts_as_confirmed(world, personas):
    resource = make_resource(personas.other_enterprise_secretary, enterprise=world.member)
    need = make_need(world.lead, world.alliance)
    match = match_propose(need=need, resource=resource, user=personas.enterprise_secretary, sides={NEED_SIDE})
    assert match.need_confirmed_by == personas.enterprise_secretary
    assert match.provider_confirmed_at is None


def test_cannot_match_own_resource_closed_need_or_draft_policy(world, personas):
    own = make_resource(personas.enterprise_secretary, enterprise=world.lead)
    need = make_need(world.lead, world.alliance)
    with pytest.raises(ValidationError):
        match_propose(need=need, resource=own, user=personas.secretary)
    draft = make_policy(personas.handler, world.department)
    with pytest.raises(StateError):
        match_propose(need=need, policy=draft, user=personas.secretary)
    closed = make_need(world.lead, world.alliance, state="closed")
    other = make_resource(personas.other_enterprise_secretary, enterprise=world.member)
    with pytest.raises(StateError):
        match_propose(need=closed, resource=other, user=personas.secretary)
    assert not Match.objects.exists()


def test_direct_cooperation_validation(world, personas):
    with pytest.raises(ValidationError) as error:
        cooperation_record(
            user=personas.secretary,
            alliance=world.alliance,
            provider_enterprise=world.member,
            receiver_enterprise=world.outsider_enterprise,
            description="x",
            date=timezone.localdate() + dt.timedelta(days=3),
            value_wan=Decimal("-1"),
        )
    assert {"receiver_enterprise", "date"} <= set(error.value.message_dict)
    with pytest.raises(ValidationError):
        cooperation_record(
            user=personas.secretary,
            alliance=world.alliance,
            receiver_enterprise=world.lead,
            description="缺少提供方",
            date=timezone.localdate(),
        )
    assert not Cooperation.objects.exists()
