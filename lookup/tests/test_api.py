"""The partner API: API keys, its own throttle, the same whitelisted answer."""

import pytest
from django.test import override_settings
from django.urls import reverse
from rest_framework_api_key.models import APIKey

from lookup.indexing import lookup_index_village
from testing.households import household_headed_by
from testing.regions import VILLAGE_A
from testing.results import give_result

pytestmark = pytest.mark.django_db


def call(client, secret=None, **data):
    headers = {"HTTP_AUTHORIZATION": f"Api-Key {secret}"} if secret else {}
    payload = {"village": VILLAGE_A, "name": "Suharti", **data}
    return client.post(reverse("api-lookup-search"), payload, content_type="application/json", **headers)


@pytest.fixture
def secret(db):
    return APIKey.objects.create_key(name="mitra")[1]


def test_key_required(client, regions):
    assert call(client).status_code in (401, 403)
    assert call(client, "bukan.kunci").status_code in (401, 403)


def test_revoked_key_refused(client, regions):
    api_key, secret = APIKey.objects.create_key(name="lama")
    api_key.revoked = True
    api_key.save()
    assert call(client, secret).status_code in (401, 403)


def test_search_answer(client, regions, secret):
    household = household_headed_by("Suharti")
    give_result(household, "PBI_JK", included=True)
    lookup_index_village(VILLAGE_A)
    body = call(client, secret).json()
    (person,) = body["results"]
    assert person["masked_name"] == "SU***TI"
    assert person["status"] == "terdaftar"
    assert {"code": "PBI_JK", "included": True}.items() <= next(
        p for p in person["programmes"] if p["code"] == "PBI_JK"
    ).items()
    assert set(person) == {"masked_name", "status", "status_label", "step", "desil", "programmes"}


def test_bad_input_gets_clear_messages(client, regions, secret):
    response = call(client, secret, village="99.99.99.9999", name="ab")
    assert response.status_code == 400
    text = response.content.decode()
    assert "Kode desa/kelurahan tidak dikenal" in text and "paling sedikit" in text


@override_settings(LOOKUP_API_RATE="2/m")
def test_each_key_has_its_own_throttle(client, regions, secret):
    assert call(client, secret).status_code == 200
    assert call(client, secret).status_code == 200
    assert call(client, secret).status_code == 429
    other = APIKey.objects.create_key(name="mitra-lain")[1]
    assert call(client, other).status_code == 200


def test_schema_documents_the_key_scheme(client, regions):
    schema = client.get(reverse("api-schema"), HTTP_ACCEPT="application/json").json()
    assert "PartnerApiKey" in schema["components"]["securitySchemes"]
    assert "/api/lookup/search/" in schema["paths"]
