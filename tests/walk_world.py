"""A small world with one object of every kind in the conftest county and in the other county, for the
URL walker (tests/test_url_walker.py) and the schema conformance test: who may reach what is derived
from where an object lives (its region) and whose it is, not from a list of URLs."""

import datetime as dt
import functools
import io
from dataclasses import dataclass, field

from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, models
from PIL import Image

from alliances import exporters as minutes_exporters
from alliances import services as org
from alliances.meetings.services import attachments as meeting_attachments
from alliances.models import CommitteeSeat, Membership
from chainparty.accounts.tokens import token_issue
from chainparty.exporters import export_job_create
from demands.models import Need
from demands.services import deadlines, filing, workflow
from demands.services.matches import cooperation_record, match_propose
from guides import services as guide_services
from guides.models import Guide, Team
from tests import factories
from tests.demands.offers_support import make_policy, make_resource

PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\n"
TODAY_ISH = dt.date(2026, 1, 5)
# Tables whose rows a request may add or touch whoever sends it: the session and its activity record,
# the audit trail of a refused attempt, login-attempt counters, second-factor devices' counters.
UNWATCHED_TABLES = ("django_session", "security_usersession", "chainparty_auditlog", "axes_", "otp_")


@dataclass
class WalkWorld:
    county: object
    other_county: object
    personas: dict  # name -> user; "anonymous" -> None
    foreign: list = field(default_factory=list)  # objects of the other county, built here
    mine: dict = field(default_factory=dict)  # label -> object of the county
    # Where each person works (user pk -> region pk): the people pages' reach is decided from it.
    homes: dict = field(default_factory=dict)
    # Alliance secretary persona -> the pks of the Party secretaries of their alliance's member enterprises.
    member_secretaries: dict = field(default_factory=dict)
    # The people the people pages are tried with: one an alliance secretary reaches (a member's
    # secretary), one only the county's staff reach (a handler), one of the other county.
    people: list = field(default_factory=list)
    # Objects whose reach is decided object by object (the guides app's teams, visits, building goals):
    # (label, pk) -> the personas who may see it, and those who may change it. Written here, from the
    # access module (guides/permissions.py) and who is what in this world, not asked of the app.
    reach: dict = field(default_factory=dict)
    changers: dict = field(default_factory=dict)

    def decide(self, obj, *, reach, change):
        key = (obj._meta.label_lower, obj.pk)
        self.reach[key], self.changers[key] = frozenset(reach), frozenset(change)


def _photo():
    buffer = io.BytesIO()
    Image.new("RGB", (48, 36), (200, 30, 30)).save(buffer, "JPEG")
    return SimpleUploadedFile("走访现场.jpg", buffer.getvalue(), content_type="image/jpeg")


def minutes_export_job(owner, alliance):
    return export_job_create(
        workbook=minutes_exporters.WORKBOOK,
        params={"year": 2026, "month": 1, "alliance_id": alliance.pk},
        filename="会议台账.xlsx",
        owner=owner,
    )


def _need(actor, enterprise, **extra):
    return filing.need_file(
        actor=actor,
        enterprise=enterprise,
        category=Need.Category.LABOR,
        title="缺少熟练缝纫工",
        description="旺季订单增加，缺熟练缝纫工30名。",
        contact_name="联系人",
        contact_phone="13800000001",
        **extra,
    )


