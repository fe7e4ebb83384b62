"""Walk every URL pattern (from the resolver) and every API route (from the OpenAPI schema) as every
persona (issue 10 §4). Typed path parameters are filled with ids of real objects of both counties
(tests/walk_world.py) and with an id that does not exist. Fails on:

- any 5xx;
- an object answered 200 to a persona outside its scope (the other county's objects to this county's
  people and the reverse, anything to the outsider or an anonymous visitor, another enterprise's need to
  an enterprise secretary, a draft policy to enterprises), in pages, API details and API lists;
- an id that does not exist answered 200;
- a POST/PUT/PATCH/DELETE that changed a watched table (rows or contents) when it was refused, or when
  the persona may not change that object. Each is sent with an empty body and, to a persona who may not
  change the object, also with a body a form would accept: a page's `<form method="post">` for that URL
  (as some persona was shown it, with its current values and plausible ones in required empty fields), or
  for the API an object built from the OpenAPI request schema. An empty body alone would be refused by
  any form, hiding a view that validates its form but forgot its permission check.

People (users) are reached by the people pages' rule (alliances.people): a county's organisation staff
reach the people who work in their county, an alliance secretary the Party secretaries of the alliance's
member enterprises, nobody else anyone; the people pages are tried with a person of each kind.

New patterns are picked up by themselves; a path parameter whose model cannot be told from its name or
its URL segment fails the walk until it is named in MODEL_ALIASES, and a parameter never filled with a
real value (a slug nobody listed, a model with no row in the walk world) fails it until it is."""

import copy
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core.cache import cache
from django.db import connection, transaction
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from drf_spectacular.generators import SchemaGenerator

from tests.conftest import need_service
from tests.walk_world import build, changed_tables, region_id_of, state_fingerprint, write_counters

pytestmark = [pytest.mark.django_db]

MISSING_ID = 987654321
# URL segments and parameter names that are not a model's name.
MODEL_ALIASES = {
    "people": settings.AUTH_USER_MODEL,
    "users": settings.AUTH_USER_MODEL,
    "accounts": settings.AUTH_USER_MODEL,
    "members": "alliances.membership",
    "seats": "alliances.committeeseat",
    "zones": "alliances.workzone",
    "zone": "alliances.workzone",
    "jobs": "chainparty.exportjob",
    "schedules": "alliances.meetingschedule",  # not ScheduleHost, whose name starts with "schedule"
}
# Parameters that name any model: the admin's "view on site" shortcut is tried with a need.
ROUTE_PARAM_MODELS = {
    ("view_on_site", "content_type_id"): "contenttypes.contenttype",
    ("view_on_site", "object_id"): "demands.need",
    ("team_member_end", "pk"): "guides.teammember",  # /teams/members/<pk>/: not an alliance's membership
    ("rating_submit", "pk"): "guides.guidereport",  # /ratings/<pk>/ rates a report
    ("meeting_attachment", "attachment_id"): "alliances.meetingattachment",
}
# Personas who may change nothing they reach: read-only leaders, people with no role, anonymous visitors.
READ_ONLY = {"leader", "outsider", "anonymous"}
# Pages where whoever is signed in changes their own account (their profile, their API tokens).
OWN_ACCOUNT = {"profile", "password_change", "token_create"}
REFUSED = {401, 403, 404, 405}
UNSAFE_HTML = ("post",)
UNSAFE_API = ("post", "put", "patch", "delete")


def _slug_values(name: str) -> list[str]:
    """Values worth trying for a slug parameter, from the code that defines them."""
    if name == "action":
        from demands.views.needs import ACTIONS

        return sorted(ACTIONS)
    if name == "key":
        from chainparty.indicators import registry

        return [group.key for group in registry.groups()]
    if name == "kind":
        from chainparty.imports.registry import import_kinds

        return sorted(kind.identifier for kind in import_kinds.all())
    return []


def _reset_link_fillings(walk):
    """The password reset link staff hand over (alliances.people.services): a real uid and token, and the
    `set-password` step Django redirects a valid link to. Public pages: no object to scope."""
    person = walk.people[0]
    uid = urlsafe_base64_encode(force_bytes(person.pk))
    return [
        ({"uidb64": uid, "token": default_token_generator.make_token(person)}, []),
        ({"uidb64": uid, "token": "set-password"}, []),
    ]


