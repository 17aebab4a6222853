import pytest
from django.core.management import call_command
from django.urls import reverse

from registrations.models import Region, RegionLevel
from registrations.services.regions import EXPECTED_COUNTS, regions_load

pytestmark = pytest.mark.django_db


def test_partial_load_brings_the_branch_and_its_ancestors():
    result = regions_load(prefixes=["32.04.12"])
    assert result.counts == {1: 1, 2: 1, 3: 1, 4: 6}
    village = Region.objects.get(code="32.04.12.2002")
    assert village.name == "Dayeuhkolot" and village.kind == "desa" and village.postal_code == "40258"
    assert village.parent_id == "32.04.12" and village.parent.parent_id == "32.04"
    assert Region.objects.get(code="32.04.12.1001").kind == "kelurahan"
    assert village.display_name == "Desa Dayeuhkolot"
    assert Region.objects.get(code="32.04").display_name == "Kabupaten Bandung"


def test_reload_is_idempotent_and_repairs_edits():
    regions_load(prefixes=["32.04.12"])
    Region.objects.filter(code="32.04.12.2002").update(name="Salah")
    before = Region.objects.count()
    regions_load(prefixes=["32.04.12"])
    assert Region.objects.count() == before
    assert Region.objects.get(code="32.04.12.2002").name == "Dayeuhkolot"


def test_full_load_matches_the_2025_edition():
    """The whole hierarchy, counts asserted by the loader itself (about 5 s)."""
    call_command("load_regions")
    for level, expected in EXPECTED_COUNTS.items():
        assert Region.objects.filter(level=level).count() == expected
    # The 2022 Papua provinces are present.
    assert {"91", "92", "93", "94", "95", "96"} <= set(
        Region.objects.filter(level=RegionLevel.PROVINCE).values_list("code", flat=True)
    )
    call_command("load_regions")  # twice: nothing breaks, nothing doubles
    assert Region.objects.count() == sum(EXPECTED_COUNTS.values())


def test_api_lists_provinces_and_children(client, regions):
    provinces = client.get(reverse("api-region-list")).json()
    assert {p["code"] for p in provinces} == {"32", "34"}  # the test regions only
    assert provinces[0]["level"] == 1 and provinces[0]["name"] == "Jawa Barat"
    districts = client.get(reverse("api-region-list"), {"parent": "32.04"}).json()
    assert [d["code"] for d in districts] == ["32.04.12"]
    villages = client.get(reverse("api-region-list"), {"parent": "32.04.12"}).json()
    assert len(villages) == 6 and {v["kind"] for v in villages} == {"desa", "kelurahan"}
    assert client.get(reverse("api-region-list"), {"parent": "99.99"}).status_code == 404


def test_api_region_detail_and_search(client, regions):
    detail = client.get(reverse("api-region-detail", args=["32.04.12.2002"])).json()
    assert detail == {
        "code": "32.04.12.2002",
        "name": "Dayeuhkolot",
        "level": 4,
        "kind": "desa",
        "parent": "32.04.12",
        "postal_code": "40258",
    }
    found = client.get(reverse("api-region-list"), {"q": "dayeuh"}).json()
    assert [r["code"] for r in found] == ["32.04.12", "32.04.12.2002"]
    assert client.get(reverse("api-region-list"), {"q": "da"}).json() == []  # too short to enumerate
    only_villages = client.get(reverse("api-region-list"), {"q": "dayeuh", "level": 4}).json()
    assert [r["code"] for r in only_villages] == ["32.04.12.2002"]


def test_region_search_page(client, regions):
    page = client.get(reverse("region-search"), {"q": "cangkuang"})
    html = page.content.decode()
    assert page.status_code == 200
    assert "Desa Cangkuang Wetan" in html and "Desa Cangkuang Kulon" in html and "40238" in html
    partial = client.get(reverse("region-search"), {"q": "cangkuang"}, HTTP_HX_REQUEST="true").content.decode()
    assert "Cangkuang Wetan" in partial and "<html" not in partial


def test_picker_options_endpoint_fills_next_level_and_clears_below(client, regions):
    response = client.get(
        reverse("region-options"),
        {"field": "village", "id": "id_village", "level": 3, "target": 4, "village__l2": "32.04"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert '<option value="32.04.12">Dayeuhkolot</option>' in html
    assert 'id="id_village" hx-swap-oob="innerHTML"' in html  # the village select is emptied
    bad = client.get(reverse("region-options"), {"field": "village", "id": "x", "level": "x"})
    assert bad.status_code == 400


def test_picker_widget_renders_the_chosen_village_with_its_ancestors(regions):
    from django import forms

    from registrations.forms import RegionPickerField

    class PlaceForm(forms.Form):
        village = RegionPickerField()

    form = PlaceForm(initial={"village": "32.04.12.2002"})
    html = str(form["village"])
    assert 'name="village__l1"' in html and 'name="village__l3"' in html and 'name="village"' in html
    assert '<option value="32.04.12.2002" selected>' in html
    assert '<option value="32.04" selected>' in html
    bound = PlaceForm(data={"village": "32.04.12.2003"})
    assert bound.is_valid() and bound.cleaned_data["village"].code == "32.04.12.2003"
    assert not PlaceForm(data={"village": "32.04.12"}).is_valid()  # a district is not a village
