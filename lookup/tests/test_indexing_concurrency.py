"""Two rebuilds of one village at once (a sweep still running when the next starts, or
``rebuild_lookup`` beside the beat) take turns instead of colliding."""

import threading

import pytest
from django.db import connections

from lookup.indexing import lookup_index_village
from lookup.models import LookupEntry
from registrations.tests.factories import make_household_with_members
from registrations.tests.personas import VILLAGE_A


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_rebuilds_of_one_village_at_once_leave_one_entry_per_person(regions):
    for _ in range(30):
        make_household_with_members(VILLAGE_A, size=3)
    barrier = threading.Barrier(2)
    counts, errors = [], []

    def rebuild():
        try:
            barrier.wait()
            counts.append(lookup_index_village(VILLAGE_A))
        except Exception as exc:  # noqa: BLE001 - the assertion below shows it
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=rebuild) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert counts == [90, 90]
    assert LookupEntry.objects.filter(village_code=VILLAGE_A).count() == 90
