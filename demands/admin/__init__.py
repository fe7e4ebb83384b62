from . import lists, needs  # noqa: F401
