"""Celery tasks of alliances: small, idempotent, each calling a service."""

from celery import shared_task

from chainparty.tasks import record_heartbeat
from chainparty.workdays import local_today

from .meetings import schedules


@shared_task(acks_late=True)
def generate_meeting_occurrences():
    """Daily: create every schedule's occurrences up to the horizon (idempotent: an occurrence is
    unique per schedule and date, and each schedule is generated under its row's lock)."""
    record_heartbeat("alliances.tasks.generate_meeting_occurrences")
    return schedules.occurrences_generate(today=local_today())


@shared_task(acks_late=True)
def export_minutes_job(job_id):
    """Write one background minutes workbook (claimed once: a redelivered task does nothing unless
    the worker that claimed it died), then notify its viewers when beat asked for it. The scope is
    built inside the job's failure handling: a seat given up or a region deleted since fails the
    job with a reason instead of leaving it "生成中"."""
    from chainparty.exporters import export_job_claim, export_job_write
    from chainparty.models import ExportJob

    from . import exporters

    if not export_job_claim(job_id):
        return False
    job = ExportJob.objects.get(pk=job_id)
    export_job_write(job, lambda: exporters.minutes_sheets(exporters.minutes_scope_from_params(job.params)))
    if job.params.get("notify"):
        exporters.job_written_notify(job)
    return True


@shared_task(acks_late=True)
def export_monthly_minutes():
    """Daily: on the first working day of a month, the previous month's workbook for each
    organisation department, written by `export_minutes_job`."""
    from django.db import transaction

    from . import exporters

    record_heartbeat("alliances.tasks.export_monthly_minutes")
    jobs = exporters.monthly_jobs_create(today=local_today())
    for job in jobs:
        transaction.on_commit(lambda pk=job.pk: export_minutes_job.delay(pk))
    return len(jobs)
