"""The floor: what a bare Django page costs on this machine at this moment.

Two views read the 25 newest needs with three `select_related` joins (region, alliance,
enterprise) from the bench's tables and render them in a plain template; one also pages them
with Django's `Paginator`, which runs `COUNT(*)`. They run with the middleware, URLconf and
template engine of a bare `startproject` (`bench.floor.settings`), in the bench's process and
rounds, so every product case can be reported as a multiple of a floor measured beside it.
The monthly minutes workbook has a floor of its own (`bench.floor.xlsx`): the same rows written by
bare openpyxl code.
"""

from django.test import Client
from django.test.client import ClientHandler
from django.test.utils import override_settings

from . import settings as floor_settings

PLAIN = "floor · 25 needs, 3 joins"
COUNTED = "floor · 25 needs, 3 joins, COUNT(*) paginator"
PATHS = {PLAIN: "/floor/needs/", COUNTED: "/floor/needs/counted/"}
#: The monthly minutes workbook's floor (bench.floor.xlsx): not a page, timed beside the export.
BARE_XLSX = "floor · bare openpyxl write-only, same rows"
LABELS = {PLAIN: "plain", COUNTED: "COUNT(*)", BARE_XLSX: "xlsx"}  # the table's floor column


class FloorHandler(ClientHandler):
    """The test client's handler with the floor's middleware chain and URLconf. Middleware reads
    its settings when it is built, so the chain is built once under the floor's settings."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        with override_settings(MIDDLEWARE=floor_settings.MIDDLEWARE):
            self.load_middleware()

    def get_response(self, request):
        request.urlconf = floor_settings.ROOT_URLCONF
        return super().get_response(request)


def logged_in(user):
    client = Client()
    client.handler = FloorHandler()
    client.force_login(user)
    return client
