"""Import jobs: an uploaded workbook checked, then (on confirmation) applied, by Celery tasks.

Each step is claimed with a conditional update, as ExportJob's are, so a redelivered task does
nothing unless the worker that claimed the job died (claimed longer ago than a task may run); a
job whose workers keep dying is failed after IMPORT_JOB_MAX_ATTEMPTS claims with a reason. The
apply reads the file and checks every row again inside its transaction (what exists may have
changed since the check): the report then shows what was applied, or why nothing was.
"""

import datetime as dt
import io
import tempfile

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from chainparty.imports.models import ImportJob
from chainparty.uploads import MAX_XLSX_PARTS, MAX_XLSX_UNCOMPRESSED_BYTES, XLSX, check_upload, sanitize_filename

from .base import ImportContext, ImportKind
from .check import CheckResult, apply_workbook, check_workbook
from .marked import write_marked_copy
from .reader import WorkbookRefused, refuse_other_formats
from .registry import import_kinds

IMPORT_JOB_MAX_ATTEMPTS = 3
IMPORT_JOB_GRACE = dt.timedelta(minutes=5)
#: How long the one-time secrets of an apply wait for their one page view.
SECRETS_TTL = 15 * 60
State = ImportJob.State


def stale_after() -> dt.timedelta:
    return dt.timedelta(seconds=getattr(settings, "CELERY_TASK_TIME_LIMIT", None) or 300) + IMPORT_JOB_GRACE


def refuse_unreadable(upload) -> None:
    """The cheap checks, made on upload before anything is stored: an .xls, an encrypted workbook,
    anything that is not an xlsx, too big, a zip bomb (from the zip directory): ValidationError."""
    try:
        refuse_other_formats(upload)
    except WorkbookRefused as refusal:
        raise ValidationError(refusal.message, code="not_xlsx") from refusal
    check_upload(upload, allowed=(XLSX,), max_uncompressed_bytes=MAX_XLSX_UNCOMPRESSED_BYTES, max_parts=MAX_XLSX_PARTS)
    upload.seek(0)


def import_job_create(*, user, kind: ImportKind, region, upload, accept_fixes: bool = False) -> ImportJob:
    """Store the upload as a job for `user` to import `kind` into `region`, and queue its check."""
    from . import tasks

    if not kind.may_import(user, region):
        raise PermissionDenied(_("您无权向该区域导入%(kind)s。") % {"kind": kind.verbose_name})
    refuse_unreadable(upload)
    with transaction.atomic():
        job = ImportJob(
            kind=kind.identifier,
            kind_label=str(kind.verbose_name)[:50],
            region_ref=region.pk,
            region_name=str(region)[:50],
            region_path=getattr(region, "path", "") or "",
            user=user,
            filename=sanitize_filename(getattr(upload, "name", ""), XLSX),
            accept_fixes=accept_fixes,
        )
        upload.seek(0)
        job.file.save("upload.xlsx", File(upload), save=False)
        job.save()
        transaction.on_commit(lambda: tasks.import_job_check.delay(job.pk))
    return job


def _claim(job_id: int, *, waiting: Q, running_state: str):
    """Claim the job for this worker: the claim's time, or None when it is not (or no longer) to run."""
    now = timezone.now()
    stale = Q(state=running_state, claimed_at__lt=now - stale_after())
    claimable = ImportJob.objects.filter(waiting | stale, pk=job_id)
    claimed = claimable.filter(attempts__lt=IMPORT_JOB_MAX_ATTEMPTS).update(
        state=running_state, claimed_at=now, attempts=F("attempts") + 1, progress=5
    )
    if not claimed:
        claimable.filter(attempts__gte=IMPORT_JOB_MAX_ATTEMPTS).update(
            state=State.FAILED, error=_("处理进程多次中断，请重新上传或联系平台管理员。")
        )
    return now if claimed else None


def _set_progress(job_id: int, percent: int) -> None:
    """Progress goes to the cache as well: inside the apply's transaction the row's own update
    would not be seen by the page polling it until the end."""
    percent = max(0, min(99, percent))
    cache.set(f"import-job-progress:{job_id}", percent, 3600)
    if not transaction.get_connection().in_atomic_block:
        ImportJob.objects.filter(pk=job_id).update(progress=percent)


def progress_of(job: ImportJob) -> int:
    if job.state in (State.CHECKED, State.APPLIED, State.FAILED):
        return 100
    return max(job.progress, cache.get(f"import-job-progress:{job.pk}") or 0)


