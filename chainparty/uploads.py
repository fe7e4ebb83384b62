"""Attachment checks shared by every app (needs, policies; meetings and visits next).

A file is accepted by what it *is* (its first bytes, and for Office files the parts inside the
zip), never by what it is called: at most 20 MB; PDF, JPEG, PNG, Word (.docx) or Excel (.xlsx).
A file whose name claims another type than its content is refused, so what users download is
what they were told. The stored name is always sanitised and carries the detected extension.

A file that is two things at once is refused too (issue 10 §2.9): one carrying HTML or script in
its first bytes (where a browser sniffing the content would take it for a page), and a PDF or an
image with a zip archive appended (a polyglot that an archiver opens as something else). A Word or
Excel file whose parts would inflate past a limit, or inflate suspiciously well, is refused from
its zip directory, before anything is inflated. Downloads go out through `attachment_response`:
always `Content-Disposition: attachment`, always `X-Content-Type-Options: nosniff`, and recorded
in the audit log.

`open_xlsx` reads an uploaded workbook for imports, refusing zip bombs and XML entity tricks.
"""

import re
import struct
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass

import openpyxl
import openpyxl.xml
from defusedxml import DefusedXmlException
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.http import FileResponse
from django.utils.translation import gettext as _

from . import audit

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
MAX_NAME_LENGTH = 80


@dataclass(frozen=True)
class FileKind:
    key: str
    extension: str
    content_type: str
    label: str
    #: Extensions a user may give this kind of file (lower case, without the dot).
    aliases: tuple[str, ...]


PDF = FileKind("pdf", "pdf", "application/pdf", "PDF", ("pdf",))
JPEG = FileKind("jpg", "jpg", "image/jpeg", "JPG", ("jpg", "jpeg"))
PNG = FileKind("png", "png", "image/png", "PNG", ("png",))
DOCX = FileKind(
    "docx", "docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "Word", ("docx",)
)
XLSX = FileKind("xlsx", "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "Excel", ("xlsx",))

ALL_KINDS = (PDF, JPEG, PNG, DOCX, XLSX)
_KNOWN_EXTENSIONS = {alias: kind for kind in ALL_KINDS for alias in kind.aliases}
# Extensions that would make a name lie about its content, even when we do not accept them.
_OTHER_EXTENSIONS = {"doc", "xls", "ppt", "pptx", "gif", "bmp", "tif", "tiff", "zip", "rar", "7z", "exe", "txt"}


@dataclass(frozen=True)
class CheckedUpload:
    kind: FileKind
    name: str
    size: int


def _read_head(file, length=8):
    position = file.tell() if hasattr(file, "tell") else 0
    file.seek(0)
    head = file.read(length)
    file.seek(position)
    return head


def _office_kind(file):
    """A .docx or .xlsx is a zip holding word/ or xl/ parts; only the directory is read (no inflating)."""
    position = file.tell()
    try:
        file.seek(0)
        with zipfile.ZipFile(file) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    finally:
        file.seek(position)
    if "[Content_Types].xml" not in names:
        return None
    if any(name.lower().endswith("vbaproject.bin") for name in names):
        raise ValidationError(_("不接受含宏的文档，请另存为不含宏的 .docx 或 .xlsx 后再上传。"), code="macro")
    if "word/document.xml" in names:
        return DOCX
    if "xl/workbook.xml" in names:
        return XLSX
    return None


def detect_kind(file) -> FileKind | None:
    """The file's type from its content, or None when it is none of the accepted ones."""
    head = _read_head(file)
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"PK\x03\x04"):
        return _office_kind(file)
    return None


_UNSAFE = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]+')
_SPACES = re.compile(r"\s+")


def sanitize_filename(name: str, kind: FileKind) -> str:
    """A name safe to show and to send in Content-Disposition: no path, no control or reserved
    characters, no leading dots, at most 80 characters, ending in the detected extension."""
    name = unicodedata.normalize("NFKC", name or "")
    name = re.split(r"[\\/]", name)[-1]
    stem = name.rsplit(".", 1)[0] if "." in name else name
    stem = _SPACES.sub(" ", _UNSAFE.sub("_", stem)).strip(" ._")
    stem = stem[:MAX_NAME_LENGTH].rstrip(" ._") or _("附件")
    return f"{stem}.{kind.extension}"


