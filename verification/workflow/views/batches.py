"""Batch decisions through the pages: the regency head's decree (SK), the province's
forwarding letter, and the ministry's determination round; and the past batches.

The three decision queues are one page driven by a table of three ``Step`` rows below
(``APPROVAL``, ``FORWARDING``, ``DETERMINATION``): each names the role, the proposal
status it lists, the filters, the form, the service it calls and the page's titles and
messages. A page shows up to 100 proposals with checkboxes; the decision takes the
ticked ones (or every one on the page). Before the service runs, the ids are checked
against the user's region scope: an id outside it refuses the whole decision without
naming the proposal. The services are all-or-nothing and name the proposal that
stopped them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext_lazy
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


# --- the three decision steps -------------------------------------------------------------------


@dataclass(frozen=True)
class Button:
    """A submit button of the decision form; ``action`` is the form's ``action`` value, if any."""

    label: Promise
    icon: str
    style: str = "btn-success"
    action: str = ""


@dataclass(frozen=True)
class Step:
    action: str  # who may take it (registrations.permissions)
    status: str  # the proposals it lists
    filters: Callable[..., QueueFilterForm]  # (request) → the page's filter form
    form: type
    run: Callable[..., object]  # (user, cleaned_data, ids) → the batch the service made
    done: dict  # the form's action ("" when it has none) → the success message, %(n)d and %(number)s
    batch_kind: str
    export: tuple[str, Promise]  # the file name's prefix, the sheet's title
    title: Promise
    crumb: Promise
    heading: Promise
    intro: Promise  # plural, on %(n)s: how many wait
    legend: Promise
    fields: tuple[str, ...]  # the document's fields, in one row
    note: Promise
    buttons: tuple[Button, ...]
    recent: Promise  # the heading of the past batches
    summary_level: int | None = None  # counts per region of this level above the list...
    summary_filter: str = ""  # ...each a link that sets this filter
    wide_fields: tuple[str, ...] = ()  # fields under the row, full width
    show_regency: bool = False  # the list spans regencies: name each row's


def _villages(request) -> QueueFilterForm:
    return QueueFilterForm(request.GET or None, villages=list(villages_in_scope(request.user)))


def _regencies(request) -> QueueFilterForm:
    return QueueFilterForm(
        request.GET or None,
        regions=list(regions_in_scope(request.user, RegionLevel.REGENCY)),
        region_label=_("Kabupaten/kota"),
    )


def _provinces_then_regencies(request) -> QueueFilterForm:
    province = request.GET.get("provinsi", "")
    provinces = list(regions_in_scope(request.user, RegionLevel.PROVINCE))
    regencies = None
    if province in {p.code for p in provinces}:
        regencies = list(regions_in_scope(request.user, RegionLevel.REGENCY).filter(parent_id=province))
    return QueueFilterForm(
        request.GET or None, provinces=provinces, regions=regencies, region_label=_("Kabupaten/kota")
    )


def _determine(user, c, ids):
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


APPROVAL = Step(
    action="batch.regency_approve",
    status=ProposalStatus.VERIFIED,
    filters=_villages,
    form=RegencyDecreeForm,
    run=lambda user, c, ids: approvals.regency_approve_batch(
        actor=user, proposal_ids=ids, number=c["number"], document_date=c["document_date"]
    ),
    done={"": gettext_lazy("%(n)d usulan disetujui dengan keputusan %(number)s.")},
    batch_kind=BatchKind.REGENCY_DECREE,
    export=("antrean-persetujuan", gettext_lazy("Antrean persetujuan")),
    title=gettext_lazy("Persetujuan bupati/wali kota"),
    crumb=gettext_lazy("Persetujuan"),
    heading=gettext_lazy("Persetujuan usulan terverifikasi"),
    intro=ngettext_lazy(
        "%(n)s usulan terverifikasi Dinas Sosial menunggu keputusan bupati/wali kota.",
        "%(n)s usulan terverifikasi Dinas Sosial menunggu keputusan bupati/wali kota.",
        "n",
    ),
    legend=gettext_lazy("Setujui usulan yang dipilih dengan keputusan (SK)"),
    fields=("number", "document_date"),
    note=gettext_lazy(
        "Semua usulan yang dipilih diproses sekaligus: bila satu tidak dapat disetujui, tidak ada yang diproses "
        "dan usulan itu disebutkan."
    ),
    buttons=(Button(gettext_lazy("Setujui yang dipilih"), "bi-check2-all"),),
    recent=gettext_lazy("Keputusan bupati/wali kota sebelumnya"),
)

