"""The village operator's queue of residents whose identity awaits confirmation."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from dtsen_portal.errors import DomainError
from registrations.forms import IdentityReviewForm
from registrations.models import IdentityStatus, ResidentProfile
from registrations.permissions import may, user_may
from registrations.scoping import get_scoped_object_or_404
from registrations.services.residents import identity_review
from registrations.views.common import form_error_from


def _operator_only(user) -> None:
    if not user_may(user, "identity.review"):
        raise PermissionDenied


@never_cache
@may("staff")
def identity_queue(request):
    _operator_only(request.user)
    status = request.GET.get("status", IdentityStatus.AWAITING_REVIEW)
    if status not in IdentityStatus.values:
        status = IdentityStatus.AWAITING_REVIEW
    profiles = (
        ResidentProfile.objects.visible_to(request.user)
        .filter(identity_status=status, activated_at__isnull=False)
        .select_related("village")
        .order_by("created_at")
    )
    page = Paginator(profiles, 25).get_page(request.GET.get("halaman"))
    return render(
        request,
        "registrations/identity_queue.html",
        {"page": page, "status": status, "statuses": IdentityStatus.choices},
    )


@never_cache
@may("staff")
@require_http_methods(["GET", "POST"])
def identity_detail(request, pk: int):
    _operator_only(request.user)
    profile = get_scoped_object_or_404(
        ResidentProfile.objects.select_related("user", "village", "identity_reviewed_by"), request.user, pk=pk
    )
    form = IdentityReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            identity_review(
                profile_id=profile.pk,
                actor=request.user,
                confirm=form.cleaned_data["decision"] == "confirm",
                reason=form.cleaned_data["reason"],
            )
        except DomainError as exc:
            form_error_from(form, exc)
        else:
            messages.success(request, _("Keputusan identitas %(name)s tersimpan.") % {"name": profile.full_name})
            return redirect("identity-queue")
    documents = {d.kind: d for d in profile.documents.all()}
    return render(
        request, "registrations/identity_detail.html", {"profile": profile, "documents": documents, "form": form}
    )
