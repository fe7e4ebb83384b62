"""The import jobs' races: a worker killed halfway through an apply, a claim taken over, the apply's
writes and the job's new state in one transaction."""

import datetime as dt

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from alliances.models import Enterprise
from chainparty.imports import jobs
from chainparty.imports.models import ImportJob
from chainparty.models import AuditLog

from .import_helpers import credit_code, xlsx

pytestmark = pytest.mark.django_db

GOOD = [
    [credit_code(1), "甲纺织有限公司", "纺织服装", "规上", "汶上经济开发区", 120],
    [credit_code(2), "乙服饰有限公司", "纺织服装", "规下", "", 30],
]


class Killed(BaseException):
    """The worker process going away (not an Exception: nothing in the job catches it)."""


def _confirmed_job(world, personas):
    job = ImportJob.objects.create(
        kind="enterprises",
        region_ref=world.county.pk,
        region_path=world.county.path,
        user=personas.org_staff,
        filename="企业台账.xlsx",
        file=ContentFile(xlsx(GOOD).read(), name="a.xlsx"),
    )
    assert jobs.import_job_check(job.pk) is True
    job.refresh_from_db()
    ImportJob.objects.filter(pk=job.pk).update(
        state=ImportJob.State.APPLYING, confirmed_by=personas.org_staff, claimed_at=None, attempts=0
    )
    return job


def test_a_worker_killed_after_the_rows_leaves_nothing_and_the_next_claim_applies_once(world, personas, monkeypatch):
    job = _confirmed_job(world, personas)
    real_save_marked = jobs._save_marked

    def killed(*args, **kwargs):
        raise Killed

    monkeypatch.setattr(jobs, "_save_marked", killed)
    with pytest.raises(Killed):
        jobs.import_job_apply(job.pk)
    # Nothing of the file is kept, and the job is still the claimed apply (not marked applied).
    assert not Enterprise.objects.filter(credit_code__in=[credit_code(1), credit_code(2)]).exists()
    assert not AuditLog.objects.filter(action=AuditLog.Action.IMPORT).exists()
    job.refresh_from_db()
    assert job.state == ImportJob.State.APPLYING and job.attempts == 1
    # Redelivered before the claim is stale: nothing; after: applied once.
    monkeypatch.setattr(jobs, "_save_marked", real_save_marked)
    assert jobs.import_job_apply(job.pk) is False
    ImportJob.objects.filter(pk=job.pk).update(claimed_at=timezone.now() - jobs.stale_after() - dt.timedelta(seconds=1))
    assert jobs.import_job_apply(job.pk) is True
    job.refresh_from_db()
    assert job.state == ImportJob.State.APPLIED and job.counts["new"] == 2
    assert Enterprise.objects.filter(credit_code__in=[credit_code(1), credit_code(2)]).count() == 2
    assert AuditLog.objects.filter(action=AuditLog.Action.IMPORT).count() == 1


def test_a_worker_whose_claim_was_taken_over_applies_nothing(world, personas, monkeypatch):
    """Worker A claims, stalls past the stale limit; B claims and applies; A then must not apply."""
    job = _confirmed_job(world, personas)
    real_claim = jobs._claim
    first_claim = {}

    def claim_then_lose_it(job_id, **kwargs):
        claimed_at = real_claim(job_id, **kwargs)
        first_claim["at"] = claimed_at
        # While A is slow, its claim goes stale and B claims the job again.
        ImportJob.objects.filter(pk=job_id).update(claimed_at=claimed_at - jobs.stale_after() - dt.timedelta(seconds=1))
        assert real_claim(job_id, **kwargs) is not None
        return claimed_at

    monkeypatch.setattr(jobs, "_claim", claim_then_lose_it)
    assert jobs.import_job_apply(job.pk) is False  # A: the job is B's now
    assert not Enterprise.objects.filter(credit_code__in=[credit_code(1), credit_code(2)]).exists()
    job.refresh_from_db()
    assert job.state == ImportJob.State.APPLYING and job.attempts == 2


def test_a_confirm_while_the_check_runs_is_refused(world, personas, client_for):
    job = ImportJob.objects.create(
        kind="enterprises",
        region_ref=world.county.pk,
        region_path=world.county.path,
        user=personas.org_staff,
        filename="企业台账.xlsx",
        file=ContentFile(xlsx(GOOD).read(), name="a.xlsx"),
    )
    ImportJob.objects.filter(pk=job.pk).update(
        state=ImportJob.State.CHECKING, claimed_at=timezone.now(), report={"refused": False}
    )
    client = client_for(personas.org_staff)
    assert client.post(reverse("imports:job_confirm", args=[job.pk])).status_code == 409
    job.refresh_from_db()
    assert job.state == ImportJob.State.CHECKING and job.confirmed_by is None
    assert not Enterprise.objects.filter(credit_code=credit_code(1)).exists()
