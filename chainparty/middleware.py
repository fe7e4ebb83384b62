"""Project middleware."""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import resolve_url
from django_htmx.http import HttpResponseClientRedirect


class HtmxLoginRedirectMiddleware:
    """When a session expires, `login_required` answers an htmx fragment request with a redirect to
    the login page, and htmx would swap the whole login page into a card of the current page.
    Turn that redirect into an `HX-Redirect` to the login page, returning to the current page after
    signing in (not to the fragment). Must come after django_htmx's HtmxMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not request.htmx or response.status_code != 302:
            return response
        login_path = resolve_url(settings.LOGIN_URL)
        if urlsplit(response.url).path != login_path:
            return response
        current = urlsplit(request.htmx.current_url or "")
        page = current.path + (f"?{current.query}" if current.query else "") if current.path else request.path
        return HttpResponseClientRedirect(redirect_to_login(page).url)


class AuditRequestMiddleware:
    """Bind the request for `chainparty.audit.record`, so services record who acted and from which
    address without taking the request as an argument."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from . import audit

        with audit.bound_request(request):
            return self.get_response(request)