# Routes whose parameters belong together and are filled by a function of the walk world.
ROUTE_FILLINGS = {"password_reset_confirm": _reset_link_fillings}
# Objects the walk world does not build yet, so only an id that does not exist is tried at these URLs:
# known blind spots, listed so that a new one fails the walk instead of passing unseen.
KNOWN_UNTRIED = (
    "/imports/jobs/",  # import jobs
)


# -- URL patterns ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Route:
    template: str  # "needs/<int:pk>/<slug:action>/", or an API path "/api/needs/{id}/"
    app_label: str  # the app whose view answers, to tell demands.Assignment from guides.Assignment
    params: tuple  # ((name, converter), ...)
    api: bool = False
    name: str = ""  # the pattern's name: the admin's say which model ("demands_need_change")


_PARAM = re.compile(r"<(?:(?P<conv>[^>:]+):)?(?P<name>[^>]+)>")
_API_PARAM = re.compile(r"\{(?P<name>[^}]+)\}")


def html_routes() -> list[Route]:
    """Every pattern the resolver knows except the API router's (walked from the schema) and regex
    patterns of third-party includes."""
    routes = []

    def walk(patterns, prefix):
        for pattern in patterns:
            text = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, text)
            elif isinstance(pattern, URLPattern) and "^" not in text and "(?P" not in text:
                if text.startswith("api/") and text != "api/":
                    continue
                module = getattr(pattern.callback, "__module__", "") or ""
                params = tuple((m["name"], m["conv"] or "str") for m in _PARAM.finditer(text))
                routes.append(Route("/" + text, module.split(".")[0], params, name=pattern.name or ""))

    walk(get_resolver().url_patterns, "")
    return [route for route in routes if route.params != (("format", "drf_format_suffix"),)]


def api_routes(schema) -> dict[Route, list[str]]:
    routes = {}
    for path, operations in schema["paths"].items():
        methods = [method for method in operations if method in ("get", *UNSAFE_API)]
        params = tuple((m["name"], "int") for m in _API_PARAM.finditer(path))
        routes[Route(path, "", params, api=True)] = methods
    return routes


def _singulars(word: str) -> list[str]:
    word = word.replace("-", "").replace("_", "").lower()
    forms = [word]
    if word.endswith("ies"):
        forms.append(word[:-3] + "y")
    if word.endswith("es"):
        forms.append(word[:-2])
    if word.endswith("s"):
        forms.append(word[:-1])
    return forms


def model_for(route: Route, name: str):
    """The model a path parameter names: `need_id` -> Need; `pk` after `/needs/` -> Need; the view's own
    app first, then the apps it may use."""
    admin = re.match(r"/admin/(?P<app>[a-z_]+)/(?P<model>[a-z]+)/<[^>]*:(?P<name>[^>]+)>", route.template)
    if admin and admin["name"] == name:
        return apps.get_model(admin["app"], admin["model"])
    if (route.name, name) in ROUTE_PARAM_MODELS:
        return apps.get_model(ROUTE_PARAM_MODELS[(route.name, name)])
    if name.endswith("_id") or name not in ("pk", "id", "object_id"):
        word = name.removesuffix("_id")
    else:
        segments = [s for s in re.split(r"/", route.template) if s]
        index = next(i for i, s in enumerate(segments) if s in (f"{{{name}}}", f"<{name}>") or s.endswith(f":{name}>"))
        word = segments[index - 1] if index else ""
    if word in MODEL_ALIASES:
        return apps.get_model(MODEL_ALIASES[word])
    order = [route.app_label, "demands", "alliances", "chainparty", "guides"]
    candidates = sorted(
        apps.get_models(), key=lambda m: order.index(m._meta.app_label) if m._meta.app_label in order else len(order)
    )
    # Every exact name first ("meeting" for /meetings/), only then partial ones: "meetingschedule"
    # starts with "meetings" and must not win over Meeting.
    for exact in (True, False):
        for singular in _singulars(word):
            for model in candidates:
                model_name = model._meta.model_name
                partial = len(singular) > 3 and (model_name.endswith(singular) or model_name.startswith(singular))
                if model_name == singular or (not exact and partial):
                    return model
    return None


