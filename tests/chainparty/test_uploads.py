"""Attachment checks: by content (magic bytes, Office zip parts), never by name; sizes; names."""

import io
import zipfile

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from chainparty import uploads


def _zip(parts):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in parts:
            archive.writestr(name, "<x/>")
    return buffer.getvalue()


def _xlsx():
    buffer = io.BytesIO()
    workbook = openpyxl.Workbook()
    workbook.active["A1"] = "岗位"
    workbook.save(buffer)
    return buffer.getvalue()


DOCX = _zip(["[Content_Types].xml", "word/document.xml", "_rels/.rels"])
PDF = b"%PDF-1.4\n..."
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16
JPG = b"\xff\xd8\xff\xe0" + b"\x00" * 16


@pytest.mark.parametrize(
    ("name", "content", "kind", "stored"),
    [
        ("申请书.pdf", PDF, "pdf", "申请书.pdf"),
        ("现场.PNG", PNG, "png", "现场.png"),
        ("现场.jpeg", JPG, "jpg", "现场.jpg"),
        ("情况说明.docx", DOCX, "docx", "情况说明.docx"),
        ("用工计划.xlsx", _xlsx(), "xlsx", "用工计划.xlsx"),
        ("没有扩展名", PDF, "pdf", "没有扩展名.pdf"),
        ("报价单.v2", PDF, "pdf", "报价单.pdf"),
    ],
)
def test_accepted_files(name, content, kind, stored):
    checked = uploads.check_upload(SimpleUploadedFile(name, content))
    assert (checked.kind.key, checked.name, checked.size) == (kind, stored, len(content))


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("照片.pdf", PNG, "mismatch"),  # declared PDF, is a PNG: what users download must be what it says
        ("表格.docx", _xlsx(), "mismatch"),
        ("旧版.doc", PDF, "mismatch"),
        ("程序.pdf", b"MZ\x90\x00" + b"\x00" * 60, "bad_type"),
        ("压缩包.docx", _zip(["readme.txt"]), "bad_type"),  # a zip, but not a Word document
        ("文本.txt", b"hello", "bad_type"),
        ("宏.docx", _zip(["[Content_Types].xml", "word/document.xml", "word/vbaProject.bin"]), "macro"),
        ("空.pdf", b"", "empty"),
    ],
)
def test_refused_files(name, content, code):
    with pytest.raises(ValidationError) as error:
        uploads.check_upload(SimpleUploadedFile(name, content))
    assert error.value.code == code
    assert "“" in error.value.messages[0] or "宏" in error.value.messages[0]


def test_size_limit():
    big = SimpleUploadedFile("大.pdf", PDF + b"0" * uploads.MAX_UPLOAD_BYTES)
    with pytest.raises(ValidationError) as error:
        uploads.check_upload(big)
    assert error.value.code == "too_large" and "20 MB" in error.value.messages[0]
    exactly = SimpleUploadedFile("刚好.pdf", PDF + b"0" * (uploads.MAX_UPLOAD_BYTES - len(PDF)))
    assert uploads.check_upload(exactly).size == uploads.MAX_UPLOAD_BYTES


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("C:\\Users\\李\\申请书.pdf", "申请书.pdf"),
        ('a<b>:"c"|?*.pdf', "a_b_c.pdf"),
        ("..隐藏.pdf", "隐藏.pdf"),
        ("换行\n名字\t.pdf", "换行_名字.pdf"),
        ("...", "附件.pdf"),
        ("长" * 200 + ".pdf", "长" * 80 + ".pdf"),
        ("ＡＢＣ全角.pdf", "ABC全角.pdf"),
    ],
)
def test_names_are_sanitised(name, expected):
    assert uploads.sanitize_filename(name, uploads.PDF) == expected


def test_pdf_only_check_for_policies():
    uploads.check_upload(SimpleUploadedFile("政策.pdf", PDF), allowed=(uploads.PDF,))
    with pytest.raises(ValidationError):
        uploads.check_upload(SimpleUploadedFile("政策.docx", DOCX), allowed=(uploads.PDF,))


def test_reading_does_not_move_the_file_position():
    upload = SimpleUploadedFile("a.docx", DOCX)
    upload.seek(3)
    uploads.check_upload(upload)
    assert upload.tell() == 3
