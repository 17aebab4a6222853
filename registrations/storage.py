"""Private storage for personal documents (ID cards, selfies, house photos, scans).

Files live under ``PRIVATE_MEDIA_ROOT`` (settings.MEDIA_ROOT) and have no URL at all:
the only way out is a view that checks the viewer's right to see the document and then
hands it to ``registrations/private_files.py: serve_private_file``.
"""

import secrets

from django.core.files.storage import FileSystemStorage


class PrivateStorage(FileSystemStorage):
    def url(self, name):
        raise NotImplementedError("Private documents have no public URL; serve them through a permission-checked view.")


_private_storage = PrivateStorage()


def private_storage() -> PrivateStorage:
    """Callable for ``FileField(storage=...)``, so migrations do not freeze a path."""
    return _private_storage


def random_document_path(prefix: str, extension: str = "jpg") -> str:
    """An unguessable path that carries no personal number (never the NIK)."""
    token = secrets.token_hex(16)
    return f"{prefix}/{token[:2]}/{token}.{extension}"
