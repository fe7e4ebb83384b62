"""A province-sized dataset, loaded with COPY in a few minutes.

One province, 16 cities, ~146 counties; per county 3 work zones, 15 departments and 5 chain
alliances; 20,000 enterprises; 50,000 resources and 50,000 policies; 200,000 needs over the past
two years in every state, with their assignments (lead and co-handling), full timelines and
historical escalations. Rows honour the models' constraints and the services' denormalisations
(need.region = enterprise.region, unique yearly numbers and counters, resource and policy tokens
from the services' own tokeniser, need.deadline = the parts' deadline, solved figures on solved needs).

Personas (usernames): bench_province_staff, bench_county_staff (汶上县), bench_secretary (汶上县纺织服装
产业链党委), bench_handler (汶上县人力资源和社会保障局, several hundred parts), bench_enterprise (the
textile chain's lead enterprise).
"""

import datetime as dt
import random
import time
from dataclasses import dataclass, field
from functools import cache

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Permission
from django.db import connection
from django.utils import timezone

from alliances import models as am
from alliances.validators import uscc_check_char
from chainparty import roles, sweeps, workdays
from chainparty.models import DueItem, Notification
from demands.models import Assignment, Need, NeedCounter, NeedEvent, Policy, PolicyCategory, Resource
from demands.selectors.needs import DEFAULT_WORKDAYS
from demands.services.deadlines import deadline_rules_ensure_defaults
from demands.services.policies import _policy_tokens
from demands.services.resources import _resource_tokens

from . import texts
from .bulk import Copier, copy_rows, reset_sequences
from .seed_guides import seed_guides

SEED = 20260
PERSONA_PASSWORD = "Bench@2026"
PERSONA_COUNTY = "汶上县"

FULL_SIZE = {
    "needs": 200_000,
    "enterprises": 20_000,
    "resources": 50_000,
    "policies": 50_000,
    # A province month of meetings (issue 8 §4) and the reminders pending in the sweep's window.
    "meetings": 2_000,
    "due_items": 100_000,
    # Guides (issue 9 §5): bench/seed_guides.py.
    "guides": 2_000,
    "visits": 500_000,
}
#: Reminders' due times spread over this many minutes (a week) ahead of the sweep's "now".
DUE_SPREAD_MINUTES = 7 * 24 * 60
PERSONA_COUNTY_SHARE = 0.03  # 汶上县 is a big county: 3% of the enterprises (600 at full size)

CITIES = [
    ("济南市", "370100"),
    ("青岛市", "370200"),
    ("淄博市", "370300"),
    ("枣庄市", "370400"),
    ("东营市", "370500"),
    ("烟台市", "370600"),
    ("潍坊市", "370700"),
    ("济宁市", "370800"),
    ("泰安市", "370900"),
    ("威海市", "371000"),
    ("日照市", "371100"),
    ("临沂市", "371300"),
    ("德州市", "371400"),
    ("聊城市", "371500"),
    ("滨州市", "371600"),
    ("菏泽市", "371700"),
]
JINING_COUNTIES = [
    ("任城区", "370811"),
    ("兖州区", "370812"),
    ("微山县", "370826"),
    ("鱼台县", "370827"),
    ("金乡县", "370828"),
    ("嘉祥县", "370829"),
    ("汶上县", "370830"),
    ("泗水县", "370831"),
    ("梁山县", "370832"),
    ("曲阜市", "370881"),
    ("邹城市", "370883"),
]
COUNTY_SUFFIXES = ["东区", "西区", "南区", "北区", "中区", "新区", "高新区", "经开区", "滨河县"]

NEED_CATEGORY_WEIGHTS = {
    "labor": 18,
    "financing": 16,
    "land": 8,
    "technology": 12,
    "market": 14,
    "logistics": 6,
    "policy": 8,
    "approval": 7,
    "safety": 5,
    "other": 6,
}
NEED_QUANTITIES = {
    "labor": [10, 19, 20, 30, 50, 80, 120],
    "financing": [100, 300, 500, 1000, 2000, 3000, 5000],
    "land": [5, 10, 20, 30, 50, 80],
    "market": [100, 300, 500, 1000, 2000],
}
URGENCY_WEIGHTS = {"normal": 75, "urgent": 20, "critical": 5}
SOURCE_WEIGHTS = {"self_reported": 60, "visit": 20, "meeting": 15, "hotline": 5}

# Need state by age: recent needs are still moving, old ones are mostly closed out.
STATES_BY_AGE = [
    (
        7,
        {
            "submitted": 30,
            "accepted": 15,
            "dispatched": 25,
            "in_progress": 20,
            "returned": 5,
            "rejected": 3,
            "merged": 2,
        },
    ),
    (
        30,
        {
            "submitted": 3,
            "accepted": 3,
            "dispatched": 15,
            "in_progress": 30,
            "answered": 25,
            "rated": 10,
            "closed": 5,
            "returned": 3,
            "rejected": 4,
            "merged": 2,
        },
    ),
    (
        90,
        {
            "accepted": 1,
            "dispatched": 4,
            "in_progress": 8,
            "answered": 15,
            "rated": 18,
            "closed": 46,
            "returned": 1,
            "rejected": 5,
            "merged": 2,
        },
    ),
    (
        10_000,
        {
            "dispatched": 0.5,
            "in_progress": 1,
            "answered": 2,
            "rated": 4,
            "closed": 85,
            "rejected": 5.5,
            "merged": 2,
        },
    ),
]
# What the sweep reads (demands.services.escalation.escalation_sweep), with the same default.
LEVEL2_WORKDAYS = getattr(settings, "NEEDS_ESCALATION_LEVEL2_WORKDAYS", 3)
SUPERVISE_NOTES = {
    1: "超期督办（一级）：超过办理时限，已通知联盟书记。",
    2: "超期督办（二级）：超过办理时限 4 个工作日，已报组织部。",
}
DISPATCHED_STATES = {"dispatched", "in_progress", "answered", "rated", "closed"}

# Policy category by the publishing department's type (indexes into texts.DEPARTMENT_TYPES).
POLICY_CATEGORY_BY_DEPARTMENT = {
    0: "talent",
    1: "industry",
    2: "technology",
    3: "finance",
    4: "finance",
    5: "land",
    6: "environment",
    7: "industry",
    8: "tax",
    9: "other",
    10: "market",
    11: "logistics",
    12: "technology",
    13: "approval",
    14: "other",
}


