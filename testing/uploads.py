"""Files to upload in tests: a sharp, card-like photo and a PDF posing as a JPEG; a photo
already processed and in private storage, for rows that point at one."""

import io
import random

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw

from registrations.services.documents import process_or_refuse, store_processed_image


def photo_bytes(width: int = 1280, height: int = 800, *, seed: int = 1, fmt: str = "JPEG") -> bytes:
    """A sharp, card-like picture: text-like strokes on a light background."""
    rng = random.Random(seed)  # noqa: S311 - a picture, not a secret
    image = Image.new("RGB", (width, height), (235, 240, 250))
    draw = ImageDraw.Draw(image)
    for row in range(20, height - 20, max(height // 16, 12)):
        x = 20
        while x < width - 60:
            w = rng.randint(8, 40)
            draw.rectangle([x, row, x + w, row + max(height // 40, 4)], fill=(20, 20, 30))
            x += w + rng.randint(6, 18)
    out = io.BytesIO()
    image.save(out, format=fmt, quality=90)
    return out.getvalue()


def photo_upload(name: str = "ktp.jpg", **kwargs) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, photo_bytes(**kwargs), content_type="image/jpeg")


def pdf_upload(name: str = "ktp.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", content_type="image/jpeg")


def stored_photo(seed: int, prefix: str):
    """A photo as an upload leaves it: re-encoded (``process_or_refuse``) and stored
    under ``prefix``; returns ``(image, name, thumbnail_name)``."""
    image = process_or_refuse(photo_upload(f"f{seed}.jpg", seed=seed, width=900, height=600), kind="photo")
    name, thumb = store_processed_image(image, prefix=prefix)
    return image, name, thumb
