"""The alliances app's models, a module for each part: the organisational core (`organisation`)
and meetings (`meetings`). Import from here (`from alliances.models import Meeting`); the
submodules are an implementation detail."""

from .meetings import *  # noqa: F403
from .meetings import __all__ as _meetings_all
from .organisation import *  # noqa: F403
from .organisation import __all__ as _organisation_all

__all__ = [*_organisation_all, *_meetings_all]
