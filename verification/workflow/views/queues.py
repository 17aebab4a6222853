"""The staff work queues: the dashboard, and the social office's verification queue
with verifier assignment and the field-visit form.

Every view is permission-checked (``may``) and region-scoped: lists start from
``Proposal.objects.visible_to(user)`` and single proposals are fetched with
``get_scoped_object_or_404``, so a proposal of another regency answers 404.
"""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from dtsen_portal.errors import DomainError
from registrations.models import Proposal, ProposalStatus
from registrations.permissions import may, user_may
from registrations.scoping import get_scoped_object_or_404
from registrations.selectors import member_duplicate_flags
from registrations.views.common import form_error_from
from registrations.views.documents import serve_private_document
from verification.models import FieldVisitPhoto
from verification.population.flags import open_flag_counts, proposal_flags
from verification.workflow.forms.queues import AssignForm, FieldVisitForm, QueueFilterForm
from verification.workflow.selectors import queue, queue_counts, verifiers_for, villages_in_scope
from verification.workflow.services import review
from verification.workflow.views.common import export_stem, paginate, query_without
from verification.workflow.views.exports import export_format, export_response

VERIFICATION_PAGE_SIZE = 50


@never_cache
@may("staff")
def dashboard(request):
    """ "Antrean kerja": per step of the user's role, how many wait and for how long."""
    counts = queue_counts(request.user)
    flag_counts = None
    if user_may(request.user, "population.flags"):
        open_flags = open_flag_counts(request.user)
        flag_counts = {"total": sum(open_flags.values()), "by_kind": open_flags}
    return render(request, "verification/queues/dashboard.html", {"counts": counts, "flag_counts": flag_counts})


# --- social office: the verification queue ---------------------------------------------------


@never_cache
@may("verification.review")
def verification_queue(request):
    user = request.user
    villages = list(villages_in_scope(user))
    filter_form = QueueFilterForm(request.GET or None, villages=villages, flags=True, assigned=True)
    proposals = queue(user, ProposalStatus.MUSDES_APPROVED, filter_form.filters())
    if export_format(request):
        return export_response(
            request, proposals, stem=export_stem("antrean-verifikasi", user), title=_("Antrean verifikasi")
        )
    page, rows = paginate(request, proposals, VERIFICATION_PAGE_SIZE)
    verifiers = list(verifiers_for(user))
    return render(
        request,
        "verification/queues/verification_queue.html",
        {
            "page": page,
            "rows": rows,
            "filter_form": filter_form,
            "verifiers": verifiers,
            "export_query": query_without(request, "format", "halaman"),
        },
    )


def _proposal_for_officer(request, number: str) -> Proposal:
    return get_scoped_object_or_404(
        Proposal.objects.select_related("village__parent__parent", "applicant", "household", "assignment__verifier"),
        request.user,
        tracking_number=number,
    )


@never_cache
@may("verification.review")
@require_http_methods(["GET", "POST"])
def verification_detail(request, number: str):
    """The proposal as the officer checks it, and the field-visit form."""
    proposal = _proposal_for_officer(request, number)
    waiting = "verify" in proposal.allowed_moves(request.user)
    form = FieldVisitForm(request.POST or None, request.FILES or None, initial=FieldVisitForm.initial_from(proposal))
    if request.method == "POST":
        if not waiting:
            messages.error(request, _("Usulan ini tidak sedang menunggu verifikasi."))
            return redirect("verification-detail", proposal.tracking_number)
        if form.is_valid():
            c = form.cleaned_data
            try:
                visit = review.field_visit_record(
                    proposal_id=proposal.pk,
                    actor=request.user,
                    visited_on=c["visited_on"],
                    result=c["result"],
                    conditions=form.conditions(),
                    notes=c.get("notes") or "",
                    latitude=c.get("latitude"),
                    longitude=c.get("longitude"),
                    photos=c.get("photos") or [],
                )
            except DomainError as exc:
                form_error_from(form, exc)
            else:
                messages.success(
                    request,
                    _("Kunjungan %(number)s dicatat: %(result)s.")
                    % {"number": proposal.tracking_number, "result": visit.get_result_display()},
                )
                return redirect("verification-queue")
    members = list(proposal.members.select_related("match"))
    flags = member_duplicate_flags(proposal)
    assignment = getattr(proposal, "assignment", None)
    return render(
        request,
        "verification/queues/verification_detail.html",
        {
            "proposal": proposal,
            "members": [(m, flags.get(m.nik, [])) for m in members],
            "documents": proposal.documents.all(),
            "events": proposal.events.select_related("actor"),
            "visits": proposal.field_visits.select_related("verifier").prefetch_related("photos"),
            "assignment": assignment,
            "assigned_elsewhere": assignment is not None and assignment.verifier_id != request.user.pk,
            "waiting": waiting,
            "form": form,
            "assign_form": AssignForm(
                verifiers=verifiers_for(request.user), initial={"verifier": getattr(assignment, "verifier_id", None)}
            ),
            "indicators": [form[f] for f in Proposal.INDICATOR_FIELDS],
            "assets": [form[f] for f in Proposal.ASSET_FIELDS],
            "population_flags": proposal_flags(proposal),
        },
    )


@never_cache
@may("verification.review")
@require_POST
def verification_assign(request, number: str):
    proposal = _proposal_for_officer(request, number)
    form = AssignForm(request.POST, verifiers=verifiers_for(request.user))
    if not form.is_valid():
        messages.error(request, _("Pilih verifikator dari Dinas Sosial kabupaten/kota Anda."))
    else:
        verifier = form.cleaned_data["verifier"]
        try:
            review.verifier_assign(proposal_id=proposal.pk, actor=request.user, verifier=verifier)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                _("Usulan %(number)s ditugaskan kepada %(name)s.")
                % {"number": proposal.tracking_number, "name": verifier.get_full_name() or verifier.username},
            )
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("verification-queue")
    return redirect(target)


@never_cache
@may("staff")
def visit_photo(request, pk: int, variant: str):
    """A house photo of a field visit: staff whose region holds the proposal; logged."""
    photo = get_object_or_404(FieldVisitPhoto.objects.select_related("visit__proposal"), pk=pk)
    return serve_private_document(  # checks the region (404 outside it) and records the access
        request,
        photo,
        owner_id=None,
        village_code=photo.visit.proposal.village_id,
        document_type="kunjungan",
        variant=variant,
    )
