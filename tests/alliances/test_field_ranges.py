"""Alliances' dates stay within the portal's working range (chainparty.validators, 2000-2100; a Party
organisation's founding date from 1921-07-01), and enterprises' and departments' telephone numbers
are mobiles or landlines (issue 10 §3, review findings 7 and 8)."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from alliances import demo, services
from alliances.models import (
    Alliance,
    CommitteeSeat,
    Decision,
    Department,
    Enterprise,
    Meeting,
    MeetingSchedule,
    Membership,
    PartyOrganization,
)
from chainparty.validators import validate_phone
from tests import factories

pytestmark = pytest.mark.django_db

YEAR_ONE = dt.date(1, 1, 1)
LAST_DAY = dt.date(9999, 12, 31)

DATE_FIELDS = [
    (Alliance, "founded_on"),
    (Membership, "joined_on"),
    (Membership, "left_on"),
    (CommitteeSeat, "term_start"),
    (CommitteeSeat, "term_end"),
    (MeetingSchedule, "starts_on"),
    (MeetingSchedule, "ends_on"),
    (Meeting, "starts_at"),
    (Meeting, "ends_at"),
    (Decision, "due_date"),
    (PartyOrganization, "founded_on"),
]


@pytest.mark.parametrize(("model", "name"), DATE_FIELDS, ids=lambda v: getattr(v, "__name__", v))
@pytest.mark.parametrize("value", [YEAR_ONE, LAST_DAY])
def test_dates_outside_the_range_are_refused_with_a_chinese_message(model, name, value):
    field = model._meta.get_field(name)
    if field.get_internal_type() == "DateTimeField":
        value = dt.datetime.combine(value, dt.time(12), tzinfo=dt.UTC)
    with pytest.raises(ValidationError) as refused:
        field.clean(value, None)
    assert [error.code for error in refused.value.error_list] == ["date_out_of_range"]
    assert "日期应在" in refused.value.messages[0]


def test_a_party_organisation_founded_before_2000_is_accepted_but_not_before_the_party():
    field = PartyOrganization._meta.get_field("founded_on")
    field.run_validators(dt.date(1985, 7, 1))
    with pytest.raises(ValidationError):
        field.run_validators(dt.date(1921, 6, 30))


def test_an_alliance_founded_in_year_one_is_refused_and_not_saved(world):
    with pytest.raises(ValidationError) as refused:
        services.alliance_create(name="某产业链党委", chain="纺织服装", region=world.county, founded_on=YEAR_ONE)
    assert "founded_on" in refused.value.error_dict
    assert not Alliance.objects.filter(name="某产业链党委").exists()


def test_a_membership_dated_9999_is_refused(world):
    newcomer = factories.EnterpriseFactory(region=world.county, zone=world.zone)
    with pytest.raises(ValidationError) as refused:
        services.membership_add(
            alliance=world.alliance,
            enterprise=newcomer,
            position=Membership.Position.UPSTREAM,
            joined_on=LAST_DAY,
        )
    assert "joined_on" in refused.value.error_dict


# -- telephone numbers ------------------------------------------------------------------------
@pytest.mark.parametrize("phone", ["abcdefg", "电话号码", "123", "0537-72１２３４５", "138١٢٣٤٥٦٧٨"])
def test_an_enterprise_phone_that_is_not_a_number_is_refused(world, phone):
    with pytest.raises(ValidationError) as refused:
        services.enterprise_update(enterprise=world.lead, contact_phone=phone)
    assert "contact_phone" in refused.value.error_dict
    assert "电话号码" in refused.value.error_dict["contact_phone"][0].messages[0]
    world.lead.refresh_from_db()
    assert world.lead.contact_phone != phone


@pytest.mark.parametrize("phone", ["abcdefg", "0537-7２12345"])
def test_a_department_phone_that_is_not_a_number_is_refused(world, phone):
    with pytest.raises(ValidationError) as refused:
        services.department_update(department=world.department, phone=phone)
    assert "phone" in refused.value.error_dict
    with pytest.raises(ValidationError):
        services.department_create(name="某局", factor_group="人才", region=world.county, phone=phone)
    assert not Department.objects.filter(name="某局").exists()


@pytest.mark.parametrize(
    "phone", ["0537-7212345", "05377212345", "7212345", "0537-7212345-801", "0537-7212345转801", "13812345678", ""]
)
def test_landlines_with_area_code_and_extension_and_mobiles_are_accepted(world, phone):
    services.enterprise_update(enterprise=world.lead, contact_phone=phone)
    services.department_update(department=world.department, phone=phone)
    assert Enterprise.objects.get(pk=world.lead.pk).contact_phone == phone


def test_the_demo_enterprises_and_departments_pass():
    """demo.build saves through the services (full_clean): a refused phone would raise here."""
    demo.build()
    phones = list(Enterprise.objects.values_list("contact_phone", flat=True))
    assert phones and all(phones)
    for phone in [*phones, *Department.objects.values_list("phone", flat=True)]:
        validate_phone(phone)
