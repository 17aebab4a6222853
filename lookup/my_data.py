"""Lookup's section of "Data saya" (``registrations.services.my_data``): the objections
(sanggah) the resident filed, with their history; the staff who decided appear nowhere.
Registered in ``LookupConfig.ready()``."""

from lookup.models import Objection
from registrations.services.my_data import Export, fields_of


def objections(export: Export) -> None:
    export.data["sanggah"] = [
        {
            **fields_of(o, exclude=("decided_by", "objector")),
            "riwayat": [fields_of(e, exclude=("actor",)) for e in o.events.all()],
        }
        for o in Objection.objects.filter(objector=export.user).prefetch_related("events")
    ]