# Denormalisations the services keep, checked on the seeded rows (each query counts violations).
CONSISTENCY_CHECKS = [
    (
        "need.region = enterprise.region",
        "SELECT count(*) FROM demands_need n JOIN alliances_enterprise e ON e.id = n.enterprise_id"
        " WHERE n.region_id <> e.region_id",
    ),
    (
        "need filed by a member of its alliance",
        "SELECT count(*) FROM demands_need n WHERE NOT EXISTS (SELECT 1 FROM alliances_membership m"
        " WHERE m.alliance_id = n.alliance_id AND m.enterprise_id = n.enterprise_id AND m.left_on IS NULL)",
    ),
    (
        "need.deadline = its parts' deadline",
        "SELECT count(*) FROM demands_need n JOIN demands_assignment a ON a.need_id = n.id"
        " WHERE n.deadline IS DISTINCT FROM a.deadline",
    ),
    (
        "one lead part per dispatched need",
        "SELECT count(*) FROM demands_need n WHERE n.state IN ('dispatched', 'in_progress', 'answered', 'rated',"
        " 'closed') AND NOT EXISTS (SELECT 1 FROM demands_assignment a WHERE a.need_id = n.id AND a.role = 'lead')",
    ),
    (
        "solved figures only on solved needs",
        "SELECT count(*) FROM demands_need WHERE state NOT IN ('answered', 'rated', 'closed')"
        " AND (funding_wan_solved IS NOT NULL OR land_mu_solved IS NOT NULL OR people_solved IS NOT NULL)",
    ),
    (
        "yearly counters cover the numbers",
        "SELECT count(*) FROM demands_need n JOIN demands_needcounter c"
        " ON c.year = substring(n.number from 4 for 4)::int WHERE substring(n.number from 9)::int > c.last_number",
    ),
    (
        "a timeline starts with the filing",
        "SELECT count(*) FROM demands_need n WHERE NOT EXISTS"
        " (SELECT 1 FROM demands_needevent e WHERE e.need_id = n.id AND e.action = 'file')",
    ),
]


@dataclass
class County:
    id: int
    name: str
    code: str
    city_id: int
    zone_ids: list = field(default_factory=list)
    department_ids: list = field(default_factory=list)  # by texts.DEPARTMENT_TYPES index
    chains: list = field(default_factory=list)  # indexes into texts.CHAINS
    alliance_ids: dict = field(default_factory=dict)  # chain index -> alliance id
    enterprise_ids: list = field(default_factory=list)
    staff_user_id: int | None = None


@dataclass
class Enterprise:
    id: int
    county: County
    chain: int
    zone_id: int | None
    alliances: list = field(default_factory=list)  # primary first


@dataclass
class World:
    province_id: int = 0
    province_staff_id: int = 0
    city_staff: dict = field(default_factory=dict)  # city id -> user id
    counties: list = field(default_factory=list)
    enterprises: list = field(default_factory=list)
    alliance_secretary: dict = field(default_factory=dict)  # alliance id -> user id
    department_handler: dict = field(default_factory=dict)  # department id -> user id
    alliance_members: dict = field(default_factory=dict)  # alliance id -> [enterprise ids]
    providers: dict = field(default_factory=dict)  # alliance id -> [(enterprise id, resource id)]
    personas: dict = field(default_factory=dict)
    counts: dict = field(default_factory=dict)


