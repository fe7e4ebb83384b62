"""Errors shared by every app's services."""

from django.core.exceptions import ValidationError


class StateError(ValidationError):
    """An action the object's current state (or a newer version of it) does not allow. Nothing was
    changed; pages show the message, the API answers HTTP 409 (chainparty.api.exception_handler)."""

    def __init__(self, message, code="transition"):
        super().__init__(message, code=code)
