from .lists import register as register_lists
from .needs import register as register_needs


def register_api(router):
    """The three lists' viewsets join the portal's one router."""
    register_needs(router)
    register_lists(router)
