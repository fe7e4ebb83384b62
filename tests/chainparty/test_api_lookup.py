"""Every API detail route answers 404 to an id that is not a number (or does not fit one): never 500."""

import pytest
from rest_framework.routers import SimpleRouter

from chainparty.api import NumericLookupMixin
from chainparty.api_router import router


def _detail_routes():
    """(method, path) of `/api/<prefix>/{id}/` and of every `detail=True` action on the portal's
    router, each with a method it accepts (a refused method would answer 405 before the id is read)."""
    routes = set()
    for prefix, viewset, _basename in router.registry:
        for route in SimpleRouter.routes:
            if not getattr(route, "detail", False):
                continue
            if hasattr(route, "mapping"):
                routes.add(("get", f"/api/{prefix}/{{id}}/"))
                continue
            for action in viewset.get_extra_actions():
                if action.detail:
                    for method in action.mapping:
                        routes.add((method, f"/api/{prefix}/{{id}}/{action.url_path}/"))
    return sorted(routes, key=lambda route: (route[1], route[0]))


DETAIL_ROUTES = _detail_routes()
DETAIL_PATHS = [path for _method, path in DETAIL_ROUTES]


def test_the_router_has_detail_routes():
    assert "/api/needs/{id}/" in DETAIL_PATHS
    assert "/api/alliances/{id}/" in DETAIL_PATHS
    assert any(path.startswith("/api/needs/{id}/") and path != "/api/needs/{id}/" for path in DETAIL_PATHS)


@pytest.mark.parametrize("prefix", sorted({prefix for prefix, _v, _b in router.registry}))
def test_every_viewset_uses_the_numeric_lookup_base(prefix):
    viewset = next(viewset for p, viewset, _b in router.registry if p == prefix)
    assert issubclass(viewset, NumericLookupMixin)


@pytest.mark.parametrize(("method", "path"), DETAIL_ROUTES)
@pytest.mark.parametrize("bad_id", ["abc", "99999999999999999999", "1.5"])
def test_detail_route_answers_404_to_a_bad_id(method, path, bad_id, personas, client_for):
    client = client_for(personas.org_staff)
    client.raise_request_exception = False
    response = getattr(client, method)(path.format(id=bad_id), content_type="application/json", data={})
    assert response.status_code == 404, (path, bad_id, method, response.status_code)
