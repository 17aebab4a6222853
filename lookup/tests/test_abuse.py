"""Abuse resistance: the captcha, rate limits per address and per name, clear 429s."""

import re

import pytest
from captcha.models import CaptchaStore
from django.test import override_settings
from django.urls import reverse

from lookup.indexing import lookup_index_village
from testing.households import household_headed_by
from testing.regions import VILLAGE_A

pytestmark = pytest.mark.django_db


def captcha_key(html: str) -> str:
    return re.search(r'name="captcha_0" value="([0-9a-f]+)"', html).group(1)


def post(client, name, key, answer, **extra):
    data = {"village": VILLAGE_A, "name": name, "captcha_0": key, "captcha_1": answer}
    return client.post(reverse("lookup"), data, **extra)


def test_page_has_a_four_letter_captcha_with_a_new_code_button(client, regions):
    html = client.get(reverse("lookup")).content.decode()
    store = CaptchaStore.objects.get(hashkey=captcha_key(html))
    assert len(store.challenge) == 4 and store.challenge.isalpha()
    assert "data-captcha-refresh" in html and "Kode baru" in html
    assert "CARI DATA" in html


def test_new_code_gives_a_different_captcha(client, regions):
    first = captcha_key(client.get(reverse("lookup")).content.decode())
    fragment = client.get(reverse("lookup-captcha-new"), HTTP_HX_REQUEST="true").content.decode()
    assert "captcha-field" in fragment and captcha_key(fragment) != first


def test_right_answer_searches_wrong_answer_does_not(client, regions):
    household_headed_by("Suharti")
    lookup_index_village(VILLAGE_A)
    key = captcha_key(client.get(reverse("lookup")).content.decode())
    answer = CaptchaStore.objects.get(hashkey=key).response
    wrong = post(client, "Suharti", key, "zzzz").content.decode()
    assert "data-results" not in wrong and "Kode tidak sesuai" in wrong
    # A captcha is spent by any attempt, right or wrong.
    assert post(client, "Suharti", key, answer).content.decode().count("data-results") == 0

    key = captcha_key(client.get(reverse("lookup")).content.decode())
    answer = CaptchaStore.objects.get(hashkey=key).response.upper()  # case does not matter
    right = post(client, "Suharti", key, answer).content.decode()
    assert "data-results" in right and "SU***TI" in right


@override_settings(LOOKUP_RATE_PER_IP="3/m")
def test_rate_limit_per_client_address(client, regions, captcha_passes):
    for _ in range(3):
        assert post(client, "Suharti", "x", "PASSED").status_code == 200
    response = post(client, "Suharti", "x", "PASSED")
    assert response.status_code == 429
    assert response["Retry-After"] == "60"
    assert "Terlalu banyak pencarian dari alamat Anda" in response.content.decode()
    # Another address is not affected.
    assert post(client, "Suharti", "x", "PASSED", REMOTE_ADDR="10.0.0.9").status_code == 200


@override_settings(LOOKUP_RATE_PER_NAME="2/h", LOOKUP_RATE_PER_IP="100/m")
def test_rate_limit_per_village_and_name_across_addresses(client, regions, captcha_passes):
    for i in range(2):
        assert post(client, "Suharti", "x", "PASSED", REMOTE_ADDR=f"10.0.0.{i}").status_code == 200
    # Spelled differently, same person: the normalised key is what counts.
    response = post(client, "  SUHARTI ", "x", "PASSED", REMOTE_ADDR="10.0.0.7")
    assert response.status_code == 429
    assert "terlalu sering dicari" in response.content.decode()
    assert post(client, "Siti Aminah", "x", "PASSED", REMOTE_ADDR="10.0.0.7").status_code == 200


@override_settings(LOOKUP_RATE_PER_NAME="1/h", LOOKUP_RATE_PER_IP="100/m")
def test_failed_captchas_do_not_use_up_a_names_limit(client, regions, captcha_passes):
    for _ in range(3):
        post(client, "Suharti", "x", "wrong")
    assert post(client, "Suharti", "x", "PASSED").status_code == 200


@override_settings(LOOKUP_RATE_PER_IP="1/m")
def test_htmx_gets_the_limit_message_in_place(client, regions, captcha_passes):
    post(client, "Suharti", "x", "PASSED", HTTP_HX_REQUEST="true")
    response = post(client, "Suharti", "x", "PASSED", HTTP_HX_REQUEST="true")
    assert response["X-Lookup-Status"] == "429"
    assert "data-rate-limited" in response.content.decode()


