"""Account security that holds for every request: second factor, session limits, no-store.

Why a middleware: these rules must hold for every page and endpoint, including the
ones added later, so no view can forget them (OWASP ASVS V3 sessions, V6 factors, V14
headers). The pieces:

- staff roles above village operator must pass a TOTP second factor (operators who
  enrolled one must too); until then only the factor pages, logout and the language
  switch answer: pages redirect there, ``/api/`` answers 403 JSON;
- idle timeout (30 min staff, 2 h residents) and absolute timeout (12 h) per session;
- a session whose account was disabled is ended on its next request;
- ``Cache-Control: no-store`` on every response that passes here (static files are
  served earlier, by WhiteNoise), because nearly every page shows personal data;
- the django-axes lockout answer in Indonesian, and an axes backend that ignores
  request-less ``authenticate()`` calls (shell, tests): there is no client to throttle.
"""

import time

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.db import transaction
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import render, resolve_url
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from registrations.models import Role

#: Roles that must verify a second factor (every staff role above village operator).
OTP_REQUIRED_ROLES = frozenset(
    {Role.SOCIAL_OFFICER, Role.REGENCY_HEAD, Role.PROVINCIAL_STAFF, Role.MINISTRY_STAFF, Role.ADMIN}
)
LOGIN_AT = "security_login_at"
SEEN_AT = "security_seen_at"
#: Whether this session's user must pass a second factor, worked out once per session
#: (for a village operator it takes a query: did they enrol a device?).
OTP_EXPECTED = "security_otp_expected"
#: Seen-at is rewritten at most this often, so a page view rarely costs a session write.
SEEN_RESOLUTION = 60

# Pages an authenticated but not yet verified user may still open.
_OTP_OPEN_URL_NAMES = ("otp-verify", "otp-setup", "logout", "set_language", "healthz")


def otp_required(user) -> bool:
    """True when the account may not work without a verified second factor."""
    return bool(user.is_superuser or user.role in OTP_REQUIRED_ROLES)


def otp_expected(user) -> bool:
    """Required roles, plus operators who chose to enrol a confirmed device."""
    from django_otp import user_has_device

    return otp_required(user) or (user.role == Role.VILLAGE_OPERATOR and user_has_device(user, confirmed=True))


def idle_timeout(user) -> int:
    if user.role == Role.RESIDENT and not user.is_superuser:
        return settings.SESSION_IDLE_TIMEOUT_RESIDENT
    return settings.SESSION_IDLE_TIMEOUT_STAFF


@receiver(user_logged_in, dispatch_uid="security_session_clock")
def _start_session_clock(sender, request, user, **kwargs):
    """Stamp the session at login; Django already rotated its key (``cycle_key``)."""
    if request is None or not hasattr(request, "session"):
        return
    now = int(time.time())
    request.session[LOGIN_AT] = now
    request.session[SEEN_AT] = now
    if request.session.session_key is None:
        request.session.save()
    from registrations.models import UserSession

    UserSession.objects.get_or_create(session_key=request.session.session_key, defaults={"user": user})


class AccountSecurityMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self._check(request)
        if response is None:
            response = self.get_response(request)
        if "public" not in response.get("Cache-Control", ""):
            add_never_cache_headers(response)
        return response

    def _check(self, request):
        session = request.session
        if "_auth_user_id" in session and not request.user.is_authenticated:
            # The account was disabled or deleted since login: end the session for good.
            session.flush()
            return None
        user = request.user
        if not user.is_authenticated:
            return None
        now = int(time.time())
        login_at = session.get(LOGIN_AT)
        seen_at = session.get(SEEN_AT)
        if login_at is None or seen_at is None:
            # Sessions from before this rule (or a login that bypassed the signal).
            session[LOGIN_AT] = login_at = now
            session[SEEN_AT] = seen_at = now
        if now - login_at > settings.SESSION_ABSOLUTE_TIMEOUT:
            hours = settings.SESSION_ABSOLUTE_TIMEOUT // 3600
            message = _("Sesi Anda sudah berakhir (batas %(hours)d jam). Silakan masuk lagi.") % {"hours": hours}
            return self._expired(request, message)
        if now - seen_at > idle_timeout(user):
            return self._expired(request, _("Sesi Anda berakhir karena lama tidak aktif. Silakan masuk lagi."))
        if now - seen_at >= SEEN_RESOLUTION:
            session[SEEN_AT] = now
        if not user.is_verified():
            expected = session.get(OTP_EXPECTED)
            if expected is None:
                expected = session[OTP_EXPECTED] = otp_expected(user)
            if expected:
                return self._second_factor(request, user)
        return None

    def _expired(self, request, message: str):
        logout(request)
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": message}, status=401)
        messages.warning(request, message)
        login_url = resolve_url(settings.LOGIN_URL)
        return HttpResponseRedirect(f"{login_url}?{urlencode({'next': request.get_full_path()})}")

    def _second_factor(self, request, user):
        if request.path.startswith(settings.STATIC_URL if settings.STATIC_URL.startswith("/") else "/static/"):
            return None
        from django.urls import Resolver404, resolve

        try:
            match = resolve(request.path_info)
        except Resolver404:
            match = None
        if match is not None and match.url_name in _OTP_OPEN_URL_NAMES:
            return None
        if request.path.startswith("/api/"):
            return JsonResponse(
                {"detail": _("Verifikasi dua langkah (kode autentikator) diperlukan. Masuk lewat halaman web.")},
                status=403,
            )
        from django_otp import user_has_device

        target = "otp-verify" if user_has_device(user, confirmed=True) else "otp-setup"
        return HttpResponseRedirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")


def lockout_response(request, original_response=None, credentials=None):
    """django-axes: the same Indonesian answer for every username (nothing revealed)."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    message = _(
        "Terlalu banyak percobaan masuk yang gagal. Demi keamanan, percobaan masuk untuk akun ini "
        "dikunci selama %(minutes)d menit. Coba lagi nanti, atau hubungi admin wilayah Anda."
    ) % {"minutes": minutes}
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=429)
    return render(request, "registration/locked_out.html", {"message": message}, status=429)


class RequestAxesBackend(AxesStandaloneBackend):
    """django-axes' check for every login that comes with a request.

    Every web and API login passes its request; a call without one (``manage.py
    shell``, the test client's ``login``) has no client address to throttle.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def end_user_sessions(user) -> int:
    """Delete every recorded session and the API token of ``user``; returns sessions ended."""
    from importlib import import_module

    from rest_framework.authtoken.models import Token

    from registrations.models import UserSession

    store = import_module(settings.SESSION_ENGINE).SessionStore
    keys = list(UserSession.objects.filter(user=user).values_list("session_key", flat=True))
    for key in keys:
        store(session_key=key).delete()
    UserSession.objects.filter(user=user).delete()
    Token.objects.filter(user=user).delete()
    return len(keys)


@receiver(pre_save, sender="registrations.User", dispatch_uid="security_note_deactivation")
def _note_deactivation(sender, instance, **kwargs):
    if instance.pk and not instance.is_active:
        instance._security_deactivated = sender.objects.filter(pk=instance.pk, is_active=True).exists()


@receiver(post_save, sender="registrations.User", dispatch_uid="security_end_sessions")
def _end_sessions_of_disabled_account(sender, instance, **kwargs):
    """Disabling an account (admin, shell, service) ends its sessions and API token."""
    if getattr(instance, "_security_deactivated", False):
        instance._security_deactivated = False
        transaction.on_commit(lambda: end_user_sessions(instance))