FORWARDING = Step(
    action="batch.province_forward",
    status=ProposalStatus.REGENCY_APPROVED,
    filters=_regencies,
    form=ProvinceLetterForm,
    run=lambda user, c, ids: approvals.province_forward_batch(
        actor=user, proposal_ids=ids, number=c["number"], document_date=c["document_date"]
    ),
    done={"": gettext_lazy("%(n)d usulan diteruskan ke Kementerian Sosial dengan surat %(number)s.")},
    batch_kind=BatchKind.PROVINCE_FORWARD,
    export=("antrean-penerusan", gettext_lazy("Antrean penerusan")),
    title=gettext_lazy("Penerusan ke Kementerian Sosial"),
    crumb=gettext_lazy("Penerusan"),
    heading=gettext_lazy("Penerusan usulan ke Kementerian Sosial"),
    intro=ngettext_lazy(
        "%(n)s usulan disetujui bupati/wali kota menunggu diteruskan.",
        "%(n)s usulan disetujui bupati/wali kota menunggu diteruskan.",
        "n",
    ),
    legend=gettext_lazy("Teruskan usulan yang dipilih dengan surat pengantar"),
    fields=("number", "document_date"),
    note=gettext_lazy(
        "Semua usulan yang dipilih diproses sekaligus: bila satu tidak dapat diteruskan, tidak ada yang diproses "
        "dan usulan itu disebutkan."
    ),
    buttons=(Button(gettext_lazy("Teruskan yang dipilih"), "bi-send"),),
    recent=gettext_lazy("Surat pengantar sebelumnya"),
    summary_level=RegionLevel.REGENCY,
    summary_filter="wilayah",
    show_regency=True,
)

DETERMINATION = Step(
    action="batch.determine",
    status=ProposalStatus.FORWARDED,
    filters=_provinces_then_regencies,
    form=DeterminationForm,
    run=_determine,
    done={
        DeterminationForm.DETERMINE: gettext_lazy("%(n)d usulan ditetapkan masuk DTSEN (%(number)s)."),
        DeterminationForm.REJECT: gettext_lazy("%(n)d usulan tidak ditetapkan (%(number)s)."),
    },
    batch_kind=BatchKind.DETERMINATION,
    export=("antrean-penetapan", gettext_lazy("Antrean penetapan")),
    title=gettext_lazy("Penetapan"),
    crumb=gettext_lazy("Penetapan"),
    heading=gettext_lazy("Penetapan Kementerian Sosial"),
    intro=ngettext_lazy(
        "%(n)s usulan diteruskan provinsi menunggu penetapan.",
        "%(n)s usulan diteruskan provinsi menunggu penetapan.",
        "n",
    ),
    legend=gettext_lazy("Putuskan usulan yang dipilih"),
    fields=("period", "number", "document_date"),
    wide_fields=("reason",),
    note=gettext_lazy(
        "Yang ditetapkan masuk DTSEN beserta anggotanya. Semua usulan yang dipilih diproses sekaligus: bila satu "
        "tidak dapat diproses, tidak ada yang diproses dan usulan itu disebutkan."
    ),
    buttons=(
        Button(gettext_lazy("Tetapkan yang dipilih"), "bi-check2-all", action=DeterminationForm.DETERMINE),
        Button(
            gettext_lazy("Tidak tetapkan yang dipilih"),
            "bi-x-circle",
            style="btn-outline-danger",
            action=DeterminationForm.REJECT,
        ),
    ),
    recent=gettext_lazy("Putaran penetapan sebelumnya"),
    summary_level=RegionLevel.PROVINCE,
    summary_filter="provinsi",
    show_regency=True,
)


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


def _batch_queue(request, step: Step):
    """One step's page: the filtered queue (or its export), the decision, the past batches."""
    user = request.user
    filter_form = step.filters(request)
    proposals = queue(user, step.status, filter_form.filters())
    if export_format(request):
        prefix, title = step.export
        return export_response(request, proposals, stem=export_stem(prefix, user), title=str(title))
    form = step.form(request.POST or None)
    if request.method == "POST":
        batch = _decide(request, form, lambda c, ids: step.run(user, c, ids))
        if batch is not None:
            message = step.done[form.cleaned_data.get("action", "")]
            messages.success(request, message % {"n": len(form.cleaned_data["ids"]), "number": batch.number})
            return redirect("batch-detail", batch.pk)
    page, rows = paginate(request, proposals, BATCH_PAGE_SIZE)
    summary = None
    if step.summary_level is not None:
        summary = counts_by_region(user, step.status, step.summary_level)
    return render(
        request,
        "verification/queues/batch_queue.html",
        {
            "step": step,
            "page": page,
            "rows": rows,
            "form": form,
            "fields": [form[name] for name in step.fields],
            "field_width": 12 // len(step.fields),
            "wide_fields": [form[name] for name in step.wide_fields],
            "intro": step.intro % {"n": page.paginator.count},
            "page_ids": ",".join(str(p.pk) for p in rows),
            "selected": {int(v) for v in request.POST.getlist("usulan") if v.isdigit()},
            "export_query": query_without(request, "format", "halaman"),
            "filter_form": filter_form,
            "summary": summary,
            "batches": batches_for(user, step.batch_kind)[:RECENT_BATCHES],
            "batch_kind": step.batch_kind,
        },
    )


@never_cache
@may(APPROVAL.action)
@require_http_methods(["GET", "POST"])
def approval_queue(request):
    """The regency head approves verified proposals under a decree."""
    return _batch_queue(request, APPROVAL)


@never_cache
@may(FORWARDING.action)
@require_http_methods(["GET", "POST"])
def forwarding_queue(request):
    """The province forwards the regencies' approved proposals to the ministry."""
    return _batch_queue(request, FORWARDING)


@never_cache
@may(DETERMINATION.action)
@require_http_methods(["GET", "POST"])
def determination_queue(request):
    """The ministry's determination round."""
    return _batch_queue(request, DETERMINATION)


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
