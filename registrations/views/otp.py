"""The TOTP second factor: enrolment (QR code + secret) and the code page after login.

Staff above village operator cannot open anything else until they pass here
(``dtsen_portal.security``); operators may enrol from their account menu. The QR code
is drawn on the server as SVG: the secret never leaves for a third-party service.
"""

from base64 import b32encode

import qrcode
import qrcode.image.svg
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.debug import sensitive_post_parameters
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from dtsen_portal.security import otp_required
from registrations.models import Role


class TokenForm(forms.Form):
    otp_token = forms.RegexField(
        label=gettext_lazy("Kode 6 angka dari aplikasi autentikator"),
        regex=r"^\s*\d{6}\s*$",
        max_length=12,
        error_messages={"invalid": gettext_lazy("Kode terdiri dari 6 angka.")},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "autofocus": True}),
    )


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _verified(request, device) -> None:
    """Mark the session verified and give it a new key (a privilege change)."""
    otp_login(request, device)
    request.session.cycle_key()


def _check_token(request, form, device) -> bool:
    """True when the code is right; puts the reason on the form otherwise."""
    allowed, _details = device.verify_is_allowed()
    if not allowed:
        form.add_error(None, _("Terlalu banyak kode salah. Tunggu sebentar lalu coba lagi."))
        return False
    if not device.verify_token(form.cleaned_data["otp_token"].strip()):
        form.add_error("otp_token", _("Kode salah atau sudah kedaluwarsa. Periksa jam ponsel Anda dan coba lagi."))
        return False
    return True


def _confirmed_device(user):
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


@login_required
@sensitive_post_parameters("otp_token")
def otp_verify(request):
    device = _confirmed_device(request.user)
    if device is None:
        return redirect(f"{resolve_url('otp-setup')}?{request.GET.urlencode()}")
    if request.user.is_verified():
        return redirect(_next_url(request))
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and _check_token(request, form, device):
        _verified(request, device)
        return redirect(_next_url(request))
    return render(request, "registration/otp_verify.html", {"form": form, "next": _next_url(request)})


def _qr_svg(data: str) -> str:
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    return image.to_string(encoding="unicode")


@login_required
@sensitive_post_parameters("otp_token")
def otp_setup(request):
    user = request.user
    if user.role == Role.RESIDENT and not user.is_superuser:
        raise PermissionDenied  # residents sign in with their own password only (no staff data)
    if _confirmed_device(user) is not None:
        messages.info(request, _("Verifikasi dua langkah sudah aktif untuk akun ini."))
        return redirect(f"{resolve_url('otp-verify')}?{request.GET.urlencode()}")
    with transaction.atomic():
        device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name=_("Aplikasi autentikator"), confirmed=False)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and _check_token(request, form, device):
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        _verified(request, device)
        messages.success(request, _("Verifikasi dua langkah aktif. Simpan aplikasi autentikator Anda baik-baik."))
        return redirect(_next_url(request))
    secret = b32encode(device.bin_key).decode()
    return render(
        request,
        "registration/otp_setup.html",
        {
            "form": form,
            "next": _next_url(request),
            "qr_svg": _qr_svg(device.config_url),
            "secret_groups": [secret[i : i + 4] for i in range(0, len(secret), 4)],
            "required": otp_required(user),
        },
    )
