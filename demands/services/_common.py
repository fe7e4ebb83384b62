"""What the resource, policy and match services share."""

from .transitions import TransitionError


class StateConflict(TransitionError):
    """The action does not fit the row's current state (HTTP 409 in the API); nothing was changed.

    A kind of the needs' TransitionError, so pages and the API treat both alike."""


def _save_new(instance):
    instance.full_clean()
    instance.save()
    return instance
