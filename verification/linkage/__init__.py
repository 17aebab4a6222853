"""Record linkage: link people across two files, or find duplicates within one.

Blocking (:mod:`.blocking`), comparison vectors (:mod:`.compare`), a Fellegi–Sunter
model estimated from the data (:mod:`.model`), streaming link and dedupe
(:mod:`.engine`), and the chunked Celery path (:mod:`.chunked`). ``manage.py
link_records`` is the command; ``docs/linkage.md`` explains how it works and scales.
"""

from .engine import LinkError, LinkJob, LinkStats, ReferenceIndex, link_files, parse_mapping, train
from .records import FIELDS

__all__ = ["FIELDS", "LinkError", "LinkJob", "LinkStats", "ReferenceIndex", "link_files", "parse_mapping", "train"]
