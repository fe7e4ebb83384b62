"""Issue 10 §2.9: files that are two things at once and Office zip bombs are refused with a Chinese
message, by the upload check, by the pages and before anything is stored; every attachment goes out
as a download with nosniff, and each download is in the audit log."""

import io
import struct
import zipfile
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from alliances.models import MeetingAttachment
from chainparty import uploads
from chainparty.models import AuditLog
from demands.models import Need, NeedAttachment
from demands.services import filing
from tests.demands.offers_support import make_policy


def _chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _png(*extra_chunks):
    """A real 1×1 PNG (signature, IHDR, IDAT, IEND with their CRCs), with `extra_chunks` after IHDR."""
    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + b"".join(extra_chunks)
        + _chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
        + _chunk(b"IEND", b"")
    )


PNG = _png()
JPG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x11" * 200 + b"\xff\xd9"
PDF = b"%PDF-1.7\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def _zip(parts, compression=zipfile.ZIP_DEFLATED):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return buffer.getvalue()


PAYLOAD = _zip({"index.html": "<script>alert(document.cookie)</script>"})
DOCX_PARTS = {"[Content_Types].xml": "<Types/>", "word/document.xml": "<w:document/>", "_rels/.rels": "<r/>"}
DOCX = _zip(DOCX_PARTS)
XLSX = _zip({"[Content_Types].xml": "<Types/>", "xl/workbook.xml": "<workbook/>"})


def _refusal(name, content):
    with pytest.raises(ValidationError) as error:
        uploads.check_upload(SimpleUploadedFile(name, content))
    return error.value


# -- the check ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "content"),
    [("照片.png", PNG), ("照片.jpg", JPG), ("通知.pdf", PDF), ("说明.docx", DOCX), ("表.xlsx", XLSX)],
)
def test_plain_files_pass(name, content):
    assert uploads.check_upload(SimpleUploadedFile(name, content)).size == len(content)


@pytest.mark.parametrize(
    "content",
    [
        PDF.replace(b"\n1 0 obj", b"\n<html><body><script>alert(1)</script></body></html>\n1 0 obj"),
        b"%PDF-1.4\n%<!DOCTYPE html>" + PDF[8:],
        PDF[:9] + b"<IFRAME src=x>" + PDF[9:],
        PDF[:9] + b"<svg onload=alert(1)>" + PDF[9:],
        PDF[:9] + b"/URI (javascript:alert(1))" + PDF[9:],
    ],
)
def test_a_pdf_that_is_also_a_page_is_refused(content):
    error = _refusal("通知.pdf", content)
    assert error.code == "polyglot_markup"
    assert "网页或脚本代码" in error.messages[0] and "通知.pdf" in error.messages[0]


def test_markup_in_an_image_header_is_refused():
    png = _png(_chunk(b"tEXt", b"Comment\x00<script>fetch('/api/')</script>"))
    assert _refusal("照片.png", png).code == "polyglot_markup"


@pytest.mark.parametrize(("name", "content"), [("照片.png", PNG), ("照片.jpg", JPG), ("通知.pdf", PDF)])
def test_a_file_with_a_zip_appended_is_refused(name, content):
    error = _refusal(name, content + PAYLOAD)
    assert error.code == "polyglot_zip" and "附带了压缩包" in error.messages[0]
    # With a zip comment after the directory too, and an empty archive.
    commented = io.BytesIO()
    with zipfile.ZipFile(commented, "w") as archive:
        archive.comment = b"x" * 300
        archive.writestr("a.txt", "a")
    assert _refusal(name, content + commented.getvalue()).code == "polyglot_zip"
    assert _refusal(name, content + _zip({})).code == "polyglot_zip"


def test_the_end_record_signature_alone_is_not_a_zip():
    """The four bytes occur by chance in image data; without a directory where they point, the file passes."""
    noise = PNG[:-12] + b"PK\x05\x06" + b"\x00" * 8 + struct.pack("<II", 40, 0) + b"\x00\x00" + PNG[-12:]
    assert uploads.check_upload(SimpleUploadedFile("照片.png", noise)).kind == uploads.PNG


def test_a_word_file_inflating_past_the_limit_is_refused_before_inflating(monkeypatch):
    bomb = _zip({**DOCX_PARTS, "word/media/blank.bin": b"\x00" * (120 * 1024 * 1024)})
    assert len(bomb) < uploads.MAX_UPLOAD_BYTES
    opened = []
    monkeypatch.setattr(zipfile.ZipFile, "open", lambda *args, **kwargs: opened.append(args) or 1 / 0)
    error = _refusal("说明.docx", bomb)
    assert error.code == "too_large_uncompressed"
    assert "Word 文件解压后达 120 MB" in error.messages[0] and "压缩炸弹" in error.messages[0]
    assert opened == []


def test_an_office_part_compressing_too_well_is_refused():
    error = _refusal("表.xlsx", _zip({"[Content_Types].xml": "<T/>", "xl/workbook.xml": "<w/>", "x": b"\0" * 2**23}))
    assert error.code == "compression_ratio" and "Excel 文件的压缩比异常" in error.messages[0]


