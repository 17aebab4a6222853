"""Region scope: nobody reaches a region that is not theirs, on any page or endpoint."""

import pytest
from django.urls import reverse

from registrations.models import Household, Member, Region
from registrations.scoping import NATIONAL, code_in_scope, region_scope, scope_filter
from testing.households import numbered_household
from testing.regions import OTHER_PROVINCE_VILLAGE, OTHER_REGENCY_VILLAGE, VILLAGE_A, VILLAGE_B

pytestmark = pytest.mark.django_db


@pytest.fixture
def households(regions):
    return {
        "a": numbered_household(VILLAGE_A, 1),
        "b": numbered_household(VILLAGE_B, 2),
        "sumedang": numbered_household(OTHER_REGENCY_VILLAGE, 3),
        "sleman": numbered_household(OTHER_PROVINCE_VILLAGE, 4),
    }


@pytest.mark.parametrize(
    ("code", "scope", "expected"),
    [
        ("32.04.12.2002", "32.04.12.2002", True),
        ("32.04.12.2002", "32.04", True),
        ("32.04.12.2002", "32", True),
        ("32.04.12.2002", NATIONAL, True),
        ("32.04.12.2003", "32.04.12.2002", False),
        ("32.04", "32.04.12", False),  # a village operator cannot see its regency
        ("32.41.01.2001", "32.4", False),  # a prefix must end at a dot
        ("32.04.12.2002", None, False),
        (None, NATIONAL, False),
    ],
)
def test_code_in_scope(code, scope, expected):
    assert code_in_scope(code, scope) is expected


def test_scope_of_each_persona(personas):
    assert region_scope(personas.operator_a) == VILLAGE_A
    assert region_scope(personas.social_officer) == "32.04"
    assert region_scope(personas.provincial) == "32"
    assert region_scope(personas.ministry) == NATIONAL
    assert region_scope(personas.admin) == NATIONAL
    assert region_scope(personas.resident) is None  # residents reach only what they own


def test_inactive_staff_reach_nothing(personas):
    personas.operator_a.is_active = False
    assert region_scope(personas.operator_a) is None


def test_scope_filter_on_regions_does_not_match_sibling_prefixes(regions):
    codes = set(Region.objects.filter(scope_filter("code", "32.04.12")).values_list("code", flat=True))
    assert "32.04.12" in codes and VILLAGE_A in codes and VILLAGE_B in codes
    assert all(c == "32.04.12" or c.startswith("32.04.12.") for c in codes)


@pytest.mark.parametrize(
    ("persona", "visible"),
    [
        ("operator_a", {"a"}),
        ("operator_b", {"b"}),
        ("operator_other_regency", {"sumedang"}),
        ("social_officer", {"a", "b"}),
        ("social_officer_other_regency", {"sumedang"}),
        ("regency_head", {"a", "b"}),
        ("provincial", {"a", "b", "sumedang"}),
        ("provincial_other", {"sleman"}),
        ("ministry", {"a", "b", "sumedang", "sleman"}),
        ("admin", {"a", "b", "sumedang", "sleman"}),
        ("resident", set()),
    ],
)
def test_household_queryset_follows_scope(personas, households, persona, visible):
    user = getattr(personas, persona)
    got = set(Household.objects.visible_to(user).values_list("pk", flat=True))
    assert got == {households[key].pk for key in visible}
    got_members = set(Member.objects.visible_to(user).values_list("household_id", flat=True))
    assert got_members == {households[key].pk for key in visible}


def test_operator_of_village_a_cannot_open_village_b_pages(client, personas, households):
    client.force_login(personas.operator_a)
    assert client.get(reverse("household-detail", args=[households["a"].pk])).status_code == 200
    response = client.get(reverse("household-detail", args=[households["b"].pk]))
    assert response.status_code == 404
    listing = client.get(reverse("household-list")).content.decode()
    assert "Kepala 1" in listing and "Kepala 2" not in listing
    # Filtering the list by another village's code shows nothing of it.
    listing = client.get(reverse("household-list"), {"desa": VILLAGE_B}).content.decode()
    assert "Kepala 2" not in listing


def test_operator_of_village_a_cannot_read_village_b_through_the_api(client, personas, households):
    client.force_login(personas.operator_a)
    own = client.get(reverse("api-household-detail", args=[households["a"].pk]))
    assert own.status_code == 200 and own.json()["village"] == VILLAGE_A
    assert client.get(reverse("api-household-detail", args=[households["b"].pk])).status_code == 404
    listed = client.get(reverse("api-household-list")).json()["results"]
    assert [h["id"] for h in listed] == [households["a"].pk]
    listed = client.get(reverse("api-household-list"), {"village": VILLAGE_B}).json()["results"]
    assert listed == []


def test_token_auth_is_scoped_too(client, personas, households):
    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=personas.operator_b)
    response = client.get(
        reverse("api-household-detail", args=[households["a"].pk]), HTTP_AUTHORIZATION=f"Token {token.key}"
    )
    assert response.status_code == 404


def test_api_refuses_writes(client, personas, households):
    client.force_login(personas.operator_a)
    url = reverse("api-household-detail", args=[households["a"].pk])
    assert client.put(url, {}, content_type="application/json").status_code == 405
    assert client.delete(url).status_code == 405


def test_regency_officer_sees_both_villages_but_not_another_regency(client, personas, households):
    client.force_login(personas.social_officer)
    assert client.get(reverse("household-detail", args=[households["b"].pk])).status_code == 200
    assert client.get(reverse("household-detail", args=[households["sumedang"].pk])).status_code == 404


@pytest.mark.parametrize("persona", ["resident", None])
def test_residents_and_anonymous_get_no_staff_pages(client, personas, households, persona):
    if persona:
        client.force_login(getattr(personas, persona))
    page = client.get(reverse("household-list"))
    api = client.get(reverse("api-household-list"))
    if persona:
        assert page.status_code == 403
        assert api.status_code == 403
    else:
        assert page.status_code == 302 and reverse("login") in page["Location"]
        assert api.status_code in (401, 403)


def test_staff_pages_are_not_cached(client, personas, households):
    client.force_login(personas.operator_a)
    response = client.get(reverse("household-detail", args=[households["a"].pk]))
    assert "no-store" in response["Cache-Control"]
