"""Batch decisions through the pages: the regency head's decree (SK), the province's
forwarding letter, and the ministry's determination round; and the past batches.

A page shows up to 100 proposals with checkboxes; the decision takes the ticked ones
(or every one on the page). Before the service runs, the ids are checked against the
user's region scope: an id outside it refuses the whole decision without naming the
proposal. The services are all-or-nothing and name the proposal that stopped them.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from dtsen_portal.errors import DomainError
from registrations.models import Proposal, ProposalStatus, RegionLevel, Role
from registrations.permissions import may
from registrations.views.common import form_error_from
from verification.models import BatchKind
from verification.workflow.forms.queues import (
    DeterminationForm,
    ProvinceLetterForm,
    QueueFilterForm,
    RegencyDecreeForm,
)
from verification.workflow.selectors import (
    batch_for,
    batch_proposals,
    batches_for,
    counts_by_region,
    queue,
    regions_in_scope,
    villages_in_scope,
)
from verification.workflow.services import approvals
from verification.workflow.views.common import export_stem, paginate, query_without
from verification.workflow.views.exports import export_format, export_response

BATCH_PAGE_SIZE = 100
RECENT_BATCHES = 5


def _decide(request, form, run):
    """Run one batch decision; on refusal put the reason on the form and return None."""
    if not form.is_valid():
        return None
    ids = form.cleaned_data["ids"]
    reachable = Proposal.objects.visible_to(request.user).filter(pk__in=ids).count()
    if reachable != len(ids):
        form.add_error(
            None, _("Sebagian usulan yang dipilih tidak ditemukan di wilayah Anda. Tidak ada yang diproses.")
        )
        return None
    try:
        return run(form.cleaned_data, ids)
    except DomainError as exc:
        form_error_from(form, exc)
        return None


def _page_context(request, page, rows, form, **extra):
    return {
        "page": page,
        "rows": rows,
        "form": form,
        "page_ids": ",".join(str(p.pk) for p in rows),
        "selected": {int(v) for v in request.POST.getlist("usulan") if v.isdigit()},
        "export_query": query_without(request, "format", "halaman"),
        **extra,
    }


# --- regency head: approve verified proposals under a decree -----------------------------------


@never_cache
@may("batch.regency_approve")
@require_http_methods(["GET", "POST"])
def approval_queue(request):
    user = request.user
    filter_form = QueueFilterForm(request.GET or None, villages=list(villages_in_scope(user)))
    proposals = queue(user, ProposalStatus.VERIFIED, filter_form.filters())
    if export_format(request):
        return export_response(
            request, proposals, stem=export_stem("antrean-persetujuan", user), title=_("Antrean persetujuan")
        )
    form = RegencyDecreeForm(request.POST or None)
    if request.method == "POST":

        def run(c, ids):
            return approvals.regency_approve_batch(
                actor=user, proposal_ids=ids, number=c["number"], document_date=c["document_date"]
            )

        batch = _decide(request, form, run)
        if batch is not None:
            messages.success(
                request,
                _("%(n)d usulan disetujui dengan keputusan %(number)s.")
                % {"n": len(form.cleaned_data["ids"]), "number": batch.number},
            )
            return redirect("batch-detail", batch.pk)
    page, rows = paginate(request, proposals, BATCH_PAGE_SIZE)
    return render(
        request,
        "verification/queues/approval_queue.html",
        _page_context(
            request,
            page,
            rows,
            form,
            filter_form=filter_form,
            batches=batches_for(user, BatchKind.REGENCY_DECREE)[:RECENT_BATCHES],
            batch_kind=BatchKind.REGENCY_DECREE,
        ),
    )


# --- provincial staff: forward the regencies' approved proposals -------------------------------


@never_cache
@may("batch.province_forward")
@require_http_methods(["GET", "POST"])
def forwarding_queue(request):
    user = request.user
    filter_form = QueueFilterForm(
        request.GET or None,
        regions=list(regions_in_scope(user, RegionLevel.REGENCY)),
        region_label=_("Kabupaten/kota"),
    )
    proposals = queue(user, ProposalStatus.REGENCY_APPROVED, filter_form.filters())
    if export_format(request):
        return export_response(
            request, proposals, stem=export_stem("antrean-penerusan", user), title=_("Antrean penerusan")
        )
    form = ProvinceLetterForm(request.POST or None)
    if request.method == "POST":

        def run(c, ids):
            return approvals.province_forward_batch(
                actor=user, proposal_ids=ids, number=c["number"], document_date=c["document_date"]
            )

        batch = _decide(request, form, run)
        if batch is not None:
            messages.success(
                request,
                _("%(n)d usulan diteruskan ke Kementerian Sosial dengan surat %(number)s.")
                % {"n": len(form.cleaned_data["ids"]), "number": batch.number},
            )
            return redirect("batch-detail", batch.pk)
    page, rows = paginate(request, proposals, BATCH_PAGE_SIZE)
    return render(
        request,
        "verification/queues/forwarding_queue.html",
        _page_context(
            request,
            page,
            rows,
            form,
            filter_form=filter_form,
            summary=counts_by_region(user, ProposalStatus.REGENCY_APPROVED, RegionLevel.REGENCY),
            batches=batches_for(user, BatchKind.PROVINCE_FORWARD)[:RECENT_BATCHES],
            batch_kind=BatchKind.PROVINCE_FORWARD,
        ),
    )


# --- ministry: the determination round ----------------------------------------------------------


@never_cache
@may("batch.determine")
@require_http_methods(["GET", "POST"])
def determination_queue(request):
    user = request.user
    province = request.GET.get("provinsi", "")
    provinces = list(regions_in_scope(user, RegionLevel.PROVINCE))
    regencies = None
    if province in {p.code for p in provinces}:
        regencies = list(regions_in_scope(user, RegionLevel.REGENCY).filter(parent_id=province))
    filter_form = QueueFilterForm(
        request.GET or None, provinces=provinces, regions=regencies, region_label=_("Kabupaten/kota")
    )
    proposals = queue(user, ProposalStatus.FORWARDED, filter_form.filters())
    if export_format(request):
        return export_response(
            request, proposals, stem=export_stem("antrean-penetapan", user), title=_("Antrean penetapan")
        )
    form = DeterminationForm(request.POST or None)
    if request.method == "POST":

        def run(c, ids):
            determine = c["action"] == DeterminationForm.DETERMINE
            return approvals.ministry_determine(
                actor=user,
                period=c["period"],
                number=c["number"],
                document_date=c["document_date"],
                determine_ids=ids if determine else [],
                reject_ids=[] if determine else ids,
                reject_reason="" if determine else c["reason"].strip(),
            )

        batch = _decide(request, form, run)
        if batch is not None:
            message = (
                _("%(n)d usulan ditetapkan masuk DTSEN (%(number)s).")
                if form.cleaned_data["action"] == DeterminationForm.DETERMINE
                else _("%(n)d usulan tidak ditetapkan (%(number)s).")
            )
            messages.success(request, message % {"n": len(form.cleaned_data["ids"]), "number": batch.number})
            return redirect("batch-detail", batch.pk)
    page, rows = paginate(request, proposals, BATCH_PAGE_SIZE)
    return render(
        request,
        "verification/queues/determination_queue.html",
        _page_context(
            request,
            page,
            rows,
            form,
            filter_form=filter_form,
            summary=counts_by_region(user, ProposalStatus.FORWARDED, RegionLevel.PROVINCE),
            batches=batches_for(user, BatchKind.DETERMINATION)[:RECENT_BATCHES],
            batch_kind=BatchKind.DETERMINATION,
        ),
    )


# --- past batches ---------------------------------------------------------------------------------

KIND_FOR_ROLE = {
    Role.REGENCY_HEAD: BatchKind.REGENCY_DECREE,
    Role.SOCIAL_OFFICER: BatchKind.REGENCY_DECREE,
    Role.PROVINCIAL_STAFF: BatchKind.PROVINCE_FORWARD,
    Role.MINISTRY_STAFF: BatchKind.DETERMINATION,
    Role.ADMIN: BatchKind.DETERMINATION,
}


@never_cache
@may("staff")
def batch_list(request):
    kind = request.GET.get("jenis") or KIND_FOR_ROLE.get(request.user.role, BatchKind.REGENCY_DECREE)
    if kind not in BatchKind.values:
        kind = BatchKind.REGENCY_DECREE
    page = Paginator(batches_for(request.user, kind), 50).get_page(request.GET.get("halaman"))
    return render(
        request,
        "verification/queues/batch_list.html",
        {"page": page, "batches": page.object_list, "kind": kind, "kinds": BatchKind.choices},
    )


@never_cache
@may("staff")
def batch_detail(request, pk: int):
    batch = batch_for(request.user, pk)
    proposals = batch_proposals(request.user, batch)
    if export_format(request):
        return export_response(request, proposals, stem=f"{batch.kind}-{batch.pk}", title=batch.get_kind_display())
    page, rows = paginate(request, proposals, BATCH_PAGE_SIZE)
    return render(
        request,
        "verification/queues/batch_detail.html",
        {"batch": batch, "page": page, "rows": rows, "export_query": query_without(request, "format", "halaman")},
    )
