"""The API's documentation pages (Swagger UI and Redoc, served offline from drf-spectacular-sidecar)
under the portal's Content-Security-Policy.

drf-spectacular's own templates put the Swagger UI start-up code and the page styles inline, and
Redoc's load web fonts from Google: under `script-src 'self'; style-src 'self'` both pages stayed
blank. Here Swagger UI is the split view (its start-up script is a second request to the same URL,
`?script`), both pages take their few page styles from static/css/api-docs.css and Redoc starts
from static/js/api-docs-redoc.js. Swagger UI then needs nothing beyond the site-wide policy.

Redoc needs two additions, on its page only (django-csp's per-view decorator; every other page keeps
the site-wide policy): `style-src 'unsafe-inline'`, since it draws with styled-components, which
writes its CSS into style elements at run time (styles, never scripts), and `worker-src blob:`, since
its search index runs in a worker it makes from its own bundle's code (a blob: URL; scripts still
come only from this site, so no one else's code can start one). Its sidebar's "API docs by Redocly"
footer takes its logo from cdn.redoc.ly whatever the options: the start-up script never lets an image
take a source on another origin, and api-docs.css hides the footer link, so the page asks nothing from
outside and the policy has nothing to refuse (tests/browser/test_api_docs_browser.py allows no
violation and no request outside).
"""

from csp.constants import SELF, UNSAFE_INLINE
from csp.decorators import csp_update
from drf_spectacular.settings import spectacular_settings
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularRedocView, SpectacularSwaggerSplitView

#: What the Redoc page adds to the site-wide policy (settings' CONTENT_SECURITY_POLICY).
REDOC_CSP = {"style-src": [UNSAFE_INLINE], "worker-src": [SELF, "blob:"]}


class SwaggerView(SpectacularSwaggerSplitView):
    template_name = "api_docs/swagger_ui.html"


class RedocView(SpectacularRedocView):
    template_name = "api_docs/redoc.html"

    # The stock view's get() is excluded from the schema; an override must say so again, or the
    # schema generation (and every --fail-on-warn test) errors on this page.
    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        # As data for json_script, not as the JSON text the stock template pastes into a script.
        response.data["ui_settings"] = spectacular_settings.REDOC_UI_SETTINGS or {}
        return response


def redoc_view(**initkwargs):
    return csp_update(REDOC_CSP)(RedocView.as_view(**initkwargs))
