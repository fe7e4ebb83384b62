"""Who sees which import job: a job's report and marked copy hold every row of its file."""

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from chainparty.imports.models import ImportJob

from .import_helpers import xlsx

pytestmark = pytest.mark.django_db


def _job(world, user, *, kind="memberships", region=None):
    region = region or world.county
    return ImportJob.objects.create(
        kind=kind,
        kind_label="联盟成员",
        region_ref=region.pk,
        region_path=region.path,
        region_name=str(region),
        user=user,
        filename=f"{kind}-{user.username}.xlsx",
        state=ImportJob.State.CHECKED,
        report={"counts": {}, "refused": False, "messages": []},
        file=ContentFile(xlsx([]).read(), name="a.xlsx"),
        marked_file=ContentFile(xlsx([]).read(), name="m.xlsx"),
    )


def test_an_alliance_secretary_sees_their_own_membership_jobs_only(world, personas, client_for):
    county_file = _job(world, personas.org_staff)
    own = _job(world, personas.secretary)
    secretary = client_for(personas.secretary)
    for name in ("imports:job", "imports:job_marked", "imports:job_status"):
        assert secretary.get(reverse(name, args=[county_file.pk])).status_code == 404, name
    assert secretary.post(reverse("imports:job_confirm", args=[county_file.pk])).status_code == 404
    listing = secretary.get(reverse("imports:job_list")).content.decode()
    assert own.filename in listing and county_file.filename not in listing
    assert secretary.get(reverse("imports:job", args=[own.pk])).status_code == 200
    assert secretary.get(reverse("imports:job_marked", args=[own.pk])).status_code == 200
    # Organisation staff of the county see the secretary's job as well as their own.
    staff = client_for(personas.org_staff)
    assert staff.get(reverse("imports:job", args=[own.pk])).status_code == 200
    assert staff.get(reverse("imports:job_marked", args=[county_file.pk])).status_code == 200


def test_another_regions_job_and_its_file_are_404(world, personas, client_for):
    elsewhere = _job(world, personas.org_staff, kind="enterprises", region=world.other_county)
    ImportJob.objects.filter(pk=elsewhere.pk).update(user=None)
    staff = client_for(personas.org_staff)
    for name in ("imports:job", "imports:job_marked", "imports:job_status", "imports:job_secrets"):
        assert staff.get(reverse(name, args=[elsewhere.pk])).status_code == 404, name
    assert staff.post(reverse("imports:job_confirm", args=[elsewhere.pk])).status_code == 404
    for persona in ("leader", "enterprise_secretary", "handler", "guide", "outsider"):
        client = client_for(getattr(personas, persona))
        mine = _job(world, personas.org_staff, kind="enterprises")
        assert client.get(reverse("imports:job_marked", args=[mine.pk])).status_code in (403, 404), persona
