"""Attachment checks shared by every app (needs, policies; meetings and visits next).

A file is accepted by what it *is* (its first bytes, and for Office files the parts inside the
zip), never by what it is called: at most 20 MB; PDF, JPEG, PNG, Word (.docx) or Excel (.xlsx).
A file whose name claims another type than its content is refused, so what users download is
what they were told. The stored name is always sanitised and carries the detected extension.
"""

import re
import unicodedata
import zipfile
from dataclasses import dataclass

from django.core.exceptions import ValidationError
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