# -- who may reach what --------------------------------------------------------------------------------------
class Scope:
    """Which persona may reach which object, from where the object lives and whose it is:

    - an anonymous visitor nothing, the outsider (no role) nothing;
    - the other county's objects only its staff (other_staff), this county's objects never them;
    - an enterprise secretary only their own enterprise's needs (and the needs' parts and files);
    - a published or withdrawn policy is public to everyone with a role, in any county; a draft only
      to its department's handlers and its region's organisation staff (demands.permissions.policies);
    - a notification only its recipient, an export job only its owner."""

    def __init__(self, walk):
        from alliances.access import scope_for

        self.walk = walk
        self.county, self.other = walk.county.pk, walk.other_county.pk
        self.users = {name: user for name, user in walk.personas.items() if user is not None}
        self.enterprises = {
            name: set(scope_for(self.users[name]).enterprise_ids)
            for name in ("enterprise_secretary", "other_enterprise_secretary")
        }
        self.departments = {name: set(scope_for(user).department_ids) for name, user in self.users.items()}
        self.staff_region = {"org_staff": self.county, "other_staff": self.other}

    def may_reach(self, persona: str, obj) -> bool:
        if persona in ("anonymous", "outsider"):
            return False
        user = self.users[persona]
        label = obj._meta.label_lower
        if (label, obj.pk) in self.walk.reach:
            return persona in self.walk.reach[label, obj.pk]
        if label == settings.AUTH_USER_MODEL.lower():
            return self._may_reach_person(persona, obj)
        if label == "chainparty.notification":
            return obj.recipient_id == user.pk
        if label == "chainparty.exportjob":
            return obj.owner_id == user.pk
        if label in ("chainparty.apitoken", "security.usersession"):
            return obj.user_id == user.pk
        if label == "demands.policy":
            return self._may_read_policy(persona, obj)
        region = region_id_of(obj)
        if region == self.other and persona != "other_staff":
            return False
        if region == self.county and persona == "other_staff":
            return False
        need = _need_of(obj)
        if need is not None and persona in self.enterprises:
            mine = self.enterprises[persona]
            # A match is also its provider's: the secretary of the resource's enterprise confirms it.
            resource = getattr(obj, "resource", None) if label == "demands.match" else None
            return need.enterprise_id in mine or (resource is not None and resource.enterprise_id in mine)
        return True

    def _may_reach_person(self, persona, person) -> bool:
        """alliances.people.people_q, told from where the walk world's people work: the county's staff
        reach its people, the alliance secretary its members' secretaries, nobody else anyone (not even
        themselves: one's own account has its own pages)."""
        if persona in self.staff_region:
            return self.walk.homes.get(person.pk) == self.staff_region[persona]
        return person.pk in self.walk.member_secretaries.get(persona, ())

    def _may_read_policy(self, persona, policy) -> bool:
        if policy.state != "draft":
            return True
        return self.staff_region.get(persona) == policy.region_id or policy.department_id in self.departments[persona]

    def may_change(self, persona: str, obj, route=None) -> bool:
        if route is not None and route.name in OWN_ACCOUNT:
            return persona != "anonymous"
        if obj is not None and obj._meta.label_lower == "chainparty.notification":
            return self.may_reach(persona, obj)
        if persona in READ_ONLY:
            return False
        if obj is not None and (obj._meta.label_lower, obj.pk) in self.walk.changers:
            return persona in self.walk.changers[obj._meta.label_lower, obj.pk]
        return obj is None or self.may_reach(persona, obj)


def _need_of(obj):
    if obj._meta.label_lower == "demands.need":
        return obj
    need_field = next((f for f in obj._meta.fields if f.name == "need" and f.is_relation), None)
    return getattr(obj, "need", None) if need_field else None


