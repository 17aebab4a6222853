"""Two rebuilds of one village at once (a sweep still running when the next starts, or
``rebuild_lookup`` beside the beat) take turns instead of colliding."""

import pytest

from lookup.indexing import lookup_index_village
from lookup.models import LookupEntry
from testing.concurrency import at_once
from testing.factories import make_household_with_members
from testing.regions import VILLAGE_A


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_rebuilds_of_one_village_at_once_leave_one_entry_per_person(regions):
    for _ in range(30):
        make_household_with_members(VILLAGE_A, size=3)
    assert at_once(lambda: lookup_index_village(VILLAGE_A)) == [90, 90]
    assert LookupEntry.objects.filter(village_code=VILLAGE_A).count() == 90
