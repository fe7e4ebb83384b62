"""Visit pages and API beyond logging (issue 9 follow-ups): a second tap on 保存 or a retried POST
lands on the first visit; the companion rule's message on the form and in the API; correcting a
visit (page and PATCH) for its author while the enterprise has not answered; photo thumbnails
through the photo's access check; organisation staff entering a visit on a guide's behalf."""

import datetime as dt
import io

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image
from rest_framework.test import APIClient

from chainparty.models import AuditLog
from guides import services
from guides.models import Visit, VisitPhoto
from tests import factories

pytestmark = pytest.mark.django_db


def url(name, *args):
    return reverse(f"guides:{name}", args=args)


def api_for(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def photo(name="现场.jpg", size=(1200, 900)):
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, "JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


@pytest.fixture
def guide(personas, frozen):
    return personas.guide.guide_profile


@pytest.fixture
def visit(world, guide):
    return services.visit_log(
        actor=guide.user, enterprise=world.lead, visited_on=dt.date(2026, 5, 11), findings="原记录", opinions_count=1
    )


def _post(enterprise, **extra):
    data = {
        "enterprise": enterprise.pk,
        "visited_on": "2026-05-12",
        "kind": Visit.Kind.VISIT,
        "checklist": [Visit.Checklist.POLICY_BRIEFING],
        "opinions_count": "0",
    }
    data.update(extra)
    return data


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


# -- a second submit ------------------------------------------------------------------------------
def test_each_log_form_carries_its_own_token(client_for, personas, guide):
    client = client_for(personas.guide)
    first = client.get(url("visit_log")).context["form"]["client_key"].value()
    second = client.get(url("visit_log")).context["form"]["client_key"].value()
    assert first and second and first != second


def test_a_second_tap_on_save_lands_on_the_first_visit(client_for, world, personas, guide):
    client = client_for(personas.guide)
    data = _post(world.lead, client_key="token-1")
    first = client.post(url("visit_log"), data)
    visit = Visit.objects.get()
    assert first.status_code == 302 and first["Location"] == url("visit_detail", visit.pk)
    second = client.post(url("visit_log"), data)
    assert second.status_code == 302 and second["Location"] == url("visit_detail", visit.pk)
    assert "这次走访已经保存过，没有重复登记。" in _messages(second)
    assert Visit.objects.count() == 1
    client.post(url("visit_log"), _post(world.lead, client_key="token-2"))
    assert Visit.objects.count() == 2


def test_a_retried_api_post_returns_the_first_visit(world, personas, guide):
    client = api_for(personas.guide)
    body = {"enterprise": world.lead.pk, "opinions_count": 1}
    first = client.post("/api/visits/", body, format="json", HTTP_IDEMPOTENCY_KEY="phone-42")
    assert first.status_code == 201, first.content
    again = client.post("/api/visits/", body, format="json", HTTP_IDEMPOTENCY_KEY="phone-42")
    assert again.status_code == 200 and again["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    assert Visit.objects.count() == 1
    assert client.post("/api/visits/", body, format="json").status_code == 201  # no key: a new visit
    assert Visit.objects.count() == 2


def test_a_bad_idempotency_key_is_refused_in_chinese(world, personas, guide):
    response = api_for(personas.guide).post(
        "/api/visits/", {"enterprise": world.lead.pk}, format="json", HTTP_IDEMPOTENCY_KEY="钥匙"
    )
    assert response.status_code == 400 and "提交标识" in response.content.decode()
    assert not Visit.objects.exists()


# -- the companion rule, shown from the service ---------------------------------------------------
def test_the_form_shows_the_services_companion_message(client_for, world, personas, guide):
    stranger = factories.GuideFactory(region=world.other_county, department=world.other_department)
    response = client_for(personas.guide).post(url("visit_log"), _post(world.lead, companions=[stranger.pk]))
    assert response.status_code == 400
    assert "同行指导员须是本区域" in response.content.decode()
    assert not Visit.objects.exists()


def test_the_api_refuses_a_companion_of_another_county_as_an_id_that_does_not_exist(world, personas, guide):
    stranger = factories.GuideFactory(region=world.other_county, department=world.other_department)
    response = api_for(personas.guide).post(
        "/api/visits/", {"enterprise": world.lead.pk, "companions": [stranger.pk]}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"companions": [f"无效主键 “{stranger.pk}” － 对象不存在。"]}
    assert not Visit.objects.exists()


# -- correcting a visit ---------------------------------------------------------------------------
def test_the_author_corrects_a_visit_on_the_phone(client_for, world, personas, visit):
    client = client_for(personas.guide)
    page = client.get(url("visit_detail", visit.pk))
    assert url("visit_edit", visit.pk) in page.content.decode()
    form = client.get(url("visit_edit", visit.pk))
    assert form.status_code == 200 and "原记录" in form.content.decode()
    data = {"visited_on": "2026-05-10", "kind": "policy", "checklist": ["collect_needs"], "findings": "更正后"}
    response = client.post(url("visit_edit", visit.pk), {**data, "opinions": "", "opinions_count": "4"})
    assert response.status_code == 302 and response["Location"] == url("visit_detail", visit.pk)
    visit.refresh_from_db()
    assert (visit.visited_on, visit.kind, visit.findings, visit.opinions_count) == (
        dt.date(2026, 5, 10),
        "policy",
        "更正后",
        4,
    )
    assert AuditLog.objects.filter(target_id=visit.pk, action=AuditLog.Action.VISIT_UPDATE).exists()


def test_a_bad_correction_is_answered_in_chinese_and_nothing_changes(client_for, personas, visit):
    response = client_for(personas.guide).post(
        url("visit_edit", visit.pk), {"visited_on": "2026-05-13", "kind": "visit", "opinions_count": "1"}
    )
    assert response.status_code == 400 and "走访日期不能晚于今天。" in response.content.decode()
    visit.refresh_from_db()
    assert visit.visited_on == dt.date(2026, 5, 11)


def test_an_answered_visit_cannot_be_corrected_on_the_phone(client_for, personas, visit):
    services.visit_confirm(actor=personas.enterprise_secretary, visit=visit)
    client = client_for(personas.guide)
    assert url("visit_edit", visit.pk) not in client.get(url("visit_detail", visit.pk)).content.decode()
    response = client.post(url("visit_edit", visit.pk), {"visited_on": "2026-05-10", "kind": "visit"})
    assert response.status_code == 302
    assert "该走访记录已企业已确认，不能再修改。" in _messages(response)
    visit.refresh_from_db()
    assert visit.visited_on == dt.date(2026, 5, 11)


@pytest.mark.parametrize(("persona", "status"), [("enterprise_secretary", 403), ("org_staff", 403), ("outsider", 404)])
def test_only_the_author_opens_the_correction_page(client_for, personas, visit, persona, status):
    client = client_for(getattr(personas, persona))
    assert client.get(url("visit_edit", visit.pk)).status_code == status
    assert client.post(url("visit_edit", visit.pk), {"findings": "x"}).status_code == status


def test_the_correction_page_fits_a_phone(client_for, personas, visit):
    html = client_for(personas.guide).get(url("visit_edit", visit.pk)).content.decode()
    assert "phone-page" in html and 'type="date"' in html and "btn-check" in html and "style=" not in html


def test_patch_corrects_a_pending_visit(world, personas, visit):
    response = api_for(personas.guide).patch(
        f"/api/visits/{visit.pk}/", {"opinions_count": 3, "findings": "API 更正"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["opinions_count"] == 3 and response.json()["findings"] == "API 更正"
    assert response.json()["can_amend"] is True


def test_patch_of_an_answered_visit_is_a_conflict(personas, visit):
    services.visit_dispute(actor=personas.enterprise_secretary, visit=visit, reason="没有来过")
    response = api_for(personas.guide).patch(f"/api/visits/{visit.pk}/", {"opinions_count": 3}, format="json")
    assert response.status_code == 409 and "不能再修改" in response.json()["detail"]
    visit.refresh_from_db()
    assert visit.opinions_count == 1


@pytest.mark.parametrize(("persona", "status"), [("enterprise_secretary", 403), ("org_staff", 403), ("outsider", 404)])
def test_patch_refused_to_others(personas, visit, persona, status):
    response = api_for(getattr(personas, persona)).patch(
        f"/api/visits/{visit.pk}/", {"opinions_count": 3}, format="json"
    )
    assert response.status_code == status
    visit.refresh_from_db()
    assert visit.opinions_count == 1


# -- thumbnails -----------------------------------------------------------------------------------
def test_photos_get_thumbnails_served_safely_and_only_the_photo_is_an_audited_download(client_for, personas, visit):
    services.visit_add_photos(actor=personas.guide, visit=visit, files=[photo()])
    stored = VisitPhoto.objects.get()
    assert stored.thumbnail
    with stored.thumbnail.open("rb") as thumb, Image.open(thumb) as image:
        assert max(image.size) <= 360 and image.format == "JPEG"
    page = client_for(personas.enterprise_secretary).get(url("visit_detail", visit.pk)).content.decode()
    assert f'src="{url("visit_photo_thumbnail", stored.pk)}"' in page
    response = client_for(personas.enterprise_secretary).get(url("visit_photo_thumbnail", stored.pk))
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment")
    # Showing the page's thumbnails records nothing; downloading the photo does, once.
    assert not AuditLog.objects.filter(action=AuditLog.Action.DOWNLOAD).exists()
    full = client_for(personas.enterprise_secretary).get(url("visit_photo", stored.pk))
    assert full.status_code == 200
    assert AuditLog.objects.filter(action=AuditLog.Action.DOWNLOAD, target_id=stored.pk).count() == 1


@pytest.mark.parametrize("persona", ["other_enterprise_secretary", "outsider", "handler"])
def test_a_thumbnail_is_not_found_for_who_may_not_see_the_photo(client_for, personas, visit, persona):
    services.visit_add_photos(actor=personas.guide, visit=visit, files=[photo()])
    stored = VisitPhoto.objects.get()
    assert client_for(getattr(personas, persona)).get(url("visit_photo_thumbnail", stored.pk)).status_code == 404


def test_an_older_photo_gets_its_thumbnail_on_first_request(client_for, personas, visit):
    services.visit_add_photos(actor=personas.guide, visit=visit, files=[photo()])
    VisitPhoto.objects.update(thumbnail="")
    stored = VisitPhoto.objects.get()
    response = client_for(personas.guide).get(url("visit_photo_thumbnail", stored.pk))
    assert response.status_code == 200
    stored.refresh_from_db()
    assert stored.thumbnail


# -- staff enter a visit on a guide's behalf ------------------------------------------------------
def test_staff_log_a_visit_for_a_guide_and_the_page_says_so(client_for, world, personas, guide):
    client = client_for(personas.org_staff)
    assert url("visit_log_for_guide", guide.pk) in client.get(url("guide_detail", guide.pk)).content.decode()
    form = client.get(url("visit_log_for_guide", guide.pk))
    assert form.status_code == 200 and "代为登记" in form.content.decode()
    response = client.post(url("visit_log_for_guide", guide.pk), _post(world.lead, client_key="staff-1"))
    visit = Visit.objects.get()
    assert response.status_code == 302 and response["Location"] == url("visit_detail", visit.pk)
    assert visit.guide == guide and visit.logged_by == personas.org_staff
    page = client_for(personas.guide).get(url("visit_detail", visit.pk)).content.decode()
    assert f"{personas.org_staff.display_name} 于" in page and f"代 {guide.name} 登记" in page
    assert url("visit_edit", visit.pk) not in page  # the guide did not enter it


@pytest.mark.parametrize(("persona", "status"), [("guide", 403), ("handler", 404), ("outsider", 404), ("leader", 403)])
def test_only_the_regions_staff_log_for_a_guide(client_for, world, personas, guide, persona, status):
    client = client_for(getattr(personas, persona))
    assert client.get(url("visit_log_for_guide", guide.pk)).status_code == status
    assert client.post(url("visit_log_for_guide", guide.pk), _post(world.lead)).status_code == status
    assert not Visit.objects.exists()


def test_staff_log_for_a_guide_through_the_api(world, personas, guide):
    response = api_for(personas.org_staff).post(
        "/api/visits/", {"enterprise": world.lead.pk, "guide": guide.pk}, format="json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["guide"]["id"] == guide.pk
    assert response.json()["logged_by"] == personas.org_staff.display_name
    refused = api_for(personas.enterprise_secretary).post(
        "/api/visits/", {"enterprise": world.lead.pk, "guide": guide.pk}, format="json"
    )
    assert refused.status_code in (400, 403)
    assert Visit.objects.count() == 1


def test_a_correction_on_the_phone_keeps_every_department_companion(client_for, world, personas, guide):
    """Four department staff went (the API takes any number): the page offers a row for each, so a
    correction of the findings does not drop the fourth."""
    staff = [(f"科员{n}", world.department) for n in range(1, 5)]
    visit = services.visit_log(actor=guide.user, enterprise=world.lead, visited_on=dt.date(2026, 5, 11), staff=staff)
    client = client_for(personas.guide)
    form = client.get(url("visit_edit", visit.pk)).context["form"]
    data = {name: field.value() for name, field in ((n, form[n]) for n in form.fields) if field.value() is not None}
    data["findings"] = "补充情况"
    response = client.post(url("visit_edit", visit.pk), data)
    assert response.status_code == 302
    visit.refresh_from_db()
    assert visit.findings == "补充情况"
    assert sorted(visit.people.exclude(guide=guide).values_list("person_name", flat=True)) == [
        "科员1",
        "科员2",
        "科员3",
        "科员4",
    ]
