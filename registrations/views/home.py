"""The home page: what DTSEN is, how to get in, and where each kind of user goes next.

Which cards a visitor sees is decided here, not in the template, so the rules read in
one place and the tests can check them through the context. A card is shown only when
its target page exists: a card that leads to a 404 is worse than no card.
"""

from dataclasses import dataclass

from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from registrations.models import Role


@dataclass(frozen=True)
class HomeCard:
    key: str  # stable name for tests and for the template's anchor id
    title: str
    text: str
    url: str
    link_text: str
    icon: str  # a bootstrap-icons name, e.g. "house"


def _url(name: str) -> str | None:
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


def _card(key: str, url_name: str, **fields) -> HomeCard | None:
    url = _url(url_name)
    return HomeCard(key=key, url=url, **fields) if url else None


def _anonymous_cards() -> list[HomeCard | None]:
    return [
        _card(
            "login",
            "login",
            title=_("Masuk"),
            text=_("Sudah punya akun warga atau petugas? Masuk untuk melihat usulan dan pekerjaan Anda."),
            link_text=_("Masuk ke portal"),
            icon="box-arrow-in-right",
        ),
        _card(
            "sign-up",
            "resident-sign-up",
            title=_("Daftar akun warga"),
            text=_("Buat akun dengan NIK, nomor KK, dan nama sesuai KTP untuk mengajukan usulan secara daring."),
            link_text=_("Daftar akun"),
            icon="person-plus",
        ),
        _region_search_card(),
    ]


def _region_search_card() -> HomeCard | None:
    return _card(
        "region-search",
        "region-search",
        title=_("Cari wilayah"),
        text=_("Cari provinsi, kabupaten/kota, kecamatan, atau desa/kelurahan beserta kodenya."),
        link_text=_("Cari wilayah"),
        icon="geo-alt",
    )


def _resident_cards(user) -> list[HomeCard | None]:
    has_profile = hasattr(user, "resident")
    return [
        _card(
            "account",
            "resident-account" if has_profile else "password_change",
            title=_("Akun Anda"),
            text=_("Periksa data akun dan foto identitas Anda, atau ganti kata sandi.")
            if has_profile
            else _("Anda masuk sebagai warga. Jaga kata sandi Anda tetap rahasia."),
            link_text=_("Lihat akun saya") if has_profile else _("Ganti kata sandi"),
            icon="person-circle",
        ),
        _card(
            "proposals",
            "proposal-list",
            title=_("Daftar Usulan"),
            text=_("Ajukan diri dan keluarga Anda ke DTSEN, lalu pantau status usulan Anda."),
            link_text=_("Usulan saya"),
            icon="clipboard-check",
        ),
        _region_search_card(),
    ]


def _staff_cards(user) -> list[HomeCard | None]:
    cards = [
        _card(
            "households",
            "household-list",
            title=_("Rumah tangga di wilayah Anda"),
            text=_("Daftar rumah tangga dan anggotanya yang tercatat di wilayah tugas Anda."),
            link_text=_("Buka daftar rumah tangga"),
            icon="house",
        ),
    ]
    if user.role == Role.VILLAGE_OPERATOR:
        cards += [
            _card(
                "offline-proposals",
                "proposal-list",
                title=_("Usulan luring"),
                text=_("Catat usulan warga yang datang ke kantor desa/kelurahan dengan membawa KTP dan KK."),
                link_text=_("Buka usulan luring"),
                icon="clipboard-plus",
            ),
            _card(
                "identity-queue",
                "identity-queue",
                title=_("Pemeriksaan identitas warga"),
                text=_("Periksa foto KTP dan swafoto warga yang baru mendaftar di desa/kelurahan Anda."),
                link_text=_("Buka antrean pemeriksaan"),
                icon="person-vcard",
            ),
        ]
    return cards


def _admin_cards() -> list[HomeCard | None]:
    return [
        _card(
            "admin",
            "admin:index",
            title=_("Administrasi"),
            text=_("Kelola pengguna, peran, dan data dasar portal."),
            link_text=_("Buka halaman admin"),
            icon="gear",
        ),
    ]


def home_cards(user) -> list[HomeCard]:
    """The cards for this visitor, in the order they are shown."""
    if not user.is_authenticated:
        cards = _anonymous_cards()
    elif user.is_portal_staff:
        cards = _staff_cards(user)
    else:
        cards = _resident_cards(user)
    if user.is_authenticated and user.is_superuser:
        cards += _admin_cards()
    return [card for card in cards if card is not None]


def home_cards_heading(user) -> str:
    if not user.is_authenticated:
        return _("Mulai dari sini")
    return _("Pekerjaan Anda") if user.is_portal_staff else _("Layanan untuk Anda")


def home(request):
    context = {"cards": home_cards(request.user), "cards_heading": home_cards_heading(request.user)}
    return render(request, "home.html", context)
