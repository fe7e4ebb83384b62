"""Celery tasks of the imports (listed in CELERY_IMPORTS): they take a job id and claim the job."""

from celery import shared_task

from . import jobs


@shared_task(acks_late=True)
def import_job_check(job_id):
    """Check an uploaded workbook in the background; a redelivered task finds it claimed."""
    return jobs.import_job_check(job_id)


@shared_task(acks_late=True)
def import_job_apply(job_id):
    """Apply a confirmed workbook in one transaction (checked again inside it)."""
    return jobs.import_job_apply(job_id)


@shared_task(acks_late=True)
def prune_import_files():
    """Nightly: delete uploaded workbooks past IMPORT_FILE_RETENTION_DAYS (jobs and reports stay)."""
    from chainparty.tasks import record_heartbeat

    record_heartbeat("chainparty.imports.tasks.prune_import_files")
    return jobs.prune_import_files()
