"""The admin shows the sweeps' due items and the audit log read-only: listed, filtered, searched,
never added, edited or deleted there."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from chainparty import audit, sweeps
from chainparty.models import AuditLog, DueItem
from chainparty.notifications import Message
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(factories.UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def due_items():
    member, other = factories.UserFactory.create_batch(2)
    starts = timezone.now() + dt.timedelta(days=1)
    for meeting_id, kind in ((11, "meeting_reminder"), (12, "visit_reminder")):
        sweeps.schedule(
            kind=kind,
            source_key=f"meeting:{meeting_id}",
            version=starts.isoformat(),
            recipients=[member, other],
            due_at=starts - dt.timedelta(hours=1),
            message=Message(title=f"提醒{meeting_id}", body="", url=""),
        )
    sweeps.cancel("meeting:12")
    return member, other


def _listed(client, **params):
    response = client.get(reverse("admin:chainparty_dueitem_changelist"), params)
    assert response.status_code == 200
    return {item.pk for item in response.context["cl"].result_list}


def test_due_items_are_listed_filtered_by_kind_and_state_and_searched_by_key(admin_client, due_items):
    member, _other = due_items
    reminders = set(DueItem.objects.filter(kind="meeting_reminder").values_list("pk", flat=True))
    cancelled = set(DueItem.objects.filter(status=DueItem.Status.CANCELLED).values_list("pk", flat=True))
    assert len(_listed(admin_client)) == 4
    assert _listed(admin_client, kind="meeting_reminder") == reminders
    assert _listed(admin_client, status="cancelled") == cancelled and cancelled.isdisjoint(reminders)
    key = DueItem.objects.get(kind="meeting_reminder", recipient=member).delivery_key
    assert _listed(admin_client, q=key) == {DueItem.objects.get(delivery_key=key).pk}
    assert _listed(admin_client, q="meeting:12") == cancelled


def test_due_items_cannot_be_added_edited_or_deleted_in_the_admin(admin_client, due_items):
    item = DueItem.objects.first()
    change = reverse("admin:chainparty_dueitem_change", args=[item.pk])
    page = admin_client.get(change)
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    assert admin_client.post(change, {"status": "delivered", "title": "改了"}).status_code == 403
    assert admin_client.get(reverse("admin:chainparty_dueitem_add")).status_code == 403
    assert admin_client.post(reverse("admin:chainparty_dueitem_delete", args=[item.pk])).status_code == 403
    item.refresh_from_db()
    assert (item.status, item.title) == (DueItem.Status.PENDING, "提醒11")


def test_audit_log_stays_read_only_in_the_admin(admin_client):
    audit.record(action=audit.Action.EXPORT, data={"object": "需求清单"})
    entry = AuditLog.objects.get(action=audit.Action.EXPORT)
    change = reverse("admin:chainparty_auditlog_change", args=[entry.pk])
    assert admin_client.get(change).status_code == 200
    assert admin_client.post(change, {"actor_name": "改了"}).status_code == 403
    assert admin_client.post(reverse("admin:chainparty_auditlog_delete", args=[entry.pk])).status_code == 403


def test_people_are_deactivated_not_deleted_in_the_admin(admin_client):
    """An audit record keeps its actor (PROTECT): the admin offers no delete for people."""
    person = factories.UserFactory()
    url = reverse("admin:chainparty_user_delete", args=[person.pk])
    assert admin_client.post(url, {"post": "yes"}).status_code == 403
    assert type(person).objects.filter(pk=person.pk).exists()
