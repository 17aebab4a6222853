"""A resident's whole journey on a phone, in a real browser: sign up with photos,
activate by e-mail, get the identity confirmed by the village operator, fill every
step of Daftar Usulan, submit, and follow the status. No page may scroll sideways,
fail a request, or log a console error along the way."""

import datetime
import re

import pytest
from playwright.sync_api import Expect

from registrations.models import IdentityStatus, Proposal, ProposalStatus, ResidentProfile
from registrations.nik import build_nik
from testing.browser import has_horizontal_overflow
from testing.personas import PASSWORD
from testing.regions import DISTRICT_A, VILLAGE_A
from testing.uploads import photo_bytes

pytestmark = pytest.mark.browser

EMAIL = "siti.aminah@contoh.id"
RESIDENT_PASSWORD = "Kopi-Tubruk-Pagi-2026!"
KK_NUMBER = "3204120101090007"

RESIDENT_BIRTH = datetime.date(1985, 4, 12)
RESIDENT_NIK = build_nik(district_code=DISTRICT_A, birth_date=RESIDENT_BIRTH, sex="P", serial=7)
HEAD_BIRTH = datetime.date(1980, 2, 3)
HEAD_NIK = build_nik(district_code=DISTRICT_A, birth_date=HEAD_BIRTH, sex="L", serial=8)

SUBMITTED = "Diajukan, menunggu musyawarah desa"
SCREENSHOTS = "/tmp/journey-{}.png"  # noqa: S108 - for a person to look at after the run

# Our own assertions with a 10 s patience (the default 5 s is tight on a busy CI
# machine), without changing Playwright's global ``expect`` for other tests.
expect = Expect()
expect.set_options(timeout=10_000)


def jpeg(name: str, seed: int) -> dict:
    return {"name": name, "mimeType": "image/jpeg", "buffer": photo_bytes(seed=seed)}


# What sticks out of the 360 px screen, outside any scrolling container. Compared with
# the layout viewport (``clientWidth``): with ``is_mobile`` Chromium widens
# ``window.innerWidth`` to the overflowing content, so ``has_horizontal_overflow``
# alone does not see a page that scrolls sideways.
STICKING_OUT = """() => {
  const width = document.documentElement.clientWidth;
  if (document.documentElement.scrollWidth <= width) return [];
  const scrolls = (el) => {
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
      if (getComputedStyle(a).overflowX !== "visible") return true;
    }
    return false;
  };
  const wide = [...document.body.querySelectorAll("*")]
    .filter((el) => el.getBoundingClientRect().right > width + 1 && !scrolls(el))
    .map((el) => {
      const right = Math.round(el.getBoundingClientRect().right);
      return `<${el.tagName.toLowerCase()} class="${el.className}"> to ${right}px`;
    });
  return wide.length ? wide.slice(0, 3) : [`${document.documentElement.scrollWidth}px wide`];
}"""


class Phone:
    """The journey's page, with the steps it repeats and the layout problems it met.

    Layout problems are collected and asserted at the end, so one page that scrolls
    sideways does not hide what the rest of the journey would show.
    """

    def __init__(self, page, base_url: str):
        self.page, self.base = page, base_url
        self.overflowing: list[str] = []

    def check_fits(self) -> None:
        page = self.page
        sticking_out = page.evaluate(STICKING_OUT)
        if has_horizontal_overflow(page) or sticking_out:
            path = page.url.removeprefix(self.base)
            self.overflowing.append(f"{path}: {', '.join(sticking_out)}")

    def open_menu(self) -> None:
        """On a phone the navbar is collapsed: open it, and wait for the animation to end."""
        page = self.page
        page.wait_for_load_state()  # Bootstrap's script is deferred
        toggler = page.get_by_role("button", name="Buka menu")
        if toggler.is_visible() and toggler.get_attribute("aria-expanded") != "true":
            toggler.click()
            expect(page.locator("#nav-utama")).to_have_class(re.compile(r"\bshow\b"))

    def log_in(self, username: str, password: str) -> None:
        page = self.page
        if "/akun/masuk/" not in page.url:
            page.goto(self.base + "/akun/masuk/")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        page.locator("main").get_by_role("button", name="Masuk").click()
        expect(page).to_have_url(self.base + "/")
        expect(page.locator("#menu-akun")).to_be_attached()
        page.wait_for_load_state()  # a goto now would abort the home page's deferred scripts
        self.check_fits()

    def log_out(self) -> None:
        page = self.page
        self.open_menu()
        page.locator("#menu-akun").click()
        expect(page.locator("#menu-akun + .dropdown-menu")).to_have_class(re.compile(r"\bshow\b"))
        keluar = page.get_by_role("button", name="Keluar")
        expect(keluar).to_be_visible()
        self.check_fits()
        with page.expect_navigation():
            keluar.click()
        expect(page).to_have_url(self.base + "/")
        expect(page.locator("#menu-akun")).to_have_count(0)

    def images_loaded(self) -> None:
        """Every picture on the page has arrived (and leaving now aborts no request)."""
        # A function, not an expression string: Playwright would poll a string with eval(),
        # which the portal's CSP (no 'unsafe-eval') rightly refuses.
        self.page.wait_for_function("() => [...document.images].every((i) => i.complete && i.naturalWidth > 0)")

    def saved(self, step_url: str) -> None:
        expect(self.page).to_have_url(step_url)
        expect(self.page.get_by_role("status").filter(has_text="Draf tersimpan.")).to_be_visible()
        self.check_fits()


