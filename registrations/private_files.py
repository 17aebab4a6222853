"""The one way out of private storage: ``serve_private_file``.

Private files (ID cards, house and visit photos, sanggah evidence, berita acara, the
upload jobs' reports) have no URL (``registrations/storage.py``); a view that has
checked the viewer's right to the file hands it to this function, which sends it
never cached by browsers or proxies and, for a staff view of personal data, records
the access in ``DocumentAccess`` first. ``X-Content-Type-Options: nosniff`` comes
from Django's security middleware on every response.
"""

from __future__ import annotations

from typing import NamedTuple

from django.http import FileResponse

from registrations.models import DocumentAccess
from registrations.storage import private_storage


class Access(NamedTuple):
    """The ``DocumentAccess`` row a view of a personal file writes (the user is the viewer)."""

    document_type: str
    document_id: int
    variant: str = "full"


def serve_private_file(
    request,
    name: str,
    *,
    filename: str,
    content_type: str,
    attachment: bool = False,
    log: Access | None = None,
) -> FileResponse:
    """The file stored under ``name`` in private storage, as ``filename``: shown in the
    browser (``inline``) or downloaded (``attachment``), with ``Cache-Control: private,
    no-store``. With ``log``, the viewer's access is recorded before the file is opened."""
    if log is not None:
        DocumentAccess.objects.create(
            user=request.user, document_type=log.document_type, document_id=log.document_id, variant=log.variant
        )
    response = FileResponse(
        private_storage().open(name, "rb"), as_attachment=attachment, filename=filename, content_type=content_type
    )
    response["Cache-Control"] = "private, no-store"
    return response
