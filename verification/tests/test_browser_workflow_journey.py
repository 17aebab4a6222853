"""One proposal along the whole path in a real browser, every role in its own session.

A resident's submitted proposal goes through the village's musdes (berita acara PDF,
signed scan), the social office's field visit, the regency head's decree, the
province's forwarding letter and the ministry's determination; then the resident sees
every step on the timeline, on a phone, and has had an e-mail at each. Each staff
member logs in through the login page and finds the work through the menu. No page
may fail a request or log a console error; the resident's page must not scroll sideways.
"""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import Expect

from registrations.models import DocumentAccess, ProposalStatus
from testing.browser import DESKTOP, PHONE, PageProblems, has_horizontal_overflow, logged_in
from testing.regions import VILLAGE_A
from testing.uploads import photo_bytes
from testing.workflow import submitted_proposal
from verification.models import Deliberation, DeliberationStatus, FieldVisit

pytestmark = pytest.mark.browser

SCREENSHOTS = "/tmp/wf-{}.png"  # noqa: S108 - for a person to look at after the run

# Every status the proposal passes through, in order, and who moved it there.
PATH = [
    ("Diajukan, menunggu musyawarah desa", "oleh pengusul"),
    ("Disetujui musyawarah desa", "oleh operator desa/kelurahan"),
    ("Terverifikasi Dinas Sosial", "oleh Dinas Sosial"),
    ("Disetujui bupati/wali kota", "oleh bupati/wali kota"),
    ("Diteruskan provinsi ke Kementerian Sosial", "oleh provinsi"),
    ("Ditetapkan masuk DTSEN", "oleh Kementerian Sosial"),
]

# A 10 s patience for our own assertions, without touching Playwright's global ``expect``.
expect = Expect()
expect.set_options(timeout=10_000)

# Sideways scroll on a phone: with ``is_mobile`` Chromium widens ``innerWidth`` to the
# content, so compare with the layout viewport as well.
SCROLLS_SIDEWAYS = "document.documentElement.scrollWidth > document.documentElement.clientWidth"


def jpeg(name: str, seed: int) -> dict:
    return {"name": name, "mimeType": "image/jpeg", "buffer": photo_bytes(seed=seed)}


class Journey:
    def __init__(self, chromium, base: str):
        self.chromium, self.base = chromium, base
        self.problems = PageProblems()

    def session(self, user, *, device=DESKTOP):
        """A new browser context, logged in as ``user`` (closed when the block ends)."""
        return logged_in(self.chromium, self.base, user, self.problems, device=device)

    def menu(self, page, name: str) -> None:
        """Follow a link of the role's menu (opening the collapsed navbar on a phone)."""
        toggler = page.get_by_role("button", name="Buka menu")
        if toggler.is_visible() and toggler.get_attribute("aria-expanded") != "true":
            toggler.click()
            expect(page.locator("#nav-utama")).to_have_class(re.compile(r"\bshow\b"))
        with page.expect_navigation():
            page.locator("#nav-utama").get_by_role("link", name=name, exact=True).click()
        page.wait_for_load_state()


def status_message(page, text: str):
    return page.get_by_role("status").filter(has_text=text)


