"""The register audit in a real browser: a village operator uploads a list, watches the
progress bar (htmx polling) until the summary appears, and drills down to a flag."""

import csv
import io
import re

import pytest
from playwright.sync_api import Expect

from testing.audit_files import COLUMNS, population, row_of
from testing.browser import has_horizontal_overflow, log_in
from verification.audit import jobs

pytestmark = pytest.mark.browser
expect = Expect()
expect.set_options(timeout=10_000)


def test_operator_uploads_and_follows_the_audit(
    live_server,
    personas,
    browser_page,
    page_problems,
    playwright_connections_closed,
    monkeypatch,
):
    clean = population(1, "Bambang Sutrisno")
    dead = population(2, "Sri Wahyuni", sex="P", status="deceased")
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows([row_of(clean, "r1", full_name="H. Bambang Sutrisno"), row_of(dead, "r2")])
    queued = []
    monkeypatch.setattr(jobs, "_enqueue", queued.append)  # the test plays the worker, later

    page = browser_page
    log_in(page, live_server.url, personas.operator_a)
    page.goto(live_server.url + "/staf/audit/")
    page.set_input_files(
        "#id_file", {"name": "register.csv", "mimeType": "text/csv", "buffer": buffer.getvalue().encode()}
    )
    page.fill("#id_id_column", "row")
    page.locator("main").get_by_role("button", name="Unggah dan periksa").click()
    expect(page.locator("#status-audit")).to_contain_text("Menunggu giliran")
    assert not has_horizontal_overflow(page)

    jobs.job_run(queued[0])  # the worker's turn; the page polls and shows the summary
    expect(page.locator("#jumlah-bertanda")).to_have_text("1")
    expect(page.locator('[data-tanda="deceased"]')).to_have_text("1")
    page.get_by_role("link", name="Tercatat meninggal").click()
    expect(page).to_have_url(re.compile(r"/baris/\?tanda=deceased"))
    expect(page.locator(".baris-bertanda")).to_have_count(1)
    expect(page.locator(".baris-bertanda")).to_contain_text(dead.nik)
    assert not has_horizontal_overflow(page)
    assert not page_problems, page_problems
