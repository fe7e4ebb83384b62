"""The three lists. Needs and their workflow live in `needs`; resources, policies, matches and
cooperations in `lists`."""

from .lists import *  # noqa: F403
from .needs import *  # noqa: F403