def build(world, personas) -> WalkWorld:
    """Every kind of object the pages and the API show, in both counties, made through the services
    (meetings through their factories)."""
    other_staff = factories.UserFactory(username="other_staff", real_name="兖州组织部")
    org.region_grant(region=world.other_county, user=other_staff, manage=True, system=True)
    other_handler = factories.UserFactory(username="other_handler", real_name="兖州自然资源局")
    org.department_add_handler(department=world.other_department, user=other_handler, system=True)
    names = ["org_staff", "leader", "secretary", "enterprise_secretary", "other_enterprise_secretary"]
    names += ["handler", "guide", "outsider"]
    people = {name: getattr(personas, name) for name in names}
    people["other_staff"] = other_staff
    people["anonymous"] = None
    walk = WalkWorld(county=world.county, other_county=world.other_county, personas=people)
    # Everyone with a role in the conftest county works there; the outsider (no role, no affiliation)
    # works nowhere, so only a platform administrator reaches them.
    walk.homes = {user.pk: world.county.pk for name, user in people.items() if user and name not in ("outsider",)}
    walk.homes.update({other_staff.pk: world.other_county.pk, other_handler.pk: world.other_county.pk})
    # world.alliance's members are the lead and the member enterprise (tests/conftest.world).
    walk.member_secretaries = {"secretary": {personas.enterprise_secretary.pk, personas.other_enterprise_secretary.pk}}
    walk.people = [personas.enterprise_secretary, personas.handler, other_handler]

    # -- the county ----------------------------------------------------------------------------------
    need = _need(personas.enterprise_secretary, world.lead)
    filing.need_attach(
        need=need,
        actor=personas.enterprise_secretary,
        files=[SimpleUploadedFile("岗位.pdf", PDF, content_type="application/pdf")],
    )
    need = workflow.need_accept(need=need, actor=personas.secretary)
    need = workflow.need_dispatch(need=need, actor=personas.secretary, lead_department=world.department)
    member_need = _need(personas.other_enterprise_secretary, world.member)
    resource = make_resource(personas.enterprise_secretary, enterprise=world.lead)
    draft = make_policy(personas.handler, world.department, title="草稿政策")
    published = make_policy(personas.handler, world.department, publish=True, title="休闲服饰贷")
    match_propose(need=member_need, user=personas.secretary, resource=resource)
    cooperation_record(
        user=personas.secretary,
        alliance=world.alliance,
        provider_enterprise=world.member,
        receiver_enterprise=world.lead,
        description="分包5000件休闲服装",
        date=TODAY_ISH,
    )
    meeting = factories.MeetingFactory(alliance=world.alliance)
    factories.InvitationFactory(meeting=meeting, user=personas.enterprise_secretary)
    factories.AgendaItemFactory(meeting=meeting)
    factories.DecisionFactory(meeting=meeting, owner_department=world.department)
    factories.MeetingScheduleFactory(alliance=world.alliance)
    factories.PartyOrganizationFactory(region=world.county)
    token_issue(user=personas.enterprise_secretary, name="对接系统")
    # A photo of the meeting (reached like its meeting: the region rule) by the alliance's secretary, and
    # the county's deadline rule, which only its staff reach and change (the deadline rules page).
    meeting_attachments.meeting_attach(actor=personas.secretary, meeting=meeting, files=[_photo()])
    rule = deadlines.deadline_rule_save(
        actor=personas.org_staff, region=world.county, urgency=Need.Urgency.URGENT, workdays=4
    )
    walk.decide(rule, reach={"org_staff"}, change={"org_staff"})
    # A minutes export job of the alliance's secretary: its viewers (the owner) who still manage the
    # alliance download it (alliances/meetings/export_views._job_for); an export job has no region, so
    # the walker tries only the first one (this one).
    job, _created = minutes_export_job(personas.secretary, world.alliance)
    walk.decide(job, reach={"secretary"}, change={"secretary"})
    walk.mine.update(need=need, member_need=member_need, draft_policy=draft, policy=published)
    _guides_work(walk, world, personas)

    # -- the other county ------------------------------------------------------------------------------
    other_zone = factories.ZoneFactory(name="兖州工业园", region=world.other_county)
    other_member = factories.EnterpriseFactory(name="兖州配套厂", region=world.other_county, zone=other_zone)
    alliance = org.alliance_create(
        name="兖州区红色农机产业链党委",
        chain="农机装备",
        region=world.other_county,
        founded_on=dt.date(2022, 6, 1),
        lead_enterprise=world.outsider_enterprise,
    )
    org.membership_add(
        alliance=alliance, enterprise=other_member, position=Membership.Position.UPSTREAM, joined_on=dt.date(2022, 6, 1)
    )
    org.membership_add(
        alliance=alliance,
        department=world.other_department,
        position=Membership.Position.FACTOR,
        joined_on=dt.date(2022, 6, 1),
    )
    org.seat_assign(
        alliance=alliance,
        role=CommitteeSeat.Role.SECRETARY,
        person_name="兖州书记",
        user=other_staff,
        enterprise=world.outsider_enterprise,
        term_start=dt.date(2022, 6, 1),
        system=True,
    )
    other_need = _need(other_staff, world.outsider_enterprise)
    other_need = workflow.need_accept(need=other_need, actor=other_staff)
    other_need = workflow.need_dispatch(need=other_need, actor=other_staff, lead_department=world.other_department)
    other_resource = make_resource(other_staff, enterprise=other_member)
    other_policy = make_policy(other_handler, world.other_department, publish=True, title="农机贷")
    make_policy(other_handler, world.other_department, title="兖州草稿")
    cooperation_record(
        user=other_staff,
        alliance=alliance,
        provider_enterprise=other_member,
        receiver_enterprise=world.outsider_enterprise,
        description="分包300台玉米收获机",
        date=TODAY_ISH,
    )
    other_meeting = factories.MeetingFactory(alliance=alliance)
    factories.InvitationFactory(meeting=other_meeting, user=other_staff)
    factories.DecisionFactory(meeting=other_meeting, owner_department=world.other_department)
    factories.MeetingScheduleFactory(alliance=alliance)
    factories.PartyOrganizationFactory(region=world.other_county)
    meeting_attachments.meeting_attach(actor=other_staff, meeting=other_meeting, files=[_photo()])
    other_rule = deadlines.deadline_rule_save(
        actor=other_staff, region=world.other_county, urgency=Need.Urgency.URGENT, workdays=4
    )
    walk.decide(other_rule, reach={"other_staff"}, change={"other_staff"})
    other_job, _created = minutes_export_job(other_staff, alliance)
    walk.decide(other_job, reach={"other_staff"}, change={"other_staff"})
    walk.foreign = [other_need, other_resource, other_policy, alliance, other_meeting, other_zone, other_member]
    _other_guides_work(walk, world, other_staff, other_zone, other_member)
    return walk


