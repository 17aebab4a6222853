"""Storing uploaded photos: validated and re-encoded first, then written privately.

Files are written before the database rows that point at them; if the transaction then
rolls back, ``discard_on_failure`` removes them again, so a refused or failed request
leaves neither a row nor an orphan file behind.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from django.core.files.base import ContentFile

from dtsen_portal.errors import DomainError
from registrations.storage import private_storage, random_document_path
from registrations.uploads import ProcessedImage, UploadRejected, process_image_upload


def process_or_refuse(file_obj, *, kind: str, field: str | None = None) -> ProcessedImage:
    """Validate and re-encode an upload, turning a refusal into a ``DomainError``."""
    try:
        return process_image_upload(file_obj, kind=kind)
    except UploadRejected as exc:
        raise DomainError(exc.message, field=field) from exc


def store_processed_image(image: ProcessedImage, *, prefix: str) -> tuple[str, str]:
    """Write the image and its thumbnail; return their storage names."""
    storage = private_storage()
    name = storage.save(random_document_path(prefix), ContentFile(image.content))
    thumb = storage.save(random_document_path(f"{prefix}/thumbs"), ContentFile(image.thumbnail))
    return name, thumb


def stored_photo(image: ProcessedImage, *, prefix: str, written: list[str], warnings: bool = True) -> dict:
    """Write a photo and its thumbnail, remember both in ``written`` (for
    ``discard_on_failure``), and return the fields of the row that points at them."""
    name, thumb = store_processed_image(image, prefix=prefix)
    written += [name, thumb]
    fields = {"image": name, "thumbnail": thumb, "sha256": image.sha256, "width": image.width, "height": image.height}
    if warnings:
        fields["quality_warnings"] = list(image.warnings)
    return fields


def delete_stored(*names: str) -> None:
    storage = private_storage()
    for name in names:
        if name:
            storage.delete(name)


@contextlib.contextmanager
def discard_on_failure(written: list[str]) -> Iterator[None]:
    """Delete files written inside the block if the block raises."""
    try:
        yield
    except BaseException:
        delete_stored(*written)
        raise
