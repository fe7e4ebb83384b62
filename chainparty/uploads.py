"""Attachment checks shared by every app (needs, policies; meetings and visits next).

A file is accepted by what it *is* (its first bytes, and for Office files the parts inside the
zip), never by what it is called: at most 20 MB; PDF, JPEG, PNG, Word (.docx) or Excel (.xlsx).
A file whose name claims another type than its content is refused, so what users download is
what they were told. The stored name is always sanitised and carries the detected extension.

`open_xlsx` reads an uploaded workbook for imports, refusing zip bombs and XML entity tricks.
"""

import re
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass

import openpyxl
import openpyxl.xml
from defusedxml import DefusedXmlException
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.utils.translation import gettext as _

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


def check_upload(file, *, allowed=ALL_KINDS, max_bytes=MAX_UPLOAD_BYTES) -> CheckedUpload:
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


def _check_directory(infos, *, max_uncompressed_bytes, max_parts):
    """Decide from the zip's central directory alone, before anything is inflated."""
    if len(infos) > max_parts:
        _refuse(
            _("Excel 文件包含 %(count)d 个部件，超过上限 %(limit)d 个，不予读取。")
            % {"count": len(infos), "limit": max_parts},
            "too_many_parts",
        )
    total = sum(info.file_size for info in infos)
    if total > max_uncompressed_bytes:
        _refuse(
            _("Excel 文件解压后达 %(size)d MB，超过上限 %(limit)d MB，不予读取。")
            % {"size": total // (1024 * 1024), "limit": max_uncompressed_bytes // (1024 * 1024)},
            "too_large_uncompressed",
        )
    if any(_inflates_suspiciously(info) for info in infos):
        _refuse(_("Excel 文件的压缩比异常（疑似压缩炸弹），不予读取。"), "compression_ratio")


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
    check_upload(file, allowed=(XLSX,))
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
