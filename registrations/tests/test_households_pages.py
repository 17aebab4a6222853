import pytest
from django.urls import reverse

from testing.households import numbered_household
from testing.regions import VILLAGE_A

pytestmark = pytest.mark.django_db


def test_household_list_query_count_does_not_grow_with_rows(client, personas, django_assert_max_num_queries):
    for serial in range(30):
        numbered_household(VILLAGE_A, serial)
    client.force_login(personas.regency_head)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("household-list"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Halaman 1 dari 2" in html
    assert client.get(reverse("household-list"), {"halaman": 2}).status_code == 200
    with django_assert_max_num_queries(8):
        assert client.get(reverse("api-household-list")).json()["count"] == 30


def test_household_detail_shows_members(client, personas):
    household = numbered_household(VILLAGE_A, 7)
    client.force_login(personas.operator_a)
    html = client.get(reverse("household-detail", args=[household.pk])).content.decode()
    assert "Kepala 7" in html and "Desa Dayeuhkolot" in html and "Kabupaten Bandung" in html
