""" "Daftar Usulan": the step-by-step proposal form, its review page and status page.

The same views serve a resident's online proposal and a village operator's walk-in
(offline) entry; the services decide who may change what.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from dtsen_portal.errors import DomainError
from registrations.forms import (
    ConditionsForm,
    DocumentForm,
    HouseholdStepForm,
    MemberFormSet,
    ProgrammesForm,
    ProposalStartForm,
    ReasonForm,
)
from registrations.models import Proposal, Role
from registrations.permissions import user_may
from registrations.selectors import (
    member_duplicate_flags,
    proposal_for_user,
    proposals_for_staff,
    proposals_of_resident,
)
from registrations.services import proposals as services
from registrations.views.common import form_error_from
from registrations.workflow import is_proposer

STEPS = [
    ("rumah-tangga", gettext_lazy("Rumah tangga")),
    ("anggota", gettext_lazy("Anggota keluarga")),
    ("kondisi", gettext_lazy("Kondisi rumah tangga")),
    ("program", gettext_lazy("Program & dokumen")),
    ("periksa", gettext_lazy("Periksa & kirim")),
]
STEP_SLUGS = [slug for slug, _label in STEPS]


def _next_step(slug: str) -> str:
    return STEP_SLUGS[min(STEP_SLUGS.index(slug) + 1, len(STEP_SLUGS) - 1)]


def _proposer_only(user) -> None:
    if not user_may(user, "propose"):
        raise PermissionDenied


def _editable_or_status(request, proposal: Proposal):
    """Steps of a proposal that can no longer change send the visitor to its status page."""
    if not is_proposer(proposal, request.user):
        raise PermissionDenied
    if not proposal.is_editable:
        messages.info(request, _("Usulan ini sudah dikirim dan tidak dapat diubah."))
        return redirect("proposal-status", proposal.tracking_number)
    return None


def _context(proposal: Proposal, step: str, **extra):
    return {"proposal": proposal, "steps": STEPS, "step": step, **extra}


@never_cache
@login_required
def proposal_list(request):
    _proposer_only(request.user)
    if request.user.role == Role.RESIDENT:
        proposals = proposals_of_resident(request.user)
    else:
        proposals = proposals_for_staff(request.user)
    page = Paginator(proposals, 25).get_page(request.GET.get("halaman"))
    return render(request, "registrations/proposal_list.html", {"page": page, "proposals": page.object_list})


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def proposal_start(request):
    _proposer_only(request.user)
    form = ProposalStartForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            proposal = services.proposal_create_draft(
                actor=request.user, kind=form.cleaned_data["kind"], update_reason=form.cleaned_data["update_reason"]
            )
        except DomainError as exc:
            form_error_from(form, exc)
        else:
            return redirect("proposal-step", proposal.tracking_number, STEP_SLUGS[0])
    return render(request, "registrations/proposal_start.html", {"form": form})


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def proposal_step(request, number: str, step: str):
    if step not in STEP_SLUGS:
        raise Http404
    proposal = proposal_for_user(request.user, number)
    if (response := _editable_or_status(request, proposal)) is not None:
        return response
    handler = {
        "rumah-tangga": _household_step,
        "anggota": _members_step,
        "kondisi": _conditions_step,
        "program": _programmes_step,
        "periksa": _review_step,
    }[step]
    return handler(request, proposal)


def _saved(request, proposal: Proposal, step: str):
    messages.success(request, _("Draf tersimpan."))
    target = step if "save_only" in request.POST else _next_step(step)
    return redirect("proposal-step", proposal.tracking_number, target)


def _save_step(request, proposal: Proposal, step: str, form, save, *, refused=form_error_from):
    """A posted, valid step goes to its service; saved → the next step, refused → the
    reason on the form (``refused``). ``None`` when the page is to be shown again."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        save()
    except DomainError as exc:
        refused(form, exc)
        return None
    return _saved(request, proposal, step)


def _household_step(request, proposal: Proposal):
    initial = {
        "kk_number": proposal.kk_number,
        "village": proposal.village_id,
        "address": proposal.address,
        "rt": proposal.rt,
        "rw": proposal.rw,
        "phone": proposal.phone,
    }
    form = HouseholdStepForm(request.POST or None, initial=initial)
    saved = _save_step(
        request,
        proposal,
        "rumah-tangga",
        form,
        lambda: services.proposal_save_household(proposal=proposal, actor=request.user, data=form.cleaned_data),
    )
    if saved:
        return saved
    return render(request, "registrations/proposal_step_household.html", _context(proposal, "rumah-tangga", form=form))


def _members_step(request, proposal: Proposal):
    initial = [{f: getattr(m, f) for f in services.MEMBER_FIELDS} for m in proposal.members.all()]
    formset = MemberFormSet(request.POST or None, initial=initial, prefix="anggota")
    saved = _save_step(
        request,
        proposal,
        "anggota",
        formset,
        lambda: services.proposal_save_members(proposal=proposal, actor=request.user, members=formset.members()),
        refused=lambda _formset, exc: messages.error(request, exc.message),
    )
    if saved:
        return saved
    return render(request, "registrations/proposal_step_members.html", _context(proposal, "anggota", formset=formset))