def test_a_proposal_from_submission_to_determination_through_every_role(
    live_server,
    transactional_db,
    regions,
    personas,
    mailoutbox,
    chromium,
    playwright_connections_closed,
):
    proposal = submitted_proposal()
    assert proposal.village_id == VILLAGE_A and proposal.status == ProposalStatus.SUBMITTED
    number, resident = proposal.tracking_number, proposal.applicant
    base, today = live_server.url, timezone.localdate().isoformat()
    journey = Journey(chromium, base)

    # 1. The village operator holds the musdes: open, attendee, pull, outcome, close,
    #    download the berita acara, upload the signed scan.
    with journey.session(personas.operator_a) as page:
        journey.menu(page, "Musdes")
        expect(page).to_have_url(base + "/staf/musdes/")
        expect(page.locator("input[name='basis'][value='musdes']")).to_be_checked()
        page.fill("#id_held_on", today)
        page.fill("#id_place", "Balai Desa Dayeuhkolot")
        page.fill("#id_chair", "Asep Sunandar")
        expect(page.locator("#id_chair_position")).to_have_value("Kepala Desa")
        page.locator("main").get_by_role("button", name="Buka", exact=True).click()
        expect(page).to_have_url(re.compile(r"/staf/musdes/\d+/$"))
        deliberation = Deliberation.objects.get(village_id=VILLAGE_A)
        detail_url = f"{base}/staf/musdes/{deliberation.pk}/"
        expect(page.locator("[data-status]")).to_have_attribute("data-status", DeliberationStatus.OPEN)

        page.fill("#id_name", "Dedi Supriadi")
        page.fill("#id_position", "Ketua BPD")
        page.check("#id_signs")
        page.get_by_role("button", name="Tambah peserta").click()
        expect(status_message(page, "Peserta dicatat.")).to_be_visible()
        expect(page.locator("main .list-group-item").filter(has_text="Dedi Supriadi")).to_contain_text(
            "Ketua BPD · penanda tangan"
        )

        page.get_by_role("button", name="Tarik usulan yang menunggu").click()
        expect(status_message(page, "1 usulan ditambahkan.")).to_be_visible()
        row = page.locator("main tbody tr").filter(has_text=number)
        expect(row).to_contain_text("Budi Santoso")
        row.locator("select[name$='-outcome']").select_option(label="Disetujui")
        page.get_by_role("button", name="Simpan hasil").click()
        expect(status_message(page, "Hasil musyawarah tersimpan.")).to_be_visible()
        expect(row.locator("select[name$='-outcome'] option:checked")).to_have_text("Disetujui")

        page.get_by_role("button", name="Tutup musyawarah dan buat berita acara").click()
        expect(status_message(page, "Musyawarah ditutup.")).to_be_visible()
        expect(page).to_have_url(detail_url)
        expect(page.locator("[data-status]")).to_have_attribute("data-status", DeliberationStatus.CLOSED)
        expect(page.locator("main tbody tr").filter(has_text=number)).to_contain_text("Disetujui")
        pdf_link = page.get_by_role("link", name="Unduh berita acara (PDF)")
        expect(pdf_link).to_be_visible()
        page.screenshot(path=SCREENSHOTS.format("musdes-closed"), full_page=True)

        # The berita acara, fetched with this session's cookies.
        response = page.context.request.get(base + pdf_link.get_attribute("href"))
        assert response.status == 200, response.status
        assert response.headers["content-type"] == "application/pdf"
        assert response.body().startswith(b"%PDF"), response.body()[:20]
        assert DocumentAccess.objects.filter(
            user=personas.operator_a, document_type="berita_acara", document_id=deliberation.pk
        ).exists()

        page.set_input_files("#id_scan", jpeg("berita-acara-ttd.jpg", seed=41))
        page.get_by_role("button", name="Unggah dan teruskan").click()
        expect(status_message(page, "Berita acara bertanda tangan tersimpan")).to_be_visible()
        expect(page.locator("[data-status]")).to_have_attribute("data-status", DeliberationStatus.SIGNED)
        expect(page.locator("[data-status]")).to_have_text("Berita acara ditandatangani; usulan diteruskan")
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.MUSDES_APPROVED

    # 2. The social office: the dashboard counts it, the queue lists it, the field visit verifies it.
    with journey.session(personas.social_officer) as page:
        journey.menu(page, "Antrean kerja")
        card = page.locator(f"[data-step='{ProposalStatus.MUSDES_APPROVED}']")
        expect(card).to_contain_text("Menunggu verifikasi Dinas Sosial")
        expect(card.locator("[data-count]")).to_have_text("1")
        journey.menu(page, "Verifikasi")
        expect(page).to_have_url(base + "/staf/verifikasi/")
        page.locator(f"tr[data-proposal='{number}']").get_by_role("link", name=number).click()
        expect(page).to_have_url(f"{base}/staf/verifikasi/{number}/")
        expect(page.locator("#id_visited_on")).to_have_value(today)
        expect(page.locator("#id_no_fixed_income")).to_be_checked()  # as the household declared
        page.check("#id_poor_roof")
        page.fill("#id_floor_area_m2", "21")
        page.fill("#id_monthly_income", "850000")
        page.set_input_files("#id_photos", jpeg("rumah-depan.jpg", seed=51))
        page.check("input[name='result'][value='layak']")
        page.fill("#id_notes", "Rumah semi permanen, atap bocor.")
        page.screenshot(path=SCREENSHOTS.format("field-visit"), full_page=True)
        page.get_by_role("button", name="Simpan hasil kunjungan").click()
        expect(page).to_have_url(base + "/staf/verifikasi/")
        expect(status_message(page, f"Kunjungan {number} dicatat: Sesuai/layak: diverifikasi.")).to_be_visible()
        expect(page.locator(f"tr[data-proposal='{number}']")).to_have_count(0)
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.VERIFIED
    assert (proposal.poor_roof, proposal.monthly_income, float(proposal.floor_area_m2)) == (True, 850000, 21.0)
    visit = FieldVisit.objects.get(proposal=proposal)
    assert (visit.verifier, visit.result, visit.photos.count()) == (personas.social_officer, "layak", 1)

    # 3.-5. The regency head's decree, the province's letter, the ministry's determination.
    decisions = [
        (personas.regency_head, "Persetujuan", "SK-BUP/412/2026", "Setujui yang dipilih", "1 usulan disetujui"),
        (personas.provincial, "Penerusan", "PROV-JB/88/2026", "Teruskan yang dipilih", "1 usulan diteruskan"),
        (personas.ministry, "Penetapan", "KEP-MS/7/2026", "Tetapkan yang dipilih", "1 usulan ditetapkan"),
    ]
    for user, menu, document_number, button, done in decisions:
        with journey.session(user) as page:
            journey.menu(page, menu)
            expect(page.locator(f"tr[data-proposal='{number}']")).to_be_visible()
            page.check(f"#pilih-{proposal.pk}")
            if user == personas.ministry:
                page.fill("#id_period", "2026-Q4")
            page.fill("#id_number", document_number)
            page.fill("#id_document_date", today)
            page.get_by_role("button", name=button, exact=True).click()
            expect(page).to_have_url(re.compile(r"/staf/keputusan/\d+/$"))
            expect(status_message(page, done)).to_contain_text(document_number)
            expect(page.locator("[data-batch-number]")).to_have_text(document_number)
            expect(page.locator(f"tr[data-proposal='{number}']")).to_be_visible()
            if user == personas.ministry:
                # The household is now in the register.
                journey.menu(page, "Rumah tangga")
                household = page.locator("main tbody tr").filter(has_text="Budi Santoso")
                expect(household).to_have_count(1)
                expect(household).to_contain_text("003/007")
                expect(household.locator("td").last).to_have_text("3")
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.DETERMINED
    assert proposal.household is not None and proposal.household.members.count() == 3

    # 6. The resident, on a phone: the status and every step of the timeline.
    with journey.session(resident, device=PHONE) as page:
        journey.menu(page, "Usulan saya")
        expect(page).to_have_url(base + "/usulan/")
        page.get_by_role("link", name=re.compile(number)).click()
        expect(page).to_have_url(f"{base}/usulan/{number}/")
        expect(page.locator("[data-status]")).to_have_text("Ditetapkan masuk DTSEN")
        timeline = page.locator("[data-timeline] > li")
        expect(timeline).to_have_count(1 + len(PATH))
        expect(timeline.nth(0)).to_contain_text("Draf dibuat")
        for step, (label, by) in enumerate(PATH, start=1):
            expect(timeline.nth(step).locator(".fw-semibold")).to_have_text(label)
            expect(timeline.nth(step)).to_contain_text(by)
        page.screenshot(path=SCREENSHOTS.format("resident-timeline"), full_page=True)
        assert not has_horizontal_overflow(page)
        assert not page.evaluate(SCROLLS_SIDEWAYS), page.evaluate("document.documentElement.scrollWidth")

    # One e-mail per status change, to the resident, saying the new status.
    mails = [m for m in mailoutbox if number in m.subject]
    assert [m.to for m in mails] == [[resident.email]] * len(PATH), [m.subject for m in mailoutbox]
    for mail, (label, _by) in zip(mails, PATH, strict=True):
        assert label in mail.body, (label, mail.body)

    assert not journey.problems, journey.problems
