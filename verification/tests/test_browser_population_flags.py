"""Population-event flags in a real browser, from the upload to the resolution.

Dinas Sosial uploads a deaths file on the import page ("Jenis berkas": events) and
watches the htmx progress until the summary says one new flag; the operator of the
other village (B) does not see the flag and its URL answers 404; the operator of
village A sees the open-flag card on the dashboard, opens the list, filters by kind,
resolves the flag with a note ("Tandai selesai") and sees it resolved. No page may
fail a request or log a console error.
"""

import re

import pytest
from playwright.sync_api import Expect

from testing.browser import PageProblems, logged_in
from testing.factories import make_household_with_members
from testing.population_events import RECENT, events_csv, record_for
from testing.regions import VILLAGE_A
from verification.models import FlagKind, LifeStatus, PopulationFlag, PopulationRecord
from verification.population import jobs

pytestmark = pytest.mark.browser
expect = Expect()
expect.set_options(timeout=10_000)


def filter_flags(page, *, kind: str, state: str) -> None:
    page.get_by_label("Jenis", exact=True).select_option(label=kind)
    page.get_by_label("Status", exact=True).select_option(label=state)
    with page.expect_navigation():
        page.get_by_role("button", name="Saring").click()


def test_a_death_flag_is_raised_resolved_and_kept_from_another_village(
    live_server,
    personas,
    chromium,
    playwright_connections_closed,
    monkeypatch,
):
    household = make_household_with_members(VILLAGE_A, size=2)
    head = household.members.get(relation="kepala")
    record_for(head)
    body = events_csv([{"event_id": "MTI-UJI-1", "event_type": "death", "nik": head.nik, "event_date": RECENT}])
    queued = []
    monkeypatch.setattr(jobs, "_enqueue", lambda *job: queued.append(job))  # the test plays the worker
    base, problems = live_server.url, PageProblems()

    # Dinas Sosial (TOTP) uploads the events file and follows the progress.
    with logged_in(chromium, base, personas.social_officer, problems) as page:
        page.goto(base + "/staf/kependudukan/impor/")
        page.get_by_role("radio", name=re.compile("Peristiwa kependudukan")).check()
        page.get_by_label("Berkas CSV data kependudukan").set_input_files(
            {"name": "peristiwa.csv", "mimeType": "text/csv", "buffer": body.getvalue()}
        )
        page.get_by_role("button", name="Unggah dan impor").click()
        status = page.locator("#status-impor")
        expect(status).to_contain_text("Menunggu giliran")
        jobs.job_run(*queued[0])  # the worker's turn; htmx polls every second
        expect(status).to_contain_text("Selesai.")
        expect(status.locator("#jumlah-baru")).to_have_text("1")
        expect(status.locator("#jumlah-diperbarui")).to_have_text("1")
        expect(status.locator("#jumlah-tanda")).to_contain_text("1")
        expect(status).to_contain_text("Semua baris valid.")
    assert PopulationRecord.objects.get(nik=head.nik).status == LifeStatus.DECEASED
    flag = PopulationFlag.objects.get()
    assert (flag.kind, flag.household_id, flag.village_id) == (FlagKind.DECEASED, household.pk, VILLAGE_A)
    resolve_url = f"{base}/staf/kependudukan/tanda/{flag.pk}/selesai/"

    # The operator of village B: no flag on the dashboard or in the list, and its URL is a 404.
    with logged_in(chromium, base, personas.operator_b, problems) as page:
        page.goto(base + "/staf/")
        expect(page.locator("[data-population-flag-count]")).to_contain_text("0 belum selesai")
        page.goto(base + "/staf/kependudukan/tanda/?status=semua")
        expect(page.locator("main h1")).to_have_text("Tanda peristiwa kependudukan")
        expect(page.locator("[data-empty]")).to_have_text("Tidak ada tanda.")
        expect(page.locator("[data-flag]")).to_have_count(0)
        expect(page.locator("main")).not_to_contain_text(head.full_name)
        token = page.locator("input[name=csrfmiddlewaretoken]").first.input_value()
        response = page.request.post(resolve_url, form={"csrfmiddlewaretoken": token, "note": "bukan wilayah saya"})
        assert response.status == 404
        assert "Halaman tidak ditemukan" in response.text()
    flag.refresh_from_db()
    assert flag.resolved_at is None

    # The operator of village A: the card, the list, the kind filter, "Tandai selesai".
    with logged_in(chromium, base, personas.operator_a, problems) as page:
        page.goto(base + "/staf/")
        card = page.locator("[data-population-flag-count]")
        expect(card).to_contain_text("Tanda peristiwa kependudukan")
        expect(card).to_contain_text("1 belum selesai")
        card.get_by_role("link", name="Lihat tanda").click()
        expect(page).to_have_url(base + "/staf/kependudukan/tanda/")
        rows = page.locator("tr[data-flag]")
        expect(rows).to_have_count(1)
        expect(rows).to_contain_text("Anggota meninggal")
        expect(rows).to_contain_text(head.full_name)
        expect(rows).to_contain_text("Desa Dayeuhkolot")

        filter_flags(page, kind="Kelahiran (anak balita baru)", state="Belum selesai")
        expect(page.locator("[data-empty]")).to_have_text("Tidak ada tanda.")
        filter_flags(page, kind="Anggota meninggal", state="Belum selesai")
        expect(page).to_have_url(re.compile(r"jenis=meninggal"))
        expect(rows).to_have_count(1)

        rows.get_by_label("Catatan penyelesaian").fill("Akta kematian sudah dicek di Dukcapil")
        with page.expect_navigation():
            rows.get_by_role("button", name="Tandai selesai").click()
        expect(page.locator(".messages")).to_contain_text("Tanda ditandai selesai.")
        expect(page.locator("[data-empty]")).to_have_text("Tidak ada tanda.")  # none open of that kind
        expect(page.locator('[data-open-count="meninggal"]')).to_have_text("0")

        filter_flags(page, kind="Anggota meninggal", state="Sudah selesai")
        expect(rows).to_have_count(1)
        resolved = rows.locator("[data-resolved]")
        expect(resolved).to_contain_text(f"Diselesaikan oleh {personas.operator_a.username}")
        expect(resolved).to_contain_text("Akta kematian sudah dicek di Dukcapil")
        expect(rows.get_by_role("button", name="Tandai selesai")).to_have_count(0)
        page.goto(base + "/staf/")
        expect(page.locator("[data-population-flag-count]")).to_contain_text("0 belum selesai")

    flag.refresh_from_db()
    assert flag.resolved_by == personas.operator_a and flag.resolution_note == "Akta kematian sudah dicek di Dukcapil"
    # (Village B's deliberate 404 went through ``page.request``: not a page response.)
    assert problems.failed_requests == [], problems
    assert problems.console_errors == [], problems
