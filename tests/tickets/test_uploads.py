"""Uploaded photos and signatures are verified and re-encoded by Pillow: only real JPEG, PNG
and WebP within the byte and pixel caps are taken, and nothing but their pixels is kept."""

import io
import re

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from frontdesk.uploads import has_ink, verified_image

RANDOM_NAME = re.compile(r"^[A-Za-z0-9_-]{22}\.(jpg|png)$")
HTML = b"<html><body><script>alert(document.cookie)</script></body></html>"


def image_bytes(fmt="JPEG", size=(40, 30), color=(200, 30, 30), mode="RGB", **save) -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, color).save(out, fmt, **save)
    return out.getvalue()


def upload(data: bytes, name="photo.jpg", content_type="image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def reopened(file) -> Image.Image:
    file.seek(0)
    image = Image.open(io.BytesIO(file.read()))
    image.load()
    return image


def message(exc_info) -> str:
    return exc_info.value.messages[0]


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_it_takes_jpeg_png_and_webp_and_returns_a_jpeg_under_a_random_name(fmt):
    result = verified_image(upload(image_bytes(fmt), name=f"IMG_0001.{fmt.lower()}"))

    assert RANDOM_NAME.match(result.name) and result.name.endswith(".jpg")
    assert "IMG_0001" not in result.name
    assert (result.width, result.height) == (40, 30)
    image = reopened(result)
    assert (image.format, image.mode, image.size) == ("JPEG", "RGB", (40, 30))


def test_it_gives_every_file_a_new_name():
    data = image_bytes()

    names = {verified_image(upload(data)).name for _ in range(5)}

    assert len(names) == 5


def test_a_transparent_png_becomes_a_jpeg_on_white():
    data = image_bytes("PNG", mode="RGBA", color=(0, 0, 0, 0))

    image = reopened(verified_image(upload(data, "shot.png", "image/png")))

    assert image.mode == "RGB"
    assert image.getpixel((5, 5)) == (255, 255, 255)


def test_a_signature_is_kept_as_png_with_its_transparency():
    data = image_bytes("PNG", mode="RGBA", color=(0, 0, 0, 0))

    result = verified_image(upload(data, "sig.png", "image/png"), encode_as="PNG")

    assert RANDOM_NAME.match(result.name) and result.name.endswith(".png")
    image = reopened(result)
    assert (image.format, image.mode) == ("PNG", "RGBA")


def test_html_after_an_image_header_does_not_survive():
    polyglot = image_bytes() + HTML

    result = verified_image(upload(polyglot, "innocent.jpg"))

    result.seek(0)
    data = result.read()
    assert data.startswith(b"\xff\xd8") and data.endswith(b"\xff\xd9")
    assert b"<script" not in data and b"<html" not in data


def test_html_hidden_in_a_jpeg_comment_or_png_text_does_not_survive():
    from PIL.PngImagePlugin import PngInfo

    text = PngInfo()
    text.add_text("Comment", HTML.decode())
    sources = [
        image_bytes("JPEG", comment=HTML),
        image_bytes("PNG", pnginfo=text),
    ]

    for source in sources:
        assert HTML in source  # the trap is really there
        for encode_as in ("JPEG", "PNG"):
            result = verified_image(upload(source), encode_as=encode_as)
            result.seek(0)
            assert b"<script" not in result.read()


def test_exif_metadata_such_as_gps_is_dropped():
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {2: (31.0, 14.0, 0.0)}  # GPS latitude
    source = image_bytes("JPEG", exif=exif.tobytes())

    result = verified_image(upload(source))

    result.seek(0)
    data = result.read()
    assert b"PhoneMaker" not in data and b"Exif" not in data


def test_exif_orientation_is_applied_before_it_is_dropped():
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise to view
    source = image_bytes("JPEG", size=(40, 30), exif=exif.tobytes())

    result = verified_image(upload(source))

    assert (result.width, result.height) == (30, 40)


def test_a_text_file_named_jpg_is_refused():
    with pytest.raises(ValidationError) as refused:
        verified_image(upload(b"hello, this is not a photo\n" * 20, "photo.jpg"))

    assert message(refused) == "Only photos (JPEG, PNG or WebP) can be uploaded."


def test_an_html_page_named_jpg_is_refused():
    with pytest.raises(ValidationError) as refused:
        verified_image(upload(HTML, "photo.jpg"))

    assert message(refused) == "Only photos (JPEG, PNG or WebP) can be uploaded."


@pytest.mark.parametrize("fmt", ["GIF", "BMP", "TIFF"])
def test_other_image_formats_are_refused(fmt):
    with pytest.raises(ValidationError) as refused:
        verified_image(upload(image_bytes(fmt), f"photo.{fmt.lower()}"))

    assert message(refused) == "Only photos (JPEG, PNG or WebP) can be uploaded."


def test_a_truncated_photo_is_refused():
    data = image_bytes("PNG", size=(200, 200))

    with pytest.raises(ValidationError) as refused:
        verified_image(upload(data[: len(data) // 2], "photo.png"))

    assert message(refused) == "Only photos (JPEG, PNG or WebP) can be uploaded."


def test_an_empty_file_is_refused():
    with pytest.raises(ValidationError):
        verified_image(upload(b""))


def test_a_file_over_the_byte_cap_is_refused_before_it_is_opened():
    data = image_bytes() + b"\0" * (10 * 1024 * 1024)

    with pytest.raises(ValidationError) as refused:
        verified_image(upload(data))

    assert message(refused) == "A photo may be at most 10 MB."


def test_the_byte_cap_does_not_trust_the_size_the_upload_claims():
    data = image_bytes(size=(400, 400))
    file = upload(data)
    file.size = 10  # a lie

    with pytest.raises(ValidationError) as refused:
        verified_image(file, max_bytes=512)

    assert "at most" in message(refused)


def test_a_decompression_bomb_is_refused_before_it_is_decoded():
    # 50 million pixels in a few kilobytes of PNG.
    bomb = image_bytes("PNG", size=(10_000, 5_000), mode="1", color=0)
    assert len(bomb) < 100_000

    with pytest.raises(ValidationError) as refused:
        verified_image(upload(bomb, "bomb.png"))

    assert message(refused) == "A photo may have at most 40 million pixels."


def test_the_pixel_cap_can_be_lowered():
    with pytest.raises(ValidationError):
        verified_image(upload(image_bytes(size=(100, 100))), max_pixels=9_999)


def test_a_blank_signature_has_no_ink_and_a_drawn_one_has():
    blank = verified_image(
        upload(image_bytes("PNG", mode="RGBA", color=(0, 0, 0, 0))), encode_as="PNG"
    )
    white = verified_image(upload(image_bytes("PNG", color=(255, 255, 255))), encode_as="PNG")
    drawn = Image.new("RGBA", (100, 50), (0, 0, 0, 0))
    for x in range(10, 90):
        drawn.putpixel((x, 25), (17, 17, 17, 255))
    out = io.BytesIO()
    drawn.save(out, "PNG")
    signed = verified_image(upload(out.getvalue()), encode_as="PNG")

    assert not has_ink(blank)
    assert not has_ink(white)
    assert has_ink(signed)