def _guides_work(walk, world, personas):
    """A team, a visit and a building goal of the county (guides/permissions.py decides who sees them):

    - the team (led by the county's department, the conftest guide a member): the county's staff and
      leader (in_viewed_region), its member guide, the department's handler; managed by the staff only;
    - the guide's visit to the lead enterprise (in the guide's zone), pending: the staff and leader, the
      lead's Party secretary (its enterprise), the guide (serves it, went); changed by the staff, the
      guide who went and the secretary who confirms it. Not the department's handler (the guide was
      sent by the zone), not the member's secretary, not the alliance secretary;
    - the building goal at the lead enterprise: the staff and leader, the lead's secretary, the guide
      serving it; managed by the staff and that guide."""
    staff = personas.org_staff
    guide = Guide.objects.get(user=personas.guide)
    team = guide_services.team_create(
        actor=staff,
        name="汶上纺织助企攀登小组",
        kind=Team.Kind.CLIMBING,
        region=world.county,
        department=world.department,
    )
    member = guide_services.team_member_add(actor=staff, team=team, guide=guide)
    for obj in (team, member):
        walk.decide(obj, reach={"org_staff", "leader", "guide", "handler"}, change={"org_staff"})
    visit = guide_services.visit_log(
        actor=personas.guide, enterprise=world.lead, visited_on=TODAY_ISH, findings="生产经营正常", photos=[_photo()]
    )
    for obj in (visit, *visit.photos.all()):
        walk.decide(
            obj,
            reach={"org_staff", "leader", "enterprise_secretary", "guide"},
            change={"org_staff", "guide", "enterprise_secretary"},
        )
    goal = guide_services.building_goal_open(actor=staff, enterprise=world.lead, opened_on=TODAY_ISH)
    walk.decide(goal, reach={"org_staff", "leader", "enterprise_secretary", "guide"}, change={"org_staff", "guide"})
    # The half year's evaluation: the period its region's staff and leader see, its staff manage
    # (guides/permissions_staff.py). The guide's report: whoever sees the guide (reports_q): the staff and
    # leader, the guide, the secretaries of the enterprises the guide serves today (the zone's: both);
    # rated by the staff and those secretaries (both enterprises were served in the period).
    period = guide_services.evaluation_period_create(
        actor=staff, region=world.county, starts_on=dt.date(2026, 1, 1), ends_on=dt.date(2026, 6, 30)
    )
    walk.decide(period, reach={"org_staff", "leader"}, change={"org_staff"})
    report = guide_services.guide_report_submit(actor=personas.guide, period=period, text="上半年联系企业12家。")
    secretaries = {"enterprise_secretary", "other_enterprise_secretary"}
    walk.decide(report, reach={"org_staff", "leader", "guide", *secretaries}, change={"org_staff", *secretaries})


