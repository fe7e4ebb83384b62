"""Celery discovers `demands.tasks`; the tasks live in the submodules."""

from .lists import *  # noqa: F403
from .needs import *  # noqa: F403
