"""Browser fixtures for tests marked ``browser``: Debian's Chromium through Playwright.

The root conftest loads this module as a plugin (``pytest_plugins``), so its fixtures
(``chromium``, ``browser_page``, ``page_problems``, ``playwright_connections_closed``)
are there for every test without an import; test modules import only the helpers
(``logged_in``, ``log_in``, ``watch``, ``PageProblems``, ``new_page``, ...).

``browser_page`` is a fresh phone-sized page (360x740, touch, Indonesian locale) in its
own context, so cookies and the chosen language never leak between tests. Use it
with pytest-django's ``live_server``: ``browser_page.goto(live_server.url + "/")``.

Playwright is never allowed to fetch a browser: the executable is the system one.
"""

import os
import re
from contextlib import contextmanager
from dataclasses import dataclass, field

import pytest

from dtsen_portal.security import otp_expected
from testing.otp import confirmed_device, fresh_code
from testing.personas import PASSWORD

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}
DESKTOP = {"viewport": {"width": 1280, "height": 900}}


@pytest.fixture
def chromium():
    """A Chromium for one test.

    Playwright's sync API keeps an event loop running in this thread for as long as
    it is started, and Django refuses database calls from a thread with a running
    loop unless told it is safe (it is: the test code is synchronous). So the flag is
    set exactly while Playwright runs, which includes the database flush after a
    live-server test. Per test, not per session: the tests that run afterwards keep
    Django's check (a launch costs well under a second).
    """
    from playwright.sync_api import sync_playwright

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                yield browser
            finally:
                browser.close()
                # While the loop ran, Django kept connections per context, not per
                # thread; close them so PostgreSQL can drop the test database.
                from django.db import connections

                connections.close_all()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def new_page(chromium, *, device: dict | None = None, locale: str = "id-ID"):
    """A page in a new context; close the context (``page.context.close()``) when done."""
    context = chromium.new_context(locale=locale, **(device or PHONE))
    # Generous: on a loaded 2-core machine the live server and Chromium share the cores
    # (a navigation once took over 10 s there); a page that never comes still fails.
    context.set_default_timeout(20_000)
    return context.new_page()


@pytest.fixture
def browser_page(chromium):
    page = new_page(chromium)
    yield page
    page.context.close()


@dataclass
class PageProblems:
    """What went wrong while a page loaded: failed requests and console errors.

    ``aborted_requests`` are kept apart and are no problem: Chromium aborts a request
    (``net::ERR_ABORTED``) when the page moves on before it ends, e.g. a test's
    ``goto`` while a redirect or a deferred script is still loading. That is the pace
    of the test, not a fault of the portal; a server error is a 5xx response and a
    dropped connection another ``net::`` error, and both stay in ``failed_requests``.
    """

    failed_requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    aborted_requests: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.failed_requests or self.console_errors)


@pytest.fixture
def page_problems(browser_page) -> PageProblems:
    """Collects 4xx/5xx responses, requests that never finished, and console errors."""
    problems = PageProblems()
    watch(browser_page, problems)
    return problems


@pytest.fixture
def playwright_connections_closed(chromium):
    """Close the database connections the test body opened while Playwright's loop ran.

    Django keeps connections per context then, not per thread, so pytest-django's own
    cleanup never sees them; left open, PostgreSQL refuses to drop the test database
    at the end of the session. Torn down before ``chromium``, so still in that context.
    """
    from django.db import connections

    yield
    connections.close_all()


def watch(page, problems: PageProblems, who: str = "") -> None:
    """Collect failed requests and console errors of one page, named by its user
    (Chromium's own request for /favicon.ico aside: the portal has no icon)."""
    prefix = f"{who}: " if who else ""

    def on_response(response):
        if response.status >= 400 and not response.url.endswith("/favicon.ico"):
            problems.failed_requests.append(f"{prefix}{response.status} {response.url}")

    def on_request_failed(request):
        seen = f"{prefix}failed {request.url} ({request.failure})"
        if request.failure == "net::ERR_ABORTED":
            problems.aborted_requests.append(seen)
        else:
            problems.failed_requests.append(seen)

    def on_console(message):
        if message.type == "error" and not message.location.get("url", "").endswith("/favicon.ico"):
            problems.console_errors.append(f"{prefix}{message.text}")

    page.on("response", on_response)
    page.on("requestfailed", on_request_failed)
    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.console_errors.append(f"{prefix}{error}"))


def has_horizontal_overflow(page) -> bool:
    # clientWidth, not innerWidth: on a mobile viewport Chromium widens innerWidth to
    # overflowing content, which would hide exactly the overflow looked for.
    return page.evaluate("document.documentElement.scrollWidth > document.documentElement.clientWidth")


def second_factor_device(user):
    """The confirmed test TOTP device of a user who needs one (``None`` otherwise).

    Call before the password login, so the portal asks for a code instead of enrolment.
    """
    return confirmed_device(user) if otp_expected(user) else None


def pass_second_factor(page, device) -> None:
    """On the code page after the password: type the device's current (unused) code."""
    from playwright.sync_api import expect

    expect(page).to_have_url(re.compile(r"/akun/verifikasi/"))
    page.fill("#id_otp_token", fresh_code(device))
    page.locator("main").get_by_role("button", name="Verifikasi").click()


def log_in(page, base: str, user, password: str | None = None) -> None:
    """Log ``user`` in through the login page (and the TOTP code page for staff who
    need one) and wait until the home page has loaded.

    The wait matters: a ``page.goto`` issued while the redirect to ``/`` is still
    loading aborts that request, which a page watcher rightly reports as failed.
    """
    from playwright.sync_api import expect

    device = second_factor_device(user)
    if "/akun/masuk/" not in page.url:
        page.goto(base + "/akun/masuk/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", password or PASSWORD)
    page.locator("main").get_by_role("button", name="Masuk").click()
    if device is not None:
        pass_second_factor(page, device)
    expect(page).to_have_url(base + "/")
    expect(page.locator("#menu-akun")).to_be_attached()
    page.wait_for_load_state()  # Bootstrap's and the page's scripts are deferred


@contextmanager
def logged_in(chromium, base: str, user, problems: PageProblems, *, device: dict | None = None):
    """A page in a new browser context, watched, logged in as ``user`` (``log_in``);
    the context is closed afterwards. Desktop-sized unless ``device`` says otherwise."""
    page = new_page(chromium, device=device or DESKTOP)
    watch(page, problems, user.username)
    try:
        log_in(page, base, user)
        yield page
    finally:
        page.context.close()
