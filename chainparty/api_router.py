"""The portal's one API router; each app registers its viewsets in `register_api(router)`."""

from rest_framework.routers import DefaultRouter

from alliances.api import register_api as register_alliances
from alliances.meetings.api import register_api as register_meetings
from alliances.meetings.schedule_api import register_api as register_schedules
from demands.api import register_api as register_demands
from guides.api import register_api as register_guides

router = DefaultRouter()
register_alliances(router)
register_meetings(router)
register_schedules(router)
register_demands(router)
register_guides(router)
