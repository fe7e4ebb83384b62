"""The policy validity rule (有效期止 not before 有效期起) is validated once, in the service (issue 7 §4).

The page and the API show the service's one Chinese message on 有效期止, together with whatever else
the service found wrong in the same submission, and nothing is saved.
"""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from demands.models import Policy, PolicyCategory
from demands.services import policies as services
from tests.demands.offers_support import make_policy, pdf_file

pytestmark = pytest.mark.django_db

VALIDITY = "有效期止不能早于有效期起。"
NOT_A_PDF = b"MZ\x90\x00 not a pdf"


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def api():
    def login(user):
        client = APIClient()
        client.force_authenticate(user)
        return client

    return login


def _page_fields(world, **overrides):
    return {
        "department": world.department.pk,
        "title": "稳岗返还",
        "categories": ["talent"],
        "summary": "按规定返还失业保险费",
        "valid_from": "2026-03-01",
        "valid_to": "2026-02-01",
        **overrides,
    }


# -- the service -----------------------------------------------------------------------------
def test_service_names_the_field_once_and_saves_nothing(world, personas):
    with pytest.raises(ValidationError) as error:
        make_policy(personas.handler, world.department, valid_from=dt.date(2026, 3, 1), valid_to=dt.date(2026, 2, 1))
    assert error.value.message_dict == {"valid_to": [VALIDITY]}
    assert Policy.objects.count() == 0 and PolicyCategory.objects.count() == 0


def test_service_reports_every_problem_of_one_submission(world, personas):
    with pytest.raises(ValidationError) as error:
        make_policy(
            personas.handler,
            world.department,
            valid_from=dt.date(2026, 3, 1),
            valid_to=dt.date(2026, 2, 1),
            attachment=pdf_file("伪装.pdf", NOT_A_PDF),
            categories=(),
            target_regions=[world.other_county],
        )
    assert {"valid_to", "attachment", "categories", "target_regions"} <= set(error.value.message_dict)
    assert error.value.message_dict["valid_to"] == [VALIDITY]
    assert Policy.objects.count() == 0


def test_service_update_applies_the_rule_to_the_stored_dates(world, personas):
    policy = make_policy(personas.handler, world.department, valid_from=dt.date(2026, 3, 1))
    with pytest.raises(ValidationError) as error:
        services.policy_update(policy=policy, valid_to=dt.date(2026, 2, 1))
    assert error.value.message_dict == {"valid_to": [VALIDITY]}
    assert Policy.objects.get(pk=policy.pk).valid_to is None


# -- the page --------------------------------------------------------------------------------
def test_page_shows_the_service_message_on_valid_to_and_saves_nothing(client_for, world, personas):
    response = client_for(personas.handler).post(reverse("demands:policy_create"), _page_fields(world))
    assert response.status_code == 400
    form = response.context["form"]
    assert form.errors == {"valid_to": [VALIDITY]}
    assert response.content.decode().count(VALIDITY) == 1
    assert Policy.objects.count() == 0


def test_page_shows_the_date_rule_with_the_other_problems_of_the_submission(client_for, world, personas):
    """The form leaves the rule to the service, so one submit shows every problem the service found
    (before, the form stopped at the dates and the bad attachment surfaced only on the next submit)."""
    response = client_for(personas.handler).post(
        reverse("demands:policy_create"), _page_fields(world, attachment=pdf_file("伪装.pdf", NOT_A_PDF))
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert errors["valid_to"] == [VALIDITY] and "attachment" in errors
    assert Policy.objects.count() == 0


def test_edit_page_shows_the_service_message_and_keeps_the_policy(client_for, world, personas):
    policy = make_policy(personas.handler, world.department, title="稳岗返还", categories=["talent"])
    response = client_for(personas.handler).post(
        reverse("demands:policy_edit", args=[policy.pk]), _page_fields(world, title="改过的名称")
    )
    assert response.status_code == 400
    assert response.context["form"].errors == {"valid_to": [VALIDITY]}
    policy.refresh_from_db()
    assert (policy.title, policy.valid_from, policy.valid_to) == ("稳岗返还", None, None)


# -- the API ---------------------------------------------------------------------------------
def test_api_answers_400_with_the_service_message_on_valid_to_and_saves_nothing(api, world, personas):
    response = api(personas.handler).post(
        "/api/policies/",
        {
            "department": world.department.pk,
            "title": "稳岗返还",
            "categories": ["talent"],
            "summary": "按规定返还失业保险费",
            "valid_from": "2026-03-01",
            "valid_to": "2026-02-01",
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {"valid_to": [VALIDITY]}
    assert Policy.objects.count() == 0


def test_api_shows_the_date_rule_with_the_other_problems_of_the_submission(api, world, personas):
    response = api(personas.handler).post(
        "/api/policies/",
        {
            "department": world.department.pk,
            "title": "稳岗返还",
            "categories": ["talent"],
            "summary": "按规定返还失业保险费",
            "valid_from": "2026-03-01",
            "valid_to": "2026-02-01",
            "attachment": pdf_file("伪装.pdf", NOT_A_PDF),
        },
        format="multipart",
    )
    assert response.status_code == 400
    body = response.json()
    assert body["valid_to"] == [VALIDITY] and "attachment" in body
    assert Policy.objects.count() == 0
