import pytest

from chainparty.accounts.tokens import token_issue

pytestmark = pytest.mark.django_db


def test_enterprise_api_is_scoped(world, personas, client_for):
    data = client_for(personas.enterprise_secretary).get("/api/enterprises/").json()
    assert [row["name"] for row in data["results"]] == [world.lead.name]
    assert client_for(personas.enterprise_secretary).get(f"/api/enterprises/{world.member.pk}/").status_code == 404
    names = {row["name"] for row in client_for(personas.org_staff).get("/api/enterprises/").json()["results"]}
    assert names == {world.lead.name, world.member.name}


def test_enterprise_api_filters(world, personas, client_for):
    client = client_for(personas.org_staff)
    rows = client.get("/api/enterprises/", {"has_party_org": "false", "search": "新花源"}).json()["results"]
    assert [r["name"] for r in rows] == [world.member.name]


def test_alliance_api_with_token(world, personas, client):
    _token, raw = token_issue(user=personas.handler, name="test")
    response = client.get("/api/alliances/", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 200
    assert [row["name"] for row in response.json()["results"]] == [world.alliance.name]
    assert response.json()["results"][0]["member_count"] == 2


def test_api_refuses_anonymous_and_outsiders(world, personas, client, client_for):
    assert client.get("/api/alliances/").status_code in (401, 403)
    assert client_for(personas.outsider).get(f"/api/alliances/{world.alliance.pk}/").status_code == 404
    assert client_for(personas.outsider).get("/api/alliances/").json()["count"] == 0


def test_api_is_read_only(world, personas, client_for):
    response = client_for(personas.org_staff).post("/api/alliances/", {"name": "x"}, content_type="application/json")
    assert response.status_code == 405


def test_schema_and_offline_docs(personas, client_for):
    client = client_for(personas.org_staff)
    schema = client.get("/api/schema/")
    assert schema.status_code == 200 and b"/api/enterprises/" in schema.content
    docs = client.get("/api/docs/").content.decode()
    assert "swagger-ui" in docs and "cdn" not in docs.lower() and "/static/drf_spectacular_sidecar/" in docs
    assert client.get("/api/redoc/").status_code == 200


@pytest.mark.parametrize("count", [10, 100])
def test_enterprise_api_query_budget(world, personas, client_for, django_assert_max_num_queries, count):
    from tests import factories

    factories.EnterpriseFactory.create_batch(count, region=world.county)
    client = client_for(personas.org_staff)
    with django_assert_max_num_queries(7):
        assert client.get("/api/enterprises/").status_code == 200
