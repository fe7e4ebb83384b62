"""The three lists, a module for each thing they hold: needs and their workflow records, resources,
policies (with their push and read tracking), and the matches and cooperations between them."""

from .matches import *  # noqa: F403
from .meetings import *  # noqa: F403
from .needs import *  # noqa: F403
from .policies import *  # noqa: F403
from .resources import *  # noqa: F403
