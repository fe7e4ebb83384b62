"""Where a need's notifications lead: the one asking for a rating opens the rating form."""

from chainparty.models import Notification
from demands.services import workflow


def test_the_answer_that_asks_for_a_rating_opens_the_rating_form(world, personas, dispatched_need):
    need = dispatched_need()
    lead = need.assignments.get()
    workflow.need_answer(need=need, assignment=lead, actor=personas.handler, answer="已推荐技工学校毕业生")
    asking = Notification.objects.get(recipient=personas.enterprise_secretary, title__contains="请回访评价")
    assert asking.url == f"{need.get_absolute_url()}#action-rate"


def test_other_need_notifications_open_the_need_page_itself(world, personas, dispatched_need):
    need = dispatched_need()
    dispatched = Notification.objects.get(recipient=personas.enterprise_secretary, title__contains="已派单")
    assert dispatched.url == need.get_absolute_url()
