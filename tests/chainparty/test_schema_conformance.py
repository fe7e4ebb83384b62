"""The API answers what its OpenAPI schema says (issue 10 §3), and the schema and its docs need a login
(§2.8). Responses of the main endpoints are validated with jsonschema against drf-spectacular's
generated schema (OpenAPI 3.0's `nullable` turned into JSON Schema)."""

import json

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.shortcuts import resolve_url
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from jsonschema import Draft202012Validator
from rest_framework.test import APIClient

from tests.test_url_walker import Route, model_for
from tests.walk_world import PDF, build

pytestmark = pytest.mark.django_db


def _json_schema(node):
    """OpenAPI 3.0 -> JSON Schema: `nullable: true` becomes "or null"."""
    if isinstance(node, list):
        return [_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    converted = {key: _json_schema(value) for key, value in node.items() if key != "nullable"}
    if node.get("nullable"):
        return {"anyOf": [converted, {"type": "null"}]}
    return converted


@pytest.fixture(scope="module")
def openapi():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(schema))


def _response_validator(openapi, path, method, status):
    response = openapi["paths"][path][method]["responses"][str(status)]
    schema = response["content"]["application/json"]["schema"]
    document = {**_json_schema(schema), "components": _json_schema(openapi["components"])}
    return Draft202012Validator(document)


def _assert_conforms(openapi, path, method, response):
    errors = sorted(
        _response_validator(openapi, path, method, response.status_code).iter_errors(response.json()),
        key=lambda e: list(e.path),
    )
    assert not errors, f"{method.upper()} {path} -> {response.status_code}: " + "; ".join(
        f"{list(e.path)}: {e.message}" for e in errors[:5]
    )


@pytest.fixture
def api():
    def login(user):
        client = APIClient()
        client.force_authenticate(user)
        return client

    return login


def test_main_get_endpoints_answer_what_the_schema_says(world, personas, api, openapi):
    """Every list, and every detail with this county's first object, as organisation staff."""
    walk = build(world, personas)
    client = api(personas.org_staff)
    checked = []
    for path, operations in openapi["paths"].items():
        if "get" not in operations or path.count("{") > 1:
            continue
        if "{id}" in path:
            model = model_for(Route(path, "", (("id", "int"),), api=True), "id")
            obj = model._default_manager.filter(**_county(model, walk)).order_by("pk").first() if model else None
            if obj is None:
                continue
            url = path.replace("{id}", str(obj.pk))
        else:
            url = path
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        problems = [] if response["Content-Type"].startswith("application/json") else [path]
        assert not problems, f"the schema lists {path} as an API operation but it answers {response['Content-Type']}"
        _assert_conforms(openapi, path, "get", response)
        checked.append(path)
    for main in ("/api/needs/", "/api/needs/{id}/", "/api/policies/{id}/awareness/", "/api/cooperations/{id}/"):
        assert main in checked
    assert len(checked) >= 15


def _county(model, walk):
    """Filter for an object of the conftest county, when the model says where it lives."""
    from tests.walk_world import region_id_of

    ids = [obj.pk for obj in model._default_manager.order_by("pk")[:50] if region_id_of(obj) != walk.other_county.pk]
    return {"pk__in": ids}


def test_a_draft_policy_and_its_awareness_conform(world, personas, api, openapi):
    walk = build(world, personas)
    draft = walk.mine["draft_policy"]
    client = api(personas.handler)
    detail = client.get(f"/api/policies/{draft.pk}/")
    assert detail.status_code == 200 and detail.json()["awareness_rate"] is None
    _assert_conforms(openapi, "/api/policies/{id}/", "get", detail)
    listed = client.get("/api/policies/", {"state": "draft"})
    assert any(row["awareness_rate"] is None for row in listed.json()["results"])
    _assert_conforms(openapi, "/api/policies/", "get", listed)
    awareness = client.get(f"/api/policies/{walk.mine['policy'].pk}/awareness/")
    assert isinstance(awareness.json(), list) and awareness.json()
    _assert_conforms(openapi, "/api/policies/{id}/awareness/", "get", awareness)


def test_uploading_attachments_answers_the_declared_list(world, personas, api, openapi, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    walk = build(world, personas)
    need = walk.mine["member_need"]
    response = api(personas.other_enterprise_secretary).post(
        f"/api/needs/{need.pk}/attachments/",
        {"files": [SimpleUploadedFile("说明.pdf", PDF, content_type="application/pdf")]},
        format="multipart",
    )
    assert response.status_code == 201, response.content
    assert isinstance(response.json(), list) and response.json()[0]["name"] == "说明.pdf"
    _assert_conforms(openapi, "/api/needs/{id}/attachments/", "post", response)


def test_the_conversion_honours_nullable():
    schema = _json_schema({"type": "object", "properties": {"rate": {"type": "number", "nullable": True}}})
    Draft202012Validator(schema).validate({"rate": None})
    assert list(Draft202012Validator(_json_schema({"type": "number"})).iter_errors(None))


# -- the schema and its docs need a login (§2.8) ---------------------------------------------------------
@pytest.mark.parametrize("path", ["/api/schema/", "/api/docs/", "/api/redoc/"])
def test_api_docs_and_schema_refuse_anonymous_visitors(client, path):
    response = client.get(path)
    assert response.status_code in (302, 401, 403)
    if response.status_code == 302:
        assert response["Location"].startswith(resolve_url(settings.LOGIN_URL))
    assert b"openapi" not in response.content and b"swagger-ui" not in response.content


def test_api_docs_and_schema_open_after_login(world, personas, client_for):
    client = client_for(personas.enterprise_secretary)
    assert client.get("/api/schema/").status_code == 200
    assert b"swagger-ui" in client.get("/api/docs/").content
    assert client.get("/api/redoc/").status_code == 200


def test_api_schema_opens_with_an_api_token(world, personas):
    from chainparty.accounts.tokens import token_issue

    _, secret = token_issue(user=personas.handler, name="schema")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert client.get("/api/schema/").status_code == 200