# -- filling parameters ------------------------------------------------------------------------------------------
class Filler:
    def __init__(self, scope):
        self.scope = scope
        self.unmapped = set()
        self.untried = set()  # (template, parameter) never filled with a real value

    def rows(self, model):
        """The county's first object and the other county's first one (the world is built so that the
        first of each kind is the telling one: the lead's need, a draft policy); people by the walk
        world's choice, since they live in no region of their own."""
        if model is get_user_model():
            return list(self.scope.walk.people)
        county, other = [], []
        for obj in model._default_manager.order_by("pk")[:200]:
            region = region_id_of(obj)
            (other if region == self.scope.other else county).append(obj)
        return county[:1] + other[:1]

    def fillings(self, route: Route):
        """[(kwargs, objects)] for the route: real objects (a child chosen under its parent), then ids
        that do not exist."""
        if not route.params:
            return [({}, [])]
        fillings = self._real_fillings(route)
        tried = {name for kwargs, _ in fillings for name in kwargs}
        self.untried.update((route.template, name) for name, _ in route.params if name not in tried)
        missing = {name: (MISSING_ID if conv in ("int", "path") else "no-such-thing") for name, conv in route.params}
        return [*fillings, (missing, [None])]

    def _real_fillings(self, route):
        if route.name in ROUTE_FILLINGS:
            return ROUTE_FILLINGS[route.name](self.scope.walk)
        first_name, first_conv = route.params[0]
        values = self._values(route, first_name, first_conv)
        if route.template.startswith("/admin/"):
            values = values[:1]  # the admin is staff-only: one object tells whether it lets anyone else in
        fillings = []
        for value, obj in values:
            kwargs, objects = {first_name: value}, [obj] if obj is not None else []
            for name, conv in route.params[1:]:
                child = self._child(route, name, conv, obj)
                if child is None:
                    break
                kwargs[name], child_obj = child
                if child_obj is not None:
                    objects.append(child_obj)
            else:
                fillings.append((kwargs, objects))
        return fillings

    def _values(self, route, name, conv):
        if conv == "slug" or conv == "str":
            return [(value, None) for value in _slug_values(name)]
        model = model_for(route, name)
        if model is None:
            self.unmapped.add((route.template, name))
            return []
        return [(obj.pk, obj) for obj in self.rows(model)]

    def _child(self, route, name, conv, parent):
        if conv in ("slug", "str"):
            values = _slug_values(name)
            return (values[0], None) if values else None
        model = model_for(route, name)
        if model is None:
            self.unmapped.add((route.template, name))
            return None
        if parent is not None:
            for field_ in model._meta.fields:
                if field_.is_relation and field_.related_model is type(parent):
                    child = model._default_manager.filter(**{field_.name: parent}).order_by("pk").first()
                    if child is not None:
                        return child.pk, child
        child = model._default_manager.order_by("pk").first()
        return (child.pk, child) if child else None


def url_of(route: Route, kwargs) -> str:
    if route.api:
        return _API_PARAM.sub(lambda m: str(kwargs[m["name"]]), route.template)
    return _PARAM.sub(lambda m: str(kwargs[m["name"]]), route.template)


# -- bodies a form would accept --------------------------------------------------------------------------------
PLAUSIBLE = {
    "email": "walker@example.cn",
    "number": "1",
    "date": "2026-01-05",
    "datetime-local": "2026-01-05T09:00",
    "time": "09:00",
    "month": "2026-01",
    "tel": "13800000002",
    "url": "https://example.cn/",
    "password": "Walker@2026x",
}
SKIPPED_INPUTS = ("submit", "button", "reset", "image", "file")


def _plausible(kind: str, name: str, attrs: dict) -> str:
    """A value a browser user would type into a required field left empty."""
    if kind == "number" and attrs.get("min"):
        return attrs["min"]
    if kind in PLAUSIBLE:
        return PLAUSIBLE[kind]
    if "phone" in name or "mobile" in name:
        return PLAUSIBLE["tel"]
    return "走访测试"


