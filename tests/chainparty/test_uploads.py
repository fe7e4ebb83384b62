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


# -- open_xlsx: the reader imports will use ------------------------------------------------------------
def _rewrite(xlsx, replace):
    """The same workbook with some parts rewritten (name -> new bytes) or added."""
    source = zipfile.ZipFile(io.BytesIO(xlsx))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            archive.writestr(info.filename, replace.pop(info.filename, source.read(info.filename)))
        for name, content in replace.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def _upload(content, name="导入.xlsx"):
    return SimpleUploadedFile(name, content)


def _refusal(content, **limits):
    with pytest.raises(ValidationError) as error:
        uploads.open_xlsx(_upload(content), **limits)
    return error.value


BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{i} "{("&lol%s;" % (i - 1 or "")) * 10}">' for i in range(1, 10))
    + "]>"
)


def test_a_good_workbook_is_read():
    workbook = uploads.open_xlsx(_upload(_xlsx()))
    try:
        assert [row for row in workbook.active.iter_rows(values_only=True)] == [("岗位",)]
    finally:
        workbook.close()


def test_a_zip_bomb_is_refused_from_its_directory_before_inflating(monkeypatch):
    bomb = _rewrite(_xlsx(), {"xl/worksheets/sheet2.xml": b"\x00" * (120 * 1024 * 1024)})
    assert len(bomb) < uploads.MAX_UPLOAD_BYTES  # it passes the upload size check...
    opened = []
    monkeypatch.setattr(zipfile.ZipFile, "open", lambda *args, **kwargs: opened.append(args) or 1 / 0)
    error = _refusal(bomb)
    assert error.code == "too_large_uncompressed" and "解压后" in error.messages[0]
    assert opened == []  # ...and nothing was inflated to find out


def test_a_part_that_compresses_too_well_is_refused():
    error = _refusal(_rewrite(_xlsx(), {"xl/media/blank.bin": b"\x00" * (8 * 1024 * 1024)}))
    assert error.code == "compression_ratio" and "压缩炸弹" in error.messages[0]


def test_too_many_parts_are_refused():
    parts = {f"xl/media/image{i}.png": b"x" for i in range(3000)}
    error = _refusal(_rewrite(_xlsx(), parts))
    assert error.code == "too_many_parts" and "3" in error.messages[0] and "500" in error.messages[0]
    assert _refusal(_rewrite(_xlsx(), {f"a{i}": b"" for i in range(10)}), max_parts=12).code == "too_many_parts"


ENTITY_PARTS = [
    ("xl/worksheets/sheet1.xml", "岗位"),  # a cell's text
    ("xl/workbook.xml", 'name="Sheet"'),  # the sheet's name
    ("docProps/core.xml", "openpyxl"),  # the author
]


def _with_entities(part, text):
    """The workbook with a "billion laughs" DTD in one part and its last entity used there."""
    xlsx = _xlsx()
    xml = zipfile.ZipFile(io.BytesIO(xlsx)).read(part).decode()
    xml = xml.split("?>", 1)[1] if xml.startswith("<?xml") else xml
    replacement = 'name="&lol9;"' if text.startswith("name=") else "&lol9;"
    assert text in xml
    return _rewrite(xlsx, {part: (BILLION_LAUGHS + xml.replace(text, replacement)).encode()})


@pytest.mark.parametrize(("part", "text"), ENTITY_PARTS)
def test_entity_expansion_is_refused_not_expanded(part, text):
    error = _refusal(_with_entities(part, text))
    assert error.code == "xml_entities" and "实体" in error.messages[0]


def test_defusedxml_is_the_second_line(monkeypatch):
    """Even if the DTD scan missed one, openpyxl parses with defusedxml and the reader says so in Chinese."""
    monkeypatch.setattr(uploads, "_refuse_dtds", lambda archive, infos: None)
    error = _refusal(_with_entities(*ENTITY_PARTS[1]))
    assert error.code == "xml_entities" and "实体" in error.messages[0]


def test_the_reader_insists_on_defusedxml(monkeypatch):
    import openpyxl.xml
    from django.core.exceptions import ImproperlyConfigured

    monkeypatch.setattr(openpyxl.xml, "DEFUSEDXML", False)
    with pytest.raises(ImproperlyConfigured):
        uploads.open_xlsx(_upload(_xlsx()))


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("导入.xlsx", DOCX, "bad_type"),
        ("导入.xlsx", PDF, "bad_type"),
        ("导入.xlsx", _zip(["readme.txt"]), "bad_type"),
        ("导入.xlsx", _zip(["[Content_Types].xml", "xl/workbook.xml", "xl/vbaProject.bin"]), "macro"),
    ],
)
def test_the_reader_takes_only_excel(name, content, code):
    with pytest.raises(ValidationError) as error:
        uploads.open_xlsx(_upload(content, name))
    assert error.value.code == code


def test_a_part_lying_about_its_size_is_refused_as_corrupt():
    xlsx = _xlsx()
    # Shrink sheet1's declared size in the central directory: zipfile stops there and the CRC fails.
    directory = xlsx.rindex(b"PK\x01\x02", 0, xlsx.index(b"xl/worksheets/sheet1.xml", xlsx.index(b"PK\x01\x02")))
    patched = bytearray(xlsx)
    patched[directory + 24 : directory + 28] = (10).to_bytes(4, "little")
    error = _refusal(bytes(patched))
    assert error.code == "corrupt" and "损坏" in error.messages[0]
