"""Who may remove another person's second factor (review finding 3): a platform administrator for
anyone; organisation staff for the people of their regions, but never for a fellow member of the
same region's staff, staff above them or anyone with a platform role; nobody else. Every removal
is audited and the person is told when someone else removed it."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from alliances import services as alliance_services
from chainparty.models import AuditLog, Notification
from chainparty.security import otp
from tests import factories

pytestmark = pytest.mark.django_db


def enrolled(user):
    TOTPDevice.objects.create(user=user, name="手机", confirmed=True)
    return user


@pytest.fixture
def staff_of(world):
    def make(region, username):
        person = factories.UserFactory(username=username, real_name=username)
        alliance_services.region_grant(region=getattr(world, region), user=person, manage=True, system=True)
        return person

    return make


def _remove(actor, person, capture):
    with capture(execute=True):
        return otp.second_factor_remove(actor=actor, user=person)


def test_staff_remove_a_handlers_factor_audited_and_the_person_is_told(
    world, personas, django_capture_on_commit_callbacks
):
    handler = enrolled(personas.handler)
    assert _remove(personas.org_staff, handler, django_capture_on_commit_callbacks) == 1
    assert not TOTPDevice.objects.filter(user=handler).exists()
    entry = AuditLog.objects.filter(action=AuditLog.Action.OTP_REMOVE, target_id=handler.pk).get()
    assert entry.actor == personas.org_staff and entry.data == {"by_other": True}
    note = Notification.objects.get(recipient=handler, kind=otp.OTP_REMOVED_KIND)
    assert "双因素认证已被停用" in note.title and personas.org_staff.display_name in note.body


def test_staff_above_remove_a_county_staff_members_factor(
    world, personas, staff_of, django_capture_on_commit_callbacks
):
    city_staff = staff_of("city", "city_staff")
    county_staff = enrolled(personas.org_staff)
    _remove(city_staff, county_staff, django_capture_on_commit_callbacks)
    assert not TOTPDevice.objects.filter(user=county_staff).exists()


def test_a_platform_administrator_removes_anyones(world, personas, staff_of, django_capture_on_commit_callbacks):
    admin = factories.UserFactory(username="root", is_superuser=True, is_staff=True)
    city_staff = enrolled(staff_of("city", "city_staff"))
    _remove(admin, city_staff, django_capture_on_commit_callbacks)
    assert not TOTPDevice.objects.filter(user=city_staff).exists()


def test_removing_ones_own_is_audited_without_a_notification(world, personas, django_capture_on_commit_callbacks):
    _remove(enrolled(personas.handler), personas.handler, django_capture_on_commit_callbacks)
    assert not Notification.objects.filter(recipient=personas.handler, kind=otp.OTP_REMOVED_KIND).exists()
    assert AuditLog.objects.filter(action=AuditLog.Action.OTP_REMOVE, actor=personas.handler).exists()


@pytest.mark.parametrize("target", ["peer", "above", "platform", "admin_site"])
def test_staff_may_not_remove_a_peers_or_a_higher_roles_factor(world, personas, staff_of, target):
    person = {
        "peer": lambda: staff_of("county", "peer_staff"),
        "above": lambda: staff_of("city", "city_staff"),
        "platform": lambda: factories.UserFactory(username="root", is_superuser=True),
        "admin_site": lambda: factories.UserFactory(username="ops", is_staff=True),
    }[target]()
    if target in ("platform", "admin_site"):  # working in the county, so the staff "look after" them
        person.affiliation_unit = world.department
        person.save()
    enrolled(person)
    with pytest.raises(PermissionDenied):
        otp.second_factor_remove(actor=personas.org_staff, user=person)
    assert TOTPDevice.objects.filter(user=person).exists()
    assert not AuditLog.objects.filter(action=AuditLog.Action.OTP_REMOVE, target_id=person.pk).exists()


@pytest.mark.parametrize("persona", ["leader", "secretary", "enterprise_secretary", "outsider"])
def test_nobody_else_removes_anothers_factor(world, personas, persona):
    handler = enrolled(personas.handler)
    with pytest.raises(PermissionDenied):
        otp.second_factor_remove(actor=getattr(personas, persona), user=handler)
    assert TOTPDevice.objects.filter(user=handler).exists()


def test_the_reset_page_refuses_a_peer_and_serves_a_handler(world, personas, staff_of, client_for):
    peer = enrolled(staff_of("county", "peer_staff"))
    handler = enrolled(personas.handler)
    client = client_for(personas.org_staff)
    assert client.post(reverse("security:second_factor_reset", args=[peer.pk])).status_code == 403
    assert TOTPDevice.objects.filter(user=peer).exists()
    assert client.post(reverse("security:second_factor_reset", args=[handler.pk])).status_code == 302
    assert not TOTPDevice.objects.filter(user=handler).exists()