class PostForms(HTMLParser):
    """The `<form method="post">`s of a page as {action: {name: [values]}}, with what a browser would
    send: current values, checked boxes and radios (a required radio group its first choice), a select's
    selected options (else its first real choice), the first named submit button; required fields left
    empty get a plausible value. Files are left out."""

    def __init__(self, page_url: str):
        super().__init__(convert_charrefs=True)
        self.page_url = page_url
        self.forms = {}
        self._form = self._select = self._textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = {key: value if value is not None else "" for key, value in attrs}
        if tag == "form":
            if attrs.get("method", "get").lower() == "post":
                action = urlsplit(urljoin(self.page_url, attrs.get("action", ""))).path
                self._form = {"action": action, "fields": defaultdict(list), "radios": {}, "submit": None}
            return
        name = attrs.get("name")
        if self._form is None or not name or "disabled" in attrs:
            if tag == "option" and self._select is not None and "value" in attrs:
                self._option(attrs)
            return
        if tag == "input":
            self._input(name, attrs)
        elif tag == "button" and attrs.get("type", "submit") == "submit" and self._form["submit"] is None:
            self._form["submit"] = (name, attrs.get("value", ""))
        elif tag == "select":
            self._select = {"name": name, "multiple": "multiple" in attrs, "selected": [], "first": None}
        elif tag == "textarea":
            self._textarea = {"name": name, "required": "required" in attrs, "text": []}

    def _input(self, name, attrs):
        kind = attrs.get("type", "text").lower()
        fields = self._form["fields"]
        if kind == "submit":
            self._form["submit"] = self._form["submit"] or (name, attrs.get("value", ""))
        elif kind == "checkbox":
            if "checked" in attrs or "required" in attrs:
                fields[name].append(attrs.get("value", "on"))
        elif kind == "radio":
            radios = self._form["radios"]
            if "checked" in attrs:
                radios[name] = attrs.get("value", "on")
            elif "required" in attrs:
                radios.setdefault(name, attrs.get("value", "on"))
        elif kind not in SKIPPED_INPUTS:
            value = attrs.get("value", "")
            if not value and "required" in attrs:
                value = _plausible(kind, name, attrs)
            fields[name].append(value)

    def _option(self, attrs):
        if "selected" in attrs:
            self._select["selected"].append(attrs["value"])
        elif self._select["first"] is None and attrs["value"]:
            self._select["first"] = attrs["value"]

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea["text"].append(data)

    def handle_endtag(self, tag):
        if tag == "select" and self._select is not None and self._form is not None:
            chosen = self._select["selected"] or ([self._select["first"]] if self._select["first"] else [])
            self._form["fields"][self._select["name"]].extend(chosen)
            self._select = None
        elif tag == "textarea" and self._textarea is not None and self._form is not None:
            text = "".join(self._textarea["text"]).lstrip("\n")
            if not text and self._textarea["required"]:
                text = _plausible("textarea", self._textarea["name"], {})
            self._form["fields"][self._textarea["name"]].append(text)
            self._textarea = None
        elif tag == "form" and self._form is not None:
            form, self._form = self._form, None
            body = dict(form["fields"])
            body.update({name: [value] for name, value in form["radios"].items()})
            if form["submit"]:
                body.setdefault(form["submit"][0], [form["submit"][1]])
            self.forms.setdefault(form["action"], body)


class FormBodies:
    """What each URL's forms send, gathered from every page the walk opened: the form as a persona who
    may change things (not a read-only one) was shown it, else as anyone was."""

    def __init__(self):
        self.bodies = {}  # url -> (from a persona who may write, body)

    def collect(self, persona, url, response):
        if response.status_code != 200 or response.streaming:
            return
        if not response.get("Content-Type", "").startswith("text/html") or b'method="post"' not in response.content:
            return
        parser = PostForms(url)
        parser.feed(response.content.decode(response.charset or "utf-8", "replace"))
        writer = persona not in READ_ONLY
        for action, body in parser.forms.items():
            known = self.bodies.get(action)
            if known is None or (writer and not known[0]):
                self.bodies[action] = (writer, body)

    def body_for(self, url):
        known = self.bodies.get(url)
        return known[1] if known else None


