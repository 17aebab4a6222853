"""What every staff upload form shares: the size limit."""

from django.conf import settings

#: Largest accepted upload; ``POPULATION_IMPORT_MAX_BYTES`` in settings overrides it.
DEFAULT_MAX_BYTES = 200 * 1024 * 1024


def max_upload_bytes() -> int:
    return getattr(settings, "POPULATION_IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES)
