"""factory_boy factories for the organisational core. Codes are valid GB 32100 credit codes."""

import datetime as dt
import itertools

import factory
from django.contrib.auth import get_user_model

from alliances import models
from alliances.validators import uscc_check_char

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