def _schema_value(schema, node, name, filler, depth=0):
    """A value the request schema accepts for one field: its example, default or first choice, an id of the
    county's object for a field naming a model, a plausible value of its type and format."""
    node = _resolve(schema, node)
    for key in ("example", "default"):
        if key in node:
            return node[key]
    if node.get("enum"):
        return next(value for value in node["enum"] if value is not None)
    kind = node.get("type")
    if kind == "object" or "properties" in node:
        return _schema_object(schema, node, filler, depth + 1) if depth < 3 else {}
    if kind == "array":
        item = _schema_value(schema, node.get("items", {}), name, filler, depth + 1)
        return [item] if item is not None else []
    if kind == "boolean":
        return True
    if kind == "integer":
        model = model_for(Route("/", "", (), api=True), name) if name not in ("id", "pk") else None
        rows = filler.rows(model) if model is not None else []
        return rows[0].pk if rows else max(node.get("minimum", 1), 1)
    if kind == "number":
        return 1
    if kind == "string":
        fmt = node.get("format", "")
        value = {"date": "2026-01-05", "date-time": "2026-01-05T09:00:00+08:00", "decimal": "1.00"}.get(fmt)
        return value or _plausible(fmt or "text", name, {})
    return None


def _resolve(schema, node):
    while True:
        if "$ref" in node:
            node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]]
        elif node.get("allOf"):
            node = {**node.get("allOf")[0], **{k: v for k, v in node.items() if k != "allOf"}}
        else:
            return node


def _schema_object(schema, node, filler, depth=0):
    """Its required fields, or every writable one when none is required (a PATCH)."""
    properties = node.get("properties", {})
    names = node.get("required") or [name for name, prop in properties.items() if not prop.get("readOnly")]
    body = {}
    for name in names:
        value = _schema_value(schema, properties.get(name, {}), name, filler, depth)
        if value is not None:
            body[name] = value
    return body


def api_body(schema, route, method, filler):
    """A JSON body built from the operation's request schema, or None when it takes none (or only files)."""
    content = schema["paths"][route.template][method].get("requestBody", {}).get("content", {})
    node = content.get("application/json", {}).get("schema")
    return _schema_value(schema, node, "", filler) if node else None


# -- the walk ---------------------------------------------------------------------------------------------------
@pytest.fixture
def walk(world, personas):
    if connection.vendor != "postgresql":
        need_service("the walker's state fingerprint needs PostgreSQL")
    walk = build(world, personas)
    clients = {}
    for name, user in walk.personas.items():
        client = Client(raise_request_exception=False)
        if user is not None:
            client.force_login(user)
        clients[name] = client
    walk.clients = clients
    walk.scope = Scope(walk)
    return walk


