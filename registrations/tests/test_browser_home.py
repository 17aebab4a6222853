"""The home page in a real browser at phone size: readable, no sideways scroll, assets
served locally, and the language switch working through the collapsed navbar."""

import pytest

from testing.browser import has_horizontal_overflow

pytestmark = pytest.mark.browser

BOOTSTRAP_PRIMARY = "rgb(13, 110, 253)"


def test_home_on_a_phone_then_in_english(live_server, browser_page, page_problems):
    page = browser_page
    page.goto(live_server.url + "/")

    assert page.locator("html").get_attribute("lang") == "id"
    assert page.get_by_role("heading", level=1, name="Portal DTSEN").is_visible()
    assert page.get_by_text("Terdaftar di DTSEN tidak sama dengan menerima bantuan sosial.").is_visible()
    assert page.locator("#kartu-login").is_visible()
    assert not has_horizontal_overflow(page)

    # Static assets come from this server and are applied: Bootstrap's CSS colours the
    # navbar, its JS and htmx have loaded, and the icon font's stylesheet is in.
    navbar_colour = page.eval_on_selector("nav.navbar", "el => getComputedStyle(el).backgroundColor")
    assert navbar_colour == BOOTSTRAP_PRIMARY
    assert page.evaluate("typeof window.htmx") == "object"
    assert page.evaluate("typeof window.bootstrap") == "object"
    icon_font = page.eval_on_selector(".navbar-brand .bi", "el => getComputedStyle(el, '::before').fontFamily")
    assert "bootstrap-icons" in icon_font

    # On a phone the menu is collapsed: the language buttons appear after the toggler.
    english = page.locator(".language-switch button[value='en']")
    assert not english.is_visible()
    page.get_by_role("button", name="Buka menu").click()
    english.wait_for(state="visible")
    assert not has_horizontal_overflow(page)
    with page.expect_navigation():
        english.click()

    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_text("Being in DTSEN is not the same as receiving social assistance.").is_visible()
    assert page.get_by_role("heading", name="How to get into DTSEN").is_visible()
    assert not has_horizontal_overflow(page)

    assert not page_problems, page_problems
