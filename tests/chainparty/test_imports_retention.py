"""Uploaded workbooks are not kept forever: after IMPORT_FILE_RETENTION_DAYS a nightly beat task
deletes a job's upload and marked copy; the job, its counts and its report stay."""

import datetime as dt

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from chainparty.imports import jobs, tasks
from chainparty.imports.models import ImportJob
from chainparty.models import TaskHeartbeat

from .import_helpers import xlsx

pytestmark = pytest.mark.django_db

COUNTS = {"new": 2, "changed": 0, "unchanged": 0, "refused": 0, "total": 2}


def _job(world, user, *, state, days_old, marked=True):
    job = ImportJob.objects.create(
        kind="enterprises",
        kind_label="企业",
        region_ref=world.county.pk,
        region_path=world.county.path,
        user=user,
        filename="企业台账.xlsx",
        state=state,
        counts=COUNTS,
        report={"counts": COUNTS, "refused": False, "messages": []},
        file=ContentFile(xlsx([]).read(), name="a.xlsx"),
        marked_file=ContentFile(b"marked", name="m.xlsx") if marked else "",
    )
    ImportJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - dt.timedelta(days=days_old))
    job.refresh_from_db()
    return job


def _exists(job_field_name):
    return ImportJob._meta.get_field("file").storage.exists(job_field_name)


def test_old_files_are_deleted_the_jobs_and_reports_stay(world, personas):
    days = settings.IMPORT_FILE_RETENTION_DAYS
    assert days == 30
    old = _job(world, personas.org_staff, state=ImportJob.State.APPLIED, days_old=days + 1)
    old_failed = _job(world, personas.org_staff, state=ImportJob.State.FAILED, days_old=days + 5, marked=False)
    recent = _job(world, personas.org_staff, state=ImportJob.State.APPLIED, days_old=days - 1)
    running = _job(world, personas.org_staff, state=ImportJob.State.APPLYING, days_old=days + 1)
    names = {job.pk: (job.file.name, job.marked_file.name) for job in (old, old_failed, recent, running)}

    assert tasks.prune_import_files.delay().get() == 2
    for job in (old, old_failed):
        job.refresh_from_db()
        assert not job.file and not job.marked_file
        assert job.counts == COUNTS and job.report["counts"] == COUNTS and job.state != ImportJob.State.UPLOADED
        assert not any(name and _exists(name) for name in names[job.pk])
    for job in (recent, running):
        job.refresh_from_db()
        assert job.file.name == names[job.pk][0] and _exists(job.file.name) and _exists(job.marked_file.name)
    # Idempotent: nothing left to delete; the heartbeat counts both runs.
    assert tasks.prune_import_files.delay().get() == 0
    assert TaskHeartbeat.objects.get(name="chainparty.imports.tasks.prune_import_files").runs == 2


def test_a_checked_job_whose_file_is_gone_cannot_be_confirmed(world, personas, client_for):
    job = _job(
        world, personas.org_staff, state=ImportJob.State.CHECKED, days_old=settings.IMPORT_FILE_RETENTION_DAYS + 1
    )
    client = client_for(personas.org_staff)
    assert 'id="import-confirm"' in client.get(reverse("imports:job", args=[job.pk])).content.decode()
    assert jobs.prune_import_files() == 1
    job.refresh_from_db()
    assert job.state == ImportJob.State.CHECKED and not job.may_confirm
    page = client.get(reverse("imports:job", args=[job.pk])).content.decode()
    assert 'id="import-confirm"' not in page and 'id="import-file-removed"' in page and 'id="import-counts"' in page
    assert client.post(reverse("imports:job_confirm", args=[job.pk])).status_code == 409
    job.refresh_from_db()
    assert job.state == ImportJob.State.CHECKED
    assert client.get(reverse("imports:job_marked", args=[job.pk])).status_code == 404


def test_the_prune_runs_nightly_from_beat():
    entry = settings.CELERY_BEAT_SCHEDULE["import-file-retention"]
    assert entry["task"] == "chainparty.imports.tasks.prune_import_files" == tasks.prune_import_files.name
    assert entry["schedule"].hour == {3}