def test_floor_view_absent_without_the_bench_flag(client, regions):
    assert client.get("/cek-bansos/lantai/32/").status_code == 404


def test_expired_captcha_refused_and_purged(client, regions):
    import datetime

    from django.utils import timezone

    from lookup.captcha import purge_expired

    key = captcha_key(client.get(reverse("lookup")).content.decode())
    store = CaptchaStore.objects.get(hashkey=key)
    CaptchaStore.objects.filter(pk=store.pk).update(expiration=timezone.now() - datetime.timedelta(seconds=1))
    html = post(client, "Suharti", key, store.response).content.decode()
    assert "data-results" not in html and "Kode tidak sesuai" in html
    fresh = captcha_key(client.get(reverse("lookup")).content.decode())
    CaptchaStore.objects.filter(hashkey=fresh).update(expiration=timezone.now() - datetime.timedelta(seconds=1))
    assert purge_expired() == 2  # the refused one (never spent: it had expired) and this one
    assert not CaptchaStore.objects.filter(expiration__lte=timezone.now()).exists()


def test_htmx_search_spends_the_captcha_and_brings_the_next_in_few_queries(client, regions):
    """The answer carries a new, stored captcha; the spent one is gone. One statement spends
    and renews on PostgreSQL (two on SQLite), one searches, and the village is read once."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    household_headed_by("Suharti")
    lookup_index_village(VILLAGE_A)
    key = captcha_key(client.get(reverse("lookup")).content.decode())
    answer = CaptchaStore.objects.get(hashkey=key).response
    with CaptureQueriesContext(connection) as queries:
        html = post(client, "Suharti", key, answer, HTTP_HX_REQUEST="true").content.decode()
    assert "data-person" in html and 'hx-swap-oob="true"' in html
    renewed = captcha_key(html)
    assert renewed != key and not CaptchaStore.objects.filter(hashkey=key).exists()
    assert CaptchaStore.objects.filter(hashkey=renewed).exists()
    assert len(queries) <= (3 if connection.vendor == "postgresql" else 4)


def test_unknown_village_refused_with_the_picker_message(client, regions, captcha_passes):
    data = {"village": "99.99.99.9999", "name": "Suharti", "captcha_0": "x", "captcha_1": "PASSED"}
    html = client.post(reverse("lookup"), data).content.decode()
    assert "data-results" not in html and "Pilih wilayah sampai tingkat desa/kelurahan." in html


@override_settings(LOOKUP_RATE_PER_IP="2/m")
def test_ipv6_clients_are_limited_by_their_64_block(client, regions, captcha_passes):
    for suffix in ("1", "2"):
        assert post(client, "Suharti", "x", "PASSED", REMOTE_ADDR=f"2001:db8:1:2::{suffix}").status_code == 200
    assert post(client, "Suharti", "x", "PASSED", REMOTE_ADDR="2001:db8:1:2::3").status_code == 429
    assert post(client, "Suharti", "x", "PASSED", REMOTE_ADDR="2001:db8:1:3::1").status_code == 200


@override_settings(LOOKUP_RATE_PER_IP="2/m")
def test_behind_the_proxy_each_visitor_is_counted_apart(client, regions, captcha_passes, settings):
    """Behind nginx every request comes from the proxy; the forwarded address counts."""
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    nginx = {"REMOTE_ADDR": "10.0.0.2"}
    for _ in range(2):
        assert post(client, "Suharti", "x", "PASSED", HTTP_X_FORWARDED_FOR="198.51.100.7", **nginx).status_code == 200
    assert post(client, "Suharti", "x", "PASSED", HTTP_X_FORWARDED_FOR="198.51.100.7", **nginx).status_code == 429
    # A forged first hop does not make a new client: only the proxy's own entry is trusted.
    forged = "203.0.113.9, 198.51.100.7"
    assert post(client, "Suharti", "x", "PASSED", HTTP_X_FORWARDED_FOR=forged, **nginx).status_code == 429
    assert post(client, "Suharti", "x", "PASSED", HTTP_X_FORWARDED_FOR="198.51.100.8", **nginx).status_code == 200
