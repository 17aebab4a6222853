"""Safe image uploads: validate, clean and re-encode photos of people's documents.

Residents upload photos of their KTP, a selfie holding it, house photos and scanned
forms: personal data under UU PDP. Everything that leaves this module is a *new* JPEG
built from decoded pixels only, so nothing the uploader's file carried survives: no
EXIF (GPS position, phone model, capture time), no XMP/IPTC, no ICC profile, no JPEG
comments, no embedded thumbnail, and no bytes appended after the image data (the
polyglot trick of gluing a ZIP, PDF or HTML/script to a valid JPEG).

Pipeline of :func:`process_image_upload`:

1. read at most ``MAX_UPLOAD_BYTES + 1`` bytes (the declared ``.size`` is only used to
   refuse early, never to accept);
2. sniff the real format from the content, trying only the JPEG, PNG and HEIF parsers
   (never the file name or the Content-Type, never Pillow's other ~40 parsers);
3. refuse decompression bombs from the header, *before* any pixel is decoded;
4. ``verify()`` one handle, then re-open and decode another (``verify`` consumes it);
5. apply the EXIF orientation, downsize, convert to sRGB RGB (transparency composited
   over white, 16-bit greyscale scaled down, CMYK and ICC-tagged photos converted);
6. re-encode as a progressive, optimised JPEG without metadata, plus a thumbnail;
7. give instant feedback on the photos that most often get an account rejected
   (:func:`assess_image_quality`).

Nothing is written to disk here; storing the result is the caller's job.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import struct
import warnings
from dataclasses import dataclass, field

import pillow_heif
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from PIL import ExifTags, Image, ImageCms, ImageFile, ImageFilter, ImageStat, UnidentifiedImageError

pillow_heif.register_heif_opener()

# --- Limits -------------------------------------------------------------------------

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
"""Largest accepted upload (10 MB); a phone photo is 2-6 MB."""

MAX_PIXELS = 40_000_000
"""Largest accepted image (40 megapixels, checked from the header before decoding).
Far below Pillow's own bomb limit (~89 MP warning, ~179 MP error); phones with
50-200 MP sensors save 12-16 MP photos unless told otherwise."""

ACCEPTED_FORMATS = ("JPEG", "PNG", "HEIF")
"""Formats accepted, as sniffed by Pillow (only these parsers are ever tried). Pillow's
JPEG parser reports a JPEG with extra frames (written by some phone cameras) as ``MPO``:
it counts as JPEG and only its first frame is kept."""

_PILLOW_RESULTS = (*ACCEPTED_FORMATS, "MPO")

MIN_SIDE = 480
"""Shortest side (px) of a KTP photo or selfie for the text to be legible: a card
filling a 760 x 480 frame still shows its smallest print (the address lines) at
about 12-15 px per letter, readable by the operator who checks it."""

MAX_OUTPUT_SIDE = 2000
"""Longest side (px) of the stored image; larger photos are downsized."""

THUMBNAIL_SIDE = 320
"""Longest side (px) of the thumbnail."""

JPEG_QUALITY = 85
THUMBNAIL_QUALITY = 80

KINDS_REQUIRING_LEGIBILITY = frozenset({"ktp", "selfie"})
"""Kinds refused (not merely warned about) when smaller than ``MIN_SIDE``."""

BLUR_THRESHOLD = 100.0
"""Below this :func:`sharpness` score a photo is reported as blurred. Calibrated on a
generated 1011 x 638 KTP-like card (dark text on a light card, see ``testing/images.py``
and ``registrations/tests/test_uploads_limits.py``): sharp it scores about 7300, after
``GaussianBlur(1)`` about 750 (still legible), ``GaussianBlur(2)`` about 50,
``GaussianBlur(6)`` under 2. 100 is also the usual cut-off for the variance of the
Laplacian on 8-bit images. Recalibrate on real rejected photos when there are some."""

BLUR_WORKING_SIDE = 1000
"""Blur is measured on a greyscale copy whose longest side is at most this."""

PORTRAIT_RATIO = 1.1
"""A KTP photo whose height exceeds its width times this is reported as sideways."""

# --- Refusals -----------------------------------------------------------------------

REFUSAL_CODES = frozenset(
    {"too_large", "not_an_image", "unsupported_format", "too_many_pixels", "corrupt", "too_small"}
)
"""Every ``UploadRejected.code``."""

MSG_TOO_LARGE = _("Berkas terlalu besar (maksimal 10 MB). Kirim foto asli dari kamera ponsel, bukan pindaian besar.")
MSG_NOT_AN_IMAGE = _("Berkas ini bukan foto yang dapat dibaca (JPG, PNG, atau HEIC).")
MSG_TOO_MANY_PIXELS = _("Resolusi foto terlalu besar (maksimal 40 megapiksel). Ambil ulang dengan kamera ponsel biasa.")
MSG_CORRUPT = _("Berkas foto rusak atau tidak lengkap. Silakan ambil ulang.")
MSG_TOO_SMALL = _("Foto terlalu kecil (%(width)d × %(height)d px). Ambil ulang lebih dekat dengan kamera belakang.")

# --- Warnings (quality feedback) ----------------------------------------------------

MSG_BLURRED_KTP = _("Foto tampak buram; pastikan tulisan pada KTP terbaca lalu ambil ulang.")
MSG_BLURRED = _("Foto tampak buram; pastikan gambar tajam lalu ambil ulang.")
MSG_KTP_PORTRAIT = _("Foto KTP tampak miring/berdiri; putar ponsel mendatar dan ambil ulang.")

# Signatures of image formats we can recognise but do not accept, so that a GIF or a
# WebP is told apart from a PDF or a web page. Identified by bytes, never by parsing.
_OTHER_IMAGE_SIGNATURES = (
    (0, b"GIF87a"),
    (0, b"GIF89a"),
    (0, b"BM"),  # BMP
    (8, b"WEBPVP8"),  # WebP (after "RIFF" and a length)
    (0, b"II*\x00"),  # TIFF, little-endian
    (0, b"MM\x00*"),  # TIFF, big-endian
    (0, b"8BPS"),  # Photoshop
    (0, b"\x00\x00\x01\x00"),  # ICO
    (0, b"\xff\x0a"),  # JPEG XL codestream
    (0, b"\x00\x00\x00\x0cJXL \r\n\x87\n"),  # JPEG XL container
    (0, b"\x00\x00\x00\x0cjP  \r\n\x87\n"),  # JPEG 2000
    (0, b"\xff\x4f\xff\x51"),  # JPEG 2000 codestream
    (4, b"ftypavif"),
    (4, b"ftypavis"),
)
_ACCEPTED_SIGNATURES = (
    (0, b"\xff\xd8\xff"),  # JPEG
    (0, b"\x89PNG\r\n\x1a\n"),
)
_HEIF_BRANDS = (b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"hevm", b"hevs", b"mif1", b"msf1")


class UploadRejected(Exception):
    """An upload refused; ``message`` is for the user (Indonesian), ``code`` for code.

    Not a ``DomainError``: this is the image checker's own error (it knows no field);
    ``registrations.services.documents.process_or_refuse`` turns it into one.

    Codes: ``too_large``, ``not_an_image``, ``unsupported_format``,
    ``too_many_pixels``, ``corrupt``, ``too_small``.
    """

    def __init__(self, message, *, code: str):
        # Translated now (as ``dtsen_portal.errors`` does), so a worker or an API
        # client gets the same sentence a page would show.
        self.message = str(message)
        self.code = code
        super().__init__(self.message)

    def __repr__(self) -> str:
        return f"UploadRejected(code={self.code!r}, message={self.message!r})"


@dataclass(frozen=True)
class ProcessedImage:
    """A cleaned upload: a metadata-free JPEG and its thumbnail, both in memory."""

    content: bytes
    thumbnail: bytes
    width: int
    height: int
    sha256: str
    original_format: str
    warnings: list[str] = field(default_factory=list, hash=False)


# --- Public API ---------------------------------------------------------------------


def process_image_upload(file_obj, *, kind: str = "photo") -> ProcessedImage:
    """Validate an upload and return it re-encoded as a clean JPEG.

    ``file_obj`` is a Django ``UploadedFile`` or any binary file-like object. ``kind``
    is what the photo shows (``"ktp"``, ``"selfie"``, ``"document"``, ``"photo"``...);
    it only changes the quality checks: a KTP photo or selfie smaller than
    ``MIN_SIDE`` is refused, a KTP photo in portrait orientation is warned about.

    Raises :class:`UploadRejected` for anything that cannot be accepted; any other
    exception is a bug, not a bad file.
    """
    # WeasyPrint sets this process-wide on import (for its own images); a truncated
    # upload must still be refused, so it is switched back off before every decode.
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    data = _read_limited(file_obj)
    original_format, size = _identify(data)
    _check_pixels(size)
    _check_min_side(size, kind=kind)
    _verify(data)
    image, orientation = _decode(data, size)

    swapped = orientation in (5, 6, 7, 8)
    source_size = (size[1], size[0]) if swapped else size
    # Downsize first: turning and colour-converting 4 MP is cheaper than 40 MP.
    image = _upright(_resize_within(_to_8bit(image), MAX_OUTPUT_SIDE), orientation)
    rgb = _to_srgb(image)
    del image
    quality_warnings = assess_image_quality(rgb, kind=kind, source_size=source_size)

    # A fresh image holding pixels only: ``convert``/``resize`` copy ``info`` (EXIF,
    # ICC, XMP, comment...) and the JPEG writer re-emits some of it on its own.
    clean = Image.new("RGB", rgb.size)
    clean.paste(rgb)
    content = _encode_jpeg(clean, quality=JPEG_QUALITY)

    thumb = clean.copy()
    thumb.thumbnail((THUMBNAIL_SIDE, THUMBNAIL_SIDE), Image.Resampling.LANCZOS)
    thumbnail = _encode_jpeg(thumb, quality=THUMBNAIL_QUALITY)

    return ProcessedImage(
        content=content,
        thumbnail=thumbnail,
        width=clean.width,
        height=clean.height,
        sha256=hashlib.sha256(content).hexdigest(),
        original_format=original_format,
        warnings=quality_warnings,
    )


def assess_image_quality(image: Image.Image, *, kind: str, source_size: tuple[int, int] | None = None) -> list[str]:
    """Instant feedback on the photos that most often get an account rejected.

    ``image`` is the decoded photo, already turned upright by its EXIF orientation.
    ``source_size`` is its size before any downsizing (defaults to ``image.size``).

    - Too small to read: shorter side below ``MIN_SIDE`` -> :class:`UploadRejected`
      (``too_small``) for a KTP photo or selfie, a warning for other kinds.
    - Blurred: :func:`sharpness` below ``BLUR_THRESHOLD`` -> warning.
    - Sideways KTP: a KTP card is landscape (85.6 x 54 mm, about 1.58 : 1); a KTP photo
      whose height exceeds its width by more than 10% -> warning.

    Upside-down photos are *not* detected: a card rotated by 180 degrees has the same
    shape and the same sharpness, and telling it apart needs OCR or face detection,
    which this module deliberately does without. The operator's review catches it.

    Returns the warnings as plain (translated) strings, ready to be stored as JSON.
    """
    width, height = source_size or image.size
    found: list[str] = []
    too_small = _too_small_message(width, height)
    if too_small is not None:
        if kind in KINDS_REQUIRING_LEGIBILITY:
            raise UploadRejected(too_small, code="too_small")
        found.append(too_small)

    if sharpness(image) < BLUR_THRESHOLD:
        found.append(gettext(MSG_BLURRED_KTP if kind in KINDS_REQUIRING_LEGIBILITY else MSG_BLURRED))

    if kind == "ktp" and image.height > image.width * PORTRAIT_RATIO:
        found.append(gettext(MSG_KTP_PORTRAIT))
    return found


def laplacian_variance(gray: Image.Image) -> float:
    """Variance of the 4-neighbour Laplacian of a greyscale (``L``) image.

    High for crisp edges (text, card borders), near zero for a blurred or flat image.
    Pillow's ``Kernel`` filter clips to 0..255, so the positive and negative halves of
    the Laplacian are filtered separately and combined: exact wherever the Laplacian
    stays within +-255, which is everywhere but the hardest single-pixel edges. The
    one-pixel border (which ``Kernel`` leaves unfiltered) is left out.
    """
    if gray.mode != "L":
        gray = gray.convert("L")
    if gray.width < 3 or gray.height < 3:
        return 0.0
    box = (1, 1, gray.width - 1, gray.height - 1)
    positive = ImageStat.Stat(gray.filter(_LAPLACIAN).crop(box))
    negative = ImageStat.Stat(gray.filter(_NEGATIVE_LAPLACIAN).crop(box))
    count = positive.count[0]
    # The halves never overlap (one of them is 0 at every pixel), hence no cross term.
    mean = (positive.sum[0] - negative.sum[0]) / count
    return (positive.sum2[0] + negative.sum2[0]) / count - mean * mean


def sharpness(image: Image.Image, *, grid: int = 4) -> float:
    """How sharp the sharpest part of a photo is: the mean :func:`laplacian_variance` of
    the sharpest quarter of a ``grid`` x ``grid`` tiling of a greyscale copy downsized
    to ``BLUR_WORKING_SIDE``.

    Tiles rather than the whole frame, because a KTP often fills only part of the photo
    (a selfie is mostly face and background, often deliberately blurred by the phone's
    portrait mode); what matters is that the card's text is sharp somewhere.
    Known blind spot: heavy sensor noise in a dark, blurred photo looks "sharp".
    """
    gray = image.convert("L") if image.mode != "L" else image
    gray = _resize_within(gray, BLUR_WORKING_SIDE, resample=Image.Resampling.BOX)
    tile_w, tile_h = gray.width // grid, gray.height // grid
    if tile_w < 8 or tile_h < 8:
        return laplacian_variance(gray)
    scores = sorted(
        (
            laplacian_variance(gray.crop((x * tile_w, y * tile_h, (x + 1) * tile_w, (y + 1) * tile_h)))
            for y in range(grid)
            for x in range(grid)
        ),
        reverse=True,
    )
    top = scores[: max(1, len(scores) // 4)]
    return sum(top) / len(top)


# --- Steps --------------------------------------------------------------------------

_LAPLACIAN_WEIGHTS = (0, 1, 0, 1, -4, 1, 0, 1, 0)
_LAPLACIAN = ImageFilter.Kernel((3, 3), _LAPLACIAN_WEIGHTS, scale=1, offset=0)
_NEGATIVE_LAPLACIAN = ImageFilter.Kernel((3, 3), tuple(-w for w in _LAPLACIAN_WEIGHTS), scale=1, offset=0)
_READ_CHUNK = 1024 * 1024


def _read_limited(file_obj) -> bytes:
    """The upload's bytes, reading no more than ``MAX_UPLOAD_BYTES + 1`` of them."""
    declared = getattr(file_obj, "size", None)
    if isinstance(declared, int) and declared > MAX_UPLOAD_BYTES:
        raise UploadRejected(MSG_TOO_LARGE, code="too_large")
    seek = getattr(file_obj, "seek", None)
    if seek is not None:
        with contextlib.suppress(OSError, ValueError):  # a pipe or a socket: read on from here
            seek(0)
    limit = MAX_UPLOAD_BYTES + 1
    buffer = bytearray()
    while len(buffer) < limit:
        chunk = file_obj.read(min(_READ_CHUNK, limit - len(buffer)))
        if not chunk:
            break
        if not isinstance(chunk, (bytes, bytearray, memoryview)):
            raise TypeError("process_image_upload needs a binary file, not a text one")
        buffer += chunk
    if len(buffer) > MAX_UPLOAD_BYTES:
        raise UploadRejected(MSG_TOO_LARGE, code="too_large")
    if not buffer:
        raise UploadRejected(MSG_NOT_AN_IMAGE, code="not_an_image")
    return bytes(buffer)


