"""The year's need-number counter is locked for the number and the inserts only (issue 7 defect
2.5): attachments are written to storage before it (and before a need's row, for later uploads),
so filings do not queue behind the slowest upload; a filing that fails leaves no file behind.
The order is checked on any database; the lock held by another connection on PostgreSQL
(skipped with a reason elsewhere, run in CI)."""

import threading

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction

from chainparty.errors import StateError
from demands.models import Need, NeedAttachment, NeedCounter, NeedEvent
from demands.services import filing, workflow
from tests.conftest import need_service
from tests.demands.conftest import at

PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\n"


def _pdf(name="岗位需求表.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


@pytest.fixture
def media(settings, tmp_path):
    """Uploads land in a directory of this test's own, so what is left in it can be counted."""
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _stored_files(media):
    return sorted(path.relative_to(media).as_posix() for path in media.rglob("*") if path.is_file())


def _record_steps(monkeypatch, steps, locks):
    """Note in `steps` when a file is written and when the given service steps take their lock."""
    original_save = FileSystemStorage.save

    def save(self, name, content, max_length=None):
        stored = original_save(self, name, content, max_length=max_length)
        steps.append("file written")
        return stored

    monkeypatch.setattr(FileSystemStorage, "save", save)
    for name, label in locks.items():
        original = getattr(filing, name)

        def locking(*args, _original=original, _label=label, **kwargs):
            steps.append(_label)
            return _original(*args, **kwargs)

        monkeypatch.setattr(filing, name, locking)


# -- the order, on any database ------------------------------------------------------------------
@pytest.mark.django_db
def test_files_are_written_before_the_counter_row_is_locked(world, personas, file_need, media, monkeypatch):
    steps = []
    _record_steps(monkeypatch, steps, {"_next_number": "counter locked"})
    need = file_need(attachments=[_pdf("岗位需求表.pdf"), _pdf("工资标准.pdf")])
    assert steps == ["file written", "file written", "counter locked"]
    assert [a.name for a in need.attachments.all()] == ["岗位需求表.pdf", "工资标准.pdf"]
    assert all(a.file.storage.exists(a.file.name) for a in need.attachments.all())


@pytest.mark.django_db
def test_later_files_are_written_before_the_need_row_is_locked(world, personas, file_need, media, monkeypatch):
    need = file_need()
    steps = []
    _record_steps(monkeypatch, steps, {"_lock": "need locked"})
    stored = filing.need_attach(need=need, actor=personas.enterprise_secretary, files=[_pdf()])
    assert steps == ["file written", "need locked"]
    assert [a.pk for a in stored] == list(need.attachments.values_list("pk", flat=True))
    assert stored[0].file.storage.exists(stored[0].file.name)


# -- nothing left behind ----------------------------------------------------------------------
@pytest.mark.django_db
def test_resubmitted_files_are_written_before_the_need_row_is_locked(world, personas, file_need, media, monkeypatch):
    need = workflow.need_return(need=file_need(), actor=personas.secretary, reason="请补充岗位工种")
    steps = []
    _record_steps(monkeypatch, steps, {})
    original_begin = workflow._begin

    def begin(**kwargs):
        steps.append("need locked")
        return original_begin(**kwargs)

    monkeypatch.setattr(workflow, "_begin", begin)
    need = workflow.need_resubmit(
        need=need, actor=personas.enterprise_secretary, supplement="已补充", files=[_pdf("补充材料.pdf")]
    )
    assert steps == ["file written", "need locked"]
    assert [a.name for a in need.attachments.all()] == ["补充材料.pdf"]


@pytest.mark.django_db
def test_a_refused_resubmission_writes_no_file(world, personas, file_need, media, monkeypatch):
    need = workflow.need_return(need=file_need(), actor=personas.secretary, reason="请补充岗位工种")
    steps = []
    _record_steps(monkeypatch, steps, {})
    with pytest.raises(PermissionDenied):
        workflow.need_resubmit(need=need, actor=personas.handler, supplement="不是我的需求", files=[_pdf()])
    resubmitted = workflow.need_resubmit(need=need, actor=personas.enterprise_secretary, supplement="已补充")
    with pytest.raises(StateError):  # no longer returned: refused before writing too
        workflow.need_resubmit(
            need=resubmitted, actor=personas.enterprise_secretary, supplement="再补充", files=[_pdf()]
        )
    assert steps == [] and _stored_files(media) == []
    assert not NeedAttachment.objects.exists()


@pytest.mark.django_db
def test_a_filing_that_fails_after_its_files_were_written_leaves_none_behind(
    world, personas, file_need, media, monkeypatch
):
    def notification_fails(*args, **kwargs):
        raise RuntimeError("notification store unavailable")

    monkeypatch.setattr(filing, "_tell", notification_fails)  # the last step under the counter lock
    with pytest.raises(RuntimeError):
        file_need(attachments=[_pdf("岗位需求表.pdf"), _pdf("工资标准.pdf")])
    assert _stored_files(media) == []
    assert not Need.objects.exists() and not NeedAttachment.objects.exists()


@pytest.mark.django_db
def test_an_upload_refused_under_the_lock_leaves_no_file_behind(world, personas, file_need, media):
    """The page loaded the need while it was open; it was closed before the upload took the lock."""
    need = file_need()
    seen = Need.objects.get(pk=need.pk)
    Need.objects.filter(pk=need.pk).update(state=Need.State.CLOSED)
    with pytest.raises(StateError):
        filing.need_attach(need=seen, actor=personas.enterprise_secretary, files=[_pdf()])
    assert _stored_files(media) == []
    assert not NeedAttachment.objects.exists()
    assert not NeedEvent.objects.filter(need=need, action=NeedEvent.Action.ATTACH).exists()


@pytest.mark.django_db
def test_a_refused_upload_writes_nothing(world, personas, file_need, media):
    need = workflow.need_accept(need=file_need(), actor=personas.secretary)
    with pytest.raises(PermissionDenied):
        filing.need_attach(need=need, actor=personas.handler, files=[_pdf()])
    assert _stored_files(media) == []


# -- the lock held by another connection, on PostgreSQL -------------------------------------------
@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_filing_writes_its_file_while_another_filing_holds_the_counter(
    world, personas, file_need, media, monkeypatch
):
    """Another connection holds the year's counter row until this filing's file is written. Before
    the fix the filing waited for the lock before writing anything, so it hit its lock_timeout
    (3 s) while the holder waited for the file (10 s): deterministic, no sleeps."""
    if connection.vendor != "postgresql":
        need_service("PostgreSQL (DATABASE_URL) for a row lock held by another connection")
    NeedCounter.objects.create(year=2026, last_number=41)
    counter_locked, file_written, holder_done = threading.Event(), threading.Event(), threading.Event()
    holder_errors, written_while_locked = [], []

    def hold_the_counter():
        try:
            with transaction.atomic():
                NeedCounter.objects.select_for_update().get(year=2026)
                counter_locked.set()
                file_written.wait(timeout=10)
        except Exception as error:  # asserted below
            holder_errors.append(error)
        finally:
            holder_done.set()
            connection.close()

    original_save = FileSystemStorage.save

    def save(self, name, content, max_length=None):
        stored = original_save(self, name, content, max_length=max_length)
        written_while_locked.append(counter_locked.is_set() and not holder_done.is_set())
        file_written.set()
        return stored

    monkeypatch.setattr(FileSystemStorage, "save", save)
    holder = threading.Thread(target=hold_the_counter)
    with time_machine.travel(at(2026, 6, 1), tick=True):
        holder.start()
        assert counter_locked.wait(timeout=10), holder_errors
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '3s'")
        try:
            need = file_need(attachments=[_pdf()])
        finally:
            with connection.cursor() as cursor:
                cursor.execute("RESET lock_timeout")
            file_written.set()
            holder.join(timeout=15)
    assert holder_errors == []
    assert written_while_locked == [True], "the file was written while another filing held the counter"
    assert need.number == "XQ-2026-000042"
    attachment = need.attachments.get()
    assert attachment.file.storage.exists(attachment.file.name)
    assert _stored_files(media) == [attachment.file.name]
