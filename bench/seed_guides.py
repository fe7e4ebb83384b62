"""The guides of a province (issue 9 §5), loaded with COPY after the organisation and the needs
(bench.seed calls `seed_guides(seeder)`): 2,000 guides sent by the counties' departments and
zones, in proportion to each county's enterprises; teams of four (one leader); assignments to
enterprises (nine in ten of them served, a fifth monthly), zones and alliances, with ended ones as
history; and 500,000 visits over the past two years, by the guides serving the enterprise, with
the person row the services add, most confirmed, a few disputed, the recent ones pending. About
three in ten enterprises have not been visited this quarter, one in ten never.

Persona: bench_guide, a guide of 汶上县 with 25 enterprises of their own and a team serving eight
more (我的企业).

Rows honour the models' constraints and the services' denormalisations (assignment and visit
region = the target's county, team_kind copied, one current leader per team, one current team of
a kind per guide, a visit's guide listed among its people).
"""

import datetime as dt
import random

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import connection

from guides.models import Assignment, Guide, LastVisit, Team, TeamMember, Visit, VisitPerson

from .bulk import Copier

SEED = 90909
PERSONA_ENTERPRISES = 25
PERSONA_TEAM_ENTERPRISES = 8
HISTORY_DAYS = 730
KIND_WEIGHTS = {
    Guide.Kind.PARTY_BUILDING: 70,
    Guide.Kind.RED_SAIL: 10,
    Guide.Kind.RED_COLLAR: 8,
    Guide.Kind.STATIONED: 7,
    Guide.Kind.COMMISSIONER: 3,
    Guide.Kind.LIAISON: 2,
}
VISIT_KINDS = {Visit.Kind.VISIT: 50, Visit.Kind.SANBAO: 25, Visit.Kind.GUIDANCE: 15, Visit.Kind.POLICY: 10}
CHECKLISTS = [
    ["policy_briefing", "collect_needs"],
    ["organizational_life", "develop_members"],
    ["collect_needs"],
    ["found_organization", "develop_members"],
    ["policy_briefing"],
]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁宋谢韩唐冯于董程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏"
GIVEN = ["建国", "志强", "海燕", "秀英", "立新", "文静", "晓东", "玉兰", "红梅", "庆华", "国栋", "明亮", "春雨"]
GIVEN += ["德胜", "丽娟", "振宇", "雪梅", "宏伟", "伟", "敏", "静", "磊"]


