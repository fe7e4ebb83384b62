from . import matches, needs, policies, resources  # noqa: F401
