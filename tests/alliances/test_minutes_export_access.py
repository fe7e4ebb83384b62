"""Who may export the monthly minutes workbook is decided in one place
(alliances.meetings.permissions.may_export_minutes): the export page, the download of a finished
job for "all my alliances" and the menu link all ask it, so the link is offered exactly to those the
page lets in."""

import pytest
from django.template import Context, Template
from django.urls import reverse

from alliances.meetings import export_views, permissions

pytestmark = pytest.mark.django_db


def _offered(user) -> bool:
    return Template("{% load portal_access %}{{ user|may_export_minutes }}").render(Context({"user": user})) == "True"


@pytest.mark.parametrize(
    "persona", ["org_staff", "leader", "secretary", "enterprise_secretary", "handler", "guide", "outsider"]
)
def test_the_link_is_offered_to_exactly_those_the_page_lets_in(client_for, personas, persona):
    user = getattr(personas, persona)
    status = client_for(user).get(reverse("alliances:minutes_export")).status_code
    assert status in (200, 403)
    assert _offered(user) == (status == 200) == permissions.may_export_minutes(user)


def test_page_link_and_download_follow_the_one_rule(client_for, personas, monkeypatch):
    user = personas.org_staff
    assert _offered(user) and client_for(user).get(reverse("alliances:minutes_export")).status_code == 200
    monkeypatch.setattr(permissions, "may_export_minutes", lambda user: False)
    assert client_for(user).get(reverse("alliances:minutes_export")).status_code == 403
    assert not _offered(user)
    assert not export_views.may_download(user, {"user_id": user.pk})