def test_too_many_parts_in_a_word_file_are_refused():
    parts = {**DOCX_PARTS, **{f"word/media/{i}.png": b"x" for i in range(uploads.MAX_OFFICE_PARTS)}}
    assert _refusal("说明.docx", _zip(parts, zipfile.ZIP_STORED)).code == "too_many_parts"


# -- through the pages: refused with the message, nothing stored ----------------------------------------
def _post_need(client, world, attachment):
    return client.post(
        reverse("demands:need_create"),
        {
            "enterprise": world.lead.pk,
            "category": "labor",
            "urgency": "normal",
            "title": "缺少熟练缝纫工",
            "description": "旺季订单增加。",
            "people": "30",
            "contact_name": "李书记",
            "contact_phone": "13800000001",
            "attachments": [attachment],
        },
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("申请.pdf", PDF.replace(b"\n1 0 obj", b"\n<html><script>x()</script>\n1 0 obj"), "网页或脚本代码"),
        ("现场.png", PNG + PAYLOAD, "附带了压缩包"),
        ("说明.docx", _zip({**DOCX_PARTS, "word/media/x.bin": b"\x00" * (120 * 1024 * 1024)}), "解压后达"),
    ],
)
def test_a_need_with_such_a_file_is_not_filed(world, personas, client_for, name, content, message):
    response = _post_need(client_for(personas.enterprise_secretary), world, SimpleUploadedFile(name, content))
    assert response.status_code == 400 and message in response.content.decode()
    assert not Need.objects.exists() and not NeedAttachment.objects.exists()


@pytest.mark.django_db
def test_a_meeting_photo_with_a_zip_appended_is_not_stored(world, personas, client_for):
    from tests.alliances.test_meetings_views import LONG_AGO, schedule

    meeting = schedule(world, personas, starts_at=LONG_AGO, title="上月党委会议")
    photo = io.BytesIO(PNG + PAYLOAD)
    photo.name = "合影.png"
    response = client_for(personas.secretary).post(
        reverse("alliances:meeting_attach", args=[meeting.pk]), {"kind": "photo", "files": [photo]}
    )
    assert response.status_code == 400 and "附带了压缩包" in response.content.decode()
    assert not MeetingAttachment.objects.exists()


# -- downloads ------------------------------------------------------------------------------------------
def _downloads():
    return list(AuditLog.objects.filter(action=AuditLog.Action.DOWNLOAD))


def _assert_served_as_download(response, name):
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    [record] = _downloads()
    assert record.data["object"] == name
    return record


@pytest.mark.django_db
def test_a_need_attachment_is_a_recorded_download(world, personas, client_for):
    need = filing.need_file(
        actor=personas.enterprise_secretary,
        enterprise=world.lead,
        category=Need.Category.LABOR,
        title="缺少熟练缝纫工",
        description="旺季订单增加。",
        urgency=Need.Urgency.NORMAL,
        contact_name="李书记",
        contact_phone="13800000001",
        attachments=[SimpleUploadedFile("现场.png", PNG)],
    )
    url = need.attachments.get().get_absolute_url()
    assert client_for(personas.other_enterprise_secretary).get(url).status_code == 404
    assert _downloads() == []  # a refused download is not one
    record = _assert_served_as_download(client_for(personas.secretary).get(url), "现场.png")
    assert record.actor == personas.secretary and record.region_path == need.region.path
    assert record.target == need.attachments.get()


@pytest.mark.django_db
def test_a_meeting_photo_is_a_recorded_download_not_shown_inline(world, personas, client_for):
    from tests.alliances.test_meetings_views import LONG_AGO, schedule

    meeting = schedule(world, personas, starts_at=LONG_AGO, title="上月党委会议")
    photo = io.BytesIO(PNG)
    photo.name = "合影.png"
    client_for(personas.secretary).post(
        reverse("alliances:meeting_attach", args=[meeting.pk]), {"kind": "photo", "files": [photo]}
    )
    attachment = MeetingAttachment.objects.get()
    url = reverse("alliances:meeting_attachment", args=[meeting.pk, attachment.pk])
    assert client_for(personas.outsider).get(url).status_code == 404
    record = _assert_served_as_download(client_for(personas.enterprise_secretary).get(url), "合影.png")
    assert record.region_path == world.county.path and record.actor == personas.enterprise_secretary


@pytest.mark.django_db
def test_a_policy_file_is_a_recorded_download_not_shown_inline(world, personas, client_for):
    policy = make_policy(
        personas.handler,
        world.department,
        title="休闲服饰贷",
        attachment=SimpleUploadedFile("贷.pdf", PDF),
        publish=True,
    )
    url = reverse("demands:policy_attachment", args=[policy.pk])
    assert client_for(personas.outsider).get(url).status_code == 404
    record = _assert_served_as_download(client_for(personas.enterprise_secretary).get(url), policy.attachment_name)
    assert record.target == policy and record.region_path == world.department.region.path
