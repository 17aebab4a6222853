"""The village operator's musdes pages, the minutes download, and the published outcomes."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from dtsen_portal.errors import DomainError
from registrations.models import Role
from registrations.names import mask_name
from registrations.permissions import may, user_may
from registrations.private_files import Access, serve_private_file
from registrations.scoping import get_scoped_object_or_404
from verification.models import Deliberation, DeliberationStatus
from verification.workflow.forms.musdes import AttendeeForm, DeliberationOpenForm, OutcomeFormSet, SignedScanForm
from verification.workflow.musdes_workflow import musdes_steps_allowed
from verification.workflow.services import musdes as services


def _operator(request) -> None:
    if not user_may(request.user, "musdes.run"):
        raise PermissionDenied


def _deliberation(request, pk: int) -> Deliberation:
    return get_scoped_object_or_404(Deliberation.objects.select_related("village__parent__parent"), request.user, pk=pk)


@never_cache
@may("staff")
@require_http_methods(["GET", "POST"])
def deliberation_list(request):
    _operator(request)
    form = DeliberationOpenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            d = services.deliberation_open(actor=request.user, village=request.user.region, **form.cleaned_data)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect("musdes-detail", d.pk)
    deliberations = Deliberation.objects.visible_to(request.user).select_related("village")[:50]
    return render(request, "verification/musdes/list.html", {"deliberations": deliberations, "form": form})


@never_cache
@may("staff")
def deliberation_detail(request, pk: int):
    d = _deliberation(request, pk)
    items = list(d.items.select_related("proposal").prefetch_related("proposal__members").order_by("id"))
    formset = OutcomeFormSet(
        prefix="hasil",
        initial=[{"item": i.pk, "outcome": i.outcome, "reason": i.reason} for i in items],
    )
    rows = []
    for item, form in zip(items, formset.forms, strict=True):
        head = next((m for m in item.proposal.members.all() if m.relation == "kepala"), None)
        rows.append({"item": item, "form": form, "head": head})
    steps = musdes_steps_allowed(d, request.user)
    return render(
        request,
        "verification/musdes/detail.html",
        {
            "d": d,
            "rows": rows,
            "formset": formset,
            "attendees": d.attendees.all(),
            "attendee_form": AttendeeForm(),
            "scan_form": SignedScanForm(),
            "can_edit": "record_outcome" in steps,
            "can_sign": "sign" in steps,
        },
    )


def _act(request, action) -> None:
    """Run one service call; its refusal becomes a message, never a traceback."""
    try:
        message = action()
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        if message:
            messages.success(request, message)


@never_cache
@may("staff")
@require_POST
def deliberation_action(request, pk: int, action: str):
    _operator(request)
    d = _deliberation(request, pk)
    user = request.user
    if action == "peserta":
        form = AttendeeForm(request.POST)
        if form.is_valid():
            c = form.cleaned_data

            def add():
                services.deliberation_add_attendee(
                    deliberation_id=d.pk, actor=user, name=c["name"], position=c["position"], signs=c["signs"]
                )
                return _("Peserta dicatat.")

            _act(request, add)
        else:
            messages.error(request, _("Isi nama dan jabatan peserta."))
    elif action == "hapus-peserta":
        attendee = int(request.POST.get("attendee") or 0)
        _act(
            request,
            lambda: services.deliberation_remove_attendee(deliberation_id=d.pk, actor=user, attendee_id=attendee),
        )
    elif action == "tarik-usulan":

        def pull():
            added = services.deliberation_pull_proposals(deliberation_id=d.pk, actor=user)
            return _("%(n)d usulan ditambahkan.") % {"n": added}

        _act(request, pull)
    elif action == "hasil":
        formset = OutcomeFormSet(request.POST, prefix="hasil")
        if not formset.is_valid():
            messages.error(request, _("Periksa isian hasil."))
        else:
            item_ids = set(d.items.values_list("pk", flat=True))

            def record_all():
                for row in formset.cleaned_data:
                    if row["item"] not in item_ids:
                        raise Http404
                    services.deliberation_record_outcome(
                        item_id=row["item"], actor=user, outcome=row["outcome"], reason=row["reason"]
                    )
                return _("Hasil musyawarah tersimpan.")

            _act(request, record_all)
    elif action == "tutup":

        def close():
            services.deliberation_close(deliberation_id=d.pk, actor=user)
            return _("Musyawarah ditutup. Unduh berita acara, tandatangani, lalu unggah pindaiannya.")

        _act(request, close)
    elif action == "tanda-tangan":
        form = SignedScanForm(request.POST, request.FILES)
        if form.is_valid():

            def sign():
                services.deliberation_sign(deliberation_id=d.pk, actor=user, scan=form.cleaned_data["scan"])
                return _("Berita acara bertanda tangan tersimpan; usulan yang disetujui diteruskan ke Dinas Sosial.")

            _act(request, sign)
        else:
            messages.error(request, _("Pilih berkas pindaian berita acara."))
    else:
        raise Http404
    return redirect("musdes-detail", d.pk)


@never_cache
@may("staff")
def minutes_pdf(request, pk: int):
    return serve_minutes(request, _deliberation(request, pk))


def serve_minutes(request, d: Deliberation):
    """The berita acara PDF of a closed musdes (404 before), its every download recorded;
    the page and the API (``MinutesPdfApi``) both answer with it."""
    if not d.minutes_pdf:
        raise Http404
    return serve_private_file(
        request,
        d.minutes_pdf.name,
        filename=f"berita-acara-{d.village_id}-{d.held_on:%Y%m%d}.pdf",
        content_type="application/pdf",
        log=Access("berita_acara", d.pk),
    )


@never_cache
@login_required
def published_outcomes(request):
    """Signed musdes outcomes of the resident's own village: names masked, no numbers."""
    village = request.user.region_id
    if request.user.role != Role.RESIDENT or not village:
        raise PermissionDenied
    deliberations = (
        Deliberation.objects.filter(village_id=village, status=DeliberationStatus.SIGNED)
        .select_related("village")
        .prefetch_related("items__proposal__members")[:12]
    )
    published = []
    for d in deliberations:
        rows = []
        for item in d.items.all():
            head = next((m for m in item.proposal.members.all() if m.relation == "kepala"), None)
            rows.append(
                {
                    "name": mask_name(head.full_name) if head else "-",
                    "rt_rw": f"{item.proposal.rt}/{item.proposal.rw}",
                    "outcome": item.get_outcome_display(),
                }
            )
        published.append({"d": d, "rows": rows})
    return render(request, "verification/musdes/published.html", {"published": published})


@never_cache
@may("staff")
def deliberation_export(request, pk: int):
    """The outcome list of one musdes as CSV or Excel: no personal numbers, like the minutes."""
    from verification.workflow.views.exports import csv_table_response, export_format, xlsx_table_response

    d = _deliberation(request, pk)
    columns = [
        _("Nomor usulan"),
        _("Kepala keluarga"),
        "RT",
        "RW",
        _("Jumlah anggota"),
        _("Jalur"),
        _("Hasil"),
        _("Alasan"),
    ]

    def rows():
        for item in d.items.select_related("proposal").prefetch_related("proposal__members").order_by("id"):
            members = list(item.proposal.members.all())
            head = next((m.full_name for m in members if m.relation == "kepala"), "")
            yield [
                item.proposal.tracking_number,
                head,
                item.proposal.rt,
                item.proposal.rw,
                len(members),
                item.proposal.get_channel_display(),
                item.get_outcome_display(),
                item.reason,
            ]

    stem = f"musdes-{d.village_id}-{d.held_on:%Y%m%d}"
    if export_format(request) == "xlsx":
        return xlsx_table_response(columns, rows(), stem, _("Hasil musyawarah"))
    return csv_table_response(columns, rows(), stem)