def _login_redirect(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith(resolve_url(settings.LOGIN_URL))


class Problems:
    def __init__(self):
        self.items = defaultdict(list)

    def add(self, kind, text):
        self.items[kind].append(text)

    def report(self):
        lines = []
        for kind, texts in sorted(self.items.items()):
            lines.append(f"{kind} ({len(texts)}):")
            lines.extend(f"  {text}" for text in sorted(set(texts))[:60])
        return "\n".join(lines)


def _check_get(walk, problems, route, kwargs, objects, persona, response):
    url = url_of(route, kwargs)
    if response.status_code >= 500:
        problems.add("5xx", f"GET {url} as {persona}: {response.status_code}")
        return
    if response.status_code != 200 or not route.params:
        return
    if objects == [None]:
        if any(conv in ("int", "path") for _, conv in route.params):
            problems.add("200 for an id that does not exist", f"GET {url} as {persona}")
        return
    denied = [obj for obj in objects if not walk.scope.may_reach(persona, obj)]
    if denied:
        problems.add("reachable out of scope", f"GET {url} as {persona}: {denied[0]._meta.label} {denied[0]}")


def _check_unsafe(walk, problems, method, route, kwargs, objects, persona, response, changed, body=""):
    url = url_of(route, kwargs)
    status = response.status_code
    method = method.upper() + body
    if status >= 500:
        problems.add("5xx", f"{method} {url} as {persona}: {status}")
    if not changed:
        return
    refused = status in REFUSED or _login_redirect(response)
    if refused or not walk.scope.may_change(persona, _subject(objects), route):
        problems.add(
            "state changed without permission",
            f"{method} {url} as {persona} -> {status}, changed {', '.join(changed)}",
        )


# Who tries an id that does not exist (any 404 will do), and who tries the staff-only admin: a person
# with a role (nobody here is staff) and an anonymous visitor.
MISSING_PERSONAS = ("org_staff",)
ADMIN_PERSONAS = ("org_staff",)  # nobody here is staff; the admin's login check guards every method


def _personas_for(walk, route, objects):
    if objects == [None]:
        return MISSING_PERSONAS
    if route.template.startswith("/admin/"):
        return ADMIN_PERSONAS
    if objects and region_id_of(objects[0]) == walk.scope.other:
        # The other county's objects: everyone but the outsider, who reaches nothing of either county.
        return tuple(name for name in walk.personas if name != "outsider")
    return tuple(walk.personas)


def _requests(walk, filler, routes):
    """(route, kwargs, objects, persona, unsafe): `unsafe` says whether to send the unsafe methods too:
    for every persona who may not change the object, and for the first one who may (a 5xx)."""
    for route in routes:
        for kwargs, objects in filler.fillings(route):
            subject = next((obj for obj in objects if obj is not None), None)
            permitted_tried = False
            for persona in _personas_for(walk, route, objects):
                unsafe = not route.template.startswith("/admin/")
                if unsafe and walk.scope.may_change(persona, subject, route):
                    unsafe, permitted_tried = not permitted_tried, True
                yield route, kwargs, objects, persona, unsafe


class Watch:
    """Runs each request in a savepoint that is rolled back, so every request meets the same world (a
    permitted POST that deletes an enterprise does not hide it from the rest of the walk, and a
    database error does not break the test's transaction), and tells which watched tables an unsafe
    request changed. A 405 or a redirect to the login page comes from a decorator before the view
    runs: no fingerprint is taken after those."""

    def __init__(self):
        self.baseline = state_fingerprint()
        self.seen = Counter()  # (persona, method, status)
        self.changes = 0  # unsafe requests that changed something (permitted or not)
        self.form_posts = 0  # unsafe requests sent with a body a form or the schema would accept

    def get(self, persona, client, url):
        response, _ = self._send(persona, client, "get", url, watch=False)
        return response

    def unsafe(self, persona, client, method, url, **kwargs):
        return self._send(persona, client, method, url, watch=True, **kwargs)

    def _send(self, persona, client, method, url, *, watch, **kwargs):
        cookies = copy.deepcopy(client.cookies)  # a logout or a password change must not sign the walker out
        with transaction.atomic():
            counters = write_counters()
            response = getattr(client, method)(url, **kwargs)
            after = write_counters()
            written = [table for table, n in after.items() if n != counters.get(table, 0)]
            changed = []
            if watch and written and response.status_code != 405 and not _login_redirect(response):
                changed = changed_tables(self.baseline, state_fingerprint(written))
            transaction.set_rollback(True)
        client.cookies = cookies
        if written:
            cache.clear()  # what was cached from the rolled-back writes (a person's scope) goes with them
        self.seen[persona, method, response.status_code] += 1
        self.changes += bool(changed)
        return response, changed

    def check_coverage(self, personas):
        """The walk itself worked: every persona with a role opened pages, and some permitted unsafe
        requests did change the database (the fingerprint sees changes)."""
        for persona in personas:
            if persona not in ("anonymous", "outsider"):
                assert self.seen[persona, "get", 200] >= 5, (persona, self.seen)
        assert self.changes > 0


def _check_filler(problems, filler):
    for template, name in sorted(filler.unmapped):
        problems.add("path parameter of no known model (add it to MODEL_ALIASES)", f"{template} <{name}>")
    # Nobody in the walk is staff: the admin refuses every URL of its own before reading a parameter.
    untried = {(t, name) for t, name in filler.untried if not t.startswith(("/admin/", *KNOWN_UNTRIED))}
    for template, name in sorted(untried - filler.unmapped):
        problems.add(
            "path parameter never tried with a real value (list its slugs in _slug_values or ROUTE_FILLINGS, "
            "or build its objects in tests/walk_world.py)",
            f"{template} <{name}>",
        )


def test_every_page_for_every_persona(walk):
    """GET on every pattern the resolver knows, for every persona and filling; then POST, empty and, for a
    persona who may not change the object, with the body of a form some page showed for that URL."""
    problems, filler = Problems(), Filler(walk.scope)
    routes = html_routes()
    watch, forms = Watch(), FormBodies()
    requests = list(_requests(walk, filler, routes))
    for route, kwargs, objects, persona, _ in requests:
        url = url_of(route, kwargs)
        response = watch.get(persona, walk.clients[persona], url)
        _check_get(walk, problems, route, kwargs, objects, persona, response)
        forms.collect(persona, url, response)
    for route, kwargs, objects, persona, unsafe in requests:
        if not unsafe:
            continue
        url, client = url_of(route, kwargs), walk.clients[persona]
        response, changed = watch.unsafe(persona, client, "post", url, data={})
        _check_unsafe(walk, problems, "post", route, kwargs, objects, persona, response, changed)
        body = forms.body_for(url)
        if body is not None and not walk.scope.may_change(persona, _subject(objects), route):
            response, changed = watch.unsafe(persona, client, "post", url, data=body)
            _check_unsafe(walk, problems, "post", route, kwargs, objects, persona, response, changed, " (form)")
            watch.form_posts += 1
    _check_filler(problems, filler)
    assert len(routes) > 50
    watch.check_coverage(walk.personas)
    assert watch.form_posts > 50, watch.form_posts  # the pages' forms were found and sent
    assert not problems.items, problems.report()


def _subject(objects):
    return next((obj for obj in objects if obj is not None), None)


def test_every_api_route_for_every_persona(walk):
    """Every path and method of the OpenAPI schema, every persona: GET details and lists, and each unsafe
    method with an empty JSON body and, for a persona who may not change the object, with one built from
    the request schema."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    problems, filler = Problems(), Filler(walk.scope)
    routes = api_routes(schema)
    watch = Watch()
    bodies = {(route, m): api_body(schema, route, m, filler) for route, methods in routes.items() for m in methods}
    for route, kwargs, objects, persona, unsafe in _requests(walk, filler, routes):
        methods, url, client = routes[route], url_of(route, kwargs), walk.clients[persona]
        if "get" in methods:
            response = watch.get(persona, client, url)
            _check_get(walk, problems, route, kwargs, objects, persona, response)
            if not route.params and response.status_code == 200:
                _check_list(walk, problems, route, url, persona, response)
        for method in (m for m in methods if m != "get" and unsafe):
            response, changed = watch.unsafe(persona, client, method, url, data={}, content_type="application/json")
            _check_unsafe(walk, problems, method, route, kwargs, objects, persona, response, changed)
            body = bodies[route, method]
            if body and not walk.scope.may_change(persona, _subject(objects), route):
                response, changed = watch.unsafe(
                    persona, client, method, url, data=body, content_type="application/json"
                )
                _check_unsafe(walk, problems, method, route, kwargs, objects, persona, response, changed, " (schema)")
                watch.form_posts += 1
    _check_filler(problems, filler)
    assert len(routes) > 20
    watch.check_coverage(walk.personas)
    assert watch.form_posts > 50, watch.form_posts  # bodies were built from the schema and sent
    assert not problems.items, problems.report()


def _check_list(walk, problems, route, url, persona, response):
    """Each row of an API list must be one the persona may reach."""
    if not response.get("Content-Type", "").startswith("application/json"):
        problems.add("API route not answering JSON", f"GET {url} as {persona}: {response.get('Content-Type')}")
        return
    body = response.json()
    rows = body.get("results", []) if isinstance(body, dict) else body
    segment = [s for s in route.template.split("/") if s][-1]
    model = model_for(Route(f"/{segment}/{{id}}/", "", (("id", "int"),), api=True), "id")
    if model is None:
        return
    ids = [row["id"] for row in rows if isinstance(row, dict) and "id" in row]
    for obj in model._default_manager.filter(pk__in=ids):
        if not walk.scope.may_reach(persona, obj):
            problems.add("listed out of scope", f"GET {url} as {persona}: {obj._meta.label} {obj}")
