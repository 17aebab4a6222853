"""Resident sign-up, activation, and the resident's own account page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from dtsen_portal.errors import DomainError
from registrations.forms import IdentityPhotoForm, ResidentSignUpForm
from registrations.permissions import user_may
from registrations.services.residents import (
    identity_document_replace,
    resident_activate,
    resident_sign_up,
)
from registrations.views.common import base_url, form_error_from


@never_cache
@require_http_methods(["GET", "POST"])
def sign_up(request):
    if request.user.is_authenticated:
        return redirect("home")
    form = ResidentSignUpForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        c = form.cleaned_data
        data = form.sign_up_data()
        try:
            resident_sign_up(
                data=data, ktp_file=c["ktp_photo"], selfie_file=c["selfie_photo"], request_base_url=base_url(request)
            )
        except DomainError as exc:
            form_error_from(form, exc)
        else:
            return redirect("resident-sign-up-done")
    return render(request, "registrations/sign_up.html", {"form": form})


def sign_up_done(request):
    return render(request, "registrations/sign_up_done.html")


@never_cache
def activate(request, token: str):
    try:
        resident_activate(token=token)
    except DomainError as exc:
        return render(request, "registrations/activation_failed.html", {"message": exc.message}, status=400)
    messages.success(request, _("Akun Anda sudah aktif. Silakan masuk."))
    return redirect("login")


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def my_account(request):
    if not user_may(request.user, "resident.account"):
        raise PermissionDenied
    profile = request.user.resident
    form = IdentityPhotoForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            identity_document_replace(
                profile=profile, kind=form.cleaned_data["kind"], file_obj=form.cleaned_data["photo"]
            )
        except DomainError as exc:
            form_error_from(form, exc)
        else:
            messages.success(request, _("Foto sudah diganti dan menunggu pemeriksaan operator desa."))
            return redirect("resident-account")
    documents = {d.kind: d for d in profile.documents.all()}
    return render(
        request,
        "registrations/my_account.html",
        {"profile": profile, "documents": documents, "form": form},
    )
