"""What the resource, policy and match pages share: query parameters, the next URL, running a POST."""

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.http import url_has_allowed_host_and_scheme

from chainparty.validators import InvalidParameter, parse_id, validate_date


def _int_param(request, name):
    """An id in the query string: None when absent, 400 (InvalidParameter) when not ASCII digits."""
    return parse_id(request.GET.get(name, "").strip(), name=name)


def _date_param(request, name):
    """A date filter: None when absent or not a date; 400 with the range when out of it."""
    try:
        day = dt.date.fromisoformat(request.GET.get(name, ""))
    except ValueError:
        return None
    try:
        validate_date(day)
    except ValidationError as error:
        raise InvalidParameter(error.messages[0]) from error
    return day


def _next_url(request, default):
    """Where to go after a POST: the page it came from when that is on this site."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


def _run(request, action, success_message):
    """Run a POST action; a refused one shows its Chinese message and changes nothing."""
    try:
        with transaction.atomic():
            result = action()
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return None
    messages.success(request, success_message)
    return result
