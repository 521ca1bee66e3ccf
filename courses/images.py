"""Validation of images trainers upload for lessons.

An upload is trusted for nothing: its size is bounded, its format is read
from its content (JPEG, PNG, WebP or GIF; never the extension or the browser's
content type), its pixel count is checked from the header before any decoding
(a tiny file can declare a gigantic image: a "decompression bomb"), and the
stored file is a re-encoding of the decoded pixels, so metadata (EXIF with GPS
position, comments, ICC text) and any payload appended to the file are gone.
"""

from __future__ import annotations

import io
import uuid
import warnings
from typing import IO

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_IMAGE_BYTES = 5 * 1024 * 1024
MAX_IMAGE_PIXELS = 25_000_000
ALLOWED_FORMATS: dict[str, str] = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif"}
# The only names validate_and_clean_image gives, and the type each is served with.
CONTENT_TYPES = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp", "gif": "image/gif"}


def _open_header(data: bytes) -> Image.Image:
    """Open (header only) an image of an allowed format, or raise ValidationError."""
    with warnings.catch_warnings():
        # Pillow warns above its own pixel limit and raises above twice that:
        # both mean "refuse", never "log and decode anyway".
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            return Image.open(io.BytesIO(data), formats=list(ALLOWED_FORMATS))
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
            raise _too_many_pixels_error() from error
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
            raise ValidationError(
                _("Ce fichier n'est pas une image JPEG, PNG, WebP ou GIF valide."), code="invalid_image"
            ) from error


def _too_many_pixels_error() -> ValidationError:
    return ValidationError(
        _("Image trop grande : %(limit)s millions de pixels au maximum."),
        code="too_many_pixels",
        params={"limit": MAX_IMAGE_PIXELS // 1_000_000},
    )


def _read_limited(uploaded_file: IO[bytes]) -> bytes:
    too_big = ValidationError(
        _("Fichier trop lourd : %(limit)s au maximum."),
        code="file_too_large",
        params={"limit": filesizeformat(MAX_IMAGE_BYTES)},
    )
    size = getattr(uploaded_file, "size", None)
    if size is not None and size > MAX_IMAGE_BYTES:
        raise too_big
    uploaded_file.seek(0)
    data = uploaded_file.read(MAX_IMAGE_BYTES + 1)
    if len(data) > MAX_IMAGE_BYTES:
        raise too_big
    if not data:
        raise ValidationError(_("Le fichier est vide."), code="empty")
    return data


def _decode(data: bytes) -> tuple[Image.Image, str]:
    image = _open_header(data)
    image_format = image.format or ""
    width, height = image.size
    if width * height > MAX_IMAGE_PIXELS:
        raise _too_many_pixels_error()
    try:
        image.load()
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as error:
        raise ValidationError(_("L'image est endommagée ou incomplète."), code="corrupt_image") from error
    return image, image_format


def _reencode(image: Image.Image, image_format: str) -> bytes:
    """Save the decoded pixels alone: no EXIF, XMP, ICC, text chunks or trailing bytes."""
    # Apply the EXIF orientation before dropping EXIF so photos stay upright.
    clean = ImageOps.exif_transpose(image)
    clean = clean.copy()
    clean.info = {}
    if image_format == "JPEG" and clean.mode not in ("RGB", "L"):
        clean = clean.convert("RGB")
    if image_format == "WEBP" and clean.mode not in ("RGB", "RGBA"):
        clean = clean.convert("RGBA" if "A" in clean.mode or clean.mode == "P" else "RGB")
    options: dict[str, object] = {}
    if image_format == "JPEG":
        options = {"quality": 88, "optimize": True}
    elif image_format == "WEBP":
        options = {"quality": 88}
    elif image_format == "PNG":
        options = {"optimize": True}
    out = io.BytesIO()
    clean.save(out, format=image_format, **options)
    return out.getvalue()


def validate_and_clean_image(uploaded_file: IO[bytes]) -> tuple[ContentFile, int, int, str]:
    """Check an uploaded image and return a clean copy to store.

    Returns ``(file, width, height, format)`` where ``file`` is a ContentFile
    with a fresh random name and ``format`` is Pillow's name ("JPEG", "PNG"…).
    Raises ValidationError (French message) for anything that is not a sound,
    reasonably sized JPEG, PNG, WebP or GIF. Animated images keep their first frame.
    """
    data = _read_limited(uploaded_file)
    image, image_format = _decode(data)
    try:
        cleaned = _reencode(image, image_format)
        width, height = ImageOps.exif_transpose(image).size
    except (OSError, ValueError) as error:
        raise ValidationError(_("L'image n'a pas pu être traitée."), code="reencode_failed") from error
    finally:
        image.close()
    name = f"{uuid.uuid4().hex}.{ALLOWED_FORMATS[image_format]}"
    return ContentFile(cleaned, name=name), width, height, image_format


def served_content_type(stored_name: str) -> str | None:
    """The type a stored lesson image is served with, or None when no check named it (never served)."""
    return CONTENT_TYPES.get(stored_name.rsplit(".", 1)[-1].lower()) if "." in stored_name else None