def pick_region(page, base_id: str, village: str) -> None:
    """Province → regency → district → village, waiting for htmx to fill each level."""
    parts = village.split(".")
    codes = [".".join(parts[: i + 1]) for i in range(len(parts))]
    ids = [f"{base_id}_l1", f"{base_id}_l2", f"{base_id}_l3", base_id]
    for level, code in enumerate(codes):
        if level:
            page.wait_for_selector(f'#{ids[level]} option[value="{code}"]', state="attached")
        page.select_option(f"#{ids[level]}", code)
    expect(page.locator(f"#{base_id}")).to_have_value(village)


def fill_member(card, *, nik, name, relation, place, birth, sex, marital, education, occupation) -> None:
    card.locator("input[name$='-nik']").fill(nik)
    card.locator("input[name$='-full_name']").fill(name)
    card.locator("select[name$='-relation']").select_option(relation)
    card.locator("input[name$='-birth_place']").fill(place)
    card.locator("input[name$='-birth_date']").fill(birth.isoformat())
    card.locator("select[name$='-sex']").select_option(sex)
    card.locator("select[name$='-marital_status']").select_option(marital)
    card.locator("select[name$='-education']").select_option(education)
    card.locator("select[name$='-occupation']").select_option(occupation)


def test_resident_signs_up_and_submits_a_proposal_on_a_phone(
    live_server,
    transactional_db,
    regions,
    personas,
    mailoutbox,
    settings,
    tmp_path,
    browser_page,
    page_problems,
    playwright_connections_closed,
):
    settings.MEDIA_ROOT = tmp_path / "media"
    page, base = browser_page, live_server.url
    phone = Phone(page, base)

    # 1. Sign up, as on the KK and KTP, with both photos.
    page.goto(base + "/akun/daftar/")
    expect(page.get_by_role("heading", level=1, name="Daftar akun warga")).to_be_visible()
    assert page.locator("html").get_attribute("lang") == "id"
    phone.check_fits()
    page.fill("#id_nik", RESIDENT_NIK)
    page.fill("#id_kk_number", KK_NUMBER)
    page.fill("#id_full_name", "Siti Aminah")
    page.fill("#id_birth_date", RESIDENT_BIRTH.isoformat())
    page.check("input[name='sex'][value='P']")
    pick_region(page, "id_village", VILLAGE_A)
    page.fill("#id_email", EMAIL)
    page.fill("#id_phone", "081234567890")
    page.fill("#id_password1", RESIDENT_PASSWORD)
    page.fill("#id_password2", RESIDENT_PASSWORD)
    page.set_input_files("#id_ktp_photo", jpeg("ktp.jpg", seed=1))
    page.set_input_files("#id_selfie_photo", jpeg("swafoto.jpg", seed=2))
    phone.check_fits()
    page.screenshot(path=SCREENSHOTS.format("sign-up"), full_page=True)
    page.get_by_role("button", name="Daftar", exact=True).click()
    expect(page.get_by_role("heading", level=1, name="Periksa e-mail Anda")).to_be_visible()
    phone.check_fits()
    profile = ResidentProfile.objects.get(user__email=EMAIL)
    assert (profile.nik, profile.kk_number, profile.village_id) == (RESIDENT_NIK, KK_NUMBER, VILLAGE_A)
    assert profile.documents.count() == 2

    # 2. Activate from the e-mail (a link to this server), then log in with the e-mail address.
    assert len(mailoutbox) == 1 and mailoutbox[0].to == [EMAIL]
    link = re.search(r"https?://\S+/akun/aktivasi/\S+/", mailoutbox[0].body).group(0)
    assert link.startswith(base + "/"), link
    page.goto(link)
    expect(page).to_have_url(base + "/akun/masuk/")
    expect(page.get_by_role("status").filter(has_text="Akun Anda sudah aktif. Silakan masuk.")).to_be_visible()
    phone.check_fits()
    phone.log_in(EMAIL, RESIDENT_PASSWORD)

    # 3. The account waits for the operator; a draft can be started meanwhile.
    page.get_by_role("link", name="Lihat akun saya").click()
    expect(page).to_have_url(base + "/akun/saya/")
    expect(page.locator("[data-identity-status='menunggu']")).to_have_text("Menunggu pemeriksaan operator desa")
    expect(page.locator("main img")).to_have_count(2)
    phone.images_loaded()
    phone.check_fits()
    page.locator("main").get_by_role("link", name="Usulan saya").click()
    expect(page).to_have_url(base + "/usulan/")
    phone.check_fits()
    page.get_by_role("link", name="Buat usulan").click()
    expect(page).to_have_url(base + "/usulan/baru/")
    page.get_by_label("Pendaftaran baru").check()
    phone.check_fits()
    page.get_by_role("button", name="Mulai").click()
    expect(page).to_have_url(re.compile(r"/usulan/US[0-9A-Z]{8}/langkah/rumah-tangga/$"))
    phone.check_fits()
    proposal = Proposal.objects.get(applicant__email=EMAIL)
    assert proposal.status == ProposalStatus.DRAFT
    step_url = f"{base}/usulan/{proposal.tracking_number}/langkah/{{}}/".format
    phone.log_out()

    # 4. The village operator confirms the identity.
    phone.log_in(personas.operator_a.username, PASSWORD)
    page.goto(base + "/staf/identitas/")
    phone.check_fits()
    page.get_by_role("link", name=re.compile("Siti Aminah")).click()
    expect(page.get_by_role("heading", level=1, name="Siti Aminah")).to_be_visible()
    expect(page.locator("main img")).to_have_count(2)
    phone.images_loaded()
    phone.check_fits()
    page.get_by_label("Konfirmasi identitas").check()
    page.get_by_role("button", name="Simpan keputusan").click()
    expect(page).to_have_url(base + "/staf/identitas/")
    expect(page.get_by_role("status").filter(has_text="Keputusan identitas Siti Aminah tersimpan.")).to_be_visible()
    phone.check_fits()
    profile.refresh_from_db()
    assert profile.identity_status == IdentityStatus.CONFIRMED
    phone.log_out()

    # 5. The resident fills every step of Daftar Usulan.
    phone.log_in(EMAIL, RESIDENT_PASSWORD)
    page.get_by_role("link", name="Lihat akun saya").click()
    expect(page.locator("[data-identity-status='dikonfirmasi']")).to_have_text("Identitas dikonfirmasi")
    phone.images_loaded()
    page.locator("main").get_by_role("link", name="Usulan saya").click()
    page.get_by_role("link", name=re.compile(proposal.tracking_number)).click()
    expect(page).to_have_url(step_url("rumah-tangga"))
    phone.check_fits()

    # Household: the KK and the village come from the account.
    expect(page.locator("#id_kk_number")).to_have_value(KK_NUMBER)
    expect(page.locator("#id_village_l1")).to_have_value("32")
    expect(page.locator("#id_village_l2")).to_have_value("32.04")
    expect(page.locator("#id_village_l3")).to_have_value(DISTRICT_A)
    expect(page.locator("#id_village")).to_have_value(VILLAGE_A)
    page.fill("#id_address", "Jl. Raya Dayeuhkolot No. 12, Kampung Babakan")
    page.fill("#id_rt", "3")
    page.fill("#id_rw", "7")
    page.get_by_role("button", name="Simpan & lanjut").click()
    phone.saved(step_url("anggota"))

    # Members: the head first, saved as a draft; then the spouse in the next blank card.
    cards = page.locator("main fieldset.card")
    expect(cards).to_have_count(2)
    fill_member(
        cards.nth(0),
        nik=HEAD_NIK,
        name="Budi Santoso",
        relation="kepala",
        place="Bandung",
        birth=HEAD_BIRTH,
        sex="L",
        marital="kawin",
        education="smp",
        occupation="buruh",
    )
    phone.check_fits()
    page.get_by_role("button", name="Simpan draf").click()
    phone.saved(step_url("anggota"))
    page.screenshot(path=SCREENSHOTS.format("members"), full_page=True)
    expect(cards).to_have_count(2)
    head = cards.nth(0)
    expect(head.locator("legend")).to_have_text("Budi Santoso")
    expect(head.locator("input[name$='-nik']")).to_have_value(HEAD_NIK)
    # The saved head's birth date must come back in the date input (yyyy-mm-dd, the
    # only value an <input type="date"> takes), or the next save of the list loses it.
    birth_input = head.locator("input[name$='-birth_date']")
    assert birth_input.input_value() == HEAD_BIRTH.isoformat(), (
        f"the saved birth date is not shown: the browser got value={birth_input.get_attribute('value')!r}"
    )
    fill_member(
        cards.nth(1),
        nik=RESIDENT_NIK,
        name="Siti Aminah",
        relation="pasangan",
        place="Garut",
        birth=RESIDENT_BIRTH,
        sex="P",
        marital="kawin",
        education="sd",
        occupation="mengurus_rumah_tangga",
    )
    phone.check_fits()
    page.get_by_role("button", name="Simpan & lanjut").click()
    phone.saved(step_url("kondisi"))
    assert list(proposal.members.order_by("relation").values_list("full_name", "relation")) == [
        ("Budi Santoso", "kepala"),
        ("Siti Aminah", "pasangan"),
    ]

    # Conditions: a few indicators, floor area and income.
    for indicator in ("no_fixed_income", "spends_mostly_on_staple_food", "poor_floor", "unprotected_water_source"):
        page.check(f"#id_{indicator}")
    page.check("#id_owns_motorcycle")
    page.fill("#id_floor_area_m2", "24")
    page.fill("#id_monthly_income", "1200000")
    phone.check_fits()
    page.get_by_role("button", name="Simpan & lanjut").click()
    phone.saved(step_url("program"))

    # Programmes: PKH and PBI-JK. Without the KK photo the review still refuses.
    page.check("input[name='programmes'][value='PKH']")
    page.check("input[name='programmes'][value='PBI_JK']")
    page.get_by_role("button", name="Simpan & lanjut").click()
    phone.saved(step_url("periksa"))
    expect(page.get_by_role("alert").filter(has_text="Belum dapat dikirim")).to_contain_text(
        "Unggah foto Kartu Keluarga."
    )
    expect(page.get_by_role("button", name="Kirim usulan")).to_be_disabled()

    # Back to the programmes step for the photo of the KK.
    page.get_by_role("link", name="4. Program & dokumen").click()
    expect(page).to_have_url(step_url("program"))
    expect(page.locator("input[name='programmes'][value='PKH']")).to_be_checked()
    expect(page.locator("input[name='programmes'][value='PBI_JK']")).to_be_checked()
    page.select_option("#id_kind", "kk")
    page.set_input_files("#id_file", jpeg("kk.jpg", seed=3))
    page.get_by_role("button", name="Unggah dokumen").click()
    expect(page.get_by_role("status").filter(has_text="Dokumen diunggah.")).to_be_visible()
    expect(page.locator("main .list-group-item")).to_contain_text("Foto/pindaian Kartu Keluarga")
    phone.images_loaded()
    phone.check_fits()
    page.get_by_role("link", name="Lanjut ke pemeriksaan").click()
    expect(page).to_have_url(step_url("periksa"))

    # Review: complete, and the identity is confirmed, so it can go.
    main = page.locator("main")
    expect(main).to_contain_text("Jl. Raya Dayeuhkolot No. 12, Kampung Babakan, RT 003/RW 007")
    expect(main).to_contain_text("PBI_JK, PKH")
    expect(main).to_contain_text("Budi Santoso — Kepala keluarga")
    expect(main).to_contain_text("Siti Aminah — Suami/istri")
    expect(page.get_by_text("Belum dapat dikirim")).to_have_count(0)
    phone.check_fits()
    send = page.get_by_role("button", name="Kirim usulan")
    expect(send).to_be_enabled()
    send.click()

    # 6. The status page: submitted, with its history; the resident is e-mailed.
    expect(page).to_have_url(f"{base}/usulan/{proposal.tracking_number}/")
    expect(page.get_by_role("status").filter(has_text=f"Usulan {proposal.tracking_number} terkirim.")).to_be_visible()
    expect(page.locator("[data-status]")).to_have_text(SUBMITTED)
    timeline = page.locator("[data-timeline] > li")
    expect(timeline).to_have_count(2)
    expect(timeline.nth(0)).to_contain_text("Draf dibuat")
    expect(timeline.nth(1)).to_contain_text(SUBMITTED)
    expect(timeline.nth(1)).to_contain_text("oleh pengusul")
    phone.check_fits()
    page.screenshot(path=SCREENSHOTS.format("status"), full_page=True)
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.SUBMITTED

    status_mails = [m for m in mailoutbox if proposal.tracking_number in m.subject]
    assert len(status_mails) == 1, [m.subject for m in mailoutbox]
    assert status_mails[0].to == [EMAIL]
    assert SUBMITTED in status_mails[0].body
    assert RESIDENT_NIK not in status_mails[0].body and KK_NUMBER not in status_mails[0].body

    # 7. Nothing scrolled sideways, failed, or logged an error along the way.
    assert not phone.overflowing, "pages wider than the phone:\n" + "\n".join(phone.overflowing)
    assert not page_problems, page_problems
