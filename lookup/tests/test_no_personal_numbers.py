"""Property: whatever the register holds, a lookup answer (page or API) never carries a
NIK, KK number (no 16-digit run at all) or an address."""

import re
import string

import pytest
from django.core.cache import cache
from django.urls import reverse
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from rest_framework_api_key.models import APIKey

from lookup.indexing import lookup_index_village
from lookup.selectors import name_key_or_none
from registrations.models import Household, Member
from testing.households import household_headed_by
from testing.regions import VILLAGE_A
from testing.results import give_desil

pytestmark = pytest.mark.django_db

# A standalone 16-digit number; runs of digits inside hex tokens (the captcha key) are not
# personal numbers.
SIXTEEN_DIGITS = re.compile(r"(?<![0-9A-Za-z])\d{16}(?![0-9A-Za-z])")
word = st.text(alphabet=string.ascii_letters, min_size=4, max_size=9)
titles = st.sampled_from(["", "H. ", "Hj. ", "Drs. ", "Ir. "])
degrees = st.sampled_from(["", ", S.Pd.", ", S.E., M.M."])
names = st.builds(lambda t, ws, d: t + " ".join(ws) + d, titles, st.lists(word, min_size=1, max_size=3), degrees)
addresses = st.builds(lambda w, n: f"Jl. {w} No. {n}", word, st.integers(1, 999))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(people=st.lists(st.tuples(names, addresses, st.integers(1, 10)), min_size=1, max_size=4))
def test_no_nik_kk_or_address_in_any_answer(client, regions, captcha_passes, people):
    # Names too short to search once normalised ("Aaaa" → "a") are refused before any lookup.
    assume(all(name_key_or_none(name) for name, _address, _desil in people))
    cache.clear()  # rate-limit counters: each example is a fresh visitor
    Household.objects.filter(village_id=VILLAGE_A).delete()
    created = []
    for name, address, desil in people:
        household = household_headed_by(name, size=2)
        Household.objects.filter(pk=household.pk).update(address=address)
        give_desil(household, desil)
        created.append((household, name, address))
    lookup_index_village(VILLAGE_A)
    _key, secret = APIKey.objects.create_key(name="mitra-uji")
    secrets_ = set()
    for household, _name, address in created:
        secrets_ |= {
            household.kk_number,
            address,
            *Member.objects.filter(household=household).values_list("nik", flat=True),
        }
    for _household, name, _address in created:
        page = client.post(
            reverse("lookup"), {"village": VILLAGE_A, "name": name, "captcha_0": "x", "captcha_1": "PASSED"}
        ).content.decode()
        api = client.post(
            reverse("api-lookup-search"),
            {"village": VILLAGE_A, "name": name},
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Api-Key {secret}",
        ).content.decode()
        assert "data-person" in page and '"masked_name"' in api
        for body in (page, api):
            assert not SIXTEEN_DIGITS.search(body)
            for value in secrets_:
                assert value not in body
