"""数据导入 pages and jobs: upload, background check, report, confirm, marked copy, 导入记录, for
the personas who may import and those who may not; the Celery tasks' claims."""

import pytest
from django.urls import reverse
from openpyxl import load_workbook

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


def upload(client, world, rows=GOOD, *, capture, **extra):
    with capture(execute=True):
        return client.post(
            reverse("imports:index"),
            {"kind": "enterprises", "region": world.county.pk, "file": xlsx(rows), **extra},
        )


def test_staff_uploads_reads_the_report_confirms_and_reimports(
    world, personas, client_for, django_capture_on_commit_callbacks
):
    client = client_for(personas.org_staff)
    page = client.get(reverse("imports:index"))
    assert page.status_code == 200 and "企业" in page.content.decode()
    assert 'id="nav-imports"' in page.content.decode()
    response = upload(client, world, capture=django_capture_on_commit_callbacks)
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("imports:job", args=[job.pk])
    assert job.state == ImportJob.State.CHECKED and job.counts["new"] == 2 and job.filename == "企业台账.xlsx"
    page = client.get(reverse("imports:job", args=[job.pk])).content.decode()
    assert 'id="import-confirm"' in page and 'id="import-counts"' in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("imports:job_confirm", args=[job.pk]))
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.state == ImportJob.State.APPLIED and job.confirmed_by == personas.org_staff
    assert Enterprise.objects.filter(credit_code__in=[credit_code(1), credit_code(2)]).count() == 2
    record = AuditLog.objects.get(action=AuditLog.Action.IMPORT)
    assert record.data["object"] == "企业台账.xlsx" and record.data["counts"]["new"] == 2
    assert record.region_path == world.county.path
    # A second confirm does nothing (the job is applied): 409, nothing twice.
    assert client.post(reverse("imports:job_confirm", args=[job.pk])).status_code == 409
    # The same file again: all unchanged.
    upload(client, world, capture=django_capture_on_commit_callbacks)
    again = ImportJob.objects.exclude(pk=job.pk).get()
    assert again.counts["unchanged"] == 2 and again.counts["new"] == 0
    listing = client.get(reverse("imports:job_list")).content.decode()
    assert listing.count("企业台账.xlsx") == 2


def test_a_refused_file_cannot_be_confirmed_and_its_marked_copy_downloads(
    world, personas, client_for, django_capture_on_commit_callbacks
):
    client = client_for(personas.org_staff)
    rows = [*GOOD, [credit_code(3)[:17] + "0", "丙公司", "纺织服装", "规模以上", "", 1]]
    if rows[2][0] == credit_code(3):
        rows[2][0] = credit_code(3)[:17] + "1"
    upload(client, world, rows, capture=django_capture_on_commit_callbacks)
    job = ImportJob.objects.get()
    assert job.counts["refused"] == 1 and job.report["refused"] is True
    page = client.get(reverse("imports:job", args=[job.pk])).content.decode()
    assert 'id="import-confirm"' not in page and "第18位应为" in page and "table-cards" in page
    assert client.post(reverse("imports:job_confirm", args=[job.pk])).status_code == 409
    assert not Enterprise.objects.filter(credit_code=credit_code(1)).exists()
    response = client.get(reverse("imports:job_marked", args=[job.pk]))
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
    workbook = load_workbook(__import__("io").BytesIO(b"".join(response.streaming_content)))
    assert workbook.sheetnames[0] == "检查结果"
    assert "第18位应为" in workbook["企业"]["A4"].comment.text


def test_an_xls_is_refused_on_the_upload_form(world, personas, client_for):
    import io

    client = client_for(personas.org_staff)
    file = io.BytesIO(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 2000)
    file.name = "台账.xls"
    response = client.post(reverse("imports:index"), {"kind": "enterprises", "region": world.county.pk, "file": file})
    assert response.status_code == 400 and "另存为" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_staff_cannot_import_into_another_county(world, personas, client_for):
    client = client_for(personas.org_staff)
    response = client.post(
        reverse("imports:index"), {"kind": "enterprises", "region": world.other_county.pk, "file": xlsx(GOOD)}
    )
    assert response.status_code == 400 and not ImportJob.objects.exists()


@pytest.mark.parametrize("persona", ["leader", "enterprise_secretary", "handler", "guide", "outsider"])
def test_refused_personas(world, personas, client_for, persona, django_capture_on_commit_callbacks):
    staff = client_for(personas.org_staff)
    upload(staff, world, capture=django_capture_on_commit_callbacks)
    job = ImportJob.objects.get()
    client = client_for(getattr(personas, persona))
    assert client.get(reverse("imports:index")).status_code == 403
    assert client.get(reverse("imports:template", args=["enterprises"])).status_code == 404
    for name in ("job", "job_status", "job_marked", "job_secrets"):
        assert client.get(reverse(f"imports:{name}", args=[job.pk])).status_code == 404
    assert client.post(reverse("imports:job_confirm", args=[job.pk])).status_code == 404
    assert "企业台账.xlsx" not in client.get(reverse("imports:job_list")).content.decode()
    job.refresh_from_db()
    assert job.state == ImportJob.State.CHECKED