class GuidesSeeder:
    def __init__(self, seeder):
        self.s = seeder
        self.world = seeder.world
        self.rng = random.Random(SEED)
        self.today = seeder.today
        self.now = seeder.now
        self.quarter = dt.date(self.today.year, (self.today.month - 1) // 3 * 3 + 1, 1)
        self.guides_of = {}  # county id -> [(guide id, user id, name)]
        self.serving = {}  # enterprise id -> [guide id] (in force today)
        self.user_of = {}  # guide id -> user id
        self.name_of = {}

    def pick(self, weights):
        return self.rng.choices(list(weights), weights=list(weights.values()))[0]

    def run(self) -> int:
        rows = self.seed_guides()
        rows += self.seed_teams_and_assignments()
        rows += self.seed_visits()
        return rows

    # -- guides ------------------------------------------------------------------------------------
    def seed_guides(self) -> int:
        s, rng = self.s, self.rng
        size = s.size["guides"]
        counties = self.world.counties
        total = sum(len(c.enterprise_ids) for c in counties) or 1
        users = Copier(
            get_user_model(), ["id", "username", "real_name", "email", "password", "is_active", "affiliation", "mobile"]
        )
        guides = Copier(
            Guide,
            ["id", "user", "name", "kind", "region", "department", "zone", "rank", "position", "phone", "term_start"],
        )
        unusable = make_password(None)
        from .seed import PERSONA_PASSWORD  # bench.seed imports this module

        persona_password = make_password(PERSONA_PASSWORD)
        for index, county in enumerate(counties):
            count = max(1, round(size * len(county.enterprise_ids) / total))
            for number in range(count):
                persona = index == 0 and number == 0
                user_id = s.next_id("user")
                guide_id = s.next_id("guide")
                name = rng.choice(SURNAMES) + rng.choice(GIVEN)
                username = "bench_guide" if persona else f"guide_{guide_id}"
                phone = f"138{user_id:08d}"
                users.add(
                    (
                        user_id,
                        username,
                        name,
                        f"{username}@bench.example.cn",
                        persona_password if persona else unusable,
                        True,
                        f"{county.name}党建工作指导员",
                        phone,
                    )
                )
                by_zone = rng.random() < 0.2 and county.zone_ids
                department = None if by_zone else rng.choice(county.department_ids)
                zone = rng.choice(county.zone_ids) if by_zone else None
                rank = self.pick({"county": 5, "section": 40, "staff": 55})
                guides.add(
                    (
                        guide_id,
                        user_id,
                        name,
                        Guide.Kind.RED_SAIL if persona else self.pick(KIND_WEIGHTS),
                        county.id,
                        department,
                        zone,
                        "section" if persona else rank,
                        "党建工作指导员",
                        phone,
                        self.today - dt.timedelta(days=rng.randint(HISTORY_DAYS + 230, HISTORY_DAYS + 900)),
                    )
                )
                self.guides_of.setdefault(county.id, []).append(guide_id)
                self.user_of[guide_id] = user_id
                self.name_of[guide_id] = name
                if persona:
                    self.world.personas["guide"] = user_id
                    self.persona_guide = guide_id
        users.flush()
        guides.flush()
        return users.rows + guides.rows

    # -- teams and assignments ------------------------------------------------------------------------
    def seed_teams_and_assignments(self) -> int:
        rng = self.rng
        teams = Copier(Team, ["id", "name", "kind", "region", "formed_on"])
        members = Copier(TeamMember, ["id", "team", "guide", "role", "team_kind", "starts_on"])
        assignments = Copier(
            Assignment,
            [
                "id",
                "guide",
                "team",
                "target",
                "zone",
                "enterprise",
                "alliance",
                "region",
                "cadence",
                "starts_on",
                "ends_on",
            ],
        )
        since = self.today - dt.timedelta(days=HISTORY_DAYS)

        def assign(*, guide=None, team=None, target, zone=None, enterprise=None, alliance=None, region, ended=False):
            starts = since - dt.timedelta(days=rng.randint(0, 200))
            ends = None
            if ended:
                ends = starts + dt.timedelta(days=rng.randint(30, 300))
            cadence = "monthly" if rng.random() < 0.2 else "quarterly"
            assignments.add(
                (s_id("assignment"), guide, team, target, zone, enterprise, alliance, region, cadence, starts, ends)
            )

        s_id = self.s.next_id
        for county in self.world.counties:
            guides = self.guides_of.get(county.id, [])
            if not guides:
                continue
            enterprises = list(county.enterprise_ids)
            rng.shuffle(enterprises)
            served = enterprises[: int(len(enterprises) * 0.9)]
            persona_county = self.world.counties[0] is county
            team_targets = []
            if persona_county:  # the persona's own 25 first, then eight for its team
                mine, team_targets = served[:PERSONA_ENTERPRISES], served[PERSONA_ENTERPRISES:][:8]
                for enterprise in mine:
                    assign(guide=self.persona_guide, target="enterprise", enterprise=enterprise, region=county.id)
                    self.serving.setdefault(enterprise, []).append(self.persona_guide)
                served = served[PERSONA_ENTERPRISES + len(team_targets) :]
            others = [g for g in guides if not (persona_county and g == self.persona_guide)] or guides
            for position, enterprise in enumerate(served):
                guide = others[position % len(others)]
                assign(guide=guide, target="enterprise", enterprise=enterprise, region=county.id)
                self.serving.setdefault(enterprise, []).append(guide)
                if rng.random() < 0.1:  # history: someone else served it before
                    former = rng.choice(guides)
                    assign(guide=former, target="enterprise", enterprise=enterprise, region=county.id, ended=True)
            for guide in guides:
                if rng.random() < 0.1 and county.zone_ids and guide != getattr(self, "persona_guide", None):
                    assign(guide=guide, target="zone", zone=rng.choice(county.zone_ids), region=county.id)
            # teams of four (a leader and three members), one per twelve guides; each guide in one team
            pool = list(guides)
            if persona_county:
                pool.remove(self.persona_guide)
                pool.insert(1, self.persona_guide)  # a member of the county's first team
            for number in range(len(guides) // 12 if len(guides) >= 4 else 0):
                team = s_id("team")
                kind = Team.Kind.RED_SAIL if number % 2 == 0 else Team.Kind.RED_COLLAR
                formed = since - dt.timedelta(days=rng.randint(0, 100))
                label = "红帆党建指导组" if kind == Team.Kind.RED_SAIL else "红领专家服务队"
                teams.add((team, f"{county.name}{label}{number + 1}", kind, county.id, formed))
                for seat, guide in enumerate(pool[number * 4 : number * 4 + 4]):
                    role = TeamMember.Role.LEADER if seat == 0 else TeamMember.Role.MEMBER
                    members.add((s_id("team_member"), team, guide, role, kind, formed))
                targets = team_targets if (persona_county and number == 0) else rng.sample(served, min(5, len(served)))
                if number % 3 == 2 and county.alliance_ids and not (persona_county and number == 0):
                    alliance = rng.choice(list(county.alliance_ids.values()))
                    assign(team=team, target="alliance", alliance=alliance, region=county.id)
                else:
                    for enterprise in targets:
                        assign(team=team, target="enterprise", enterprise=enterprise, region=county.id)
                        self.serving.setdefault(enterprise, []).extend(pool[number * 4 : number * 4 + 1])
        teams.flush()
        members.flush()
        assignments.flush()
        return teams.rows + members.rows + assignments.rows

    # -- visits ----------------------------------------------------------------------------------------
    def seed_visits(self) -> int:
        rng = self.rng
        total = self.s.size["visits"]
        visits = Copier(
            Visit,
            [
                "id",
                "enterprise",
                "region",
                "visited_on",
                "kind",
                "guide",
                "checklist",
                "findings",
                "opinions",
                "opinions_count",
                "confirmation",
                "confirmed_at",
                "dispute_reason",
                "logged_by",
                "logged_at",
            ],
        )
        people = Copier(VisitPerson, ["id", "visit", "guide", "user", "person_name"])
        enterprises = [e for e in self.world.enterprises if rng.random() >= 0.1]  # one in ten never visited
        quarter_days = (self.today - self.quarter).days
        made = 0
        kinds = list(VISIT_KINDS)
        weights = list(VISIT_KINDS.values())
        for position, enterprise in enumerate(enterprises):
            remaining = len(enterprises) - position
            count = max(1, round((total - made) / remaining * rng.uniform(0.5, 1.5)))
            if position == len(enterprises) - 1:
                count = max(total - made, 1)
            guides = self.serving.get(enterprise.id) or self.guides_of.get(enterprise.county.id)
            lapsed = rng.random() < 0.25  # not visited this quarter
            for _ in range(count):
                back = rng.randint(quarter_days + 1 if lapsed else 0, HISTORY_DAYS)
                day = self.today - dt.timedelta(days=back)
                guide = rng.choice(guides)
                visit = self.s.next_id("visit")
                logged = self.now - dt.timedelta(days=back, hours=rng.randint(0, 6))
                if back <= 10:
                    confirmation, confirmed_at, reason = "pending", None, ""
                else:
                    confirmation = "disputed" if rng.random() < 0.02 else "confirmed"
                    confirmed_at = logged + dt.timedelta(days=rng.randint(1, 5))
                    reason = "走访记录与实际不符。" if confirmation == "disputed" else ""
                opinions = rng.randint(0, 3)
                visits.add(
                    (
                        visit,
                        enterprise.id,
                        enterprise.county.id,
                        day,
                        rng.choices(kinds, weights=weights)[0],
                        guide,
                        rng.choice(CHECKLISTS),
                        "了解企业生产经营情况，宣讲惠企政策。",
                        "\n".join(["企业反映用工紧张。"] * opinions),
                        opinions,
                        confirmation,
                        confirmed_at,
                        reason,
                        self.user_of[guide],
                        logged,
                    )
                )
                people.add((self.s.next_id("visit_person"), visit, guide, self.user_of[guide], self.name_of[guide]))
            made += count
        visits.flush()
        people.flush()
        return visits.rows + people.rows + self.fill_last_visits()

    def fill_last_visits(self) -> int:
        """Each enterprise's last counted visit (guides.models.LastVisit), as the visit services keep
        it and migration 0004 fills it: COPY bypasses both."""
        table, visits = LastVisit._meta.db_table, Visit._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (enterprise_id, visited_on) SELECT enterprise_id, MAX(visited_on) "
                f"FROM {visits} WHERE confirmation <> 'disputed' GROUP BY enterprise_id "
                "ON CONFLICT (enterprise_id) DO UPDATE SET visited_on = EXCLUDED.visited_on"
            )
            return cursor.rowcount


def seed_guides(seeder) -> int:
    return GuidesSeeder(seeder).run()