class Seeder:
    def __init__(self, *, scale=1.0, log=print):
        self.rng = random.Random(SEED)
        self.scale = scale
        self.size = {key: max(int(value * scale), 50) for key, value in FULL_SIZE.items()}
        self.log = log
        self.world = World()
        self.now = timezone.localtime()
        self.today = self.now.date()
        self.ids = {}

    # -- helpers ---------------------------------------------------------------------------------
    def next_id(self, key):
        self.ids[key] = self.ids.get(key, 0) + 1
        return self.ids[key]

    def pick(self, weights: dict):
        return self.rng.choices(list(weights), weights=list(weights.values()))[0]

    def moment(self, after, low_hours, high_hours):
        """A time `low..high` hours after `after`, never in the future."""
        value = after + dt.timedelta(hours=self.rng.uniform(low_hours, high_hours))
        ceiling = self.now - dt.timedelta(minutes=5)
        return min(value, max(ceiling, after + dt.timedelta(minutes=1)))

    def timed(self, label, function):
        started = time.perf_counter()
        rows = function()
        self.log(f"  {label:<34} {rows:>9,} rows  {time.perf_counter() - started:6.1f} s")
        return rows

    # -- the run -----------------------------------------------------------------------------------
    def run(self):
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit = off")
        self.timed("regions", self.seed_regions)
        self.timed("zones and departments", self.seed_zones_and_departments)
        self.timed("enterprises", self.seed_enterprises)
        self.timed("alliances and memberships", self.seed_alliances)
        self.timed("users, seats and grants", self.seed_people)
        self.timed("resources", self.seed_resources)
        self.timed("policies", self.seed_policies)
        self.timed("needs, assignments, events", self.seed_needs)
        self.timed("counters, rules, notifications", self.seed_rest)
        self.timed("meetings of last month", self.seed_meetings)
        self.timed("pending reminders (DueItem)", self.seed_due_items)
        self.timed("guides, teams, assignments, visits", lambda: seed_guides(self))
        self.finish()
        return time.perf_counter() - started

    # -- organisation --------------------------------------------------------------------------------
    def seed_regions(self):
        rows = []
        province = self.next_id("region")
        self.world.province_id = province
        rows.append((province, "山东省", "370000", am.Region.Level.PROVINCE, None, f"/{province}/"))
        for city_name, city_code in CITIES:
            city = self.next_id("region")
            rows.append((city, city_name, city_code, am.Region.Level.CITY, province, f"/{province}/{city}/"))
            if city_name == "济宁市":
                counties = JINING_COUNTIES
            else:
                stem = city_name[:-1]
                counties = [
                    (f"{stem}{suffix}", f"{city_code[:4]}{i + 1:02d}") for i, suffix in enumerate(COUNTY_SUFFIXES)
                ]
            for name, code in counties:
                county = self.next_id("region")
                rows.append((county, name, code, am.Region.Level.COUNTY, city, f"/{province}/{city}/{county}/"))
                self.world.counties.append(County(id=county, name=name, code=code, city_id=city))
        # The persona county first: everything keyed "first county" below is 汶上县.
        self.world.counties.sort(key=lambda c: c.name != PERSONA_COUNTY)
        return copy_rows(am.Region, ["id", "name", "code", "level", "parent", "path"], rows)

    def seed_zones_and_departments(self):
        zones = Copier(am.WorkZone, ["id", "name", "kind", "region", "address"])
        departments = Copier(am.Department, ["id", "name", "short_name", "factor_group", "region", "phone"])
        for county in self.world.counties:
            for suffix, kind in (("经济开发区", "park"), ("城区片区", "area"), ("党群服务中心", "service_center")):
                zone = self.next_id("zone")
                county.zone_ids.append(zone)
                zones.add((zone, f"{county.name}{suffix}", kind, county.id, f"{county.name}{suffix}"))
            for suffix, group in texts.DEPARTMENT_TYPES:
                department = self.next_id("department")
                county.department_ids.append(department)
                phone = f"0537-{self.rng.randint(2000000, 8999999)}"
                departments.add((department, f"{county.name}{suffix}", suffix[:4], group, county.id, phone))
        zones.flush()
        departments.flush()
        return zones.rows + departments.rows

    def seed_enterprises(self):
        counties = self.world.counties
        total = self.size["enterprises"]
        persona_share = max(int(total * PERSONA_COUNTY_SHARE), 30)
        weights = [self.rng.uniform(0.5, 1.5) for _ in counties[1:]]
        scale = (total - persona_share) / sum(weights)
        per_county = [persona_share] + [max(int(w * scale), 6) for w in weights]
        # Rounding down leaves a few short of the target: hand them out one per county.
        for index in range(max(total - sum(per_county), 0)):
            per_county[1 + index % (len(per_county) - 1)] += 1
        copier = Copier(
            am.Enterprise,
            [
                "id",
                "name",
                "credit_code",
                "industry",
                "size",
                "region",
                "zone",
                "address",
                "employees",
                "legal_representative",
                "contact_name",
                "contact_phone",
            ],
        )
        syllables = texts.BRAND_SYLLABLES
        for county, count in zip(counties, per_county, strict=True):
            county.chains = (
                list(range(5)) if county.name == PERSONA_COUNTY else self.rng.sample(range(len(texts.CHAINS)), 5)
            )
            stem = county.name[:-1] if len(county.name) > 2 else county.name
            for index in range(count):
                enterprise = self.next_id("enterprise")
                # The first five of a county cover its five chains, so every alliance has a lead.
                chain = county.chains[index] if index < 5 else self.rng.choice(county.chains)
                chain_name, products = texts.CHAINS[chain]
                brand = self.rng.choice(syllables) + self.rng.choice(syllables)
                product = self.rng.choice(products)
                name = f"{stem}{brand}{product}有限公司" if index >= 5 else f"{stem}{brand}{chain_name}集团有限公司"
                body = f"91{county.code}{enterprise:09d}"
                zone = self.rng.choice(county.zone_ids) if self.rng.random() < 0.8 else None
                size = am.Enterprise.Size.ABOVE if index < 5 or self.rng.random() < 0.3 else am.Enterprise.Size.BELOW
                copier.add(
                    (
                        enterprise,
                        name,
                        body + uscc_check_char(body),
                        chain_name,
                        size,
                        county.id,
                        zone,
                        f"{county.name}{brand}路{self.rng.randint(1, 999)}号",
                        self.rng.randint(20, 3000) if size == "above" else self.rng.randint(5, 300),
                        f"法人{enterprise}",
                        f"联系人{enterprise}",
                        f"13{self.rng.randint(100000000, 999999999)}",
                    )
                )
                county.enterprise_ids.append(enterprise)
                self.world.enterprises.append(Enterprise(id=enterprise, county=county, chain=chain, zone_id=zone))
        copier.flush()
        return copier.rows

    def seed_alliances(self):
        alliances = Copier(
            am.Alliance,
            [
                "id",
                "name",
                "chain",
                "kind",
                "region",
                "lead_enterprise",
                "founded_on",
                "meeting_cadence",
                "description",
            ],
        )
        memberships = Copier(am.Membership, ["id", "alliance", "enterprise", "department", "position", "joined_on"])
        self.founded = {}
        by_county = {}
        for enterprise in self.world.enterprises:
            by_county.setdefault(enterprise.county.id, []).append(enterprise)
        for county in self.world.counties:
            members = by_county.get(county.id, [])
            for position, chain in enumerate(county.chains):
                alliance = self.next_id("alliance")
                chain_name = texts.CHAINS[chain][0]
                county.alliance_ids[chain] = alliance
                founded = dt.date(2021, 1, 1) + dt.timedelta(days=self.rng.randint(0, 900))
                self.founded[alliance] = founded
                lead = members[position].id
                alliances.add(
                    (
                        alliance,
                        f"{county.name}{chain_name}产业链党委",
                        chain_name,
                        "committee",
                        county.id,
                        lead,
                        founded,
                        "monthly",
                        f"{county.name}{chain_name}产业链党建联盟，链主企业牵头，上下游企业和要素保障部门共同参与。",
                    )
                )
                for department_type in texts.FACTOR_MEMBERS:
                    memberships.add(
                        (
                            self.next_id("membership"),
                            alliance,
                            None,
                            county.department_ids[department_type],
                            "factor",
                            founded,
                        )
                    )
            for index, enterprise in enumerate(members):
                primary = county.alliance_ids[enterprise.chain]
                enterprise.alliances.append(primary)
                position = "lead" if index < 5 else self.rng.choice(["upstream", "downstream", "supporting"])
                joined = self.founded[primary] + dt.timedelta(days=0 if index < 5 else self.rng.randint(0, 400))
                memberships.add((self.next_id("membership"), primary, enterprise.id, None, position, joined))
                if index >= 5 and self.rng.random() < 0.1:
                    secondary = county.alliance_ids[
                        self.rng.choice([c for c in county.chains if c != enterprise.chain])
                    ]
                    enterprise.alliances.append(secondary)
                    joined = self.founded[secondary] + dt.timedelta(days=self.rng.randint(0, 400))
                    memberships.add((self.next_id("membership"), secondary, enterprise.id, None, "supporting", joined))
                for alliance in enterprise.alliances:
                    self.world.alliance_members.setdefault(alliance, []).append(enterprise.id)
        alliances.flush()
        memberships.flush()
        return alliances.rows + memberships.rows

    def seed_people(self):
        user_model = get_user_model()
        users = Copier(
            user_model, ["id", "username", "real_name", "email", "password", "is_active", "affiliation", "mobile"]
        )
        unusable = make_password(None)
        persona_password = make_password(PERSONA_PASSWORD)
        world = self.world

        def user(username, real_name, affiliation, persona=None):
            user_id = self.next_id("user")
            password = persona_password if persona else unusable
            mobile = f"139{user_id:08d}"
            users.add(
                (user_id, username, real_name, f"{username}@bench.example.cn", password, True, affiliation, mobile)
            )
            if persona:
                world.personas[persona] = user_id
            return user_id

        world.province_staff_id = user("bench_province_staff", "省委组织部工作人员", "山东省委组织部", "province_staff")
        grants = {"region": [], "department": [], "enterprise": []}
        grants["region"].append((world.province_staff_id, roles.MANAGE_REGION, world.province_id))
        cities = {county.city_id for county in world.counties}
        for city in sorted(cities):
            staff = user(f"city_staff_{city}", f"市委组织部{city}", "市委组织部")
            world.city_staff[city] = staff
            grants["region"].append((staff, roles.MANAGE_REGION, city))
        seats = Copier(am.CommitteeSeat, ["id", "alliance", "role", "person_name", "user", "enterprise", "term_start"])
        for county in world.counties:
            persona = county.name == PERSONA_COUNTY
            county.staff_user_id = user(
                "bench_county_staff" if persona else f"county_staff_{county.id}",
                f"{county.name}组织部工作人员",
                f"{county.name}委组织部",
                "county_staff" if persona else None,
            )
            grants["region"].append((county.staff_user_id, roles.MANAGE_REGION, county.id))
            for position, (chain, alliance) in enumerate(county.alliance_ids.items()):
                textile = persona and texts.CHAINS[chain][0] == "纺织服装"
                secretary = user(
                    "bench_secretary" if textile else f"secretary_{alliance}",
                    f"{county.name}{texts.CHAINS[chain][0]}党委书记",
                    f"{county.name}{texts.CHAINS[chain][0]}产业链党委",
                    "secretary" if textile else None,
                )
                world.alliance_secretary[alliance] = secretary
                lead = county.enterprise_ids[position]
                seats.add(
                    (
                        self.next_id("seat"),
                        alliance,
                        "secretary",
                        f"书记{alliance}",
                        secretary,
                        lead,
                        self.founded[alliance],
                    )
                )
                if textile:
                    self.persona_alliance = alliance
                    owner = user("bench_enterprise", "纺织链主企业党委书记", "链主企业", "enterprise_secretary")
                    grants["enterprise"].append((owner, roles.MANAGE_ENTERPRISE, lead))
                    self.persona_enterprise = lead
            for index, department in enumerate(county.department_ids):
                handler_persona = persona and index == 0
                handler = user(
                    "bench_handler" if handler_persona else f"handler_{department}",
                    f"{county.name}{texts.DEPARTMENT_TYPES[index][0]}办理人",
                    f"{county.name}{texts.DEPARTMENT_TYPES[index][0]}",
                    "handler" if handler_persona else None,
                )
                world.department_handler[department] = handler
                grants["department"].append((handler, roles.HANDLE_DEPARTMENT, department))
                if handler_persona:
                    self.persona_department = department
        users.flush()
        seats.flush()
        return users.rows + seats.rows + self._copy_grants(grants)

    def _copy_grants(self, grants):
        tables = {
            "region": (am.RegionUserObjectPermission, am.Region),
            "department": (am.DepartmentUserObjectPermission, am.Department),
            "enterprise": (am.EnterpriseUserObjectPermission, am.Enterprise),
        }
        total = 0
        for kind, rows in grants.items():
            model, target = tables[kind]
            permissions = {
                p.codename: p.pk
                for p in Permission.objects.filter(
                    content_type__app_label="alliances", content_type__model=target._meta.model_name
                )
            }
            total += copy_rows(
                model,
                ["id", "user", "permission", "content_object"],
                (
                    (self.next_id(f"grant_{kind}"), user, permissions[codename], object_id)
                    for user, codename, object_id in rows
                ),
            )
        return total

    # -- resources and policies ------------------------------------------------------------------------
    def seed_resources(self):
        # The services' own token function, so stored tokens match what saving would compute.
        @cache
        def tokens(title, description, quantity):
            return _resource_tokens(Resource(title=title, description=description, quantity=quantity))

        copier = Copier(
            Resource,
            [
                "id",
                "enterprise",
                "department",
                "category",
                "title",
                "description",
                "quantity",
                "zone",
                "region",
                "valid_until",
                "status",
                "contact",
                "tokens",
                "created_at",
                "updated_at",
            ],
        )
        categories = list(texts.RESOURCE_TEMPLATES)
        enterprises = self.world.enterprises
        departments = [(c, d) for c in self.world.counties for d in c.department_ids]
        for _ in range(self.size["resources"]):
            resource = self.next_id("resource")
            category = self.rng.choice(categories)
            title, description, quantity = self.rng.choice(texts.RESOURCE_TEMPLATES[category])
            if self.rng.random() < 0.75:
                owner = self.rng.choice(enterprises)
                enterprise, department, zone, region = owner.id, None, owner.zone_id, owner.county.id
                chain = owner.chain
            else:
                county, department = self.rng.choice(departments)
                enterprise, zone, region, chain = None, None, county.id, self.rng.choice(county.chains)
            product = self.rng.choice(texts.CHAINS[chain][1])
            n = self.rng.choice(texts.QUANTITIES)
            title = title.format(product=product)
            description = description.format(product=product)
            quantity = quantity.format(n=n)
            roll = self.rng.random()
            if roll < 0.85:
                status = "active"
                valid_until = (
                    None if self.rng.random() < 0.5 else self.today + dt.timedelta(days=self.rng.randint(30, 700))
                )
            elif roll < 0.9:
                status, valid_until = "paused", None
            else:
                status, valid_until = "expired", self.today - dt.timedelta(days=self.rng.randint(1, 300))
            created = self.now - dt.timedelta(days=self.rng.uniform(0, 730))
            updated = created + dt.timedelta(days=self.rng.uniform(0, (self.now - created).days))
            copier.add(
                (
                    resource,
                    enterprise,
                    department,
                    category,
                    title,
                    description,
                    quantity,
                    zone,
                    region,
                    valid_until,
                    status,
                    f"联系人 139{resource:08d}",
                    tokens(title, description, quantity),
                    created,
                    updated,
                )
            )
            if enterprise and status == "active" and category in ("capacity", "equipment", "technology", "order"):
                for alliance in owner.alliances:
                    self.world.providers.setdefault(alliance, []).append((enterprise, resource))
        copier.flush()
        return copier.rows

    def seed_policies(self):
        @cache
        def tokens(title, summary, industries, categories):
            return _policy_tokens(Policy(title=title, summary=summary, industries=list(industries)), list(categories))

        policies = Copier(
            Policy,
            [
                "id",
                "department",
                "region",
                "title",
                "doc_number",
                "issuer",
                "summary",
                "body",
                "industries",
                "sizes",
                "valid_from",
                "valid_to",
                "contact",
                "state",
                "published_at",
                "published_by",
                "delivered_count",
                "read_count",
                "tokens",
                "created_at",
                "updated_at",
            ],
        )
        # Flushed after the policies: an automatic flush could COPY categories of policies not yet written.
        categories = Copier(PolicyCategory, ["id", "policy", "category"], auto_flush=False)
        all_categories = list(texts.POLICY_TEMPLATES)
        for _ in range(self.size["policies"]):
            policy = self.next_id("policy")
            county = self.rng.choice(self.world.counties)
            department_type = self.rng.randrange(len(texts.DEPARTMENT_TYPES))
            department = county.department_ids[department_type]
            category = POLICY_CATEGORY_BY_DEPARTMENT[department_type]
            chosen = [category]
            if self.rng.random() < 0.4:
                chosen.append(self.rng.choice([c for c in all_categories if c != category]))
            chain_name, products = texts.CHAINS[self.rng.choice(county.chains)]
            product = self.rng.choice(products)
            title, summary = self.rng.choice(texts.POLICY_TEMPLATES[category])
            title = title.format(chain=chain_name, product=product)
            summary = summary.format(chain=chain_name, product=product)
            industries = (chain_name,) if self.rng.random() < 0.5 else ()
            sizes = ["below"] if self.rng.random() < 0.2 else []
            created = self.now - dt.timedelta(days=self.rng.uniform(0, 730))
            roll = self.rng.random()
            state = "published" if roll < 0.9 else ("draft" if roll < 0.97 else "withdrawn")
            published = created + dt.timedelta(hours=self.rng.uniform(1, 72)) if state != "draft" else None
            valid_from = published.date() if published else None
            valid_to = (
                valid_from + dt.timedelta(days=self.rng.randint(180, 1100)) if valid_from and roll < 0.55 else None
            )
            delivered = self.rng.randint(20, 150) if published else 0
            issuer = f"{county.name}{texts.DEPARTMENT_TYPES[department_type][0]}"
            policies.add(
                (
                    policy,
                    department,
                    county.id,
                    title,
                    f"{county.name[:2]}{texts.DEPARTMENT_TYPES[department_type][0][:2]}发〔{created.year}〕{policy}号",
                    issuer,
                    summary,
                    summary + "具体申报条件和流程详见附件，请符合条件的企业按时申报。",
                    list(industries),
                    sizes,
                    valid_from,
                    valid_to,
                    f"{issuer} 0537-{self.rng.randint(2000000, 8999999)}",
                    state,
                    published,
                    self.world.department_handler[department] if published else None,
                    delivered,
                    int(delivered * self.rng.uniform(0.2, 0.9)),
                    tokens(title, summary, industries, tuple(chosen)),
                    created,
                    published or created,
                )
            )
            for value in chosen:
                categories.add((self.next_id("policy_category"), policy, value))
        policies.flush()
        categories.flush()
        return policies.rows + categories.rows

    # -- needs ---------------------------------------------------------------------------------------
    @cache  # noqa: B019 - one Seeder per run
    def deadline(self, day, urgency):
        return workdays.add_workdays(day, DEFAULT_WORKDAYS[urgency])

    def seed_needs(self):
        self.need_copier = Copier(
            Need,
            [
                "id",
                "number",
                "enterprise",
                "alliance",
                "region",
                "category",
                "title",
                "description",
                "urgency",
                "source",
                "funding_wan",
                "land_mu",
                "people",
                "funding_wan_solved",
                "land_mu_solved",
                "people_solved",
                "contact_name",
                "contact_phone",
                "filed_by",
                "filed_at",
                "state",
                "accepted_at",
                "dispatched_at",
                "deadline",
                "paused_at",
                "returned_from",
                "answered_at",
                "answered_on_time",
                "rating",
                "rating_comment",
                "rated_at",
                "redo_count",
                "merged_into",
                "reason",
                "closed_at",
                "version",
                "updated_at",
            ],
            auto_flush=False,
        )
        self.assignment_copier = Copier(
            Assignment,
            [
                "id",
                "need",
                "role",
                "department",
                "provider_enterprise",
                "resource",
                "handler",
                "instruction",
                "state",
                "deadline",
                "created_at",
                "started_at",
                "answer",
                "answered_at",
                "answered_by",
                "funding_wan_solved",
                "land_mu_solved",
                "people_solved",
                "warned_at",
                "escalation_level",
                "escalated_at",
                "redo_count",
            ],
            auto_flush=False,
        )
        self.event_copier = Copier(
            NeedEvent,
            ["id", "need", "assignment", "action", "actor", "from_state", "to_state", "note", "data", "created_at"],
            auto_flush=False,
        )
        self.counters = {}
        self.last_by_alliance = {}
        total = self.size["needs"]
        enterprises = self.world.enterprises
        weights = [self.rng.lognormvariate(0, 0.8) for _ in enterprises]
        persona = next(e for e in enterprises if e.id == self.persona_enterprise)
        weights[enterprises.index(persona)] = max(weights) * 2
        filers = self.rng.choices(enterprises, weights=weights, k=total)
        ages = sorted((self.rng.uniform(0, 730) for _ in range(total)), reverse=True)
        for index, (enterprise, age) in enumerate(zip(filers, ages, strict=True)):
            self.make_need(enterprise, self.now - dt.timedelta(days=age), age)
            if index % 10_000 == 9_999:
                self.flush_needs()
        self.flush_needs()
        self.world.counts.update(
            needs=self.need_copier.rows, assignments=self.assignment_copier.rows, events=self.event_copier.rows
        )
        return self.need_copier.rows + self.assignment_copier.rows + self.event_copier.rows

    def flush_needs(self):
        # Parents before children: each COPY commits on its own and foreign keys are checked then.
        self.need_copier.flush()
        self.assignment_copier.flush()
        self.event_copier.flush()

    def event(self, need, action, actor, from_state, to_state, at, note="", data=None, assignment=None):
        self.event_copier.add(
            (self.next_id("event"), need, assignment, action, actor, from_state, to_state, note, data or {}, at)
        )

    def make_need(self, enterprise, filed_at, age):
        rng = self.rng
        need = self.next_id("need")
        county = enterprise.county
        alliance = (
            enterprise.alliances[0] if len(enterprise.alliances) == 1 or rng.random() < 0.9 else enterprise.alliances[1]
        )
        secretary = self.world.alliance_secretary[alliance]
        category = self.pick(NEED_CATEGORY_WEIGHTS)
        urgency = self.pick(URGENCY_WEIGHTS)
        state = next(self.pick(weights) for limit, weights in STATES_BY_AGE if age < limit)
        if state == "merged" and alliance not in self.last_by_alliance:
            state = "rejected"
        product = rng.choice(texts.CHAINS[enterprise.chain][1])
        n = rng.choice(NEED_QUANTITIES.get(category, texts.QUANTITIES))
        title, description = rng.choice(texts.NEED_TEMPLATES[category])
        title, description = title.format(product=product, n=n), description.format(product=product, n=n)
        funding = n if category == "financing" else None
        land = n if category == "land" else None
        people = n if category == "labor" else None
        year = filed_at.year
        self.counters[year] = self.counters.get(year, 0) + 1
        number = f"XQ-{year}-{self.counters[year]:06d}"
        filed_by = self.world.personas["enterprise_secretary"] if enterprise.id == self.persona_enterprise else None

        fields = {
            "accepted_at": None,
            "dispatched_at": None,
            "deadline": None,
            "paused_at": None,
            "returned_from": "",
            "answered_at": None,
            "answered_on_time": None,
            "rating": "",
            "rated_at": None,
            "redo_count": 0,
            "merged_into": None,
            "reason": "",
            "closed_at": None,
            "solved": (None, None, None),
            "filed_by": filed_by,
        }
        events = 1
        self.event(
            need, "file", filed_by, "", "submitted", filed_at, data={"source": "self_reported", "attachments": []}
        )
        at = filed_at
        if state in ("returned", "rejected", "merged"):
            accepted = state != "merged" and rng.random() < 0.4
            if accepted:
                at = fields["accepted_at"] = self.moment(at, 0.5, 48)
                self.event(need, "accept", secretary, "submitted", "accepted", at)
                events += 1
            at = self.moment(at, 1, 72)
            before = "accepted" if accepted else "submitted"
            if state == "returned":
                fields.update(paused_at=at, returned_from=before, reason="请补充近三年财务报表和项目可行性说明。")
                self.event(need, "return", secretary, before, "returned", at, note=fields["reason"])
            elif state == "rejected":
                fields["reason"] = "该事项不属于联盟受理范围，已告知企业通过12345热线反映。"
                self.event(need, "reject", secretary, before, "rejected", at, note=fields["reason"])
            else:
                fields["merged_into"] = self.last_by_alliance[alliance]
                self.event(need, "merge", secretary, before, "merged", at, note="与同类需求合并办理。")
            events += 1
        elif state != "submitted":
            at = fields["accepted_at"] = self.moment(at, 0.5, 48)
            self.event(need, "accept", secretary, "submitted", "accepted", at)
            events += 1
            if state in DISPATCHED_STATES:
                events += self.dispatch(need, enterprise, alliance, secretary, category, urgency, state, n, fields)
        self.last_by_alliance[alliance] = need
        funding_solved, land_solved, people_solved = fields.pop("solved")
        self.need_copier.add(
            (
                need,
                number,
                enterprise.id,
                alliance,
                county.id,
                category,
                title,
                description,
                urgency,
                self.pick(SOURCE_WEIGHTS),
                funding,
                land,
                people,
                funding_solved,
                land_solved,
                people_solved,
                f"联系人{enterprise.id}",
                f"138{enterprise.id:08d}",
                filed_by,
                filed_at,
                state,
                fields["accepted_at"],
                fields["dispatched_at"],
                fields["deadline"],
                fields["paused_at"],
                fields["returned_from"],
                fields["answered_at"],
                fields["answered_on_time"],
                fields["rating"],
                "",
                fields["rated_at"],
                fields["redo_count"],
                fields["merged_into"],
                fields["reason"],
                fields["closed_at"],
                events,
                fields["closed_at"]
                or fields["rated_at"]
                or fields["answered_at"]
                or fields["dispatched_at"]
                or filed_at,
            )
        )

    def dispatch(self, need, enterprise, alliance, secretary, category, urgency, state, n, fields):
        rng = self.rng
        county = enterprise.county
        dispatched = fields["dispatched_at"] = self.moment(fields["accepted_at"], 0.5, 48)
        deadline = fields["deadline"] = self.deadline(dispatched.date(), urgency)
        lead_type, co_types = texts.DISPATCH[category]
        parts = []  # (role, department, provider, resource)
        providers = self.world.providers.get(alliance, [])
        if category in ("market", "technology") and providers and rng.random() < 0.15:
            provider, resource = rng.choice(providers)
            if provider != enterprise.id:
                parts.append(("lead", None, provider, resource))
        if not parts:
            parts.append(("lead", county.department_ids[lead_type], None, None))
        roll = rng.random()
        for co_type in co_types[: 2 if roll < 0.05 else (1 if roll < 0.3 else 0)]:
            parts.append(("co", county.department_ids[co_type], None, None))
        events = 1
        assignment_ids = [self.next_id("assignment") for _ in parts]
        self.event(
            need,
            "dispatch",
            secretary,
            "accepted",
            "dispatched",
            dispatched,
            data={"deadline": deadline.isoformat()},
            assignment=assignment_ids[0],
        )
        solved = state in Need.SOLVED_STATES
        answered_at = None
        if solved:
            span = max((deadline - dispatched.date()).days, 1)
            days = rng.uniform(0.3, span) if rng.random() < 0.85 else span + rng.uniform(1, 15)
            answered_at = self.moment(dispatched, days * 24, days * 24)
            fields["answered_at"] = answered_at
            fields["answered_on_time"] = answered_at.date() <= deadline
        started_at = self.moment(dispatched, 1, 48) if state != "dispatched" else None
        if started_at and answered_at and started_at > answered_at:
            started_at = dispatched + (answered_at - dispatched) / 2
        if started_at:
            starter = self.world.department_handler.get(parts[0][1])
            self.event(need, "start", starter, "dispatched", "in_progress", started_at, assignment=assignment_ids[0])
            events += 1
        solved_values = (None, None, None)
        for (role, department, provider, resource), assignment in zip(parts, assignment_ids, strict=True):
            handler_user = self.world.department_handler.get(department) if department else None
            handler = handler_user if handler_user and rng.random() < 0.6 else None
            part_answered = (
                answered_at if role == "lead" else (answered_at - dt.timedelta(hours=2) if answered_at else None)
            )
            if part_answered and part_answered < dispatched:
                part_answered = answered_at
            part_state = "answered" if solved else ("in_progress" if role == "lead" and started_at else "pending")
            part_solved = (None, None, None)
            if solved and role == "lead":
                ratio = rng.uniform(0.6, 1.0)
                part_solved = (
                    round(n * ratio, 2) if category == "financing" else None,
                    round(n * ratio, 2) if category == "land" else None,
                    int(n * ratio) if category == "labor" else None,
                )
                solved_values = part_solved
            level, escalated_at, warned_at = 0, None, None
            if solved and part_answered.date() > deadline:
                late = workdays.workdays_between(deadline, part_answered.date())
                level = 2 if late > LEVEL2_WORKDAYS else 1
                escalated_at = workdays.end_of_day(deadline) + dt.timedelta(hours=1)
                warned_at = escalated_at - dt.timedelta(days=1)
                for step in range(1, level + 1):
                    self.event(
                        need,
                        "supervise",
                        None,
                        "",
                        "",
                        escalated_at + dt.timedelta(days=3 * (step - 1)),
                        note=SUPERVISE_NOTES[step],
                        data={"level": step, "deadline": deadline.isoformat(), "overdue_workdays": 1 + 3 * (step - 1)},
                        assignment=assignment,
                    )
                    events += 1
            self.assignment_copier.add(
                (
                    assignment,
                    need,
                    role,
                    department,
                    provider,
                    resource,
                    handler,
                    "请按期办理并及时答复企业。",
                    part_state,
                    deadline,
                    dispatched,
                    started_at if role == "lead" else None,
                    texts.ANSWERS[category] if solved else "",
                    part_answered,
                    (handler_user or None) if solved else None,
                    *part_solved,
                    warned_at,
                    level,
                    escalated_at,
                    0,
                )
            )
            if solved:
                self.event(
                    need,
                    "answer",
                    handler_user,
                    "in_progress",
                    "answered" if role == "lead" else "in_progress",
                    part_answered,
                    note=texts.ANSWERS[category],
                    assignment=assignment,
                )
                events += 1
        fields["solved"] = solved_values if solved else (None, None, None)
        if state in ("rated", "closed"):
            rating = self.pick(
                {"satisfied": 72, "basically_satisfied": 22, "unsatisfied": 6 if state == "rated" else 0}
            )
            fields["rating"] = rating
            rated = fields["rated_at"] = self.moment(answered_at, 24, 240)
            self.event(need, "rate", fields.get("filed_by"), "answered", "rated", rated, data={"rating": rating})
            events += 1
            if state == "closed":
                closed = fields["closed_at"] = self.moment(rated, 24, 168)
                self.event(need, "close", secretary, "rated", "closed", closed)
                events += 1
        return events

    # -- the rest ------------------------------------------------------------------------------------
    def seed_rest(self):
        rows = copy_rows(NeedCounter, ["year", "last_number"], sorted(self.counters.items()))
        rows += deadline_rules_ensure_defaults()
        notifications = Copier(
            Notification, ["id", "recipient", "title", "body", "url", "kind", "dedupe_key", "created_at"]
        )
        for persona, user_id in sorted(self.world.personas.items()):
            for index in range(40):
                notifications.add(
                    (
                        self.next_id("notification"),
                        user_id,
                        f"基准测试通知 {index + 1}",
                        "用于基准测试的通知。",
                        "/",
                        "bench",
                        f"bench:{persona}:{index}",
                        self.now - dt.timedelta(hours=index),
                    )
                )
        notifications.flush()
        return rows + notifications.rows

    # -- meetings ------------------------------------------------------------------------------------
    def seed_meetings(self):
        """A province month (the previous one, complete, so it can be exported): every alliance
        meets at least once, the persona alliance several times, 20 invitees a meeting, three agenda
        items, five decisions once the minutes are filed; a few meetings cancelled, held without
        minutes yet or moved."""
        world, rng = self.world, self.rng
        year, month = meetings_month(self.today)
        first = dt.date(year, month, 1)
        days = [
            day
            for day in (first + dt.timedelta(days=n) for n in range(31))
            if day.month == month and workdays.is_workday(day)
        ]
        county_of = {alliance: county for county in world.counties for alliance in county.alliance_ids.values()}
        chain_of = {alliance: chain for county in world.counties for chain, alliance in county.alliance_ids.items()}
        alliances = sorted(county_of)
        total = self.size["meetings"]
        persona = [self.persona_alliance] * min(8, total // 5)
        others = [a for a in alliances if a != self.persona_alliance]
        rng.shuffle(others)
        chosen = persona + others[: total - len(persona)]
        chosen += rng.choices(others, k=total - len(chosen))
        copiers = {
            "meeting": Copier(
                am.Meeting,
                [
                    "id",
                    "alliance",
                    "kind",
                    "title",
                    "starts_at",
                    "ends_at",
                    "place_zone",
                    "place_address",
                    "chair",
                    "chair_name",
                    "recorder_name",
                    "host_enterprise",
                    "state",
                    "cancel_reason",
                    "cancelled_at",
                    "moved_from",
                    "version",
                    "summary",
                    "minutes_filed_at",
                    "minutes_filed_by",
                    "created_by",
                    "created_at",
                    "updated_at",
                ],
                auto_flush=False,
            ),
            "departments": Copier(
                am.Meeting.invited_departments.through, ["id", "meeting", "department"], auto_flush=False
            ),
            "agenda": Copier(am.AgendaItem, ["id", "meeting", "position", "title", "minutes"], auto_flush=False),
            "invitation": Copier(
                am.Invitation,
                [
                    "id",
                    "meeting",
                    "user",
                    "person_name",
                    "source",
                    "enterprise",
                    "department",
                    "answer",
                    "substitute_name",
                    "leave_reason",
                    "answered_at",
                    "attendance",
                    "attendance_recorded_at",
                ],
                auto_flush=False,
            ),
            "decision": Copier(
                am.Decision,
                [
                    "id",
                    "meeting",
                    "position",
                    "text",
                    "owner_department",
                    "owner_enterprise",
                    "owner_label",
                    "due_workdays",
                    "due_date",
                    "status",
                    "done_at",
                    "created_at",
                    "updated_at",
                ],
                auto_flush=False,
            ),
        }
        self.meeting_ids = []
        for alliance in chosen:
            self.make_meeting(alliance, county_of[alliance], chain_of[alliance], rng.choice(days), copiers)
        for copier in copiers.values():  # parents first: each COPY checks its foreign keys
            copier.flush()
        return sum(copier.rows for copier in copiers.values())

    def make_meeting(self, alliance, county, chain, day, copiers):
        rng, world = self.rng, self.world
        meeting = self.next_id("meeting")
        self.meeting_ids.append(meeting)
        kind = self.pick(texts.MEETING_KIND_WEIGHTS)
        chain_name, products = texts.CHAINS[chain]
        alliance_name = f"{county.name}{chain_name}产业链党委"
        title = texts.MEETING_TITLES[kind].format(alliance=alliance_name, month=day.month)
        start_time = dt.time(9, 0) if rng.random() < 0.6 else dt.time(14, 30)
        starts_at = timezone.make_aware(dt.datetime.combine(day, start_time))
        ends_at = starts_at + dt.timedelta(hours=2)
        created = starts_at - dt.timedelta(days=rng.randint(5, 20))
        roll = rng.random()
        state = (
            "minutes_filed" if roll < 0.9 else "held" if roll < 0.95 else "scheduled" if roll < 0.98 else "cancelled"
        )
        moved_from = starts_at - dt.timedelta(days=rng.randint(1, 3)) if rng.random() < 0.1 else None
        members = world.alliance_members.get(alliance, [])
        secretary = world.alliance_secretary[alliance]
        filed_at = self.moment(ends_at, 24, 72) if state == "minutes_filed" else None
        departments = [county.department_ids[t] for t in texts.FACTOR_MEMBERS] + [
            county.department_ids[rng.choice([4, 8, 10, 12, 13])]
        ]
        invited = departments[:2]
        copiers["meeting"].add(
            (
                meeting,
                alliance,
                kind,
                title,
                starts_at,
                ends_at,
                rng.choice(county.zone_ids) if rng.random() < 0.7 else None,
                "" if rng.random() < 0.7 else f"{members[0] if members else alliance}号企业会议室",
                secretary,
                f"书记{alliance}",
                f"记录员{alliance}",
                rng.choice(members) if members and kind in ("salon", "tea", "party_day") else None,
                state,
                "因工作调整，会议取消。" if state == "cancelled" else "",
                self.moment(created, 24, 72) if state == "cancelled" else None,
                moved_from,
                2 if moved_from else 1,
                texts.MEETING_SUMMARY.format(n=len(departments), d=5) if state == "minutes_filed" else "",
                filed_at,
                secretary if filed_at else None,
                secretary,
                created,
                filed_at or created,
            )
        )
        for department in invited:
            copiers["departments"].add((self.next_id("meeting_department"), meeting, department))
        for position in range(1, 4):
            agenda = rng.choice(texts.AGENDA_TITLES).format(product=rng.choice(products))
            minutes = texts.AGENDA_MINUTES if state == "minutes_filed" else ""
            copiers["agenda"].add((self.next_id("agenda"), meeting, position, agenda, minutes))
        self.make_invitations(meeting, alliance, county, members, departments, state, starts_at, created, copiers)
        if state == "minutes_filed":
            self.make_decisions(meeting, county, members, departments, products, day, filed_at, copiers)

    def make_invitations(self, meeting, alliance, county, members, departments, state, starts_at, created, copiers):
        """20 invitees: the secretary, six departments' handlers, member enterprises' Party
        secretaries (the persona's own account for the textile chain's lead), guests for the rest."""
        rng, world = self.rng, self.world
        invitees = [(world.alliance_secretary[alliance], f"书记{alliance}", "seat", None, None)]
        for department in departments:
            handler = world.department_handler[department]
            invitees.append((handler, f"部门联络人{department}", "department", None, department))
        for enterprise in members[: 20 - len(invitees)]:
            user = world.personas["enterprise_secretary"] if enterprise == self.persona_enterprise else None
            invitees.append((user, f"企业书记{enterprise}", "enterprise_secretary", enterprise, None))
        while len(invitees) < 20:
            invitees.append((None, f"特邀嘉宾{len(invitees)}", "chosen", None, None))
        recorded = state in ("held", "minutes_filed")
        for user, name, source, enterprise, department in invitees:
            answer, attendance, substitute, reason, answered_at = "pending", "unrecorded", "", "", None
            if state != "cancelled" and rng.random() < 0.9:
                answer = self.pick({"attend": 85, "leave": 10, "substitute": 5})
                answered_at = self.moment(created, 2, 72)
                substitute = f"代{name}" if answer == "substitute" else ""
                reason = rng.choice(texts.LEAVE_REASONS) if answer == "leave" else ""
            if recorded:
                attendance = {"attend": "present", "leave": "leave", "substitute": "substitute"}.get(answer, "present")
                if attendance == "present" and rng.random() < 0.04:
                    attendance = "absent"
            copiers["invitation"].add(
                (
                    self.next_id("invitation"),
                    meeting,
                    user,
                    name,
                    source,
                    enterprise,
                    department,
                    answer,
                    substitute,
                    reason,
                    answered_at,
                    attendance,
                    starts_at + dt.timedelta(hours=3) if recorded else None,
                )
            )

    def make_decisions(self, meeting, county, members, departments, products, day, filed_at, copiers):
        rng = self.rng
        for position in range(1, 6):
            text = rng.choice(texts.DECISION_TEXTS).format(product=rng.choice(products), n=rng.choice([20, 50, 300]))
            if members and rng.random() < 0.3:
                enterprise, department = rng.choice(members), None
                label = f"成员企业{enterprise}"
            else:
                enterprise, department = None, rng.choice(departments)
                label = f"{county.name}{texts.DEPARTMENT_TYPES[county.department_ids.index(department)][0]}"
            due_workdays = rng.choice([5, 10, 15, 20])
            due = self.due_date(day, due_workdays)
            status = self.pick({"done": 55, "open": 40, "cancelled": 5})
            done_at = None
            if status == "done":
                latest = min(workdays.end_of_day(due), self.now - dt.timedelta(minutes=5))
                done_at = max(filed_at, latest - dt.timedelta(days=rng.uniform(0, 5)))
            copiers["decision"].add(
                (
                    self.next_id("decision"),
                    meeting,
                    position,
                    text,
                    department,
                    enterprise,
                    label,
                    due_workdays,
                    due,
                    status,
                    done_at,
                    filed_at,
                    done_at or filed_at,
                )
            )

    @cache  # noqa: B019 - one Seeder per run
    def due_date(self, day, due_workdays):
        return workdays.add_workdays(day, due_workdays)

    def seed_due_items(self):
        """Reminders pending over the coming week, for the province's secretaries and department
        handlers (about 35 each at full size). The bench times them anew before measuring the sweep
        (bench.cases), so the seeding's own times do not matter."""
        rng, world = self.rng, self.world
        recipients = sorted(world.alliance_secretary.values()) + sorted(world.department_handler.values())
        kinds = list(texts.REMINDER_TITLES)
        copier = Copier(
            DueItem,
            [
                "id",
                "kind",
                "source_key",
                "version",
                "delivery_key",
                "recipient",
                "due_at",
                "status",
                "title",
                "body",
                "url",
                "created_at",
            ],
        )
        start = self.now + dt.timedelta(hours=1)
        for index in range(self.size["due_items"]):
            item = self.next_id("due_item")
            meeting = rng.choice(self.meeting_ids)
            kind = kinds[index % len(kinds)]
            recipient = rng.choice(recipients)
            due_at = start + dt.timedelta(minutes=item % DUE_SPREAD_MINUTES)
            version = sweeps.version_text(due_at + dt.timedelta(days=1, microseconds=index))
            source = f"meeting:{meeting}"
            title = texts.REMINDER_TITLES[kind].format(title=f"会议{meeting}")
            copier.add(
                (
                    item,
                    kind,
                    source,
                    version,
                    sweeps.delivery_key(kind=kind, source_key=source, version=version, recipient_id=recipient),
                    recipient,
                    due_at,
                    "pending",
                    title,
                    f"{title}，将于 {due_at:%Y-%m-%d %H:%M} 后召开，请准时参加。",
                    f"/meetings/{meeting}/",
                    self.now,
                )
            )
        copier.flush()
        return copier.rows

    def finish(self):
        from django.apps import apps

        started = time.perf_counter()
        models_ = [
            m
            for label in ("chainparty", "alliances", "demands", "guides")
            for m in apps.get_app_config(label).get_models(include_auto_created=True)
        ]
        reset_sequences(models_)
        with connection.cursor() as cursor:
            for label, query in CONSISTENCY_CHECKS:
                cursor.execute(query)
                broken = cursor.fetchone()[0]
                if broken:
                    raise RuntimeError(f"seeded data breaks '{label}' in {broken} rows")
            cursor.execute("VACUUM ANALYZE")
        self.log(f"  {'sequences, VACUUM ANALYZE':<34} {'':>9}       {time.perf_counter() - started:6.1f} s")


def meetings_month(today: dt.date) -> tuple[int, int]:
    """The month the meetings are seeded in: the one before `today`'s, complete and exportable."""
    last = today.replace(day=1) - dt.timedelta(days=1)
    return last.year, last.month


def seed(*, scale=1.0, log=print):
    seeder = Seeder(scale=scale, log=log)
    seconds = seeder.run()
    return seconds, seeder.world
