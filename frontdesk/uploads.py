"""Uploaded photos and signatures: verified and re-encoded by Pillow, never stored as sent.

A file with an image header followed by HTML (or HTML in a comment or metadata block) passes
a plain "is it an image" check. So every upload is capped in bytes, opened only with the
JPEG, PNG and WebP decoders, capped in pixels before it is decoded, fully decoded, and then
written out again from its pixels alone (no comments, EXIF, ICC or trailing bytes) under a
random name. The files are served by tickets/media.py with `nosniff` and a sandbox CSP.
"""

import io
import secrets

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps

MB = 1024 * 1024
PHOTO_MAX_BYTES = 10 * MB
PHOTO_MAX_PIXELS = 40_000_000
# The decoders a file is ever opened with: nothing else is parsed.
ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP")
JPEG = "JPEG"
PNG = "PNG"
EXTENSIONS = {JPEG: ".jpg", PNG: ".png"}


class VerifiedImage(ContentFile):
    """Re-encoded image bytes under a random name, with the pixel size they have."""

    def __init__(self, content: bytes, *, name: str, width: int, height: int):
        super().__init__(content, name=name)
        self.width = width
        self.height = height


def _not_an_image() -> ValidationError:
    return ValidationError(_("Only photos (JPEG, PNG or WebP) can be uploaded."), code="format")


def verified_image(
    upload,
    *,
    max_bytes: int = PHOTO_MAX_BYTES,
    max_pixels: int = PHOTO_MAX_PIXELS,
    encode_as: str = JPEG,
) -> VerifiedImage:
    """Check an uploaded file is a real JPEG, PNG or WebP within the caps, and return it
    re-encoded (JPEG in RGB for photos, PNG for signatures) under a random name.

    Raises ValidationError with a message for the person who uploaded it."""
    if encode_as not in EXTENSIONS:
        raise ValueError(f"cannot encode as {encode_as!r}")
    size = getattr(upload, "size", None)
    if size is not None and size > max_bytes:
        raise _too_big(max_bytes)
    upload.seek(0)
    data = upload.read(max_bytes + 1)
    if len(data) > max_bytes:  # the size an upload claims is not trusted
        raise _too_big(max_bytes)
    if not data:
        raise _not_an_image()

    try:
        with Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS) as probe:
            _check_pixels(probe, max_pixels)
            probe.verify()
        with Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS) as image:
            if image.format not in ACCEPTED_FORMATS:
                raise _not_an_image()
            _check_pixels(image, max_pixels)
            image.seek(0)  # an animated WebP: its first frame
            image.load()
            pixels = _reencodable(image, encode_as)
            out = io.BytesIO()
            if encode_as == JPEG:
                pixels.save(out, JPEG, quality=85, optimize=True)
            else:
                pixels.save(out, PNG, optimize=True)
    except ValidationError:
        raise
    except Image.DecompressionBombError:
        raise _too_many_pixels(max_pixels) from None
    except Exception:  # Pillow raises many kinds (OSError, SyntaxError, ValueError...)
        raise _not_an_image() from None

    name = secrets.token_urlsafe(16) + EXTENSIONS[encode_as]
    return VerifiedImage(out.getvalue(), name=name, width=pixels.width, height=pixels.height)


def _too_big(max_bytes: int) -> ValidationError:
    return ValidationError(
        _("A photo may be at most %(size)s MB.") % {"size": max(1, max_bytes // MB)},
        code="too_big",
    )


def _too_many_pixels(max_pixels: int) -> ValidationError:
    return ValidationError(
        _("A photo may have at most %(megapixels)s million pixels.")
        % {"megapixels": max(1, max_pixels // 1_000_000)},
        code="too_many_pixels",
    )


def _check_pixels(image: Image.Image, max_pixels: int) -> None:
    """Before anything is decoded: the header's size decides (a decompression bomb)."""
    width, height = image.size
    if width < 1 or height < 1:
        raise _not_an_image()
    if width * height > max_pixels:
        raise _too_many_pixels(max_pixels)


def _reencodable(image: Image.Image, encode_as: str) -> Image.Image:
    """The pixels only, upright (EXIF orientation applied), with no metadata left."""
    image = ImageOps.exif_transpose(image)
    has_alpha = image.mode in ("RGBA", "LA", "PA") or (
        image.mode == "P" and "transparency" in image.info
    )
    if encode_as == JPEG:
        if has_alpha:
            rgba = image.convert("RGBA")
            pixels = Image.new("RGB", rgba.size, "white")
            pixels.paste(rgba, mask=rgba.getchannel("A"))
        else:
            pixels = image.convert("RGB")
    else:
        pixels = image.convert("RGBA" if has_alpha else "RGB")
    # convert() copies .info, and the encoders write comments, ICC and EXIF found there.
    pixels.info = {}
    return pixels


def has_ink(image_file: ContentFile) -> bool:
    """Whether a (verified) signature has anything drawn on it: not blank, not all white."""
    image_file.seek(0)
    with Image.open(image_file, formats=(PNG,)) as image:
        rgba = image.convert("RGBA")
    paper = Image.new("RGB", rgba.size, "white")
    paper.paste(rgba, mask=rgba.getchannel("A"))
    # Ink is anything clearly darker than the paper; faint noise does not count.
    ink = ImageOps.invert(paper.convert("L")).point(lambda v: 255 if v > 32 else 0)
    return ink.getbbox() is not None
