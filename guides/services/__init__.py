"""Every write of the guides app (issue 9), a module per part. Import from here:
`from guides import services; services.visit_log(...)`."""

from .building import (
    building_goal_advance,
    building_goal_open,
    building_goals_close_for_organization,
    member_development_record,
)
from .evaluation import (
    evaluation_period_close,
    evaluation_period_create,
    guide_report_submit,
    rating_submit,
    served_enterprise_ids,
)
from .people import (
    assignment_create,
    assignment_end,
    guide_create,
    guide_name_studio,
    guide_update,
    team_create,
    team_member_add,
    team_member_end,
)
from .visits import (
    VisitAlreadyLogged,
    acting_guide,
    may_amend,
    visit_add_photos,
    visit_confirm,
    visit_dispute,
    visit_log,
    visit_raise_need,
    visit_update,
)

__all__ = [
    "VisitAlreadyLogged",
    "acting_guide",
    "assignment_create",
    "assignment_end",
    "building_goal_advance",
    "building_goal_open",
    "building_goals_close_for_organization",
    "evaluation_period_close",
    "evaluation_period_create",
    "guide_create",
    "guide_name_studio",
    "guide_report_submit",
    "guide_update",
    "may_amend",
    "member_development_record",
    "rating_submit",
    "served_enterprise_ids",
    "team_create",
    "team_member_add",
    "team_member_end",
    "visit_add_photos",
    "visit_confirm",
    "visit_dispute",
    "visit_log",
    "visit_raise_need",
    "visit_update",
]
