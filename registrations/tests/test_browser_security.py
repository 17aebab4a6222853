"""In a real browser: TOTP enrolment from the QR page, and pages that keep working under
the Content-Security-Policy (a blocked inline script shows up as a console error)."""

import re
from base64 import b32decode

import pytest
from playwright.sync_api import expect

from testing.browser import DESKTOP, new_page, pass_second_factor, second_factor_device
from testing.otp import code_for
from testing.personas import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _password_login(page, base, user):
    page.goto(base + "/akun/masuk/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.locator("main").get_by_role("button", name="Masuk").click()


def test_staff_enrols_an_authenticator_from_the_qr_page(live_server, browser_page, page_problems, personas):
    page = browser_page
    _password_login(page, live_server.url, personas.social_officer)
    expect(page).to_have_url(re.compile(r"/akun/verifikasi/aktifkan/"))
    qr = page.locator("[data-otp-qr] svg")
    expect(qr).to_be_visible()
    box = qr.bounding_box()
    assert box["width"] >= 150 and abs(box["width"] - box["height"]) < 2  # scannable, square
    secret = page.locator("[data-otp-secret]").inner_text().replace(" ", "")
    page.fill("#id_otp_token", code_for(b32decode(secret).hex()))
    page.locator("main").get_by_role("button", name="Aktifkan").click()
    expect(page).to_have_url(live_server.url + "/")
    expect(page.get_by_role("status").filter(has_text="Verifikasi dua langkah aktif")).to_be_visible()
    page.goto(live_server.url + "/staf/rumah-tangga/")
    expect(page.locator("h1")).to_be_visible()
    assert "/akun/verifikasi" not in page.url
    assert not page_problems, page_problems


def test_staff_with_a_device_types_the_code(live_server, chromium, personas):
    page = new_page(chromium, device=DESKTOP)
    try:
        device = second_factor_device(personas.ministry)
        _password_login(page, live_server.url, personas.ministry)
        pass_second_factor(page, device)
        expect(page).to_have_url(live_server.url + "/")
        expect(page.locator("#menu-akun")).to_be_attached()
    finally:
        page.context.close()


@pytest.mark.parametrize(
    ("path", "rendered"),
    [
        ("/", "main h1"),
        ("/akun/masuk/", "#id_username"),
        ("/wilayah/cari/", "main h1"),
        ("/api/docs/", ".swagger-ui .information-container"),
        ("/api/redoc/", "redoc .api-content h1"),
    ],
)
def test_pages_render_under_the_csp_without_console_errors(live_server, browser_page, page_problems, path, rendered):
    browser_page.goto(live_server.url + path)
    expect(browser_page.locator(rendered).first).to_be_visible(timeout=15_000)
    assert "script-src 'self'" in _csp(browser_page, live_server)
    # Redoc always asks for its logo from its vendor's CDN; the CSP blocks that request
    # (no third-party call leaves the page) and the image hides itself. Nothing else may fail.
    redoc_logo = "cdn.redoc.ly/redoc/logo-mini.svg"
    page_problems.failed_requests[:] = [r for r in page_problems.failed_requests if redoc_logo not in r]
    page_problems.console_errors[:] = [e for e in page_problems.console_errors if redoc_logo.split("/")[0] not in e]
    assert not page_problems, page_problems


def _csp(page, live_server) -> str:
    response = page.request.get(live_server.url + "/")
    return response.headers["content-security-policy"]


def test_htmx_search_works_under_the_csp(live_server, browser_page, page_problems, regions):
    page = browser_page
    page.goto(live_server.url + "/wilayah/cari/")
    page.wait_for_load_state()  # htmx is deferred
    with page.expect_response(re.compile(r"/wilayah/cari/\?q=")):
        page.locator("#region-q").press_sequentially("Dayeuhkolot")
    expect(page.locator("#region-results")).to_contain_text("Dayeuhkolot")
    assert not page_problems, page_problems
