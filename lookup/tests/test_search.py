"""The public lookup: matching, masking, statuses, programmes, the not-found path."""

import pytest
from django.urls import reverse

from lookup.indexing import lookup_index_village
from lookup.selectors import MAX_RESULTS, lookup_search, name_key_or_none
from registrations.models import Proposal, ProposalStatus
from testing.households import add_member, household_headed_by
from testing.proposals import complete_draft
from testing.regions import VILLAGE_A, VILLAGE_B
from testing.residents import confirmed_resident
from testing.results import give_desil, give_result
from testing.scoring import PERIOD

pytestmark = pytest.mark.django_db


def search(client, name, village=VILLAGE_A, **extra):
    return client.post(
        reverse("lookup"),
        {"village": village, "name": name, "captcha_0": "x", "captcha_1": "PASSED"},
        **extra,
    )


def test_registered_person_found_masked_with_desil_and_programmes(client, regions, captcha_passes):
    household = household_headed_by("Hj. Suharti")
    give_desil(household, 2)
    give_result(household, "PKH", included=True)
    give_result(household, "BLT", included=False)
    lookup_index_village(VILLAGE_A)

    response = search(client, "suharti")
    html = response.content.decode()
    assert response.status_code == 200
    assert ">SU***TI<" in html
    assert "Suharti" not in html and "SUHARTI" not in html
    assert 'data-status="terdaftar"' in html
    assert "data-desil>2<" in html
    assert 'data-programme="PKH"' in html and "YA" in html and PERIOD in html
    assert 'data-programme="BLT"' in html and "TIDAK" in html


@pytest.mark.parametrize(
    ("stored", "typed"),
    [
        ("H. Moch. Yoesoef, S.Pd.", "muhammad yusuf"),
        ("Achmad  Hasanuddin", "AHMAD HASANUDIN"),
        ("Siti Aminah Lestari", "siti aminah"),
    ],
)
def test_matching_tolerates_titles_spelling_and_case(regions, stored, typed):
    household_headed_by(stored)
    lookup_index_village(VILLAGE_A)
    outcome = lookup_search(village_code=VILLAGE_A, name_key=name_key_or_none(typed))
    assert len(outcome.people) == 1


def test_single_word_matches_only_exactly(regions):
    household_headed_by("Siti Aminah")
    lookup_index_village(VILLAGE_A)
    assert lookup_search(village_code=VILLAGE_A, name_key="siti").people == []


def test_other_village_not_searched(regions):
    household_headed_by("Suharti Wulandari", VILLAGE_B)
    lookup_index_village(VILLAGE_B)
    assert lookup_search(village_code=VILLAGE_A, name_key="suharti wulandari").people == []


def test_more_matches_than_the_cap_show_nobody(regions):
    household = household_headed_by("Budi Santoso")
    for _ in range(MAX_RESULTS):
        add_member(household, "Budi Santoso")
    lookup_index_village(VILLAGE_A)
    outcome = lookup_search(village_code=VILLAGE_A, name_key="budi santoso")
    assert outcome.too_many and outcome.people == []


def test_open_proposal_shows_its_step_and_drafts_stay_hidden(regions, personas):
    resident = confirmed_resident()
    proposal = complete_draft(resident)
    head = proposal.members.get(relation="kepala")
    lookup_index_village(VILLAGE_A)
    key = name_key_or_none(head.full_name)
    assert lookup_search(village_code=VILLAGE_A, name_key=key).people == []

    Proposal.objects.filter(pk=proposal.pk).update(status=ProposalStatus.VERIFIED)
    lookup_index_village(VILLAGE_A)
    (person,) = lookup_search(village_code=VILLAGE_A, name_key=key).people
    assert person.status == "dalam_proses"
    assert person.step == "Terverifikasi Dinas Sosial"
    assert person.programmes == []


def test_not_found_page_explains_and_links(client, regions, captcha_passes):
    response = search(client, "Nama Yang Tidak Ada")
    html = response.content.decode()
    assert "data-not-found" in html
    assert "Belum pernah diusulkan" in html
    for name in ("resident-sign-up", "proposal-start", "lookup-tracking"):
        assert reverse(name) in html


@pytest.mark.parametrize("name", ["ab", "S*", "%a%", "siti_", "   "])
def test_short_or_wildcard_names_refused(client, regions, captcha_passes, name):
    household_headed_by("Siti Aminah")
    lookup_index_village(VILLAGE_A)
    response = search(client, name)
    html = response.content.decode()
    assert response.status_code == 200
    assert "data-results" not in html
    assert "invalid-feedback" in html or "is-invalid" in html


def test_htmx_search_returns_the_fragment(client, regions, captcha_passes):
    household_headed_by("Suharti")
    lookup_index_village(VILLAGE_A)
    response = search(client, "Suharti", HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "data-results" in html and "<html" not in html and 'hx-swap-oob="true"' in html
    assert "region-picker" not in html
    assert response["Cache-Control"].startswith("max-age=0")


def test_results_and_not_found_in_english_when_chosen(client, regions, captcha_passes):
    """The results fragment (Jinja2) is translated from the same catalogue as the pages."""
    household = household_headed_by("Suharti")
    give_desil(household, 2)
    give_result(household, "PKH", included=True)
    lookup_index_village(VILLAGE_A)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})

    html = search(client, "Suharti", HTTP_HX_REQUEST="true").content.decode()
    assert "Search results" in html and "Welfare decile" in html and "(1 = poorest 10%)" in html
    assert ">YES<" in html and "Hasil pencarian" not in html
    html = search(client, "Nama Yang Tidak Ada", HTTP_HX_REQUEST="true").content.decode()
    assert "Name not found in DTSEN for this region" in html and "Never proposed or registered" in html


def test_results_fragment_escapes_what_it_shows():
    from lookup.selectors import PublicPerson, SearchOutcome, Village
    from lookup.views.public import render_results

    person = PublicPerson(
        entry_id=1,
        masked_name="<b>SU***TI</b>",
        status="dalam_proses",
        status_label="<i>label</i>",
        step="<script>x</script>",
        desil=None,
        programmes=[{"code": '"><x', "name": "<u>PKH</u>", "included": None, "period": "<p>"}],
    )
    html = render_results(
        {
            "outcome": SearchOutcome(people=[person]),
            "people": [(person, "a&b")],
            "village": Village(code=VILLAGE_A, display_name="<em>Desa</em>"),
            "reasons": (),
        }
    )
    assert "<b>" not in html and "<i>" not in html and "<script>" not in html and "<u>" not in html
    assert "<em>" not in html and "<p>" not in html and '"><x' not in html
    assert "&lt;b&gt;SU***TI&lt;/b&gt;" in html and "pilih=a%26b" in html


def test_home_and_nav_link_to_the_lookup(client, regions):
    html = client.get(reverse("home")).content.decode()
    assert reverse("lookup") in html and "data-home-lookup" in html
