"""factory_boy factories for the organisational core and meetings. Codes are valid GB 32100 credit codes."""

import datetime as dt
import itertools

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from alliances import models
from alliances.validators import uscc_check_char
from chainparty import workdays

_serial = itertools.count(1)


def make_credit_code(n=None):
    n = next(_serial) if n is None else n
    body = f"913708{n:011d}"[:17]
    return body + uscc_check_char(body)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    real_name = factory.Sequence(lambda n: f"用户{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.cn")
    password = factory.django.Password("Demo@2026")


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Region

    name = factory.Sequence(lambda n: f"测试县{n}")
    code = factory.Sequence(lambda n: f"{500000 + n % 400000:06d}")
    level = models.Region.Level.COUNTY


class ZoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.WorkZone

    name = factory.Sequence(lambda n: f"开发区{n}")
    kind = models.WorkZone.Kind.PARK
    region = factory.SubFactory(RegionFactory)


class EnterpriseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Enterprise

    name = factory.Sequence(lambda n: f"测试企业{n}有限公司")
    credit_code = factory.LazyFunction(make_credit_code)
    industry = "纺织服装"
    size = models.Enterprise.Size.ABOVE
    region = factory.SubFactory(RegionFactory)
    employees = 120


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Department

    name = factory.Sequence(lambda n: f"测试局{n}")
    factor_group = models.Department.FactorGroup.TALENT
    region = factory.SubFactory(RegionFactory)


class AllianceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Alliance

    name = factory.Sequence(lambda n: f"测试产业链党委{n}")
    chain = "纺织服装"
    region = factory.SubFactory(RegionFactory)
    founded_on = dt.date(2023, 9, 1)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Membership

    alliance = factory.SubFactory(AllianceFactory)
    enterprise = factory.SubFactory(EnterpriseFactory, region=factory.SelfAttribute("..alliance.region"))
    position = models.Membership.Position.UPSTREAM
    joined_on = dt.date(2024, 1, 1)


class PartyOrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.PartyOrganization

    name = factory.Sequence(lambda n: f"测试党支部{n}")
    kind = models.PartyOrganization.Kind.BRANCH
    region = factory.SubFactory(RegionFactory)
    members = 12


# -- meetings ---------------------------------------------------------------------------------------
def _next_week_at_nine():
    day = timezone.localdate() + dt.timedelta(days=7)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(9, 0)))


class MeetingScheduleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.MeetingSchedule

    alliance = factory.SubFactory(AllianceFactory)
    kind = models.MeetingKind.COMMITTEE
    title = "月度党委会议"
    rule = models.MeetingSchedule.Rule.NTH_WORKDAY_OF_MONTH
    ordinal = 1
    start_time = dt.time(9, 0)
    starts_on = dt.date(2026, 1, 1)


class MeetingFactory(factory.django.DjangoModelFactory):
    """A scheduled meeting next week at 09:00-11:00, without invitations (use the services for the
    default invitees, or InvitationFactory)."""

    class Meta:
        model = models.Meeting

    alliance = factory.SubFactory(AllianceFactory)
    kind = models.MeetingKind.COMMITTEE
    title = factory.Sequence(lambda n: f"第{n}次党委会议")
    starts_at = factory.LazyFunction(_next_week_at_nine)
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + dt.timedelta(hours=2))
    place_address = "党群服务中心二楼会议室"


class AgendaItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.AgendaItem

    meeting = factory.SubFactory(MeetingFactory)
    position = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"议题{n}")


class InvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Invitation

    meeting = factory.SubFactory(MeetingFactory)
    user = factory.SubFactory(UserFactory)
    person_name = factory.LazyAttribute(lambda o: o.user.display_name if o.user else "特邀嘉宾")
    source = models.Invitation.Source.CHOSEN


class DecisionFactory(factory.django.DjangoModelFactory):
    """A decision owned by a department of the meeting's region, due 10 working days after it."""

    class Meta:
        model = models.Decision

    meeting = factory.SubFactory(MeetingFactory)
    position = factory.Sequence(lambda n: n + 1)
    text = factory.Sequence(lambda n: f"议定事项{n}")
    owner_department = factory.SubFactory(DepartmentFactory, region=factory.SelfAttribute("..meeting.alliance.region"))
    owner_label = factory.LazyAttribute(lambda o: o.owner_department.name)
    due_workdays = 10
    due_date = factory.LazyAttribute(lambda o: workdays.add_workdays(o.meeting.local_date, o.due_workdays))


# -- guides (issue 9) --------------------------------------------------------------------------
# Rows straight to the database, for building worlds; tests of the rules call guides.services.
class GuideFactory(factory.django.DjangoModelFactory):
    """A guide sent by a department of their region, in term since 2023-09-01."""

    class Meta:
        model = "guides.Guide"

    user = factory.SubFactory(UserFactory)
    name = factory.LazyAttribute(lambda o: o.user.display_name)
    region = factory.SubFactory(RegionFactory)
    department = factory.SubFactory(DepartmentFactory, region=factory.SelfAttribute("..region"))
    term_start = dt.date(2023, 9, 1)


class GuideTeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "guides.Team"

    name = factory.Sequence(lambda n: f"红帆党建指导组{n}")
    kind = "red_sail"
    region = factory.SubFactory(RegionFactory)
    formed_on = dt.date(2023, 9, 1)


class GuideTeamMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "guides.TeamMember"

    team = factory.SubFactory(GuideTeamFactory)
    guide = factory.SubFactory(GuideFactory, region=factory.SelfAttribute("..team.region"))
    role = "member"
    team_kind = factory.LazyAttribute(lambda o: o.team.kind)
    starts_on = dt.date(2023, 9, 1)


class GuideAssignmentFactory(factory.django.DjangoModelFactory):
    """A guide assigned to an enterprise of their region since 2023-09-01, visited quarterly. Give
    `zone=`/`alliance=` with `target=` and `enterprise=None` for the other targets."""

    class Meta:
        model = "guides.Assignment"

    guide = factory.SubFactory(GuideFactory)
    target = "enterprise"
    enterprise = factory.SubFactory(EnterpriseFactory, region=factory.SelfAttribute("..guide.region"))
    region = factory.LazyAttribute(lambda o: (o.enterprise or o.zone or o.alliance).region)
    starts_on = dt.date(2023, 9, 1)


class VisitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "guides.Visit"

    enterprise = factory.SubFactory(EnterpriseFactory)
    region = factory.LazyAttribute(lambda o: o.enterprise.region)
    visited_on = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=3))
    kind = "visit"
    guide = factory.SubFactory(GuideFactory, region=factory.SelfAttribute("..enterprise.region"))
    checklist = factory.LazyFunction(lambda: ["policy_briefing"])
    opinions_count = 0
