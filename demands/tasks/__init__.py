"""Celery discovers `demands.tasks`; the tasks live in the submodules, registered under stable
`demands.tasks.<name>` names (the beat schedule refers to them)."""

from .needs import *  # noqa: F403
from .policies import *  # noqa: F403
from .resources import *  # noqa: F403