def _declared_extension(name: str) -> str:
    base = re.split(r"[\\/]", name or "")[-1]
    return base.rsplit(".", 1)[-1].lower() if "." in base else ""


# -- files that are two things at once -----------------------------------------------------------------
#: How far a browser sniffing a response looks for markup (WHATWG MIME sniffing reads 1445 bytes).
SNIFF_BYTES = 2048
# Tags that make a browser (or a sniffer) take bytes for a page, and script URLs. Only markers of four
# characters or more: a shorter one (`<a `) turns up by chance in one image in a thousand.
_MARKUP = re.compile(
    rb"<\s*(?:!doctype\s+html|html|head|body|script|iframe|frame|object|embed|svg|img|meta|link|style|form)\b"
    rb"|javascript:",
    re.IGNORECASE,
)
_END_OF_CENTRAL_DIRECTORY = b"PK\x05\x06"
_CENTRAL_DIRECTORY_ENTRY = b"PK\x01\x02"
_END_RECORD_SIZE = 22
#: An end-of-central-directory record sits in the last 22 bytes plus a comment of at most 65535.
_ZIP_TAIL_BYTES = _END_RECORD_SIZE + 0xFFFF


def _read_range(file, start, length):
    position = file.tell()
    try:
        file.seek(start)
        return file.read(length)
    finally:
        file.seek(position)


def _carries_markup(file) -> bool:
    return _MARKUP.search(_read_range(file, 0, SNIFF_BYTES)) is not None


def _carries_zip(file, size) -> bool:
    """A zip's end record near the end of the file, whose central directory (what an archiver reads)
    is where the record says: the record's 4 bytes alone could occur by chance in image data, a
    record pointing at a real directory entry does not."""
    start = max(0, size - _ZIP_TAIL_BYTES)
    tail = _read_range(file, start, size - start)
    at = tail.rfind(_END_OF_CENTRAL_DIRECTORY)
    while at >= 0:
        record = tail[at : at + _END_RECORD_SIZE]
        if len(record) == _END_RECORD_SIZE:
            directory_size = struct.unpack("<I", record[12:16])[0]
            entry_at = start + at - directory_size
            if directory_size == 0 or (entry_at >= 0 and _read_range(file, entry_at, 4) == _CENTRAL_DIRECTORY_ENTRY):
                return True
        at = tail.rfind(_END_OF_CENTRAL_DIRECTORY, 0, at)
    return False


def _refuse_polyglot(file, kind, size, shown):
    if _carries_markup(file):
        raise ValidationError(
            _("“%(name)s”的开头含有网页或脚本代码，疑似伪装的文件，不能上传。请上传原始的 %(kind)s 文件。")
            % {"name": shown, "kind": kind.label},
            code="polyglot_markup",
        )
    if kind in (PDF, PNG, JPEG) and _carries_zip(file, size):
        raise ValidationError(
            _("“%(name)s”在 %(kind)s 内容之后附带了压缩包，疑似伪装的文件，不能上传。请上传原始文件。")
            % {"name": shown, "kind": kind.label},
            code="polyglot_zip",
        )


# -- Office files: what they would inflate to ------------------------------------------------------------
#: Limits for Word and Excel attachments; imports (open_xlsx) pass their own.
MAX_OFFICE_UNCOMPRESSED_BYTES = 100 * 1024 * 1024
MAX_OFFICE_PARTS = 1000


def _check_office_directory(file, kind, *, max_uncompressed_bytes, max_parts):
    position = file.tell()
    try:
        file.seek(0)
        with zipfile.ZipFile(file) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise ValidationError(
            _("%(kind)s 文件已损坏或格式不正确，无法读取。") % {"kind": kind.label}, code="corrupt"
        ) from error
    finally:
        file.seek(position)
    _check_directory(infos, max_uncompressed_bytes=max_uncompressed_bytes, max_parts=max_parts, label=kind.label)


