"""Safe image uploads (registrations/uploads.py), what is refused or only warned about:
size and pixel limits, broken files, quality feedback (too small, blurred, sideways),
and fuzzing (random or mutated input only ever ends in a refusal).

No database. Every sample is made in memory (``testing/images.py``); the one big input
(20 MB) is padding, never a big image.
"""

import functools
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import ExifTags, Image, ImageFile, ImageFilter

from registrations.uploads import (
    BLUR_THRESHOLD,
    MAX_UPLOAD_BYTES,
    MIN_SIDE,
    REFUSAL_CODES,
    UploadRejected,
    assess_image_quality,
    laplacian_variance,
    process_image_upload,
    sharpness,
)
from testing.images import (
    BLURRED_KTP,
    CORRUPT,
    KTP_PORTRAIT,
    CountingReader,
    bilevel_png,
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