def _context(job: ImportJob, kind: ImportKind, user) -> ImportContext:
    region = kind.get_region(user, job.region_ref) if user is not None else None
    if region is None or not kind.may_import(user, region):
        raise PermissionDenied(
            _("上传人已无权向“%(region)s”导入%(kind)s。") % {"region": job.region_name, "kind": kind.verbose_name}
        )
    return ImportContext(user=user, region=region, accept_fixes=job.accept_fixes, filename=job.filename)


def _kind_of(job: ImportJob) -> ImportKind:
    kind_class = import_kinds.get(job.kind)
    if kind_class is None:
        raise PermissionDenied(_("导入类别“%(kind)s”已不存在。") % {"kind": job.kind_label or job.kind})
    return kind_class()


def _run_check(job: ImportJob, kind: ImportKind, ctx: ImportContext, *, low: int, high: int) -> CheckResult:
    def progress(number, estimate):
        if estimate:
            _set_progress(job.pk, low + (high - low) * min(number, estimate) // estimate)

    with job.file.open("rb") as stored:
        data = io.BytesIO(stored.read())
    data.name = job.filename
    result = check_workbook(data, kind=kind, ctx=ctx, progress=progress)
    result.filename = job.filename
    job._data = data  # for the marked copy
    return result


def _save_marked(job: ImportJob, result: CheckResult) -> None:
    with tempfile.TemporaryFile() as out:
        write_marked_copy(job._data, result, out)
        out.seek(0)
        job.marked_file.save("marked.xlsx", File(out), save=False)


def _fail(job_id: int, error: BaseException) -> None:
    if isinstance(error, PermissionDenied):
        reason = str(error) or _("无权导入。")
    else:
        reason = _("处理文件时出错（%(kind)s），请稍后重试或联系平台管理员。") % {"kind": type(error).__name__}
    ImportJob.objects.filter(pk=job_id).exclude(state=State.APPLIED).update(state=State.FAILED, error=reason[:500])


def import_job_check(job_id: int) -> bool:
    """Check the claimed job's file (nothing written but the job), keep the report and the marked copy."""
    if _claim(job_id, waiting=Q(state=State.UPLOADED), running_state=State.CHECKING) is None:
        return False
    job = ImportJob.objects.select_related("user").get(pk=job_id)
    try:
        kind = _kind_of(job)
        ctx = _context(job, kind, job.user)
        result = _run_check(job, kind, ctx, low=5, high=90)
        _save_marked(job, result)
    except PermissionDenied as error:
        _fail(job_id, error)
        return False
    except Exception as error:
        _fail(job_id, error)
        raise
    report = result.report()
    ImportJob.objects.filter(pk=job_id, state=State.CHECKING).update(
        state=State.CHECKED,
        progress=100,
        counts=report["counts"],
        report=report,
        marked_file=job.marked_file.name,
        checked_at=timezone.now(),
    )
    return True


def import_job_confirm(*, job: ImportJob, user) -> bool:
    """Queue the apply of a checked job without refused rows; False when it is not (or no longer) one."""
    from . import tasks

    kind = _kind_of(job)
    region = kind.get_region(user, job.region_ref)
    if region is None or not kind.may_import(user, region):
        raise PermissionDenied(_("您无权向该区域导入%(kind)s。") % {"kind": kind.verbose_name})
    confirmed = (
        ImportJob.objects.filter(pk=job.pk, state=State.CHECKED, report__refused=False)
        .exclude(file="")
        .update(state=State.APPLYING, confirmed_by=user, claimed_at=None, attempts=0, progress=0)
    )
    if confirmed:
        transaction.on_commit(lambda: tasks.import_job_apply.delay(job.pk))
    return bool(confirmed)


def import_job_apply(job_id: int) -> bool:
    """Apply the confirmed job: the file checked again and applied in one transaction, or nothing.

    The job's row is locked for this worker's claim at the start of that transaction, and its new
    state is written in it: a worker killed halfway leaves nothing applied and the job to be claimed
    again once its claim is stale, and a second worker that claimed it meanwhile (the first taken for
    dead) either finds the job applied or the first one's transaction undone, never both applied."""
    claimed_at = _claim(job_id, waiting=Q(state=State.APPLYING, claimed_at__isnull=True), running_state=State.APPLYING)
    if claimed_at is None:
        return False
    job = ImportJob.objects.select_related("confirmed_by").get(pk=job_id)
    try:
        kind = _kind_of(job)
        ctx = _context(job, kind, job.confirmed_by)
        with transaction.atomic():
            mine = ImportJob.objects.select_for_update().filter(pk=job_id, state=State.APPLYING, claimed_at=claimed_at)
            if not mine.exists():
                return False  # claimed again by another worker meanwhile
            result = _run_check(job, kind, ctx, low=5, high=50)
            applied = apply_workbook(
                result,
                ctx,
                audit_target=job,
                progress=lambda done, total: _set_progress(job_id, 50 + 45 * done // total),
            )
            report = result.report()
            _save_marked(job, result)
            now = timezone.now()
            if applied:
                mine.update(
                    state=State.APPLIED,
                    progress=100,
                    counts=report["counts"],
                    report=report,
                    marked_file=job.marked_file.name,
                    applied_at=now,
                )
            else:
                report["changed_since_check"] = True
                mine.update(
                    state=State.CHECKED,
                    progress=100,
                    counts=report["counts"],
                    report=report,
                    marked_file=job.marked_file.name,
                    checked_at=now,
                )
    except PermissionDenied as error:
        _fail(job_id, error)
        return False
    except Exception as error:
        _fail(job_id, error)
        raise
    if applied and ctx.secrets:
        cache.set(secrets_key(job_id, job.confirmed_by_id), list(ctx.secrets), SECRETS_TTL)
    return applied


#: A job waiting this long for a worker (the broker was down, the worker died) is queued again
#: when its page is polled; the claims keep a second delivery from running it twice.
REQUEUE_AFTER = dt.timedelta(minutes=2)


def requeue_if_stalled(job: ImportJob) -> bool:
    """Queue the job's task again when it has waited too long: an upload not yet checked, a
    confirmation not yet applied, or a claim older than a task may run."""
    from . import tasks

    now = timezone.now()
    stale_claim = job.claimed_at is not None and job.claimed_at < now - stale_after()
    if (job.state == State.UPLOADED and job.created_at < now - REQUEUE_AFTER) or (
        job.state == State.CHECKING and stale_claim
    ):
        tasks.import_job_check.delay(job.pk)
        return True
    if job.state == State.APPLYING and (
        (job.claimed_at is None and (job.checked_at or job.created_at) < now - REQUEUE_AFTER) or stale_claim
    ):
        tasks.import_job_apply.delay(job.pk)
        return True
    return False


def retention_days() -> int:
    return int(getattr(settings, "IMPORT_FILE_RETENTION_DAYS", 30))


def prune_import_files(*, now: dt.datetime | None = None) -> int:
    """Delete the workbooks (the upload and its marked copy) of jobs uploaded more than
    IMPORT_FILE_RETENTION_DAYS days ago; the job, its counts and its report stay. A running job is
    left for a later night. Each job is locked while its files go (a confirmation waits, then finds
    no file and is refused), and its fields are cleared in the same transaction: a run that dies
    halfway leaves the job to the next run. Idempotent: a job without files is not read again.
    Returns how many jobs lost their files."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=retention_days())
    finished = (State.CHECKED, State.APPLIED, State.FAILED)
    storage = ImportJob._meta.get_field("file").storage
    candidates = (
        ImportJob.objects.filter(created_at__lt=cutoff, state__in=finished)
        .exclude(file="", marked_file="")
        .values_list("pk", flat=True)
    )
    done = 0
    for pk in list(candidates):
        with transaction.atomic():
            job = (
                ImportJob.objects.select_for_update(skip_locked=True)
                .filter(pk=pk, state__in=finished)
                .only("pk", "file", "marked_file")
                .first()
            )
            if job is None:
                continue
            for stored in (job.file.name, job.marked_file.name):
                if stored:
                    storage.delete(stored)
            done += ImportJob.objects.filter(pk=pk).update(file="", marked_file="")
    return done


def secrets_key(job_id: int, user_id) -> str:
    return f"import-job-secrets:{job_id}:{user_id}"


def pop_secrets(job: ImportJob, user) -> list:
    """The apply's one-time secrets for who confirmed it, once (gone after this read)."""
    key = secrets_key(job.pk, user.pk)
    secrets = cache.get(key) or []
    cache.delete(key)
    return secrets


def has_secrets(job: ImportJob, user) -> bool:
    return cache.get(secrets_key(job.pk, user.pk)) is not None
