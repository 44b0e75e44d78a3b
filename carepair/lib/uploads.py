"""Checks for uploaded photos: the right type, the right size, and really an image."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}


def validate_photo(upload) -> str:
    """Return the photo's real content type, or raise ValidationError."""
    limit = settings.CAREPAIR_PHOTO_MAX_BYTES
    if upload.size > limit:
        raise ValidationError(
            _("The photo is %(size)s; the limit is %(limit)s.")
            % {"size": filesizeformat(upload.size), "limit": filesizeformat(limit)},
            code="photo_too_large",
        )
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            kind = image.format
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise ValidationError(
            _("The file is not a photo (JPEG, PNG or WebP)."), code="photo_not_image"
        ) from exc
    finally:
        upload.seek(0)
    content_type = _FORMATS.get(kind or "")
    if content_type not in settings.CAREPAIR_PHOTO_TYPES:
        raise ValidationError(
            _("Photos must be JPEG, PNG or WebP, not %(kind)s.") % {"kind": kind},
            code="photo_wrong_type",
        )
    return content_type