def _conditions_step(request, proposal: Proposal):
    form = ConditionsForm(request.POST or None, instance=proposal)
    saved = _save_step(
        request,
        proposal,
        "kondisi",
        form,
        lambda: services.proposal_save_conditions(proposal=proposal, actor=request.user, data=form.cleaned_data),
    )
    if saved:
        return saved
    indicators = [form[f] for f in Proposal.INDICATOR_FIELDS]
    assets = [form[f] for f in Proposal.ASSET_FIELDS]
    return render(
        request,
        "registrations/proposal_step_conditions.html",
        _context(proposal, "kondisi", form=form, indicators=indicators, assets=assets),
    )


def _programmes_step(request, proposal: Proposal):
    action = request.POST.get("action")
    programmes_form = ProgrammesForm(
        request.POST if action == "programmes" else None,
        initial={"programmes": proposal.programmes, "statement": proposal.applicant_statement},
    )
    document_form = DocumentForm(
        request.POST if action == "document" else None, request.FILES if action == "document" else None
    )
    if action == "programmes" and programmes_form.is_valid():
        try:
            services.proposal_save_programmes(
                proposal=proposal,
                actor=request.user,
                programmes=programmes_form.cleaned_data["programmes"],
                statement=programmes_form.cleaned_data["statement"],
            )
        except DomainError as exc:
            form_error_from(programmes_form, exc)
        else:
            return _saved(request, proposal, "program")
    if action == "document" and document_form.is_valid():
        try:
            document = services.proposal_add_document(
                proposal=proposal,
                actor=request.user,
                kind=document_form.cleaned_data["kind"],
                file_obj=document_form.cleaned_data["file"],
            )
        except DomainError as exc:
            form_error_from(document_form, exc)
        else:
            messages.success(request, _("Dokumen diunggah."))
            for warning in document.quality_warnings:
                messages.warning(request, warning)
            return redirect("proposal-step", proposal.tracking_number, "program")
    if action == "remove_document":
        try:
            services.proposal_remove_document(
                proposal=proposal, actor=request.user, document_id=int(request.POST.get("document", 0) or 0)
            )
        except (DomainError, ValueError):
            messages.error(request, _("Dokumen tidak dapat dihapus."))
        return redirect("proposal-step", proposal.tracking_number, "program")
    return render(
        request,
        "registrations/proposal_step_programmes.html",
        _context(
            proposal,
            "program",
            programmes_form=programmes_form,
            document_form=document_form,
            documents=proposal.documents.all(),
        ),
    )


def _review_step(request, proposal: Proposal):
    if request.method == "POST":
        try:
            services.proposal_submit(proposal=proposal, actor=request.user)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                _("Usulan %(number)s terkirim. Simpan nomor ini untuk memantau statusnya.")
                % {"number": proposal.tracking_number},
            )
            return redirect("proposal-status", proposal.tracking_number)
    problems = services.proposal_problems(proposal)
    can_submit_now = not problems and (
        request.user.role != Role.RESIDENT
        or (getattr(request.user, "resident", None) and request.user.resident.is_confirmed)
    )
    return render(
        request,
        "registrations/proposal_step_review.html",
        _context(
            proposal,
            "periksa",
            problems=problems,
            can_submit_now=can_submit_now,
            members=proposal.members.all(),
            documents=proposal.documents.all(),
        ),
    )


@never_cache
@login_required
def proposal_status(request, number: str):
    proposal = proposal_for_user(request.user, number)
    events = proposal.events.select_related("actor").all()
    can_withdraw = "withdraw" in proposal.allowed_moves(request.user)
    is_staff = request.user.is_portal_staff
    members = list(proposal.members.select_related("match__record") if is_staff else proposal.members.all())
    flags = member_duplicate_flags(proposal) if is_staff else {}
    return render(
        request,
        "registrations/proposal_status.html",
        {
            "proposal": proposal,
            "members": [(m, flags.get(m.nik, [])) for m in members],
            "show_numbers": is_staff,
            "events": events,
            "can_withdraw": can_withdraw,
            "can_edit": is_proposer(proposal, request.user) and proposal.is_editable,
            "withdraw_form": ReasonForm(),
        },
    )


@never_cache
@login_required
@require_POST
def proposal_withdraw(request, number: str):
    proposal = proposal_for_user(request.user, number)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Tuliskan alasan penarikan usulan."))
    else:
        try:
            services.proposal_withdraw(proposal=proposal, actor=request.user, reason=form.cleaned_data["reason"])
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Usulan ditarik."))
    return redirect(reverse("proposal-status", args=[proposal.tracking_number]))
