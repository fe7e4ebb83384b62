"""Error views Django lets a project replace: each answers in Chinese, in the portal's layout."""

from django.shortcuts import render


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: a form sent from a page left open past the session, or from elsewhere.
    Django's own page is English and carries an inline <style> the CSP refuses. `reason` is for
    the log (Django logs it already), not for the user."""
    return render(request, "403_csrf.html", status=403)