def _other_guides_work(walk, world, other_staff, other_zone, other_member):
    """The same in the other county, with a guide of its own: only its staff (other_staff) of the
    personas reach any of it."""
    user = factories.UserFactory(username="other_guide", real_name="兖州指导员")
    walk.homes[user.pk] = world.other_county.pk
    guide = guide_services.guide_create(actor=other_staff, user=user, zone=other_zone, term_start=dt.date(2025, 1, 1))
    guide_services.assignment_create(actor=other_staff, guide=guide, zone=other_zone, starts_on=dt.date(2025, 1, 1))
    team = guide_services.team_create(
        actor=other_staff,
        name="兖州农机助企攀登小组",
        kind=Team.Kind.CLIMBING,
        region=world.other_county,
        department=world.other_department,
    )
    member = guide_services.team_member_add(actor=other_staff, team=team, guide=guide)
    visit = guide_services.visit_log(
        actor=other_staff,
        guide=guide,
        enterprise=other_member,
        visited_on=TODAY_ISH,
        findings="生产经营正常",
        photos=[_photo()],
    )
    goal = guide_services.building_goal_open(actor=other_staff, enterprise=other_member, opened_on=TODAY_ISH)
    period = guide_services.evaluation_period_create(
        actor=other_staff, region=world.other_county, starts_on=dt.date(2026, 1, 1), ends_on=dt.date(2026, 6, 30)
    )
    report = guide_services.guide_report_submit(
        actor=other_staff, guide=guide, period=period, text="上半年联系企业5家。"
    )
    for obj in (team, member, visit, *visit.photos.all(), goal, period, report):
        walk.decide(obj, reach={"other_staff"}, change={"other_staff"})
    walk.foreign += [team, visit, goal, period, report]


# -- where an object lives ------------------------------------------------------------------------------
_REGION_PATHS = (
    "region",
    "alliance",
    "team",
    "visit",
    "period",
    "need",
    "meeting",
    "enterprise",
    "department",
    "schedule",
    "policy",
    "resource",
    "recipient",
    "owner",
)


def region_id_of(obj, depth=0):
    """The region an object belongs to, following its parents (a decision's meeting's alliance...);
    None for objects of no region (users, notifications)."""
    if obj is None or depth > 4:
        return None
    if obj._meta.model_name == "region":
        return obj.pk
    for name in _REGION_PATHS:
        try:
            field_ = obj._meta.get_field(name)
        except Exception:
            continue
        if not isinstance(field_, models.ForeignKey):
            continue
        if name == "region":
            return getattr(obj, "region_id", None)
        found = region_id_of(getattr(obj, name), depth + 1)
        if found is not None:
            return found
    return None


# -- what the database holds -------------------------------------------------------------------------------
@functools.cache
def _watched_tables():
    tables = []
    for model in apps.get_models(include_auto_created=True):
        table = model._meta.db_table
        if model._meta.managed and not model._meta.proxy and not table.startswith(UNWATCHED_TABLES):
            tables.append(table)
    return tuple(sorted(set(tables)))


def write_counters() -> dict:
    """Rows inserted, updated and deleted so far in this transaction, per table (PostgreSQL counts them
    per statement, rolled back or not): a cheap first look before hashing tables."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT relname, n_tup_ins + n_tup_upd + n_tup_del FROM pg_stat_xact_user_tables")
        return dict(cursor.fetchall())


def state_fingerprint(tables=None) -> dict:
    """Rows and a hash of their contents for the watched tables (all, or those named), in one query: an
    unsafe request that changed nothing leaves it equal."""
    watched = _watched_tables()
    tables = watched if tables is None else [t for t in tables if t in watched]
    if not tables:
        return {}
    parts = [
        f"SELECT '{t}', count(*), coalesce(sum(hashtext(x::text)::bigint), 0) FROM {connection.ops.quote_name(t)} x"
        for t in tables
    ]
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts))
        return {table: (count, digest) for table, count, digest in cursor.fetchall()}


def changed_tables(before: dict, after: dict) -> list[str]:
    return sorted(table for table in after if before.get(table) != after[table])
