"""Images for the tests of the safe upload path (``registrations/uploads.py``), all made
in memory: a KTP-like card (a 300 dpi card is 1011 x 638) encoded as JPEG, PNG or HEIC;
the path's messages in Indonesian; ``process`` / ``refusal`` around
``process_image_upload``; the check of a clean output JPEG; a valid 1-bit PNG of any size
(a decompression bomb in a few kilobytes); a stream that counts the bytes read."""

import functools
import io
import struct
import zlib

import pytest
from PIL import Image, ImageDraw

from registrations.uploads import ProcessedImage, UploadRejected, process_image_upload

NOT_AN_IMAGE = "Berkas ini bukan foto yang dapat dibaca (JPG, PNG, atau HEIC)."
CORRUPT = "Berkas foto rusak atau tidak lengkap. Silakan ambil ulang."
BLURRED_KTP = "Foto tampak buram; pastikan tulisan pada KTP terbaca lalu ambil ulang."
KTP_PORTRAIT = "Foto KTP tampak miring/berdiri; putar ponsel mendatar dan ambil ulang."
KTP_SIZE = (1011, 638)  # 85.6 x 54 mm at 300 dpi


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
