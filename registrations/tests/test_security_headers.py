"""Headers and settings (issue 8, item 2): CSP without inline scripts, no-store on every
dynamic response, generic error pages, API docs under the CSP."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _csp(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {d.split()[0]: d.split()[1:] for d in (p.strip() for p in header.split(";")) if d}


def test_csp_allows_scripts_from_self_only(client):
    policy = _csp(client.get("/"))
    assert policy["script-src"] == ["'self'"]
    assert "'unsafe-inline'" not in policy.get("default-src", [])
    assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]


TEMPLATE_DIRS = [settings.BASE_DIR / "templates"] + [
    settings.BASE_DIR / app / "templates" for app in ("registrations", "verification", "eligibility", "lookup")
]
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
HANDLER_ATTRIBUTE = re.compile(r"\s(on[a-z]+|hx-on[:\w-]*)\s*=", re.IGNORECASE)


def _html_templates():
    for folder in TEMPLATE_DIRS:
        if folder.exists():
            yield from (p for p in folder.rglob("*.html") if "/pdf/" not in p.as_posix())


def test_no_template_has_inline_scripts_or_event_handler_attributes():
    offenders = []
    for template in _html_templates():
        text = template.read_text()
        if INLINE_SCRIPT.search(text) or HANDLER_ATTRIBUTE.search(text) or "javascript:" in text:
            offenders.append(str(Path(template).relative_to(settings.BASE_DIR)))
    assert offenders == []


def test_htmx_does_not_inject_its_indicator_style():
    html = (settings.BASE_DIR / "templates" / "base.html").read_text()
    assert '"includeIndicatorStyles": false' in html


def test_pages_for_signed_in_users_are_never_stored(client, personas):
    client.force_login(personas.social_officer)
    response = client.get(reverse("household-list"))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_api_answers_are_never_stored(client, personas):
    anonymous = client.get(reverse("api-region-list"))
    assert "no-store" in anonymous["Cache-Control"]
    client.force_login(personas.resident)
    assert "no-store" in client.get(reverse("api-proposal-list"))["Cache-Control"]


@pytest.mark.urls("testing.urls")
def test_a_view_that_asks_for_public_caching_keeps_it(client):
    assert client.get("/publik/")["Cache-Control"] == "public, max-age=60"


@pytest.mark.urls("testing.urls")
def test_server_error_page_is_generic(client):
    client.raise_request_exception = False
    response = client.get("/boom/")
    assert response.status_code == 500
    html = response.content.decode()
    assert "rahasia internal" not in html and "Traceback" not in html and "RuntimeError" not in html
    assert "no-store" in response["Cache-Control"]


def test_not_found_page_is_generic(client):
    response = client.get("/tidak-ada-halaman-ini/")
    assert response.status_code == 404
    assert "Traceback" not in response.content.decode()


def test_swagger_page_loads_its_start_script_as_a_file(client):
    html = client.get(reverse("api-docs")).content.decode()
    assert not INLINE_SCRIPT.search(html)
    script_url = re.search(r'<script src="([^"]*script=[^"]*)"', html).group(1).replace("&amp;", "&")
    script = client.get(script_url)
    assert script.status_code == 200 and "SwaggerUIBundle" in script.content.decode()


def test_redoc_page_has_no_inline_script_and_no_cdn(client):
    html = client.get(reverse("api-redoc")).content.decode()
    assert not INLINE_SCRIPT.search(html)
    assert "googleapis" not in html and "https://" not in html
