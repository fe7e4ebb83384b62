"""The needs demo: every state, stories 2 and 3 as real data, escalations, a redo; idempotent."""

from alliances import demo as org_demo
from chainparty.models import Notification
from demands.demo import needs as demo_needs
from demands.models import Assignment, Need, NeedEvent
from guides import demo as guides_demo


def test_demo_needs_cover_the_workflow_and_load_twice_without_change(db):
    org = org_demo.build()
    guides_demo.load_people(org)  # guide_li files needs from visits
    created = demo_needs.load(org)
    assert created >= 15
    states = set(Need.objects.values_list("state", flat=True))
    assert states == set(Need.State.values), set(Need.State.values) - states

    story_2 = Need.objects.get(enterprise=org.enterprises["wuzheng"], title="缺少数控机床熟练技工")
    assert story_2.state == Need.State.CLOSED and story_2.people_solved == 19
    assert story_2.rating == Need.Rating.SATISFIED and story_2.answered_on_time is True
    assert story_2.assignments.get().department == org.departments["yz_hr"]

    story_3 = Need.objects.get(enterprise=org.enterprises["supermarket"], state=Need.State.RATED)
    parts = {a.department.name: a for a in story_3.assignments.select_related("department")}
    assert set(parts) == {org.departments["yz_land"].name, org.departments["yz_fic"].name}
    assert all(a.state == Assignment.State.ANSWERED for a in parts.values())
    assert (story_3.land_mu_solved, story_3.funding_wan_solved) == (20, 3000)

    assert Assignment.objects.filter(escalation_level=Assignment.Escalation.ORGANIZATION).exists()
    assert NeedEvent.objects.filter(action="supervise", data__level=2).exists()
    redo = Need.objects.get(enterprise=org.enterprises["jindafeng"], title="招聘持证电焊工10名")
    assert redo.state == Need.State.IN_PROGRESS and redo.redo_count == 1
    assert redo.assignments.get().redo_count == 1
    assert any(n.is_overdue for n in Need.objects.filter(state__in=Need.CLOCK_STATES))
    assert Notification.objects.filter(recipient=org.users["org_admin"], kind="need_escalation").exists()

    counts = (Need.objects.count(), NeedEvent.objects.count(), Notification.objects.count())
    assert demo_needs.load(org_demo.build()) == 0
    assert (Need.objects.count(), NeedEvent.objects.count(), Notification.objects.count()) == counts