def check_upload(
    file,
    *,
    allowed=ALL_KINDS,
    max_bytes=MAX_UPLOAD_BYTES,
    max_uncompressed_bytes=MAX_OFFICE_UNCOMPRESSED_BYTES,
    max_parts=MAX_OFFICE_PARTS,
) -> CheckedUpload:
    """Validate one uploaded file; raises ValidationError with a Chinese message naming the file."""
    original = getattr(file, "name", "") or ""
    shown = re.split(r"[\\/]", original)[-1][:60] or _("附件")
    size = getattr(file, "size", None)
    if size is None:
        file.seek(0, 2)
        size = file.tell()
        file.seek(0)
    if size == 0:
        raise ValidationError(_("“%(name)s”是空文件。") % {"name": shown}, code="empty")
    if size > max_bytes:
        raise ValidationError(
            _("“%(name)s”超过 %(limit)d MB，不能上传。") % {"name": shown, "limit": max_bytes // (1024 * 1024)},
            code="too_large",
        )
    kind = detect_kind(file)
    allowed_labels = "、".join(k.label for k in allowed)
    if kind is None or kind not in allowed:
        raise ValidationError(
            _("“%(name)s”的文件内容不是可接受的类型（仅限 %(types)s）。") % {"name": shown, "types": allowed_labels},
            code="bad_type",
        )
    declared = _declared_extension(original)
    if (declared in _KNOWN_EXTENSIONS or declared in _OTHER_EXTENSIONS) and declared not in kind.aliases:
        raise ValidationError(
            _("“%(name)s”的扩展名与文件内容不符（内容为 %(kind)s），请确认后重新上传。")
            % {"name": shown, "kind": kind.label},
            code="mismatch",
        )
    _refuse_polyglot(file, kind, size, shown)
    if kind in (DOCX, XLSX):
        _check_office_directory(file, kind, max_uncompressed_bytes=max_uncompressed_bytes, max_parts=max_parts)
    return CheckedUpload(kind=kind, name=sanitize_filename(original, kind), size=size)


# -- reading xlsx uploads (imports) ---------------------------------------------------------------------
MAX_XLSX_UNCOMPRESSED_BYTES = 100 * 1024 * 1024
MAX_XLSX_PARTS = 500
#: Deflate reaches ~1000:1 on a run of one byte; sheets of real data stay far below 100:1.
MAX_COMPRESSION_RATIO = 100
#: Small parts may compress as well as they like: the total cap already bounds them.
_RATIO_CHECKED_FROM_BYTES = 1024 * 1024
_CHUNK = 64 * 1024
# An xlsx never carries a DTD; one is how entity-expansion and external-entity attacks start.
_DTD_MARKERS = (b"<!DOCTYPE", b"<!ENTITY")


def _refuse(message, code):
    raise ValidationError(message, code=code)


def _inflates_suspiciously(info):
    return info.file_size >= _RATIO_CHECKED_FROM_BYTES and info.file_size > MAX_COMPRESSION_RATIO * max(
        info.compress_size, 1
    )


def _check_directory(infos, *, max_uncompressed_bytes, max_parts, label="Excel"):
    """Decide from the zip's central directory alone, before anything is inflated."""
    if len(infos) > max_parts:
        _refuse(
            _("%(kind)s 文件包含 %(count)d 个部件，超过上限 %(limit)d 个，不予读取。")
            % {"kind": label, "count": len(infos), "limit": max_parts},
            "too_many_parts",
        )
    total = sum(info.file_size for info in infos)
    if total > max_uncompressed_bytes:
        _refuse(
            _("%(kind)s 文件解压后达 %(size)d MB，超过上限 %(limit)d MB（疑似压缩炸弹），不予读取。")
            % {"kind": label, "size": total // (1024 * 1024), "limit": max_uncompressed_bytes // (1024 * 1024)},
            "too_large_uncompressed",
        )
    if any(_inflates_suspiciously(info) for info in infos):
        _refuse(_("%(kind)s 文件的压缩比异常（疑似压缩炸弹），不予读取。") % {"kind": label}, "compression_ratio")


def _entities_refused():
    return ValidationError(_("Excel 文件含有 XML 实体声明（可能是恶意构造的文件），不予读取。"), code="xml_entities")


def _refuse_dtds(archive, infos):
    """Inflate every part once, in chunks, looking for a DTD. The directory's sizes are already
    capped and Python's zipfile stops at the declared size (and checks the CRC), so a part that
    lies about its size cannot inflate past the cap here either."""
    overlap = max(len(marker) for marker in _DTD_MARKERS) - 1
    for info in infos:
        tail = b""
        with archive.open(info) as part:
            while chunk := part.read(_CHUNK):
                window = tail + chunk
                if any(marker in window for marker in _DTD_MARKERS):
                    raise _entities_refused()
                tail = window[-overlap:]


def _require_defusedxml():
    if not openpyxl.xml.DEFUSEDXML:
        raise ImproperlyConfigured("openpyxl must parse with defusedxml: install it, unset OPENPYXL_DEFUSEDXML")


def open_xlsx(file, *, max_uncompressed_bytes=MAX_XLSX_UNCOMPRESSED_BYTES, max_parts=MAX_XLSX_PARTS):
    """An uploaded .xlsx opened for reading (openpyxl, read-only, values not formulas), or a Chinese
    ValidationError: not an Excel file (the upload checks), too many parts, too big once inflated,
    a suspicious compression ratio, or XML carrying entity declarations. Sizes and counts are read
    from the central directory, so a zip bomb is refused before it is expanded; openpyxl then
    parses with defusedxml as a second line. The caller closes the workbook (`workbook.close()`)."""
    _require_defusedxml()
    check_upload(file, allowed=(XLSX,), max_uncompressed_bytes=max_uncompressed_bytes, max_parts=max_parts)
    file.seek(0)
    try:
        with zipfile.ZipFile(file) as archive:
            infos = archive.infolist()
            _check_directory(infos, max_uncompressed_bytes=max_uncompressed_bytes, max_parts=max_parts)
            _refuse_dtds(archive, infos)
        file.seek(0)
        return openpyxl.load_workbook(file, read_only=True, data_only=True, keep_links=False)
    except (zipfile.BadZipFile, zlib.error, EOFError, KeyError, ValueError, TypeError) as error:
        # openpyxl wraps defusedxml's refusal (itself a ValueError) in a ValueError of its own.
        if isinstance(error, DefusedXmlException) or isinstance(error.__cause__, DefusedXmlException):
            raise _entities_refused() from error
        raise ValidationError(_("Excel 文件已损坏或格式不正确，无法读取。"), code="corrupt") from error


# -- serving ---------------------------------------------------------------------------------------------
def attachment_response(file, *, filename: str, content_type: str, target, region=None) -> FileResponse:
    """The one way an uploaded file leaves the portal: as a download (`Content-Disposition:
    attachment`, never shown inline where a crafted file could run as a page), with
    `X-Content-Type-Options: nosniff` whatever the settings, and one DOWNLOAD record in the audit
    log naming the file (`target`: the attachment, or the object holding it; `region` as for
    `audit.record`). The caller has checked access."""
    audit.record(
        action=audit.Action.DOWNLOAD,
        target=target,
        region=region,
        data={"object": filename, "content_type": content_type},
    )
    response = FileResponse(file, as_attachment=True, filename=filename, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response


def preview_response(file, *, filename: str, content_type: str) -> FileResponse:
    """A preview the portal made itself from an upload (a photo's thumbnail, re-encoded by Pillow,
    never the uploaded bytes), sent as `attachment_response` sends files but without an audit
    record: a page shows a dozen of them at each visit, and the audit log records what a person
    took away (the photo's own download), not what a page displayed. Cached privately for a day."""
    response = FileResponse(file, as_attachment=True, filename=filename, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=86400"
    return response
