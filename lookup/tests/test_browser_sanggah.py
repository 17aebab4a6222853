"""In a real browser: a member of the public finds a recipient with region, name and the
captcha; a resident of that village objects with a photo; the village operator reviews
and records the field check; Dinas Sosial upholds it; the resident sees the outcome."""

import re

import pytest
from captcha.models import CaptchaStore
from playwright.sync_api import Expect

from lookup.indexing import lookup_index_village
from lookup.models import Objection, ObjectionStatus
from testing.browser import DESKTOP, PageProblems, log_in, new_page, watch
from testing.households import household_headed_by
from testing.regions import VILLAGE_A
from testing.residents import confirmed_resident
from testing.results import give_desil, give_result
from testing.scoring import PERIOD
from testing.uploads import photo_bytes

pytestmark = pytest.mark.browser

expect = Expect()
expect.set_options(timeout=10_000)


def pick_region(page, village: str) -> None:
    parts = village.split(".")
    codes = [".".join(parts[: i + 1]) for i in range(len(parts))]
    ids = ["id_village_l1", "id_village_l2", "id_village_l3", "id_village"]
    for level, code in enumerate(codes):
        if level:
            page.wait_for_selector(f'#{ids[level]} option[value="{code}"]', state="attached")
        page.select_option(f"#{ids[level]}", code)


def answer_captcha(page) -> None:
    key = page.input_value("#id_captcha_0")
    page.fill("#id_captcha_1", CaptchaStore.objects.get(hashkey=key).response)


def search(page, base: str, name: str) -> None:
    page.goto(base + "/cek-bansos/")
    page.wait_for_load_state()
    pick_region(page, VILLAGE_A)
    page.fill("#id_name", name)
    # "Kode baru" swaps in another captcha; answer the new one.
    old_key = page.input_value("#id_captcha_0")
    page.get_by_role("button", name="Kode baru").click()
    expect(page.locator("#id_captcha_0")).not_to_have_value(old_key)
    answer_captcha(page)
    page.get_by_role("button", name="CARI DATA").click()
    expect(page.locator("[data-person]")).to_have_count(1)


def test_lookup_then_objection_to_decision(live_server, chromium, personas, playwright_connections_closed):
    household = household_headed_by("Hj. Bambang Wiryawan")
    give_desil(household, 3)
    give_result(household, "PKH", included=True)
    lookup_index_village(VILLAGE_A)
    objector = confirmed_resident("pelapor")
    base = live_server.url
    problems = PageProblems()

    def watched(device=None):
        page = new_page(chromium, device=device)
        watch(page, problems)
        return page

    # 1. The public, on a phone, no login.
    page = watched()
    page.goto(base + "/")
    page.locator("[data-home-lookup]").click()
    expect(page).to_have_url(base + "/cek-bansos/")
    search(page, base, "bambang wiryawan")
    person = page.locator("[data-person]")
    expect(person.locator("[data-masked-name]")).to_have_text("BA***NG WI***WAN")
    expect(person).to_contain_text("Terdaftar di DTSEN")
    expect(person.locator('[data-programme="PKH"]')).to_contain_text("YA")
    expect(person.locator('[data-programme="PKH"]')).to_contain_text(PERIOD)
    expect(person.locator("[data-sanggah-link]")).to_have_count(0)  # not logged in
    page.context.close()

    # 2. A resident of the village objects, with a photo of the house.
    page = watched()
    log_in(page, base, objector)
    search(page, base, "BAMBANG WIRYAWAN")
    page.locator("[data-sanggah-link]").click()
    expect(page.locator("[data-target]")).to_have_text("BA***NG WI***WAN")
    page.get_by_label("Tergolong mampu (rumah, kendaraan, penghasilan)").check()
    page.fill("#id_statement", "Rumahnya bertingkat dan ada dua mobil di garasi.")
    page.set_input_files("#id_photos", [{"name": "rumah.jpg", "mimeType": "image/jpeg", "buffer": photo_bytes(seed=5)}])
    page.get_by_role("button", name="Kirim sanggah").click()
    expect(page).to_have_url(base + "/sanggah/")
    number = Objection.objects.get().number
    expect(page.locator(f'[data-objection="{number}"] [data-objection-status]')).to_have_text("Diterima")
    page.context.close()

    # 3. The village operator reviews and records the field check.
    page = watched(DESKTOP)
    log_in(page, base, personas.operator_a)
    page.goto(base + "/staf/sanggah/")
    page.get_by_role("link", name=number).click()
    expect(page.locator("[data-target-name]")).to_contain_text("Hj. Bambang Wiryawan")
    expect(page.locator("img.img-thumbnail")).to_have_count(1)
    page.locator('[data-move="review"]').click()
    expect(page.locator("[data-objection-status]")).to_have_text("Sedang ditinjau")
    page.fill("#id_note", "Dicek 5 Desember: rumah dua lantai, dua mobil.")
    page.locator('[data-move="field_check"]').click()
    expect(page.locator("[data-objection-status]")).to_have_text("Sudah dicek di lapangan")
    expect(page.locator('[data-move="uphold"]')).to_have_count(0)  # Dinas Sosial decides
    page.context.close()

    # 4. Dinas Sosial upholds it.
    page = watched(DESKTOP)
    log_in(page, base, personas.social_officer)
    page.goto(base + f"/staf/sanggah/{number}/")
    page.fill("#id_note", "Terbukti mampu; diusulkan keluar dari penerima PKH.")
    page.locator('[data-move="uphold"]').click()
    expect(page.locator("[data-objection-status]")).to_have_text("Dikabulkan")
    page.context.close()

    # 5. The resident sees the outcome.
    page = watched()
    log_in(page, base, objector)
    page.goto(base + "/sanggah/")
    card = page.locator(f'[data-objection="{number}"]')
    expect(card.locator("[data-objection-status]")).to_have_text("Dikabulkan")
    expect(card.locator("[data-decision-note]")).to_contain_text("Terbukti mampu")
    page.context.close()

    assert Objection.objects.get().status == ObjectionStatus.UPHELD
    assert not problems, problems
    assert re.fullmatch(r"SG[0-9A-Z]{8}", number)