def test_the_template_downloads(world, personas, client_for):
    import io

    response = client_for(personas.org_staff).get(reverse("imports:template", args=["enterprises"]))
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert sheet["A2"].value == "*统一社会信用代码"
    assert client_for(personas.org_staff).get(reverse("imports:template", args=["nothing"])).status_code == 404


def test_the_status_partial_polls_while_running_and_reloads_when_done(world, personas, client_for):
    from django.core.files.base import ContentFile

    job = ImportJob.objects.create(
        kind="enterprises",
        region_ref=world.county.pk,
        region_path=world.county.path,
        user=personas.org_staff,
        filename="a.xlsx",
        file=ContentFile(b"x", name="a.xlsx"),
        state=ImportJob.State.CHECKING,
        progress=40,
    )
    client = client_for(personas.org_staff)
    page = client.get(reverse("imports:job_status", args=[job.pk]))
    assert 'hx-trigger="every 2s"' in page.content.decode() and 'data-progress="40"' in page.content.decode()
    assert "HX-Refresh" not in page
    ImportJob.objects.filter(pk=job.pk).update(state=ImportJob.State.CHECKED)
    assert client.get(reverse("imports:job_status", args=[job.pk]))["HX-Refresh"] == "true"


def test_the_tasks_claim_once(world, personas, django_capture_on_commit_callbacks):
    from django.core.files.base import ContentFile

    job = ImportJob.objects.create(
        kind="enterprises",
        region_ref=world.county.pk,
        region_path=world.county.path,
        user=personas.org_staff,
        filename="企业台账.xlsx",
        file=ContentFile(xlsx(GOOD).read(), name="a.xlsx"),
    )
    from chainparty.imports import tasks

    assert tasks.import_job_check.delay(job.pk).get() is True
    assert tasks.import_job_check.delay(job.pk).get() is False  # redelivered: already checked
    job.refresh_from_db()
    assert job.state == ImportJob.State.CHECKED and job.attempts == 1
    with django_capture_on_commit_callbacks(execute=False):
        assert jobs.import_job_confirm(job=job, user=personas.org_staff) is True
    assert tasks.import_job_apply.delay(job.pk).get() is True
    assert tasks.import_job_apply.delay(job.pk).get() is False
    assert Enterprise.objects.filter(credit_code=credit_code(1)).count() == 1
    assert AuditLog.objects.filter(action=AuditLog.Action.IMPORT).count() == 1


def test_an_uploader_who_lost_access_fails_the_job_with_a_reason(world, personas):
    from django.core.files.base import ContentFile

    job = ImportJob.objects.create(
        kind="enterprises",
        region_ref=world.county.pk,
        region_path=world.county.path,
        user=personas.leader,
        filename="企业台账.xlsx",
        file=ContentFile(xlsx(GOOD).read(), name="a.xlsx"),
    )
    assert jobs.import_job_check(job.pk) is False
    job.refresh_from_db()
    assert job.state == ImportJob.State.FAILED and "无权" in job.error


def test_a_job_no_worker_took_is_queued_again_when_its_page_polls(world, personas, client_for):
    import datetime as dt

    from django.core.files.base import ContentFile
    from django.utils import timezone

    job = ImportJob.objects.create(
        kind="enterprises",
        region_ref=world.county.pk,
        region_path=world.county.path,
        user=personas.org_staff,
        filename="企业台账.xlsx",
        file=ContentFile(xlsx(GOOD).read(), name="a.xlsx"),
    )
    client = client_for(personas.org_staff)
    client.get(reverse("imports:job_status", args=[job.pk]))
    job.refresh_from_db()
    assert job.state == ImportJob.State.UPLOADED  # just uploaded: the queued task is still on its way
    ImportJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - dt.timedelta(minutes=3))
    response = client.get(reverse("imports:job_status", args=[job.pk]))
    job.refresh_from_db()
    assert job.state == ImportJob.State.CHECKED and response["HX-Refresh"] == "true"


def test_one_time_secrets_are_shown_once_to_who_confirmed(
    world, personas, client_for, django_capture_on_commit_callbacks, monkeypatch
):
    from alliances.imports.enterprises import EnterpriseImport

    original = EnterpriseImport.finish_apply

    def finish_apply(self, ctx):
        original(self, ctx)
        ctx.secrets.append((3, "甲纺织 张三（zhangsan）", "Temp-Pass-123"))

    monkeypatch.setattr(EnterpriseImport, "finish_apply", finish_apply)
    client = client_for(personas.org_staff)
    upload(client, world, capture=django_capture_on_commit_callbacks)
    job = ImportJob.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("imports:job_confirm", args=[job.pk]))
    job.refresh_from_db()
    assert "Temp-Pass-123" not in str(job.report) and "Temp-Pass-123" not in str(
        list(AuditLog.objects.values_list("data", flat=True))
    )
    assert 'id="import-secrets"' in client.get(reverse("imports:job", args=[job.pk])).content.decode()
    page = client.get(reverse("imports:job_secrets", args=[job.pk]))
    assert "Temp-Pass-123" in page.content.decode() and page["Cache-Control"] == "no-store"
    assert "Temp-Pass-123" not in client.get(reverse("imports:job_secrets", args=[job.pk])).content.decode()
    assert 'id="import-secrets"' not in client.get(reverse("imports:job", args=[job.pk])).content.decode()
