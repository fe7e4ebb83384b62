"""Thumbnails of visit photos, made server-side with Pillow: a small JPEG the visit page shows in
place of the full photo (served through the same access-checked download as the photo).

A photo Pillow cannot read (or a decompression bomb) gets no thumbnail; the page then links the
photo by name, as it did before thumbnails."""

import io
import logging

from django.core.files.base import ContentFile

logger = logging.getLogger(__name__)

SIZE = (360, 360)
QUALITY = 80
CONTENT_TYPE = "image/jpeg"


def make_thumbnail(file) -> ContentFile | None:
    """A JPEG no larger than SIZE, turned upright as the camera's EXIF says, or None."""
    try:
        from PIL import Image, ImageOps
    except ImportError:  # pragma: no cover - Pillow is a dependency (pyproject.toml)
        return None
    try:
        file.seek(0)
        with Image.open(file) as image:
            image.draft("RGB", SIZE)  # JPEG: decode at a reduced scale, much faster for camera photos
            image = ImageOps.exif_transpose(image)
            image.thumbnail(SIZE)
            out = io.BytesIO()
            image.convert("RGB").save(out, "JPEG", quality=QUALITY, optimize=True)
    except Exception:  # any unreadable image just has no thumbnail
        logger.warning("no thumbnail for an unreadable photo", exc_info=True)
        return None
    finally:
        file.seek(0)
    return ContentFile(out.getvalue(), name="thumbnail.jpg")


def ensure_thumbnail(photo) -> bool:
    """Give `photo` (a VisitPhoto) its thumbnail if it has none yet (photos saved before
    thumbnails existed). True when it has one afterwards."""
    if photo.thumbnail:
        return True
    with photo.file.open("rb") as source:
        thumbnail = make_thumbnail(source)
    if thumbnail is None:
        return False
    photo.thumbnail.save(thumbnail.name, thumbnail, save=False)
    type(photo).objects.filter(pk=photo.pk, thumbnail="").update(thumbnail=photo.thumbnail.name)
    return True