def _open(data: bytes) -> Image.Image:
    """``Image.open`` restricted to the accepted parsers; bombs become refusals.

    Pillow warns (``DecompressionBombWarning``) above ``Image.MAX_IMAGE_PIXELS`` and
    raises above twice that; both are refused here. ``catch_warnings`` touches the
    process-wide filter list, which is not thread-safe: an interleaving can at worst
    leave the "error" filter for this one warning category in place or drop it, and
    our own ``MAX_PIXELS`` check refuses such images either way.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            return Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS)
    except (Image.DecompressionBombWarning, Image.DecompressionBombError) as exc:
        raise UploadRejected(MSG_TOO_MANY_PIXELS, code="too_many_pixels") from exc


def _identify(data: bytes) -> tuple[str, tuple[int, int]]:
    """The real format (from the content) and the declared size, from the header only."""
    try:
        image = _open(data)
    except UploadRejected:
        raise
    except UnidentifiedImageError as exc:
        if _looks_accepted(data):
            raise UploadRejected(MSG_CORRUPT, code="corrupt") from exc
        if _looks_like_other_image(data):
            raise UploadRejected(MSG_NOT_AN_IMAGE, code="unsupported_format") from exc
        raise UploadRejected(MSG_NOT_AN_IMAGE, code="not_an_image") from exc
    except Exception as exc:  # untrusted bytes in a C parser: anything is "broken file"
        raise UploadRejected(MSG_CORRUPT, code="corrupt") from exc
    with image:
        pillow_format, size = image.format, image.size
    if pillow_format not in _PILLOW_RESULTS:  # pragma: no cover - ``formats`` prevents it
        raise UploadRejected(MSG_NOT_AN_IMAGE, code="unsupported_format")
    return ("JPEG" if pillow_format == "MPO" else pillow_format), size


def _looks_accepted(data: bytes) -> bool:
    return any(data.startswith(sig, at) for at, sig in _ACCEPTED_SIGNATURES) or (
        data[4:8] == b"ftyp" and data[8:12] in _HEIF_BRANDS
    )


def _looks_like_other_image(data: bytes) -> bool:
    return any(data.startswith(sig, at) for at, sig in _OTHER_IMAGE_SIGNATURES)


def _check_pixels(size: tuple[int, int]) -> None:
    width, height = size
    if width <= 0 or height <= 0:
        raise UploadRejected(MSG_CORRUPT, code="corrupt")
    if width * height > MAX_PIXELS:
        raise UploadRejected(MSG_TOO_MANY_PIXELS, code="too_many_pixels")


def _too_small_message(width: int, height: int) -> str | None:
    if min(width, height) >= MIN_SIDE:
        return None
    return MSG_TOO_SMALL % {"width": width, "height": height}


def _check_min_side(size: tuple[int, int], *, kind: str) -> None:
    """Refuse a too-small KTP photo or selfie from its header, before decoding it."""
    message = _too_small_message(*size)
    if message is not None and kind in KINDS_REQUIRING_LEGIBILITY:
        raise UploadRejected(message, code="too_small")


def _verify(data: bytes) -> None:
    """Pillow's structural check (PNG: every chunk's CRC); it consumes the handle."""
    try:
        with _open(data) as image:
            image.verify()
    except UploadRejected:
        raise
    except Exception as exc:  # untrusted bytes in a C parser: anything is "broken file"
        raise UploadRejected(MSG_CORRUPT, code="corrupt") from exc


def _decode(data: bytes, size: tuple[int, int]) -> tuple[Image.Image, int]:
    """Decode the pixels on a fresh handle; return them and their EXIF orientation."""
    try:
        image = _open(data)
    except UploadRejected:
        raise
    except Exception as exc:  # untrusted bytes in a C parser: anything is "broken file"
        raise UploadRejected(MSG_CORRUPT, code="corrupt") from exc
    if image.size != size:  # same bytes, same parser: cannot happen, but never trust it
        raise UploadRejected(MSG_CORRUPT, code="corrupt")
    try:
        if image.format in ("JPEG", "MPO") and max(size) > MAX_OUTPUT_SIDE:
            # Let libjpeg decode at 1/2, 1/4 or 1/8 scale when the result still
            # exceeds the output size: 4x less memory and time for a 12 MP photo.
            factor = MAX_OUTPUT_SIDE / max(size)
            image.draft(None, (max(1, round(size[0] * factor)), max(1, round(size[1] * factor))))
        image.load()
    except Exception as exc:  # truncated data, broken stream, decoder errors
        image.close()
        raise UploadRejected(MSG_CORRUPT, code="corrupt") from exc
    return image, _orientation(image)


def _orientation(image: Image.Image) -> int:
    """The EXIF orientation (1-8); a malformed EXIF block counts as "upright".

    HEIF needs nothing here: libheif applies the container's rotation and mirroring
    and pillow_heif then reports orientation 1.
    """
    try:
        value = image.getexif().get(ExifTags.Base.Orientation, 1)
    except (SyntaxError, ValueError, TypeError, OSError, KeyError, IndexError, EOFError, struct.error):
        return 1
    return value if isinstance(value, int) and 1 <= value <= 8 else 1


_TRANSPOSITIONS = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


def _upright(image: Image.Image, orientation: int) -> Image.Image:
    """What ``ImageOps.exif_transpose`` does to the pixels, without re-serialising the
    EXIF block it would then edit (the output carries no EXIF anyway)."""
    method = _TRANSPOSITIONS.get(orientation)
    return image if method is None else image.transpose(method)


def _resize_within(
    image: Image.Image, side: int, *, resample: Image.Resampling = Image.Resampling.LANCZOS
) -> Image.Image:
    """``image`` scaled so that its longest side is at most ``side`` (never enlarged).

    Expects one of the modes :func:`_to_8bit` returns.
    """
    if max(image.size) <= side:
        return image
    factor = side / max(image.size)
    size = (max(1, round(image.width * factor)), max(1, round(image.height * factor)))
    return image.resize(size, resample, reducing_gap=3.0)


def _to_8bit(image: Image.Image) -> Image.Image:
    """The same pixels in one of ``L``, ``RGB``, ``RGBA`` or ``CMYK`` (``info`` kept).

    - 16-bit greyscale (``I;16`` from a 16-bit PNG) is scaled down by 256: Pillow's
      own ``convert("L")`` clips everything above 255 to white;
    - palette images become ``RGBA`` when they have a transparent colour, else ``RGB``;
      ``LA``/``PA``/premultiplied modes become ``RGBA``.
    """
    mode = image.mode
    if mode in ("L", "RGB", "RGBA", "CMYK"):
        return image
    if mode.startswith("I;16") or mode == "I":
        return image.convert("I").point(lambda value: value * (1 / 256)).convert("L")
    if mode in ("1", "F"):
        return image.convert("L")
    has_alpha = mode in ("LA", "La", "PA", "RGBa") or (mode == "P" and "transparency" in image.info)
    return image.convert("RGBA" if has_alpha else "RGB")


def _to_srgb(image: Image.Image) -> Image.Image:
    """8-bit sRGB ``RGB`` pixels from an ``L``/``RGB``/``RGBA``/``CMYK`` image.

    An embedded ICC profile (Display P3 phones, CMYK scans) is converted to sRGB,
    falling back to Pillow's plain conversion if the profile is unusable; transparency
    is composited over white (a transparent PNG's background would otherwise turn black).
    """
    icc = image.info.get("icc_profile")
    if icc and image.mode in ("RGB", "RGBA", "CMYK"):
        image = _icc_to_srgb(image, icc)

    if image.mode == "RGBA":
        background = Image.new("RGB", image.size, (255, 255, 255))
        background.paste(image, mask=image.getchannel("A"))
        return background
    if image.mode != "RGB":
        return image.convert("RGB")
    return image


def _icc_to_srgb(image: Image.Image, icc: bytes) -> Image.Image:
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        srgb = ImageCms.createProfile("sRGB")  # per call: LittleCMS profiles are not shared across threads
        output_mode = "RGBA" if image.mode == "RGBA" else "RGB"
        converted = ImageCms.profileToProfile(image, source, srgb, outputMode=output_mode)
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        return image  # an unusable profile: keep the pixels as they are
    return converted if converted is not None else image


def _encode_jpeg(image: Image.Image, *, quality: int) -> bytes:
    buffer = io.BytesIO()
    # Only these parameters: no exif=, icc_profile=, xmp=, comment=, dpi=.
    image.save(buffer, format="JPEG", quality=quality, optimize=True, progressive=True)
    return buffer.getvalue()
