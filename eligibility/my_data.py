"""Eligibility's section of "Data saya" (``registrations.services.my_data``): the scores
and desils of the resident's households and their programme results. Registered in
``EligibilityConfig.ready()``."""

from eligibility.models import HouseholdScore, RecipientResult
from registrations.services.my_data import Export, fields_of


def scores_and_results(export: Export) -> None:
    household_ids = [h.pk for h in export.households]
    export.data["skor_dan_desil"] = [
        fields_of(s) for s in HouseholdScore.objects.filter(household_id__in=household_ids)
    ]
    export.data["hasil_program"] = [
        {**fields_of(r), "program": str(r.programme)}
        for r in RecipientResult.objects.filter(household_id__in=household_ids).select_related("programme")
    ]
