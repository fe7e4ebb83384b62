"""The guides app's models, a module for each part: the people (`people`: guides, teams and their
assignments), visits (`visits`), Party-organisation building and member development (`building`)
and the half-yearly evaluation (`evaluation`). Import from here (`from guides.models import Visit`)."""

from .building import *  # noqa: F403
from .building import __all__ as _building_all
from .evaluation import *  # noqa: F403
from .evaluation import __all__ as _evaluation_all
from .people import *  # noqa: F403
from .people import __all__ as _people_all
from .visits import *  # noqa: F403
from .visits import __all__ as _visits_all

__all__ = [*_people_all, *_visits_all, *_building_all, *_evaluation_all]
